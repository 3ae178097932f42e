"""The brief end to end on a real database: the three foundation producers, storage, ranking and state changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests import factories as f

from tradewind.action import BriefContext
from tradewind.brief.models import ActionEvent, ActionRecord, ActionState
from tradewind.brief.producers import default_producers
from tradewind.brief.service import apply_action, dismiss_action, refresh_brief, snooze_action
from tradewind.catalog.models import Sku
from tradewind.config import Settings
from tradewind.errors import InvalidTransitionError, NotFoundError, ValidationError
from tradewind.inventory.models import PurchaseOrder, Warehouse
from tradewind.messaging.models import OutboxMessage
from tradewind.orders.models import CancelledBy, OrderStatus, PaymentState
from tradewind.shops.models import Shop
from tradewind.suppliers.models import Supplier

TODAY = date(2026, 2, 3)


def context(day: date = TODAY) -> BriefContext:
    return BriefContext(today=day, now=datetime(day.year, day.month, day.day, 9, tzinfo=UTC), settings=Settings())


def brief(session: Session, shop: Shop, day: date = TODAY) -> list[ActionRecord]:
    return refresh_brief(session, shop=shop, context=context(day), producers=default_producers()).actions


def by_kind(actions: list[ActionRecord], kind: str) -> list[ActionRecord]:
    return [a for a in actions if a.kind == kind]


@pytest.fixture
def boot_short(session: Session, shop: Shop) -> tuple[Sku, Supplier]:
    """2 pairs a day for 28 days, 3 on hand, MOQ 20 in packs of 10 from the preferred supplier."""
    sku = f.sku(session, shop, "BOOT-38", price="25.00")
    supplier = f.supplier(session, shop, "SUP-A", name="Wenzhou Shoes")
    f.offer(session, shop, supplier, sku, moq=20, pack_size=10, lead_time_days=10)
    alternative = f.supplier(session, shop, "SUP-B", name="Quanzhou Footwear")
    f.offer(session, shop, alternative, sku, moq=5, pack_size=1, lead_time_days=15, priority=2)
    warehouse = f.warehouse(session, shop)
    f.stock(session, shop, warehouse, sku, 3)
    f.daily_sales(session, shop, sku, today=TODAY, per_day=2)
    return sku, supplier


def test_restock_by_the_sellers_rule(session: Session, shop: Shop, boot_short: tuple[object, object]) -> None:
    (action,) = by_kind(brief(session, shop), "restock")
    assert action.subject == "BOOT-38"
    figures = action.figures
    assert figures["sold_units"] == 56
    assert figures["demand_per_day"] == 2.0
    assert figures["target_units"] == 14.0
    assert figures["on_hand"] == 3
    assert figures["on_order"] == 0
    assert figures["days_of_cover"] == 1.5
    # 14 − 3 = 11 short; MOQ 20 in packs of 10 → 20, from the preferred supplier.
    assert figures["quantity"] == 20
    assert figures["supplier"] == "SUP-A"
    assert action.due == TODAY  # stock runs out on day 1, lead time 10 d: order now
    assert Decimal(action.steps[0]["unit_cost"]) == Decimal("45")
    assert action.steps[0] == {
        "type": "purchase_order",
        "supplier": "SUP-A",
        "sku": "BOOT-38",
        "quantity": 20,
        "unit_cost": action.steps[0]["unit_cost"],
        "currency": "CNY",
        "expected_on": (TODAY + timedelta(days=10)).isoformat(),
    }
    assert "Sold 56 in 28 days (2.0/day)" in action.why


def test_stock_on_order_counts(session: Session, shop: Shop, boot_short: tuple[Sku, Supplier]) -> None:
    sku, supplier = boot_short
    warehouse = session.scalars(select(Warehouse).where(Warehouse.shop_id == shop.id)).one()
    f.purchase_order(session, shop, supplier, warehouse, sku, 12, ordered_on=TODAY, expected_on=TODAY)
    assert by_kind(brief(session, shop), "restock") == []


def test_no_restock_for_slow_or_covered_skus(session: Session, shop: Shop) -> None:
    covered = f.sku(session, shop, "COVERED")
    warehouse = f.warehouse(session, shop)
    f.stock(session, shop, warehouse, covered, 100)
    f.daily_sales(session, shop, covered, today=TODAY, per_day=1)
    f.sku(session, shop, "NEVER-SOLD")
    assert by_kind(brief(session, shop), "restock") == []


def test_restock_without_offer_says_so(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop, "ORPHAN")
    f.warehouse(session, shop)
    f.daily_sales(session, shop, sku, today=TODAY, per_day=1)
    (action,) = by_kind(brief(session, shop), "restock")
    assert action.steps == [{"type": "add_supplier_offer", "sku": "ORPHAN"}]
    assert "No live supplier offer" in action.why


def test_unpaid_reminder_in_buyers_language(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop)
    ru = f.buyer(session, shop, country="BY", language="ru", name="Алесь")
    waiting = f.order(session, shop, [(sku, 1)], placed_at=context().now - timedelta(days=2), the_buyer=ru, paid=False)
    f.order(session, shop, [(sku, 1)], placed_at=context().now - timedelta(hours=1), the_buyer=ru, paid=False)
    f.order(session, shop, [(sku, 1)], placed_at=context().now - timedelta(days=30), the_buyer=ru, paid=False)
    (action,) = by_kind(brief(session, shop), "unpaid_reminder")
    assert action.subject == waiting.number
    (step,) = action.steps
    assert step["locale"] == "ru"
    assert waiting.number in step["body"] and "Алесь" in step["body"]
    assert "ждёт оплаты" in step["subject"]
    assert "$30.00" in step["body"] or "30,00" in step["body"]
    assert action.figures["pay_by"] == (waiting.placed_at.date() + timedelta(days=20)).isoformat()


def test_cancellation_followup_weighs_seller_cancellations(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop)
    korean = f.buyer(session, shop, country="KR", language="ko", name="민준")
    spanish = f.buyer(session, shop, country="ES", language="es", name="Lucía")
    when = context().now - timedelta(days=2)
    by_seller = f.order(
        session,
        shop,
        [(sku, 1)],
        placed_at=when - timedelta(days=3),
        the_buyer=korean,
        status=OrderStatus.CANCELLED,
        cancelled_at=when,
        cancelled_by=CancelledBy.SELLER,
        cancel_reason="out of stock",
    )
    by_buyer = f.order(
        session,
        shop,
        [(sku, 1)],
        placed_at=when - timedelta(days=3),
        the_buyer=spanish,
        status=OrderStatus.CANCELLED,
        cancelled_at=when,
        cancelled_by=CancelledBy.BUYER,
        cancel_reason="changed mind",
    )
    actions = by_kind(brief(session, shop), "cancellation_followup")
    assert [a.subject for a in actions] == [by_seller.number, by_buyer.number]  # same money, seller's ranks first
    seller_action, buyer_action = actions
    assert "count against" in seller_action.why
    # No Korean wording shipped yet: English draft, and the brief says so.
    assert seller_action.steps[0]["locale"] == "en" and seller_action.steps[0]["fallback_from"] == "ko"
    assert "draft is in English" in seller_action.why
    assert buyer_action.steps[0]["locale"] == "es" and "Lucía" in buyer_action.steps[0]["body"]


def test_refresh_is_idempotent(session: Session, shop: Shop, boot_short: object) -> None:
    first = [(a.id, a.key, a.priority) for a in brief(session, shop)]
    events = session.scalar(select(func.count()).select_from(ActionEvent))
    second = [(a.id, a.key, a.priority) for a in brief(session, shop)]
    assert first == second
    assert session.scalar(select(func.count()).select_from(ActionEvent)) == events


def test_apply_restock_places_one_purchase_order(session: Session, shop: Shop, boot_short: object) -> None:
    (action,) = by_kind(brief(session, shop), "restock")
    record, done = apply_action(
        session, shop=shop, action_id=action.id, context=context(), producers=default_producers()
    )
    assert record.state == ActionState.APPLIED
    assert done and "placed purchase order" in done[0]
    again, done_again = apply_action(
        session, shop=shop, action_id=action.id, context=context(), producers=default_producers()
    )
    assert again.state == ActionState.APPLIED and "already applied" in done_again[0]
    orders = list(session.scalars(select(PurchaseOrder).where(PurchaseOrder.shop_id == shop.id)))
    assert len(orders) == 1 and orders[0].lines[0].quantity == 20
    # Tomorrow the stock on order covers the target: no restock, and the applied action's key is freed.
    assert by_kind(brief(session, shop, TODAY + timedelta(days=1)), "restock") == []
    assert session.get(ActionRecord, action.id).key.startswith("restock:BOOT-38@")  # type: ignore[union-attr]


def test_apply_message_queues_once(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop)
    f.order(
        session,
        shop,
        [(sku, 1)],
        placed_at=context().now - timedelta(days=2),
        the_buyer=f.buyer(session, shop),
        paid=False,
    )
    (action,) = by_kind(brief(session, shop), "unpaid_reminder")
    apply_action(session, shop=shop, action_id=action.id, context=context(), producers=default_producers())
    apply_action(session, shop=shop, action_id=action.id, context=context(), producers=default_producers())
    messages = list(session.scalars(select(OutboxMessage).where(OutboxMessage.shop_id == shop.id)))
    assert len(messages) == 1
    assert messages[0].state.value == "queued" and messages[0].locale == "ru"
    assert messages[0].body == action.steps[0]["body"]


def test_dismiss_snooze_and_expiry(session: Session, shop: Shop, boot_short: tuple[Sku, Supplier]) -> None:
    sku, _ = boot_short
    f.order(
        session,
        shop,
        [(sku, 1)],
        placed_at=context().now - timedelta(days=2),
        the_buyer=f.buyer(session, shop),
        paid=False,
    )
    actions = brief(session, shop)
    restock = by_kind(actions, "restock")[0]
    unpaid = by_kind(actions, "unpaid_reminder")[0]

    dismiss_action(session, shop=shop, action_id=restock.id, context=context(), reason="called the supplier")
    snooze_action(session, shop=shop, action_id=unpaid.id, until=TODAY + timedelta(days=2), context=context())
    assert brief(session, shop) == []
    assert brief(session, shop, TODAY + timedelta(days=1)) == []
    back = brief(session, shop, TODAY + timedelta(days=2))
    assert [a.id for a in back] == [unpaid.id]
    assert [e.note for e in back[0].events][-1] == "snooze ended"

    with pytest.raises(InvalidTransitionError):
        apply_action(session, shop=shop, action_id=restock.id, context=context(), producers=default_producers())
    with pytest.raises(ValidationError):
        snooze_action(session, shop=shop, action_id=unpaid.id, until=TODAY, context=context())
    with pytest.raises(NotFoundError):
        dismiss_action(session, shop=shop, action_id=999_999, context=context())


def test_action_expires_when_the_situation_ends(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop)
    order = f.order(
        session,
        shop,
        [(sku, 1)],
        placed_at=context().now - timedelta(days=2),
        the_buyer=f.buyer(session, shop),
        paid=False,
    )
    (action,) = by_kind(brief(session, shop), "unpaid_reminder")
    order.payment_state = PaymentState.PAID
    order.status = OrderStatus.AWAITING_SHIPMENT
    session.flush()
    assert by_kind(brief(session, shop), "unpaid_reminder") == []
    record = session.get(ActionRecord, action.id)
    assert record is not None and record.state == ActionState.EXPIRED
    assert [(e.from_state, e.to_state) for e in record.events] == [(None, "open"), ("open", "expired")]


def test_actions_of_other_shops_are_invisible(session: Session, shop: Shop) -> None:
    from tradewind.shops.service import create_shop

    other = create_shop(session, code="other", name="Other shop")
    sku = f.sku(session, other)
    f.order(
        session,
        other,
        [(sku, 1)],
        placed_at=context().now - timedelta(days=2),
        the_buyer=f.buyer(session, other),
        paid=False,
    )
    (theirs,) = by_kind(brief(session, other), "unpaid_reminder")
    assert brief(session, shop) == []
    with pytest.raises(NotFoundError):
        apply_action(session, shop=shop, action_id=theirs.id, context=context(), producers=default_producers())
