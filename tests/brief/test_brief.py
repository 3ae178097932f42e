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
from tradewind.brief.service import (
    apply_action,
    dismiss_action,
    refresh_brief,
    snooze_action,
    title_in,
    why_in,
)
from tradewind.catalog.models import Promotion, Sku
from tradewind.config import Settings
from tradewind.errors import InvalidTransitionError, NotFoundError, ValidationError
from tradewind.inventory.models import PurchaseOrder, Warehouse
from tradewind.messaging.models import OutboxMessage
from tradewind.orders.models import CancelledBy, OrderStatus, PaymentState
from tradewind.shops.models import Shop
from tradewind.suppliers.models import Supplier, SupplierStatus, SupplyOffer
from tradewind.wording import Phrase, render

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


def test_restock_from_the_preferred_supplier(session: Session, shop: Shop, boot_short: object) -> None:
    (action,) = by_kind(brief(session, shop), "restock")
    assert action.subject_kind == "supplier" and action.subject == "SUP-A"
    assert action.due == TODAY  # 1.5 days of cover, 10 days of lead time: order now
    (line,) = action.figures["lines"]
    assert line["sku"] == "BOOT-38"
    assert line["demand_per_day"] == 2.0 and line["on_hand"] == 3 and line["on_order"] == 0
    assert line["days_of_cover"] == 1.5 and line["stockout_on"] == "2026-02-05"
    assert line["service_level"] == 0.97  # the shop's only SKU is its best-seller
    # Lead-time demand 20 plus safety stock at 97% with a 10 d (p90 13 d) lead time.
    assert 25 < line["reorder_point"] < 40 and line["safety_stock"] > 0
    # order-up-to − position, rounded up to MOQ 20 in packs of 10.
    wanted = line["order_up_to"] - 3
    assert line["quantity"] % 10 == 0 and line["quantity"] >= max(20, wanted) and line["quantity"] - wanted < 10
    (step,) = action.steps
    assert step["type"] == "purchase_order" and step["supplier"] == "SUP-A"
    assert step["lines"] == [{"sku": "BOOT-38", "quantity": line["quantity"], "unit_cost": line["unit_cost"]}]
    assert Decimal(line["unit_cost"]) == Decimal("45")
    assert "BOOT-38: 3 on hand + 0 on order (1.5 d at 2.00/day, out on 05 Feb)" in action.why


def test_unavoidable_stockout_gets_the_playbook(session: Session, shop: Shop, boot_short: tuple[Sku, Supplier]) -> None:
    sku, _ = boot_short
    promoted = f.listing(session, shop, sku, stock_shown=25)
    f.promotion(session, shop, promoted)
    (action,) = by_kind(brief(session, shop), "stockout_playbook")
    assert action.subject == "BOOT-38"  # a SKU without a product is its own group
    (line,) = action.figures["skus"]
    assert line["earliest_arrival"] == "2026-02-13" and line["days_without_stock"] == 8
    assert {s["type"] for s in action.steps} == {"set_listing_stock", "pause_promotions"}
    apply_action(session, shop=shop, action_id=action.id, context=context(), producers=default_producers())
    session.refresh(promoted)
    assert promoted.stock_shown == 3
    assert all(p.state.value == "paused" for p in session.scalars(select(Promotion)))


def test_stock_on_order_counts(session: Session, shop: Shop, boot_short: tuple[Sku, Supplier]) -> None:
    sku, supplier = boot_short
    warehouse = session.scalars(select(Warehouse).where(Warehouse.shop_id == shop.id)).one()
    f.purchase_order(
        session, shop, supplier, warehouse, sku, 40, ordered_on=TODAY, expected_on=TODAY + timedelta(days=1)
    )
    actions = brief(session, shop)
    assert by_kind(actions, "restock") == []
    assert by_kind(actions, "stockout_playbook") == []  # 40 arrive tomorrow


