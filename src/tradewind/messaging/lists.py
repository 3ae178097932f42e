"""Messages as the seller works them: the outbox, the drafts waiting in open actions, and incoming buyer messages
with their triage. The lists read columns, not records: a page of fifty messages with their replies is read-only,
and loading records costs more than the queries."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tradewind.messaging.models import InboundMessage, OutboxMessage, OutboxState, RecipientKind
from tradewind.orders.models import Buyer, Order


@dataclass(frozen=True)
class OutboxLine:
    """A message of the outbox as the lists show it (the `OutboxMessage` columns)."""

    id: int
    idempotency_key: str
    situation: str
    recipient_kind: RecipientKind
    channel: str
    address: str | None
    locale: str
    subject: str
    body: str
    state: OutboxState
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None
    action_id: int | None
    edited_at: datetime | None


_OUTBOX_COLUMNS = tuple(getattr(OutboxMessage, field.name) for field in fields(OutboxLine))
_REPLIES = select(*_OUTBOX_COLUMNS).where(
    OutboxMessage.shop_id == bindparam("shop_id"),
    OutboxMessage.idempotency_key.in_(bindparam("keys", expanding=True)),
)


def outbox_page(
    session: Session, *, shop_id: int, state: OutboxState | None, before_id: int | None, limit: int
) -> list[OutboxLine]:
    query = select(*_OUTBOX_COLUMNS).where(OutboxMessage.shop_id == shop_id)
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    if before_id is not None:
        query = query.where(OutboxMessage.id < before_id)
    return [OutboxLine(*row) for row in session.execute(query.order_by(OutboxMessage.id.desc()).limit(limit))]


@dataclass(frozen=True)
class InboundLine:
    """An incoming message as the lists show it (the `InboundMessage` columns)."""

    id: int
    external_id: str
    received_at: datetime
    text: str
    language: str | None
    intent: str | None
    confidence: float | None
    answered_at: datetime | None


_INBOUND_COLUMNS = tuple(getattr(InboundMessage, field.name) for field in fields(InboundLine))


@dataclass(frozen=True)
class BuyerLine:
    name: str | None
    country: str | None


@dataclass(frozen=True)
class Incoming:
    message: InboundLine
    buyer: BuyerLine | None
    order_number: str | None
    reply: OutboxLine | None  # the suggested reply messaging drafted (`reply:<external id>`), once triaged


def inbound_page(
    session: Session,
    *,
    shop_id: int,
    before_id: int | None,
    limit: int,
    unanswered: bool = False,
    intent: str | None = None,
) -> list[Incoming]:
    query = (
        select(*_INBOUND_COLUMNS, InboundMessage.buyer_id, Buyer.name, Buyer.country, Order.number)
        .outerjoin(Buyer, Buyer.id == InboundMessage.buyer_id)
        .outerjoin(Order, Order.id == InboundMessage.order_id)
        .where(InboundMessage.shop_id == shop_id)
    )
    if unanswered:
        query = query.where(InboundMessage.answered_at.is_(None))
    if intent:
        query = query.where(InboundMessage.intent == intent)
    if before_id is not None:
        query = query.where(InboundMessage.id < before_id)
    rows = list(session.execute(query.order_by(InboundMessage.id.desc()).limit(limit)))
    width = len(_INBOUND_COLUMNS)
    messages = [InboundLine(*row[:width]) for row in rows]
    # The reply messaging drafted for each (its idempotency key is `reply:<external id>`).
    keys = [f"reply:{m.external_id}" for m in messages]
    replies: dict[str, OutboxLine] = {}
    if keys:
        for reply_row in session.execute(_REPLIES, {"shop_id": shop_id, "keys": keys}):
            reply = OutboxLine(*reply_row)
            replies[reply.idempotency_key] = reply
    return [
        Incoming(
            message,
            BuyerLine(row[width + 1], row[width + 2]) if row[width] is not None else None,
            row[width + 3],
            replies.get(f"reply:{message.external_id}"),
        )
        for message, row in zip(messages, rows, strict=True)
    ]
