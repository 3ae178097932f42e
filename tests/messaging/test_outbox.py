"""The outbox on SQLite and PostgreSQL: drafts made by the brief, edited by the seller, queued once per idempotency
key however often the brief runs and the action is applied; the state machine and its events; claims with a lease;
failures with back-off; bad input refused with nothing queued."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.action import BriefContext
from tradewind.brief.service import apply_action, refresh_brief
from tradewind.config import Settings
from tradewind.errors import InvalidTransitionError, ValidationError
from tradewind.messaging.models import OutboxEvent, OutboxMessage, OutboxState, RecipientKind
from tradewind.messaging.notices import BuyerNotice, draft_notices
from tradewind.messaging.outbox import (
    DraftWanted,
    Recipient,
    backoff,
    cancel_message,
    claim_due,
    keys_in_outbox,
    list_outbox,
    mail_message_id,
    queue_message,
    record_failure,
    record_sent,
    retry_message,
    save_draft,
    save_drafts,
)
from tradewind.messaging.producers import CancellationFollowupProducer, UnpaidReminderProducer
from tradewind.messaging.service import edit_draft, set_shop_template
from tradewind.messaging.templates import Rendered
from tradewind.orders.models import CancelledBy, OrderStatus
from tradewind.shops.models import Shop

TODAY = date(2026, 2, 3)
NOW = datetime(2026, 2, 3, 9, tzinfo=UTC)


def context(now: datetime = NOW) -> BriefContext:
    return BriefContext(today=now.date(), now=now, settings=Settings())


def unpaid_order(session: Session, shop: Shop, *, language: str = "ru") -> str:
    buyer = f.buyer(session, shop, language=language)
    order = f.order(
        session, shop, [(f.sku(session, shop), 1)], placed_at=NOW - timedelta(days=2), the_buyer=buyer, paid=False
    )
    return order.number


def rendered(text: str = "Body") -> Rendered:
    return Rendered(situation="reply", locale="en", requested_locale="en", subject="Subject", body=text + "\n")


def count(session: Session, shop: Shop) -> int:
    return int(
        session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.shop_id == shop.id)) or 0
    )


def test_brief_drafts_once_and_applying_twice_queues_once(session: Session, shop: Shop) -> None:
    number = unpaid_order(session, shop)
    producers = [UnpaidReminderProducer()]
    for _ in range(3):  # the brief runs again and again the same day, and the next
        brief = refresh_brief(session, shop=shop, context=context(), producers=producers)
    assert [a.kind for a in brief.actions] == ["unpaid_reminder"]
    drafts = list_outbox(session, shop_id=shop.id)
    assert len(drafts) == 1 and drafts[0].state == OutboxState.DRAFT and drafts[0].locale == "ru"
    assert number in drafts[0].body and "Здравствуйте" in drafts[0].body
    action = brief.actions[0]
    assert action.steps[0]["outbox_id"] == drafts[0].id

    edit_draft(session, shop=shop, message_id=drafts[0].id, body="Оплатите, пожалуйста, заказ сегодня.", now=NOW)
    refresh_brief(session, shop=shop, context=context(), producers=producers)  # the seller's words survive a refresh
    assert list_outbox(session, shop_id=shop.id)[0].body.startswith("Оплатите")

    for _ in range(2):
        apply_action(session, shop=shop, action_id=action.id, context=context(), producers=producers)
    queued = list_outbox(session, shop_id=shop.id)
    assert len(queued) == 1 and queued[0].state == OutboxState.QUEUED
    assert queued[0].body.startswith("Оплатите") and queued[0].action_id == action.id
    later = context(NOW + timedelta(hours=6))
    assert refresh_brief(session, shop=shop, context=later, producers=producers).actions == []
    assert count(session, shop) == 1


def test_a_draft_whose_situation_ended_is_cancelled(session: Session, shop: Shop) -> None:
    unpaid_order(session, shop, language="es")
    producers = [UnpaidReminderProducer()]
    refresh_brief(session, shop=shop, context=context(), producers=producers)
    order = session.scalars(select(OutboxMessage).where(OutboxMessage.shop_id == shop.id)).one()
    assert (order.state, order.locale) == (OutboxState.DRAFT, "es")
    much_later = context(NOW + timedelta(days=30))  # the platform closed the unpaid order
    refresh_brief(session, shop=shop, context=much_later, producers=producers)
    assert order.state == OutboxState.CANCELLED


def test_seller_cancellation_follow_up_is_in_the_buyers_language(session: Session, shop: Shop) -> None:
    buyer = f.buyer(session, shop, country="TR", language="tr", name="Ayşe Yılmaz")
    f.order(
        session,
        shop,
        [(f.sku(session, shop), 1)],
        placed_at=NOW - timedelta(days=5),
        the_buyer=buyer,
        status=OrderStatus.CANCELLED,
        cancelled_at=NOW - timedelta(days=1),
        cancelled_by=CancelledBy.SELLER,
        cancel_reason="out of stock",
    )
    brief = refresh_brief(session, shop=shop, context=context(), producers=[CancellationFollowupProducer()])
    step = brief.actions[0].steps[0]
    assert step["locale"] == "tr" and "Merhaba Ayşe" in step["body"] and "özür" in step["body"]


def test_queue_is_idempotent_and_message_id_is_stable(session: Session, shop: Shop) -> None:
    recipient = Recipient(kind=RecipientKind.BUYER, address="olga@example.com", channel="email")
    first, created = queue_message(
        session,
        shop_id=shop.id,
        shop_code=shop.code,
        idempotency_key="reply:1",
        rendered=rendered(),
        recipient=recipient,
        facts={},
        now=NOW,
    )
    again, created_again = queue_message(
        session,
        shop_id=shop.id,
        shop_code=shop.code,
        idempotency_key="reply:1",
        rendered=rendered("Other"),
        recipient=recipient,
        facts={},
        now=NOW,
    )
    assert created and not created_again and first.id == again.id and again.body == "Body\n"
    assert first.mail_message_id == mail_message_id(shop.code, "reply:1")
    assert first.mail_message_id.startswith("<tw.") and first.mail_message_id.endswith(".tradewind>")
    events = session.scalars(select(OutboxEvent).where(OutboxEvent.message_id == first.id).order_by(OutboxEvent.id))
    assert [(e.from_state, e.to_state) for e in events] == [(None, "draft"), ("draft", "queued")]


def test_a_batch_of_drafts_is_saved_in_one_flush_in_its_order(session: Session, shop: Shop) -> None:
    recipient = Recipient(kind=RecipientKind.BUYER, channel="export")
    common: dict[str, Any] = {
        "session": session,
        "shop_id": shop.id,
        "shop_code": shop.code,
        "recipient": recipient,
        "now": NOW,
    }
    old, _ = save_draft(idempotency_key="n:0", rendered=rendered("Old"), facts={}, **common)
    sent, _ = queue_message(idempotency_key="n:1", rendered=rendered("Sent"), facts={}, **common)
    session.flush()
    keys = ["n:0", "n:1", "n:2", "n:3", "n:2", "n:4"]
    known = keys_in_outbox(session, shop_id=shop.id, keys=keys)
    flushes: list[int] = []
    event.listen(session, "after_flush", lambda *_: flushes.append(1))
    wanted = [DraftWanted(key, rendered(f"New {i}"), recipient, {"i": i}) for i, key in enumerate(keys)]
    saved = save_drafts(session, shop_id=shop.id, shop_code=shop.code, drafts=wanted, now=NOW, known=known)
    assert len(flushes) == 1
    assert [is_draft for _, is_draft in saved] == [True, False, True, True, True, True]
    messages = [message for message, _ in saved]
    assert messages[0] is old and old.body == "New 0\n" and old.facts == {"i": 0}
    assert messages[1] is sent and sent.body == "Sent\n" and sent.state == OutboxState.QUEUED
    assert messages[2] is messages[4] and messages[2].body == "New 4\n"  # the same key twice: one row, the last words
    assert old.id < sent.id < messages[2].id < messages[3].id < messages[5].id  # the batch's order
    session.flush()
    for message in (messages[2], messages[3], messages[5]):
        events = session.scalars(select(OutboxEvent).where(OutboxEvent.message_id == message.id))
        assert [(e.from_state, e.to_state, e.at) for e in events] == [(None, "draft", NOW)]


@pytest.mark.parametrize("address", ["not an address", "olga@", "olga@@example.com", ""])
def test_an_address_that_is_not_one_queues_nothing(session: Session, shop: Shop, address: str) -> None:
    with pytest.raises(ValidationError):
        queue_message(
            session,
            shop_id=shop.id,
            shop_code=shop.code,
            idempotency_key="x:1",
            rendered=rendered(),
            recipient=Recipient(kind=RecipientKind.BUYER, address=address, channel="email"),
            facts={},
            now=NOW,
        )
    assert count(session, shop) == 0


def test_unknown_channel_and_bad_shop_template_are_refused(session: Session, shop: Shop) -> None:
    with pytest.raises(ValidationError, match="unknown channel"):
        queue_message(
            session,
            shop_id=shop.id,
            shop_code=shop.code,
            idempotency_key="x:2",
            rendered=rendered(),
            recipient=Recipient(kind=RecipientKind.BUYER, channel="pigeon"),
            facts={},
            now=NOW,
        )
    with pytest.raises(ValidationError, match="syntax error"):
        set_shop_template(
            session,
            shop=shop,
            situation_name="unpaid_reminder",
            locale="ru",
            subject="Заказ {{ order_number",
            body="...",
        )
    with pytest.raises(ValidationError, match="missing"):
        set_shop_template(
            session,
            shop=shop,
            situation_name="unpaid_reminder",
            locale="ru",
            subject="Заказ {{ order_number }}",
            body="{{ no_such_fact }}",
        )
    with pytest.raises(ValidationError, match="unknown locale"):
        set_shop_template(session, shop=shop, situation_name="unpaid_reminder", locale="xx-nope", subject="s", body="b")
    assert count(session, shop) == 0


def test_the_shops_own_wording_wins(session: Session, shop: Shop) -> None:
    set_shop_template(
        session,
        shop=shop,
        situation_name="unpaid_reminder",
        locale="ru",
        subject="Заказ {{ order_number }}: не забудьте оплатить",
        body="Привет! {{ pay_by | day }}",
    )
    unpaid_order(session, shop)
    brief = refresh_brief(session, shop=shop, context=context(), producers=[UnpaidReminderProducer()])
    assert brief.actions[0].steps[0]["subject"].endswith("не забудьте оплатить")


def test_state_machine_refuses_what_it_must(session: Session, shop: Shop) -> None:
    message, _ = queue_message(
        session,
        shop_id=shop.id,
        shop_code=shop.code,
        idempotency_key="x:3",
        rendered=rendered(),
        recipient=Recipient(kind=RecipientKind.BUYER),
        facts={},
        now=NOW,
    )
    claim_due(session, worker="w1", now=NOW, lease=timedelta(minutes=2), channel="export", shop_id=shop.id)
    record_sent(session, message_id=message.id, worker="w1", now=NOW)
    assert message.state == OutboxState.SENT
    with pytest.raises(InvalidTransitionError):
        edit_draft(session, shop=shop, message_id=message.id, body="too late", now=NOW)
    with pytest.raises(InvalidTransitionError):
        cancel_message(session, shop_id=shop.id, message_id=message.id, now=NOW)
    with pytest.raises(InvalidTransitionError):
        retry_message(session, shop_id=shop.id, message_id=message.id, now=NOW)


def test_claims_are_exclusive_until_the_lease_runs_out(session: Session, shop: Shop) -> None:
    message, _ = queue_message(
        session,
        shop_id=shop.id,
        shop_code=shop.code,
        idempotency_key="x:4",
        rendered=rendered(),
        recipient=Recipient(kind=RecipientKind.BUYER),
        facts={},
        now=NOW,
    )
    lease = timedelta(seconds=60)
    first = claim_due(session, worker="a", now=NOW, lease=lease, channel="export", shop_id=shop.id)
    assert [e.id for e in first] == [message.id] and first[0].attempt == 1
    assert (
        claim_due(session, worker="b", now=NOW + timedelta(seconds=30), lease=lease, channel="export", shop_id=shop.id)
        == []
    )
    with pytest.raises(InvalidTransitionError, match="being sent"):
        edit_draft(session, shop=shop, message_id=message.id, body="x", now=NOW + timedelta(seconds=30))
    taken = claim_due(
        session, worker="b", now=NOW + timedelta(seconds=61), lease=lease, channel="export", shop_id=shop.id
    )
    assert [e.attempt for e in taken] == [2]  # the dead worker's attempt counts: a resend carries attempt 2
    assert record_sent(session, message_id=message.id, worker="b", now=NOW + timedelta(seconds=62))
    assert not record_sent(session, message_id=message.id, worker="a", now=NOW + timedelta(seconds=63))


def test_failures_back_off_then_fail_and_can_be_retried(session: Session, shop: Shop) -> None:
    message, _ = queue_message(
        session,
        shop_id=shop.id,
        shop_code=shop.code,
        idempotency_key="x:5",
        rendered=rendered(),
        recipient=Recipient(kind=RecipientKind.BUYER),
        facts={},
        now=NOW,
    )
    now = NOW
    for attempt in (1, 2):
        assert claim_due(session, worker="w", now=now, lease=timedelta(minutes=1), channel="export", shop_id=shop.id)
        state = record_failure(
            session, message_id=message.id, worker="w", now=now, error="451 try later", permanent=False, max_attempts=3
        )
        assert state == OutboxState.QUEUED and message.next_attempt_at == now + backoff(attempt)
        assert (
            claim_due(session, worker="w", now=now, lease=timedelta(minutes=1), channel="export", shop_id=shop.id) == []
        )
        now = message.next_attempt_at
    claim_due(session, worker="w", now=now, lease=timedelta(minutes=1), channel="export", shop_id=shop.id)
    assert (
        record_failure(
            session, message_id=message.id, worker="w", now=now, error="451 again", permanent=False, max_attempts=3
        )
        == OutboxState.FAILED
    )
    assert (
        backoff(1) == timedelta(minutes=1) and backoff(3) == timedelta(minutes=4) and backoff(30) == timedelta(hours=6)
    )
    retry_message(session, shop_id=shop.id, message_id=message.id, now=now)
    assert message.state == OutboxState.QUEUED and message.attempts == 0


def test_two_notices_with_one_key_in_a_batch_show_the_words_the_outbox_keeps(session: Session, shop: Shop) -> None:
    """An order with two out-of-stock SKUs in two actions gets one message (one key): the first notice's words.
    Every step of that key shows the text stored behind it, so what the seller reads is what would be sent (a later
    notice of the batch overwrote the row while an earlier step still showed its own words)."""
    buyer = f.buyer(session, shop, language="en")
    first, second = f.sku(session, shop), f.sku(session, shop)
    order = f.order(session, shop, [(first, 1), (second, 1)], placed_at=NOW - timedelta(days=2), the_buyer=buyer)
    session.flush()
    restock = {"restock_on": TODAY + timedelta(days=20), "reply_by": TODAY + timedelta(days=3)}
    notices = [
        BuyerNotice("out_of_stock", f"out_of_stock:{order.number}", order, {"item": first.code, **restock}),
        BuyerNotice("out_of_stock", f"out_of_stock:{order.number}", order, {"item": second.code, **restock}),
    ]
    drafted = draft_notices(session, shop=shop, notices=notices, context=context())
    session.flush()
    rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.shop_id == shop.id)))
    assert len(rows) == 1 and first.code in rows[0].body and second.code not in rows[0].body
    assert [step["body"] for _, _, step in drafted] == [rows[0].body, rows[0].body]
    assert {step["outbox_id"] for _, _, step in drafted} == {rows[0].id}