def test_closed_supplier_switches_to_the_alternative(
    session: Session, shop: Shop, boot_short: tuple[Sku, Supplier]
) -> None:
    sku, supplier = boot_short
    f.status_report(
        session,
        shop,
        supplier,
        SupplierStatus.CLOSED,
        reported_on=TODAY - timedelta(days=3),
        reopens_on=TODAY + timedelta(days=25),
        note="workers not back after the holiday",
    )
    actions = brief(session, shop)
    (restock,) = by_kind(actions, "restock")
    assert restock.subject == "SUP-B"
    (switch,) = by_kind(actions, "switch_supplier")
    assert switch.figures["from_supplier"] == "SUP-A" and switch.figures["to_supplier"] == "SUP-B"
    assert [line["sku"] for line in switch.figures["skus"]] == ["BOOT-38"]
    assert switch.figures["from_lead_time_mean_days"] == 35.0  # waits 25 days for the reopening, then 10
    assert switch.figures["to_lead_time_mean_days"] == 15.0
    assert "closed until 28 Feb" in switch.why
    # On normal terms B is slower (p90 20 d vs 13 d) at the same price (45 CNY = 6.30 USD, the shop's currency):
    # for good it would hold 2/day × 7 d more stock, 0.25 × 6.30 × 14 = 22.05 a year, so this order only.
    assert switch.figures["permanent"] is False and switch.steps == []
    assert "this once" in switch.title and "cost 22.05 a year" in switch.why
    apply_action(session, shop=shop, action_id=switch.id, context=context(), producers=default_producers())
    offers = {
        o.supplier_id: o.priority for o in session.scalars(select(SupplyOffer).where(SupplyOffer.sku_id == sku.id))
    }
    assert offers[supplier.id] == 1 and max(offers.values()) == 2


def test_a_switch_that_pays_is_for_good(session: Session, shop: Shop) -> None:
    """A closed; B is as fast on normal terms (10 d, p90 13 d) and 5 CNY (0.70 USD) cheaper a unit at 2 pairs a
    day: it saves 0.70 × 2 × 365 = 511.00 a year, so applying the switch makes B the preferred supplier."""
    sku = f.sku(session, shop, "BOOT-38", price="25.00")
    usual = f.supplier(session, shop, "SUP-A", name="Wenzhou Shoes")
    f.offer(session, shop, usual, sku, lead_time_days=10)
    cheaper = f.supplier(session, shop, "SUP-B", name="Quanzhou Footwear")
    f.offer(session, shop, cheaper, sku, lead_time_days=10, priority=2, unit_cost="40.00")
    f.stock(session, shop, f.warehouse(session, shop), sku, 3)
    f.daily_sales(session, shop, sku, today=TODAY, per_day=2)
    f.status_report(
        session,
        shop,
        usual,
        SupplierStatus.CLOSED,
        reported_on=TODAY - timedelta(days=3),
        reopens_on=TODAY + timedelta(days=25),
    )
    (switch,) = by_kind(brief(session, shop), "switch_supplier")
    assert switch.figures["permanent"] is True and "from now on" in switch.title
    (line,) = switch.figures["skus"]
    assert Decimal(line["gain_per_year"]) == Decimal("511.00")
    apply_action(session, shop=shop, action_id=switch.id, context=context(), producers=default_producers())
    offers = {
        o.supplier_id: o.priority for o in session.scalars(select(SupplyOffer).where(SupplyOffer.sku_id == sku.id))
    }
    assert offers == {cheaper.id: 1, usual.id: 2}


def test_silent_supplier_is_uncertain_not_available(
    session: Session, shop: Shop, boot_short: tuple[Sku, Supplier]
) -> None:
    _, supplier = boot_short
    f.supplier_message(session, shop, supplier, sent_at=context().now - timedelta(days=4))
    actions = brief(session, shop)
    (restock,) = by_kind(actions, "restock")
    assert restock.subject == "SUP-B"  # 10 d (p90 13 + 7 d of doubt) does not beat the stockout; B is answering
    (switch,) = by_kind(actions, "switch_supplier")
    assert "not answering for 4.0 days" in switch.why
    assert switch.figures["from_lead_time_p90_days"] == 20.0


