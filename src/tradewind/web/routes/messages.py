"""Messages: the outbox, the drafts waiting in open actions (editable), and incoming buyer messages with their
triage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tradewind.api.deps import DbSession, State, WriteShop
from tradewind.api.inline import on_the_loop
from tradewind.api.pages import MAX_ID, RecordId
from tradewind.api.reads.messages import inbound_page, outbox_page
from tradewind.messaging.models import OutboxState
from tradewind.messaging.outbox import cancel_message, queue_draft
from tradewind.messaging.service import edit_draft
from tradewind.web.deps import Page

router = APIRouter(prefix="/shops/{shop}")
PAGE_SIZE = 25  # messages carry their whole text (and the suggested reply): a page of 25 reads well
TABS = ("inbound", "drafts", "outbox")


@router.get("/messages")
@on_the_loop
def messages_page(
    page: Page,
    session: DbSession,
    tab: Annotated[str, Query(max_length=10)] = "inbound",
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    state: Annotated[str, Query(max_length=16)] = "",
    unanswered: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    shop_id = page.access.shop.id
    chosen = tab if tab in TABS else "inbound"
    context: dict[str, object] = {"section": "messages", "tab": chosen, "tabs": TABS, "before": before}
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
