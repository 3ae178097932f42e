"""Messages: the outbox (with the worker that sends its e-mail, and the download of the platform messages), the
drafts waiting in open actions (editable), incoming buyer messages with their triage, and the shop's mail server
(owners only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tradewind.accounts.models import Role
from tradewind.errors import ValidationError
from tradewind.messaging.channels import export_text
from tradewind.messaging.dispatch import export_outbox
from tradewind.messaging.lists import inbound_page, outbox_page
from tradewind.messaging.mail_server import (
    MailServerForm,
    mail_server_dict,
    mail_server_of,
    send_test_email,
    set_mail_server,
    shop_mail_settings,
)
from tradewind.messaging.models import MailTls, OutboxState
from tradewind.messaging.outbox import cancel_message, queue_draft
from tradewind.messaging.service import edit_draft, queued_per_channel
from tradewind.messaging.settings import messaging_settings
from tradewind.server.deps import DbSession, OwnerShop, State, WriteShop
from tradewind.server.inline import on_the_loop
from tradewind.server.pages import MAX_ID, RecordId
from tradewind.server.state import AppState, ShopMailCounts
from tradewind.shops.service import update_shop
from tradewind.web.deps import Page, PageContext
from tradewind.web.downloads import DOWNLOAD_ROWS, FormatPath, download
from tradewind.web.words import _

router = APIRouter(prefix="/shops/{shop}")
PAGE_SIZE = 25  # messages carry their whole text (and the suggested reply): a page of 25 reads well
TABS = ("inbound", "drafts", "outbox")


@router.get("/messages")
@on_the_loop
def messages_page(
    page: Page,
    session: DbSession,
    app: State,
    tab: Annotated[str, Query(max_length=10)] = "inbound",
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    state: Annotated[str, Query(max_length=16)] = "",
    unanswered: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    shop_id = page.access.shop.id
    chosen = tab if tab in TABS else "inbound"
    context: dict[str, object] = {"section": "messages", "tab": chosen, "tabs": TABS, "before": before}
    if chosen in ("drafts", "outbox"):
        context |= delivery_context(session, page, app)
    if chosen == "outbox":
        wanted = OutboxState(state) if state in {s.value for s in OutboxState} else None
        rows = outbox_page(session, shop_id=shop_id, state=wanted, before_id=before, limit=PAGE_SIZE + 1)
        context |= {
            "outbox": rows[:PAGE_SIZE],
            "next_before": rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None,
            "state": wanted.value if wanted else "",
            "states": [s.value for s in OutboxState],
        }
    elif chosen == "drafts":
        drafts = outbox_page(session, shop_id=shop_id, state=OutboxState.DRAFT, before_id=before, limit=PAGE_SIZE + 1)
        context |= {
            "drafts": drafts[:PAGE_SIZE],
            "next_before": drafts[PAGE_SIZE - 1].id if len(drafts) > PAGE_SIZE else None,
        }
    else:
        rows_in = inbound_page(session, shop_id=shop_id, before_id=before, limit=PAGE_SIZE + 1, unanswered=unanswered)
        context |= {
            "inbound": rows_in[:PAGE_SIZE],
            "next_before": rows_in[PAGE_SIZE - 1].message.id if len(rows_in) > PAGE_SIZE else None,
            "unanswered": unanswered,
        }
    return page.render("messages.html", **context)


OUTBOX_COLUMNS = (
    _("Message"),
    _("State"),
    _("Channel"),
    _("To"),
    _("Address"),
    _("Language"),
    _("Subject"),
    _("Text"),
    _("Created"),
    _("Sent"),
    _("Attempts"),
    _("Last error"),
    _("Action"),
)


@router.get("/messages/outbox.{fmt}")
@on_the_loop
def outbox_download(
    page: Page,
    session: DbSession,
    fmt: FormatPath,
    state: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """The outbox as the Outbox tab lists it (its state filter; newest first, every page) as CSV or Excel: a record
    to keep or check, read-only (the platform messages' export, which marks them sent, is `POST /messages/export`)."""
    shop_id = page.access.shop.id
    wanted = OutboxState(state) if state in {s.value for s in OutboxState} else None
    state_words = page.words("state_names")

    def rows() -> Iterator[tuple[object, ...]]:
        before: int | None = None
        written = 0
        while written < DOWNLOAD_ROWS:
            found = outbox_page(
                session, shop_id=shop_id, state=wanted, before_id=before, limit=min(5_000, DOWNLOAD_ROWS - written)
            )
            for m in found:
                yield (
                    m.id,
                    state_words.get(m.state.value, m.state.value),
                    m.channel,
                    m.recipient_kind.value,
                    m.address,
                    m.locale,
                    m.subject,
                    m.body,
                    m.created_at,
                    m.sent_at,
                    m.attempts,
                    m.last_error,
                    m.action_id,
                )
            written += len(found)
            if len(found) < 5_000:
                return
            before = found[-1].id

    return download(page, fmt, table=_("Outbox"), header=OUTBOX_COLUMNS, rows=rows())


@router.post("/messages/{message_id}/edit")
def edit(
    message_id: RecordId,
    page: Page,
    access: WriteShop,
    session: DbSession,
    state: State,
    subject: Annotated[str, Form(max_length=300)],
    body: Annotated[str, Form(max_length=20_000)],
) -> Response:
    message = edit_draft(
        session,
        shop=access.shop,
        message_id=message_id,
        subject=subject,
        body=body,
        now=state.clock.now(),
        actor=access.actor,
    )
    if not page.is_htmx:
        return _back(access.shop.code)
    return page.render("outbox_draft.html", message=message, saved=True)


@router.post("/messages/{message_id}/queue")
def queue(message_id: RecordId, page: Page, access: WriteShop, session: DbSession, state: State) -> Response:
    message = queue_draft(
        session, shop_id=access.shop.id, message_id=message_id, now=state.clock.now(), actor=access.actor
    )
    if not page.is_htmx:
        return _back(access.shop.code)
    return page.render("outbox_draft.html", message=message, saved=False)


@router.post("/messages/{message_id}/cancel")
def cancel(message_id: RecordId, page: Page, access: WriteShop, session: DbSession, state: State) -> Response:
    message = cancel_message(
        session, shop_id=access.shop.id, message_id=message_id, now=state.clock.now(), actor=access.actor
    )
    if not page.is_htmx:
        return _back(access.shop.code)
    return page.render("outbox_draft.html", message=message, saved=False)


def _back(shop_code: str) -> Response:
    return RedirectResponse(f"/shops/{shop_code}/messages?tab=drafts", status_code=303)


def delivery_context(session: Session, page: PageContext, state: AppState) -> dict[str, object]:
    """What the page says of how messages leave: the queue per channel, the mail server, the worker."""
    shop_id = page.access.shop.id
    queued = queued_per_channel(session, shop_id=shop_id)
    mail = shop_mail_settings(session, shop_id=shop_id, base=messaging_settings(state.settings))
    return {
        "queued_email": queued.get("email", 0),
        "queued_export": queued.get("export", 0),
        "mail_server": None if mail is None else f"{mail.smtp_host}:{mail.smtp_port}",
        "worker": state.mail_worker,
        "worker_counts": state.mail_worker.shops.get(shop_id) or ShopMailCounts(),
        "is_owner": page.access.role == Role.OWNER,
    }


@router.post("/messages/export")
def export(
    access: WriteShop,
    session: DbSession,
    state: State,
    fmt: Annotated[str, Form(alias="format", max_length=8)] = "csv",
    again: Annotated[bool, Form()] = False,
) -> Response:
    """The queued platform (export channel) messages as a file to paste from; they become sent (exported)."""
    if fmt not in ("csv", "jsonl"):
        raise ValidationError(f"format: {fmt!r}, not csv or jsonl", details={"field": "format"})
    rows = export_outbox(session, shop=access.shop, now=state.clock.now(), again=again)
    text = export_text(rows, fmt=fmt)
    day = state.today_of(access.shop).isoformat()
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    return Response(
        text.encode("utf-8"),
        media_type=media,
        headers={"content-disposition": f'attachment; filename="messages-{access.shop.code}-{day}.{fmt}"'},
    )


@router.get("/messages/mail")
def mail_settings_page(page: Page, owner: OwnerShop, session: DbSession, state: State) -> HTMLResponse:
    return _mail_page(page, session, state)


def _mail_page(page: PageContext, session: Session, state: AppState, **extra: object) -> HTMLResponse:
    server = mail_server_of(session, shop_id=page.access.shop.id)
    return page.render(
        "mail_settings.html",
        section="messages",
        server=mail_server_dict(server),
        environment_server=messaging_settings(state.settings).smtp_host,
        tls_modes=[m.value for m in MailTls],
        **extra,
    )


@router.post("/messages/mail")
def save_mail_settings(
    page: Page,
    owner: OwnerShop,
    session: DbSession,
    state: State,
    host: Annotated[str, Form(max_length=253)],
    from_address: Annotated[str, Form(max_length=200)],
    tls: Annotated[str, Form(max_length=16)] = "starttls",
    port: Annotated[str, Form(max_length=5)] = "",
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=500)] = "",
    clear_password: Annotated[bool, Form()] = False,
    dashboard_url: Annotated[str, Form(max_length=300)] = "",
    digest_at: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    if port.strip() and not port.strip().isdigit():
        raise ValidationError(f"port: {port!r} is not a number", details={"field": "port"})
    set_mail_server(
        session,
        shop=owner.shop,
        form=MailServerForm(
            host=host,
            port=int(port) if port.strip() else None,
            username=username,
            password=password or None,
            from_address=from_address,
            tls=tls,
            dashboard_url=dashboard_url,
            clear_password=clear_password,
        ),
        now=state.clock.now(),
        actor=owner.actor,
    )
    if digest_at.strip():
        update_shop(session, shop=owner.shop, digest_at=digest_at)
    return RedirectResponse(f"/shops/{owner.shop.code}/messages/mail?saved=1", status_code=303)


@router.post("/messages/mail/test")
def send_test_mail(page: Page, owner: OwnerShop, session: DbSession, state: State) -> HTMLResponse:
    """A test e-mail to the signed-in owner through the shop's server, at once; the page says what the server said."""
    settings = shop_mail_settings(session, shop_id=owner.shop.id, base=messaging_settings(state.settings))
    if settings is None:
        raise ValidationError("no mail server yet: save the settings first, then send a test e-mail")
    result = send_test_email(settings, shop=owner.shop, to=owner.principal.user.email, now=state.security_clock.now())
    return _mail_page(page, session, state, test=result)