def test_a_silent_supplier_is_kept_when_the_alternative_is_slower_still(session: Session, shop: Shop) -> None:
    """A is silent for 4 days: 10 d, p90 13 + 7 d of doubt = 20 d. B answers but takes 25 d (p90 33 d): neither
    arrives before the stockout, and B would arrive 13 days later at p90, so the order stays with A."""
    sku = f.sku(session, shop, "BOOT-38", price="25.00")
    usual = f.supplier(session, shop, "SUP-A", name="Wenzhou Shoes")
    f.offer(session, shop, usual, sku, lead_time_days=10)
    slow = f.supplier(session, shop, "SUP-B", name="Quanzhou Footwear")
    f.offer(session, shop, slow, sku, lead_time_days=25, priority=2)
    f.stock(session, shop, f.warehouse(session, shop), sku, 3)
    f.daily_sales(session, shop, sku, today=TODAY, per_day=2)
    f.supplier_message(session, shop, usual, sent_at=context().now - timedelta(days=4))
    actions = brief(session, shop)
    assert by_kind(actions, "switch_supplier") == []
    (restock,) = by_kind(actions, "restock")
    assert restock.subject == "SUP-A" and restock.figures["lead_time_p90_days"] == 20.0


def test_an_answer_ends_the_doubt(session: Session, shop: Shop, boot_short: tuple[Sku, Supplier]) -> None:
    _, supplier = boot_short
    f.supplier_message(session, shop, supplier, sent_at=context().now - timedelta(days=4))
    f.supplier_message(session, shop, supplier, sent_at=context().now - timedelta(days=3), incoming=True)
    assert by_kind(brief(session, shop), "switch_supplier") == []


def test_spring_festival_closure_from_the_calendar(session: Session, shop: Shop) -> None:
    day = date(2026, 2, 12)  # Chinese New Year 2026 falls on 17 February
    sku = f.sku(session, shop, "LOAFER-40")
    chinese = f.supplier(session, shop, "SUP-CN", name="Wenzhou Shoes", calendar="CN")
    vietnamese = f.supplier(session, shop, "SUP-VN", name="Hanoi Footwear", calendar="VN")
    f.offer(session, shop, chinese, sku, lead_time_days=10)
    f.offer(session, shop, vietnamese, sku, lead_time_days=18, priority=2)
    f.stock(session, shop, f.warehouse(session, shop), sku, 30)
    f.daily_sales(session, shop, sku, today=day, per_day=2)
    actions = brief(session, shop, day)
    (switch,) = by_kind(actions, "switch_supplier")
    assert "Spring Festival closure until 04 Mar" in switch.why
    assert by_kind(actions, "restock")[0].subject == "SUP-VN"


def test_orders_to_one_supplier_are_combined(session: Session, shop: Shop, boot_short: tuple[Sku, Supplier]) -> None:
    _, supplier = boot_short
    soon = f.sku(session, shop, "BOOT-39", price="25.00")
    f.offer(session, shop, supplier, soon, moq=20, pack_size=10, lead_time_days=10)
    warehouse = session.scalars(select(Warehouse).where(Warehouse.shop_id == shop.id)).one()
    f.stock(session, shop, warehouse, soon, 40)  # above its reorder point today, at it within days
    f.daily_sales(session, shop, soon, today=TODAY, per_day=2)
    (restock,) = by_kind(brief(session, shop), "restock")
    lines = {line["sku"]: line for line in restock.figures["lines"]}
    assert set(lines) == {"BOOT-38", "BOOT-39"}
    assert lines["BOOT-38"]["pulled_forward_days"] == 0 and lines["BOOT-39"]["pulled_forward_days"] > 0
    assert restock.figures["joined_early"] == 1
    assert Decimal(restock.figures["holding_cost_of_combining"]) < Settings().shipment_cost


def test_without_shipment_cost_nothing_is_pulled_forward(
    session: Session, shop: Shop, boot_short: tuple[Sku, Supplier]
) -> None:
    _, supplier = boot_short
    soon = f.sku(session, shop, "BOOT-39", price="25.00")
    f.offer(session, shop, supplier, soon, moq=20, pack_size=10, lead_time_days=10)
    warehouse = session.scalars(select(Warehouse).where(Warehouse.shop_id == shop.id)).one()
    f.stock(session, shop, warehouse, soon, 40)
    f.daily_sales(session, shop, soon, today=TODAY, per_day=2)
    free_shipping = BriefContext(today=TODAY, now=context().now, settings=Settings(shipment_cost=Decimal(0)))
    actions = refresh_brief(session, shop=shop, context=free_shipping, producers=default_producers()).actions
    (restock,) = by_kind(actions, "restock")
    assert [line["sku"] for line in restock.figures["lines"]] == ["BOOT-38"]


