"""Channels: how a claimed message leaves Tradewind. Each is a pure translation (an `Envelope` into an e-mail, or into
a row the seller pastes into the platform's message centre) plus a thin transport.

The e-mail channel speaks SMTP with the standard library's `smtplib`; the Message-ID header is the message's stable
id (derived from its idempotency key), so a copy sent again after a crash is the same e-mail to the receiving side.
"""

from __future__ import annotations

import csv
import io
import json
import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol

from tradewind.errors import ConfigurationError
from tradewind.messaging.models import OutboxMessage
from tradewind.messaging.outbox import Envelope
from tradewind.messaging.settings import MessagingSettings
from tradewind.spreadsheet import safe_cell


@dataclass(frozen=True)
class SendFailure(Exception):  # noqa: N818 - a failure is data the worker records, not a bug
    """A send that did not work; `permanent` when trying again cannot help (the address was refused)."""

    reason: str
    permanent: bool

    def __str__(self) -> str:
        return self.reason


class Channel(Protocol):
    name: str

    def send(self, envelope: Envelope, *, now: datetime) -> str:
        """Deliver one message; returns a note for the timeline, raises `SendFailure`."""
        ...

    def close(self) -> None: ...


def email_message(envelope: Envelope, *, sender: str, now: datetime) -> EmailMessage:
    """The e-mail for an envelope (pure: no I/O)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = envelope.address or ""
    message["Subject"] = envelope.subject
    message["Message-ID"] = envelope.mail_message_id
    message["Date"] = format_datetime(now)
    message["X-Tradewind-Key"] = envelope.idempotency_key
    message["X-Tradewind-Attempt"] = str(envelope.attempt)
    message.set_content(envelope.body)
    if envelope.html:
        message.add_alternative(envelope.html, subtype="html")
    message["Content-Language"] = envelope.locale.replace("_", "-")  # after set_content, which resets Content-*
    return message


class SmtpChannel:
    """E-mail over SMTP; one connection reused for a run, opened again after an error."""

    name = "email"

    def __init__(self, settings: MessagingSettings) -> None:
        if not settings.smtp_configured:
            raise ConfigurationError(
                "e-mail is not configured: an owner sets the shop's mail server in the dashboard (Messages → Mail "
                "settings), or set TRADEWIND_SMTP_HOST and TRADEWIND_SMTP_FROM (and port, user, password)"
            )
        self.settings = settings
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        s = self.settings
        assert s.smtp_host is not None
        connection: smtplib.SMTP
        if s.smtp_ssl:
            connection = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        else:
            connection = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
            if s.smtp_starttls:
                connection.starttls()
        if s.smtp_username:
            connection.login(s.smtp_username, s.smtp_password or "")
        self._connection = connection
        return connection

    def send(self, envelope: Envelope, *, now: datetime) -> str:
        if not envelope.address:
            raise SendFailure("no e-mail address", permanent=True)
        assert self.settings.smtp_from is not None
        self.deliver(email_message(envelope, sender=self.settings.smtp_from, now=now))
        return f"accepted by {self.settings.smtp_host} as {envelope.mail_message_id}"

    def deliver(self, mail: EmailMessage) -> None:
        """Hand one e-mail to the server; raises `SendFailure` with the server's answer in plain words."""
        try:
            refused = self._connect().send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            self._drop()
            code = next(iter(exc.recipients.values()))[0] if exc.recipients else 550
            raise SendFailure(f"recipient refused: {exc.recipients}", permanent=500 <= code < 600) from None
        except smtplib.SMTPResponseException as exc:
            self._drop()
            detail = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
            what = "the server refused the user name or password: " if exc.smtp_code in (530, 534, 535) else ""
            raise SendFailure(f"{what}{exc.smtp_code} {detail}", permanent=500 <= exc.smtp_code < 600) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise SendFailure(plain_connection_error(exc, self.settings), permanent=False) from None
        if refused:
            raise SendFailure(f"recipient refused: {refused}", permanent=True)

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                self._connection = None


def plain_connection_error(exc: BaseException, settings: MessagingSettings) -> str:
    """What went wrong reaching the server, in words a seller can act on (the technical reason after a colon)."""
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    if isinstance(exc, socket.gaierror):
        return f"no server is known by the name {settings.smtp_host!r} (check the host): {exc}"
    if isinstance(exc, ConnectionRefusedError):
        return f"nothing answers at {where} (check the host and the port): connection refused"
    if isinstance(exc, TimeoutError | socket.timeout):
        wait = settings.smtp_timeout_seconds
        return f"{where} did not answer in {wait:g} s (check the host, the port and a firewall)"
    if isinstance(exc, ssl.SSLError):
        return (
            f"the TLS handshake with {where} failed "
            f"(check the TLS mode against the port: 465 is TLS, 587 STARTTLS): {exc}"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"{where} does not offer what was asked (STARTTLS or login): {exc}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection (often a TLS mode that does not match the port): {exc}"
    return f"{type(exc).__name__}: {exc}"


# --- export: rows for the platform's message centre --------------------------------------------------------------

EXPORT_COLUMNS = (
    "id",
    "message_id",
    "situation",
    "recipient",
    "order",
    "buyer",
    "supplier",
    "address",
    "language",
    "subject",
    "body",
    "queued_at",
)


def export_row(message: OutboxMessage, *, order: str | None, buyer: str | None, supplier: str | None) -> dict[str, Any]:
    return {
        "id": message.id,
        "message_id": message.mail_message_id,
        "situation": message.situation,
        "recipient": message.recipient_kind.value,
        "order": order,
        "buyer": buyer,
        "supplier": supplier,
        "address": message.address,
        "language": message.locale,
        "subject": message.subject,
        "body": message.body,
        "queued_at": message.queued_at.isoformat() if message.queued_at else None,
    }


def export_text(rows: list[dict[str, Any]], *, fmt: str) -> str:
    """The rows as CSV (UTF-8, one message per row, newlines kept inside quotes, cells a spreadsheet would run as a
    formula escaped), JSON (one array) or JSONL (one object per line)."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(EXPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else safe_cell(row[k]) for k in EXPORT_COLUMNS})
    return buffer.getvalue()
