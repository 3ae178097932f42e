"""Messages as the seller works them: the outbox, the drafts waiting in open actions, and incoming buyer messages
with their triage."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.messaging.models import InboundMessage, OutboxMessage, OutboxState
from tradewind.messaging.outbox import keys_in_outbox
from tradewind.orders.models import Buyer, Order


def outbox_page(
    session: Session, *, shop_id: int, state: OutboxState | None, before_id: int | None, limit: int
) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.shop_id == shop_id)
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    if before_id is not None:
        query = query.where(OutboxMessage.id < before_id)
    return list(session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))


@dataclass(frozen=True)
class Incoming:
    message: InboundMessage
    buyer: Buyer | None
    order_number: str | None
    reply: OutboxMessage | None  # the suggested reply messaging drafted (`reply:<external id>`), once triaged


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
        select(InboundMessage, Buyer, Order.number)
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
    replies = keys_in_outbox(session, shop_id=shop_id, keys=[f"reply:{m.external_id}" for m, _, _ in rows])
    return [Incoming(m, buyer, number, replies.get(f"reply:{m.external_id}")) for m, buyer, number in rows]