def test_restock_without_offer_gets_a_playbook(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop, "ORPHAN")
    f.stock(session, shop, f.warehouse(session, shop), sku, 1)
    f.daily_sales(session, shop, sku, today=TODAY, per_day=1)
    actions = brief(session, shop)
    assert by_kind(actions, "restock") == []
    (playbook,) = by_kind(actions, "stockout_playbook")
    assert "no source: no supplier offer on file" in playbook.why
    assert playbook.figures["no_source"] == ["ORPHAN"]
    (line,) = playbook.figures["skus"]
    # No lead time is made up for it: no stock levels, no order date.
    assert line["lead_time_mean_days"] is None and line["reorder_point"] is None and line["order_up_to"] is None
    assert line["order_by"] is None and line["stockout_on"] is not None


def test_an_moq_beyond_the_cover_cap_is_a_choice_not_an_order(session: Session, shop: Shop) -> None:
    """1 pair a day, 3 on hand, MOQ 200: ordering it would hold (3 + 200) / 1 = 203 days, beyond the 90-day cap."""
    sku = f.sku(session, shop, "BOOT-38", price="25.00")
    supplier = f.supplier(session, shop, "SUP-A", name="Wenzhou Shoes")
    f.offer(session, shop, supplier, sku, moq=200, pack_size=10, lead_time_days=10)
    f.stock(session, shop, f.warehouse(session, shop), sku, 3)
    f.daily_sales(session, shop, sku, today=TODAY, per_day=1)
    (choice,) = by_kind(brief(session, shop), "restock")
    assert choice.title == "MOQ 200 forces 203 days of cover of BOOT-38 from Wenzhou Shoes: negotiate, or skip"
    assert choice.steps == [] and choice.figures["choice"] == "negotiate_or_skip"
    (line,) = choice.figures["lines"]
    assert line["moq_choice"] == 200 and line["moq_choice_cover_days"] == 203.0
    assert session.scalar(select(func.count()).select_from(PurchaseOrder)) == 0


def test_a_sku_unsold_for_90_days_is_overstock_not_a_stockout(session: Session, shop: Shop) -> None:
    """Two pairs a day until 101 days ago, nothing since; 40 on hand."""
    sku = f.sku(session, shop, "SANDAL-37", price="25.00")
    sku.created_at = datetime(2025, 6, 1, tzinfo=UTC)
    supplier = f.supplier(session, shop, "SUP-A")
    f.offer(session, shop, supplier, sku, lead_time_days=10)
    f.stock(session, shop, f.warehouse(session, shop), sku, 40)
    f.daily_sales(session, shop, sku, today=TODAY - timedelta(days=100), per_day=2)
    actions = brief(session, shop)
    assert by_kind(actions, "stockout_playbook") == [] and by_kind(actions, "restock") == []
    (overstock,) = by_kind(actions, "overstock")
    assert overstock.title == "Overstock SANDAL-37: no sale in 90 days — pause purchasing, promote it"
    assert overstock.figures["excess_units"] == 40 and overstock.figures["excess_value"] == "1000.00"


def test_overstock_pauses_purchasing(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop, "SANDAL-37", price="15.00")
    supplier = f.supplier(session, shop, "SUP-A")
    f.offer(session, shop, supplier, sku)
    f.stock(session, shop, f.warehouse(session, shop), sku, 900)
    f.daily_sales(session, shop, sku, today=TODAY, per_day=1)
    (action,) = by_kind(brief(session, shop), "overstock")
    assert action.figures["days_of_cover"] == 900.0 and action.figures["excess_units"] == 780
    apply_action(session, shop=shop, action_id=action.id, context=context(), producers=default_producers())
    assert sku.purchasing_paused_until == TODAY + timedelta(days=30)
    assert by_kind(brief(session, shop, TODAY + timedelta(days=1)), "overstock") == []


