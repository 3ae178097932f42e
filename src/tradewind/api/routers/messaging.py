"""Messages: the outbox, the drafts waiting in open actions, and incoming buyer messages with their triage."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.responses import Response

from tradewind.messaging.lists import Incoming, OutboxLine, inbound_page, outbox_page
from tradewind.messaging.models import OutboxMessage, OutboxState
from tradewind.messaging.outbox import cancel_message, queue_draft, retry_message
from tradewind.messaging.schemas import OUTBOX_MESSAGE, outbox_figures
from tradewind.messaging.service import edit_draft
from tradewind.server.deps import DbSession, ReadShop, ShopAccess, State, WriteShop
from tradewind.server.errors import ERRORS, WRITE_ERRORS
from tradewind.server.inline import on_the_loop
from tradewind.server.pages import (
    Cursor,
    InputModel,
    JsonObject,
    Limit,
    Page,
    RecordId,
    cursor_value,
    keyset_page,
    page_of,
    page_response,
)

router = APIRouter(prefix="/shops/{shop}", tags=["messages"], responses=ERRORS)


OutboxOut = OUTBOX_MESSAGE.model


def outbox_json(m: OutboxMessage | OutboxLine) -> JsonObject:
    return outbox_figures(m)


@router.get("/outbox", response_model=page_of(OutboxOut), summary="Messages queued, sent or failed, newest first")
@on_the_loop
def list_outbox(
    access: ReadShop, session: DbSession, limit: Limit = 50, cursor: Cursor = None, state: OutboxState | None = None
) -> Response:
    return _outbox(access, session, limit, cursor, state)


def _outbox(
    access: ShopAccess, session: Session, limit: int, cursor: str | None, state: OutboxState | None
) -> Response:
    rows = outbox_page(session, shop_id=access.shop.id, state=state, before_id=cursor_value(cursor), limit=limit + 1)
    page, next_cursor = keyset_page(rows, limit, lambda row: row.id)
    return page_response([outbox_json(m) for m in page], next_cursor, limit)


@router.get("/drafts", response_model=page_of(OutboxOut), summary="Message drafts waiting (edit, queue or cancel them)")
@on_the_loop
def list_drafts(access: ReadShop, session: DbSession, limit: Limit = 50, cursor: Cursor = None) -> Response:
    return _outbox(access, session, limit, cursor, OutboxState.DRAFT)


class MessageEditIn(InputModel):
    subject: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, min_length=1, max_length=20_000)


class CancelIn(InputModel):
    reason: str | None = Field(default=None, max_length=500)


@router.put(
    "/outbox/{message_id}",
    response_model=OutboxOut,
    responses=WRITE_ERRORS,
    summary="Change the words of a draft (or of a queued message not being sent)",
)
def edit_outbox_message(
    message_id: RecordId, body: MessageEditIn, access: WriteShop, session: DbSession, state: State
) -> JsonObject:
    message = edit_draft(
        session,
        shop=access.shop,
        message_id=message_id,
        subject=body.subject,
        body=body.body,
        now=state.clock.now(),
        actor=access.actor,
    )
    return outbox_json(message)


@router.post("/outbox/{message_id}/queue", response_model=OutboxOut, responses=WRITE_ERRORS, summary="Send a draft")
def queue_outbox_message(message_id: RecordId, access: WriteShop, session: DbSession, state: State) -> JsonObject:
    message = queue_draft(
        session, shop_id=access.shop.id, message_id=message_id, now=state.clock.now(), actor=access.actor
    )
    return outbox_json(message)


@router.post("/outbox/{message_id}/cancel", response_model=OutboxOut, responses=WRITE_ERRORS, summary="Never send it")
def cancel_outbox_message(
    message_id: RecordId, access: WriteShop, session: DbSession, state: State, body: CancelIn | None = None
) -> JsonObject:
    message = cancel_message(
        session,
        shop_id=access.shop.id,
        message_id=message_id,
        now=state.clock.now(),
        actor=access.actor,
        reason=body.reason if body else None,
    )
    return outbox_json(message)


@router.post(
    "/outbox/{message_id}/retry", response_model=OutboxOut, responses=WRITE_ERRORS, summary="Retry a failed one"
)
def retry_outbox_message(message_id: RecordId, access: WriteShop, session: DbSession, state: State) -> JsonObject:
    message = retry_message(
        session, shop_id=access.shop.id, message_id=message_id, now=state.clock.now(), actor=access.actor
    )
    return outbox_json(message)


class InboundOut(BaseModel):
    id: int
    external_id: str
    received_at: datetime
    text: str
    language: str | None
    intent: str | None
    confidence: float | None
    answered_at: datetime | None
    buyer_name: str | None
    buyer_country: str | None
    order: str | None
    # OutboxOut is made at run time from the declaration (messaging/schemas.py): pydantic resolves it, mypy cannot.
    suggested_reply: OutboxOut | None = Field(  # type: ignore[valid-type]
        description="The reply drafted in the buyer's language, once triaged"
    )


def inbound_json(item: Incoming) -> JsonObject:
    m = item.message
    return {
        "id": m.id,
        "external_id": m.external_id,
        "received_at": m.received_at,
        "text": m.text,
        "language": m.language,
        "intent": m.intent,
        "confidence": m.confidence,
        "answered_at": m.answered_at,
        "buyer_name": item.buyer.name if item.buyer else None,
        "buyer_country": item.buyer.country if item.buyer else None,
        "order": item.order_number,
        "suggested_reply": outbox_json(item.reply) if item.reply is not None else None,
    }


@router.get("/inbound", response_model=Page[InboundOut], summary="Incoming buyer messages with their triage")
@on_the_loop
def list_inbound(
    access: ReadShop,
    session: DbSession,
    limit: Limit = 50,
    cursor: Cursor = None,
    unanswered: bool = False,
    intent: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    rows = inbound_page(
        session,
        shop_id=access.shop.id,
        before_id=cursor_value(cursor),
        limit=limit + 1,
        unanswered=unanswered,
        intent=intent,
    )
    page, next_cursor = keyset_page(rows, limit, lambda row: row.message.id)
    return page_response([inbound_json(r) for r in page], next_cursor, limit)
