"""The shop's own mail server: the SMTP settings its e-mail leaves through (owners set them in the dashboard), the
messaging settings they make, and a test e-mail sent through them at once.

A shop without its own server uses the `TRADEWIND_SMTP_*` one when that is configured; without either, its e-mail
messages stay queued until one is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.errors import ValidationError
from tradewind.messaging.channels import SendFailure, SmtpChannel
from tradewind.messaging.models import MailTls, ShopMailServer
from tradewind.messaging.outbox import valid_address
from tradewind.messaging.settings import MessagingSettings
from tradewind.shops.models import Shop

DEFAULT_PORTS = {MailTls.NONE: 25, MailTls.STARTTLS: 587, MailTls.TLS: 465}


def mail_server_of(session: Session, *, shop_id: int) -> ShopMailServer | None:
    return session.scalar(select(ShopMailServer).where(ShopMailServer.shop_id == shop_id))


@dataclass(frozen=True)
class MailServerForm:
    """What an owner submits; `password` None (left empty) keeps the stored one, `clear_password` removes it."""

    host: str
    port: int | None
    username: str | None
    password: str | None
    from_address: str
    tls: str
    dashboard_url: str | None = None
    clear_password: bool = False


def _field(name: str, message: str) -> ValidationError:
    return ValidationError(f"{name}: {message}", details={"field": name})


def check_host(host: str) -> str:
    cleaned = host.strip()
    if not cleaned or len(cleaned) > 253 or any(c.isspace() or c in "/:@" for c in cleaned):
        raise _field("host", f"{host!r} is not a server name: write it like smtp.example.com")
    return cleaned


def check_dashboard_url(url: str | None) -> str | None:
    if url is None or not url.strip():
        return None
    cleaned = url.strip().rstrip("/")
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment or len(cleaned) > 300:
        raise _field("dashboard_url", f"{url!r} is not a web address: write it like https://shop.example.com")
    return cleaned


def set_mail_server(session: Session, *, shop: Shop, form: MailServerForm, now: datetime, actor: str) -> ShopMailServer:
    """Store the shop's mail server; every field is checked before any is changed (an error names its field)."""
    host = check_host(form.host)
    try:
        tls = MailTls(form.tls)
    except ValueError:
        raise _field("tls", f"{form.tls!r}: one of {', '.join(m.value for m in MailTls)}") from None
    port = DEFAULT_PORTS[tls] if form.port is None else form.port
    if not 1 <= port <= 65535:
        raise _field("port", f"{port} is not a port: 1 to 65535 (587 for STARTTLS, 465 for TLS)")
    try:
        from_address = valid_address(form.from_address.strip())
    except ValidationError as exc:
        raise _field("from_address", exc.message) from None
    username = (form.username or "").strip() or None
    if username is not None and len(username) > 200:
        raise _field("username", "at most 200 characters")
    if form.password is not None and len(form.password) > 500:
        raise _field("password", "at most 500 characters")
    dashboard_url = check_dashboard_url(form.dashboard_url)
    server = mail_server_of(session, shop_id=shop.id)
    if server is None:
        server = ShopMailServer(shop_id=shop.id, host=host, port=port, from_address=from_address, tls=tls)
        session.add(server)
    server.host, server.port, server.from_address, server.tls = host, port, from_address, tls
    server.username, server.dashboard_url = username, dashboard_url
    if form.clear_password:
        server.password = None
    elif form.password:
        server.password = form.password
    server.updated_at, server.updated_by = now, actor
    session.flush()
    return server


def mail_server_dict(server: ShopMailServer | None) -> dict[str, object] | None:
    """The settings as the dashboard and the CLI show them: the password only as whether one is set."""
    if server is None:
        return None
    return {
        "host": server.host,
        "port": server.port,
        "username": server.username,
        "password": "set" if server.password else "not set",
        "from_address": server.from_address,
        "tls": server.tls.value,
        "dashboard_url": server.dashboard_url,
        "updated_at": server.updated_at,
        "updated_by": server.updated_by,
    }


def server_settings(server: ShopMailServer, base: MessagingSettings) -> MessagingSettings:
    """The messaging settings with the shop's server in place of the environment's."""
    return base.model_copy(
        update={
            "smtp_host": server.host,
            "smtp_port": server.port,
            "smtp_username": server.username,
            "smtp_password": server.password,
            "smtp_starttls": server.tls == MailTls.STARTTLS,
            "smtp_ssl": server.tls == MailTls.TLS,
            "smtp_from": server.from_address,
        }
    )


def shop_mail_settings(session: Session, *, shop_id: int, base: MessagingSettings) -> MessagingSettings | None:
    """The settings the shop's e-mail leaves with: its own server, else the environment's, else None (it waits)."""
    server = mail_server_of(session, shop_id=shop_id)
    if server is not None:
        return server_settings(server, base)
    return base if base.smtp_configured else None


@dataclass(frozen=True)
class TestSend:
    ok: bool
    to: str
    detail: str  # the server's acceptance, or what went wrong in plain words


def send_test_email(settings: MessagingSettings, *, shop: Shop, to: str, now: datetime) -> TestSend:
    """One e-mail straight to `to` through the server (not through the outbox: nothing is stored)."""
    assert settings.smtp_from is not None
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = to
    mail["Subject"] = f"Tradewind: test e-mail from {shop.name}"
    mail["Message-ID"] = make_msgid(domain="tradewind")
    mail["Date"] = format_datetime(now)
    mail.set_content(
        f"This e-mail was sent through {settings.smtp_host}:{settings.smtp_port} to check the mail settings of "
        f"{shop.name} ({shop.code}). Queued e-mail and the morning digest leave through this server.\n"
    )
    channel = SmtpChannel(settings)
    try:
        channel.deliver(mail)
    except SendFailure as failure:
        return TestSend(ok=False, to=to, detail=failure.reason)
    finally:
        channel.close()
    return TestSend(ok=True, to=to, detail=f"{settings.smtp_host} accepted the test e-mail for {to}")