def test_overstocked_sizes_of_one_model_are_one_action(session: Session, shop: Shop) -> None:
    from tradewind.catalog.models import Product

    model = Product(shop_id=shop.id, code="SANDAL", title="Sandal")
    session.add(model)
    session.flush()
    supplier = f.supplier(session, shop, "SUP-A")
    sizes = []
    for size, units in (("37", 900), ("38", 600)):
        sku = f.sku(session, shop, f"SANDAL-{size}", price="15.00")
        sku.product_id = model.id
        f.offer(session, shop, supplier, sku)
        f.stock(session, shop, f.warehouse(session, shop, f"W{size}"), sku, units)
        f.daily_sales(session, shop, sku, today=TODAY, per_day=1)
        sizes.append(sku)
    (action,) = by_kind(brief(session, shop), "overstock")
    assert action.subject_kind == "product" and action.subject == "SANDAL"
    assert action.title.startswith("Overstock SANDAL (2 SKUs): 600–900 days of cover")
    assert [line["sku"] for line in action.figures["skus"]] == ["SANDAL-37", "SANDAL-38"]
    assert action.figures["excess_units"] == sum(line["excess_units"] for line in action.figures["skus"])
    apply_action(session, shop=shop, action_id=action.id, context=context(), producers=default_producers())
    assert all(sku.purchasing_paused_until == TODAY + timedelta(days=30) for sku in sizes)


def test_vacation_mode_when_nothing_can_ship(session: Session, shop: Shop) -> None:
    empty = [f.sku(session, shop, f"WECHAT-{n}") for n in range(3)]
    warehouse = f.warehouse(session, shop)
    listings = []
    for sku in empty:
        f.stock(session, shop, warehouse, sku, 0)
        f.daily_sales(session, shop, sku, today=TODAY, per_day=1, days=10)
        listings.append(f.listing(session, shop, sku, channel="wechat", stock_shown=0))
    (action,) = by_kind(brief(session, shop), "vacation_mode")
    assert action.subject == "wechat" and action.figures["listings"] == 3
    back = action.figures["stock_back_on"]
    arrives = f"{date.fromisoformat(back):%d %b}." if back else "— no date yet."
    assert action.why == (
        f"All 3 listed SKUs are out of stock; the first stock could arrive {arrives} Orders taken now would ship "
        "late and count against the shop."
    )
    assert why_in(action, "ru").startswith("Все выставленные SKU (3) закончились;")
    assert why_in(action, "zh").startswith("全部 3 个在售 SKU 都已断货；")
    apply_action(session, shop=shop, action_id=action.id, context=context(), producers=default_producers())
    assert all(listing.state.value == "paused" for listing in listings)


def test_unpaid_reminder_in_buyers_language(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop)
    ru = f.buyer(session, shop, country="BY", language="ru", name="Алесь")
    waiting = f.order(session, shop, [(sku, 1)], placed_at=context().now - timedelta(days=2), the_buyer=ru, paid=False)
    f.order(session, shop, [(sku, 1)], placed_at=context().now - timedelta(hours=1), the_buyer=ru, paid=False)
    f.order(session, shop, [(sku, 1)], placed_at=context().now - timedelta(days=30), the_buyer=ru, paid=False)
    (action,) = by_kind(brief(session, shop), "unpaid_reminder")
    assert action.subject_kind == "buyer_group" and action.figures["orders"] == 1
    assert action.title.startswith("Remind the buyer to pay (USD 30.00 waiting): drafts in ru")
    (notice,) = action.figures["notices"]
    assert notice["order"] == waiting.number
    (step,) = action.steps
    assert step["locale"] == "ru" and step["order"] == waiting.number
    assert waiting.number in step["body"] and "Алесь" in step["body"]
    assert "ждёт оплаты" in step["subject"]
    assert "$30.00" in step["body"] or "30,00" in step["body"]
    assert notice["pay_by"] == (waiting.placed_at.date() + timedelta(days=20)).isoformat()


def test_unpaid_reminders_are_one_action_until_the_buyers_change(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop)
    for name, language in (("Алесь", "ru"), ("Lucía", "es"), ("Zoé", "fr")):
        the_buyer = f.buyer(session, shop, language=language, name=name)
        f.order(session, shop, [(sku, 1)], placed_at=context().now - timedelta(days=2), the_buyer=the_buyer, paid=False)
    (action,) = by_kind(brief(session, shop), "unpaid_reminder")
    assert action.figures["orders"] == 3 and len(action.steps) == 3
    assert sorted(action.figures["languages"]) == ["es", "fr", "ru"]
    assert "Remind 3 buyers to pay (USD 90.00 waiting)" in action.title
    # The same buyers tomorrow: the same action (a snooze or dismissal holds) ...
    (tomorrow,) = by_kind(brief(session, shop, TODAY + timedelta(days=1)), "unpaid_reminder")
    assert tomorrow.id == action.id
    # ... once applied (every draft queued), a new buyer makes a new action that asks only the new buyer.
    apply_action(session, shop=shop, action_id=action.id, context=context(), producers=default_producers())
    late = f.order(
        session,
        shop,
        [(sku, 1)],
        placed_at=context().now - timedelta(days=1),
        the_buyer=f.buyer(session, shop),
        paid=False,
    )
    (again,) = by_kind(brief(session, shop), "unpaid_reminder")
    assert again.id != action.id and [s["order"] for s in again.steps] == [late.number]


