"""How many messages wait in the queue per channel (`messaging.service.queued_per_channel`, the Messages page's
delivery box) on SQLite and PostgreSQL: only queued ones, only the shop's, per channel."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from tradewind.messaging.models import RecipientKind
from tradewind.messaging.outbox import Recipient, cancel_message, queue_message, save_draft
from tradewind.messaging.service import queued_per_channel
from tradewind.messaging.templates import Rendered
from tradewind.shops.models import Shop
from tradewind.shops.service import create_shop

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)
EMAIL = Recipient(kind=RecipientKind.BUYER, address="olga@example.com", channel="email")
RENDERED = Rendered(situation="reply", locale="en", requested_locale="en", subject="Hello", body="Body\n")
EXPORT = Recipient(kind=RecipientKind.BUYER, channel="export")


def queue(session: Session, shop: Shop, key: str, recipient: Recipient) -> int:
    message, _ = queue_message(
        session,
        shop_id=shop.id,
        shop_code=shop.code,
        idempotency_key=key,
        rendered=RENDERED,
        recipient=recipient,
        facts={},
        now=NOW,
    )
    return message.id


def test_queued_messages_counted_per_channel(session: Session, shop: Shop) -> None:
    assert queued_per_channel(session, shop_id=shop.id) == {}
    for n in range(3):
        queue(session, shop, f"mail:{n}", EMAIL)
    queue(session, shop, "export:1", EXPORT)
    cancelled = queue(session, shop, "export:2", EXPORT)
    cancel_message(session, shop_id=shop.id, message_id=cancelled, now=NOW)
    save_draft(
        session,
        shop_id=shop.id,
        shop_code=shop.code,
        idempotency_key="draft:1",
        rendered=RENDERED,
        recipient=EMAIL,
        facts={},
        now=NOW,
    )
    elsewhere = create_shop(session, code=f"{shop.code}-b", name="Another shop", currency="USD")
    queue(session, elsewhere, "mail:9", EMAIL)
    session.flush()
    assert queued_per_channel(session, shop_id=shop.id) == {"email": 3, "export": 1}
    assert queued_per_channel(session, shop_id=elsewhere.id) == {"email": 1}
