"""The suggested replies of a batch of messages read what they need besides each message (the orders' latest
parcels, the shop's method names) once for the batch, and say what each message's own order gives: the same reply
as one drafted alone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from tests import factories as f
from tests.logistics.parcels import parcel
from tradewind.config import Settings
from tradewind.messaging.models import InboundMessage
from tradewind.messaging.triage.inbound import reply_locale, stored_triage, suggested_reply, triage_inbox
from tradewind.orders.models import Order, OrderStatus
from tradewind.shops.models import Shop

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)
TEXTS = (
    "Where is my order {number}? I have been waiting for two weeks",
    "where is my parcel? order {number}",
    "I want to return order {number}, the size is wrong",
    "where is my package {number}",
    "I would like to return order {number} and get a refund",
    "Where is my order {number}?",
)


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements the session's connection runs inside the block."""
    seen: list[str] = []
    connection = session.connection()

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _inbox(session: Session, shop: Shop) -> tuple[list[InboundMessage], list[Order], list[str]]:
    """The messages (triaged and stored), their orders, and the tracking numbers of the orders that shipped."""
    the_sku = f.sku(session, shop)
    messages, orders, tracking = [], [], []
    for n, text in enumerate(TEXTS):
        buyer = f.buyer(session, shop, name=f"Buyer {n}", country="ES", language="en")
        shipped = n != len(TEXTS) - 1  # the last order has not left the warehouse
        order = f.order(
            session,
            shop,
            [(the_sku, 1)],
            placed_at=NOW - timedelta(days=12),
            the_buyer=buyer,
            status=OrderStatus.SHIPPED if shipped else None,
        )
        if shipped:
            sent = NOW - timedelta(days=10)
            sent_parcel = parcel(
                session,
                shop,
                destination="ES",
                method_code=f"METHOD-{n % 2}",
                shipped_at=sent,
                order=order,
                events=[(sent + timedelta(days=1), "Departed from departure country/region")],
                now=NOW,
            )
            tracking.append(sent_parcel.tracking_number)
        message = InboundMessage(
            shop_id=shop.id,
            external_id=f"BATCH-{n}",
            buyer_id=buyer.id,
            order_id=order.id,
            received_at=NOW - timedelta(hours=3 + n),
            text=text.format(number=order.number),
        )
        session.add(message)
        messages.append(message)
        orders.append(order)
    session.flush()
    triage_inbox(session, shop=shop, settings=Settings(), now=NOW, with_replies=False)
    return messages, orders, tracking


def test_a_batch_reads_its_parcels_and_method_names_once(session: Session, shop: Shop) -> None:
    messages, orders, tracking = _inbox(session, shop)
    intents = ["order_status", "order_status", "refund_return", "order_status", "refund_return", "order_status"]
    assert [m.intent for m in messages] == intents
    with statements(session) as seen:
        replies = stored_triage(session, messages, shop=shop, settings=Settings(), now=NOW)
    # The parcels asked about (with their events), then the other shipped orders' tracking numbers (without).
    assert sum("FROM shipments" in s for s in seen) == 2, seen
    assert sum("FROM tracking_events" in s for s in seen) == 1, seen
    assert sum("FROM shipping_methods" in s for s in seen) == 1, seen
    # Each reply is the one its message gets alone (reading its own order's parcel) and names that parcel.
    for message, order, result in zip(messages, orders, replies, strict=True):
        assert message.triage_order_id == order.id
        alone = suggested_reply(
            result.intent,
            reply_locale(result.language, order, shop),
            session=session,
            shop=shop,
            order=order,
            now=NOW,
            settings=Settings(),
        )
        assert result.reply == alone
    for result, number in zip(replies, tracking, strict=False):
        assert result.reply is not None and number in result.reply.body
    last = replies[-1].reply
    assert last is not None and last.situation == "order_status" and "LP" not in last.body