def test_cancellation_followup_weighs_seller_cancellations(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop)
    swedish = f.buyer(session, shop, country="SE", language="sv", name="Sven")
    spanish = f.buyer(session, shop, country="ES", language="es", name="Lucía")
    when = context().now - timedelta(days=2)
    by_seller = f.order(
        session,
        shop,
        [(sku, 1)],
        placed_at=when - timedelta(days=3),
        the_buyer=swedish,
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
    assert [a.subject for a in actions] == ["seller", "buyer"]  # same money, seller's ranks first
    seller_action, buyer_action = actions
    assert [n["order"] for n in seller_action.figures["notices"]] == [by_seller.number]
    assert [n["order"] for n in buyer_action.figures["notices"]] == [by_buyer.number]
    assert "count against" in seller_action.why and "out of stock 1" in seller_action.title
    # No Swedish wording shipped: English draft, and the brief says so.
    assert seller_action.steps[0]["locale"] == "en" and seller_action.steps[0]["fallback_from"] == "sv"
    assert "draft is in English" in seller_action.figures["notices"][0]["why"]
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
    assert len(orders) == 1 and orders[0].lines[0].quantity == action.figures["lines"][0]["quantity"]
    # Tomorrow the stock on order covers the target: no restock, and the applied action's key is freed.
    assert by_kind(brief(session, shop, TODAY + timedelta(days=1)), "restock") == []
    freed = session.get(ActionRecord, action.id)
    assert freed is not None and freed.key.startswith("restock:SUP-A@")


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

    for other in actions:
        if other.kind != "unpaid_reminder":
            dismiss_action(session, shop=shop, action_id=other.id, context=context(), reason="called the supplier")
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


def test_stockouts_of_one_model_are_one_action(session: Session, shop: Shop) -> None:
    from tradewind.catalog.models import Product

    model = Product(shop_id=shop.id, code="SH-1002", title="Chelsea boot")
    session.add(model)
    session.flush()
    supplier = f.supplier(session, shop, "SUP-A")
    warehouse = f.warehouse(session, shop)
    for size in (40, 41):
        sku = f.sku(session, shop, f"SH-1002-BLK-{size}")
        sku.product_id = model.id
        f.offer(session, shop, supplier, sku, lead_time_days=20)
        f.stock(session, shop, warehouse, sku, 2)
        f.daily_sales(session, shop, sku, today=TODAY, per_day=1)
    (action,) = by_kind(brief(session, shop), "stockout_playbook")
    assert action.subject == "SH-1002" and action.title.startswith("Stockout of SH-1002 (2 SKUs)")
    assert [line["sku"] for line in action.figures["skus"]] == ["SH-1002-BLK-40", "SH-1002-BLK-41"]
    assert [s["sku"] for s in action.steps if s["type"] == "set_listing_stock"] == ["SH-1002-BLK-40", "SH-1002-BLK-41"]


def test_the_title_is_stored_as_a_phrase_whose_english_is_the_title(
    session: Session, shop: Shop, boot_short: object
) -> None:
    (action,) = by_kind(brief(session, shop), "restock")
    session.expire_all()
    stored = session.get(ActionRecord, action.id)
    assert stored is not None and stored.title_msg is not None
    assert stored.title_msg["msgid"] == "Order %(quantity)s from %(supplier)s by %(due)s: %(sku)s"
    assert stored.title_msg["args"]["due"] == {"t": "day", "v": stored.due.isoformat(), "style": "day_month"}
    assert render(Phrase.from_json(stored.title_msg), "en") == stored.title
    assert title_in(stored, "en") == stored.title
