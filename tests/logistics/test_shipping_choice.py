"""The disruption register, the method per destination and the brief's switch_shipping and lane_blocked actions
(SQLite and PostgreSQL): a blocked lane is never chosen, and its orders are re-routed or held."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.logistics.parcels import history, shipped_order
from tradewind.action import BriefContext
from tradewind.brief.service import apply_action, refresh_brief, reopen_action, why_in
from tradewind.config import Settings
from tradewind.errors import NotFoundError, ValidationError
from tradewind.logistics.choice import choose_methods
from tradewind.logistics.disruptions import add_disruption, end_disruption, list_disruptions
from tradewind.logistics.models import DisruptionKind, FollowUpKind, ShipmentFollowUp, ShippingPreference
from tradewind.logistics.producers import ShippingChoiceProducer
from tradewind.logistics.rules import LogisticsRules
from tradewind.logistics.service import default_method, lane_statistics
from tradewind.logistics.transit.lanes import Lane
from tradewind.orders.models import OrderStatus
from tradewind.shops.models import Shop

TODAY = date(2024, 3, 20)
NOW = datetime(2024, 3, 20, 12, tzinfo=UTC)
CONTEXT = BriefContext(today=TODAY, now=NOW, settings=Settings())


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def russia(session: Session, shop: Shop) -> Shop:
    """Three ways to Russia: ePacket (fast, dear), AliExpress Standard (cheaper), rail (cheapest, slower)."""
    history(
        session,
        shop,
        destination="RU",
        method_code="epacket",
        days=[13 + i % 5 for i in range(40)],
        end=NOW,
        cost="3.20",
    )
    history(
        session,
        shop,
        destination="RU",
        method_code="aliexpress-standard",
        days=[17 + i % 5 for i in range(40)],
        end=NOW,
        cost="2.40",
    )
    history(
        session, shop, destination="RU", method_code="rail", days=[20 + i % 4 for i in range(30)], end=NOW, cost="1.80"
    )
    for back in range(1, 21):
        shipped_order(session, shop, placed_at=ago(back), method_code="epacket", promised_days=30)
    return shop


def test_the_register(session: Session, shop: Shop) -> None:
    ban = add_disruption(
        session, shop=shop, kind="import ban", destination="Italy", starts_on=date(2020, 2, 1), source="news", now=NOW
    )
    assert (ban.kind, ban.destination_country, ban.origin_country) == (DisruptionKind.IMPORT_BAN, "IT", None)
    rail = add_disruption(
        session,
        shop=shop,
        kind="suspended_route",
        origin="CN",
        destination="RU",
        method="rail",
        starts_on=date(2020, 1, 31),
        source="Russia suspended China–Russia rail from January 31",
        now=NOW,
    )
    assert [d.id for d in list_disruptions(session, shop=shop, on=date(2020, 2, 10))] == [ban.id, rail.id]
    end_disruption(session, shop=shop, disruption_id=ban.id, ends_on=date(2020, 3, 1))
    assert [d.id for d in list_disruptions(session, shop=shop, on=date(2020, 3, 2))] == [rail.id]
    with pytest.raises(ValidationError):
        add_disruption(session, shop=shop, kind="volcano", starts_on=TODAY, source="x", now=NOW)
    with pytest.raises(ValidationError):
        add_disruption(
            session, shop=shop, kind="capacity_cut", starts_on=TODAY, ends_on=date(2020, 1, 1), source="x", now=NOW
        )
    with pytest.raises(ValidationError):
        add_disruption(
            session, shop=shop, kind="import_ban", destination="Narnia", starts_on=TODAY, source="x", now=NOW
        )
    with pytest.raises(NotFoundError):
        end_disruption(session, shop=shop, disruption_id=99999, ends_on=TODAY)


def test_the_cheapest_method_that_keeps_the_promise(session: Session, russia: Shop) -> None:
    (choice,) = choose_methods(session, shop=russia, today=TODAY, now=NOW)
    assert choice.destination == "RU" and choice.default_method == "epacket" and choice.default_from == "orders"
    assert choice.handling_days == 2 and choice.promise_days == 30
    assert {o.method: o.meets_promise for o in choice.options} == {
        "epacket": True,
        "aliexpress-standard": True,
        "rail": True,
    }
    assert choice.recommended is not None and choice.recommended.method == "rail"
    assert default_method(session, shop=russia, origin="CN", destination="RU", today=TODAY, rules=LogisticsRules()) == (
        "epacket",
        "orders",
    )


def test_a_blocked_lane_is_never_chosen_and_its_orders_are_rerouted(session: Session, russia: Shop) -> None:
    rail_order = shipped_order(
        session, russia, placed_at=ago(1), method_code="rail", status=OrderStatus.AWAITING_SHIPMENT
    )
    add_disruption(
        session,
        shop=russia,
        kind=DisruptionKind.SUSPENDED_ROUTE,
        origin="CN",
        destination="RU",
        method="rail",
        starts_on=TODAY - timedelta(days=3),
        source="China–Russia rail suspended",
        now=NOW,
    )
    stats = {s.lane: s for s in lane_statistics(session, shop=russia, now=NOW)}
    assert stats[Lane("CN", "RU", "rail")].estimate.blocked
    (choice,) = choose_methods(session, shop=russia, today=TODAY, now=NOW)
    assert choice.recommended is not None and choice.recommended.method == "aliexpress-standard"

    producers = [ShippingChoiceProducer()]
    brief = refresh_brief(session, shop=russia, context=CONTEXT, producers=producers)
    by_kind = {a.kind: a for a in brief.actions}
    blocked = by_kind["lane_blocked"]
    assert blocked.figures["unshipped_orders"] == [rail_order.number]
    assert blocked.figures["alternatives"] == {"RU": "aliexpress-standard"}
    assert blocked.steps[0] == {
        "type": "reroute_orders",
        "orders": [rail_order.number],
        "from_method": None,
        "to_method": "aliexpress-standard",
    }
    switch = by_kind["switch_shipping"]
    assert (
        switch.figures["current"]["method"] == "epacket"
        and switch.figures["proposed"]["method"] == "aliexpress-standard"
    )
    assert switch.figures["reason"] == "cheaper"
    assert switch.figures["proposed"]["p90_days"] < switch.figures["transit_budget_days"]

    _, done = apply_action(session, shop=russia, action_id=blocked.id, context=CONTEXT, producers=producers)
    assert done[0] == f"re-routed 1 orders to aliexpress-standard: {rail_order.number}"
    session.refresh(rail_order)
    assert rail_order.shipping_method == "aliexpress-standard"
    notes = session.scalars(select(ShipmentFollowUp).where(ShipmentFollowUp.shop_id == russia.id)).all()
    assert [(n.kind, n.order_id) for n in notes] == [(FollowUpKind.REROUTED, rail_order.id)]

    _, done = apply_action(session, shop=russia, action_id=switch.id, context=CONTEXT, producers=producers)
    assert done[0] == "set default method to RU: aliexpress-standard"
    preference = session.scalar(select(ShippingPreference).where(ShippingPreference.shop_id == russia.id))
    assert preference is not None and preference.method_code == "aliexpress-standard"
    assert default_method(session, shop=russia, origin="CN", destination="RU", today=TODAY, rules=LogisticsRules())[
        1
    ] == ("preference")

    # Reopening undoes both (issue 20): the default method is epacket again, the rerouted order back on its method.
    _, undone = reopen_action(session, shop=russia, action_id=switch.id, context=CONTEXT, producers=producers)
    assert undone[0] == "restored default method to RU: epacket"
    session.refresh(preference)
    assert preference.method_code == "epacket"
    _, undone = reopen_action(session, shop=russia, action_id=blocked.id, context=CONTEXT, producers=producers)
    assert undone[0] == f"routed 1 orders back: {rail_order.number} to rail"
    session.refresh(rail_order)
    assert rail_order.shipping_method == "rail"


def test_an_import_ban_with_no_way_round_holds_the_orders(session: Session, russia: Shop) -> None:
    waiting = shipped_order(session, russia, placed_at=ago(1), status=OrderStatus.AWAITING_SHIPMENT)
    add_disruption(
        session, shop=russia, kind="import_ban", destination="RU", starts_on=TODAY, source="customs notice", now=NOW
    )
    producers = [ShippingChoiceProducer()]
    brief = refresh_brief(session, shop=russia, context=CONTEXT, producers=producers)
    (blocked,) = [a for a in brief.actions if a.kind == "lane_blocked"]
    assert {s["type"] for s in blocked.steps} == {"hold_orders", "notify_buyers"}
    hold = next(s for s in blocked.steps if s["type"] == "hold_orders")
    assert hold["orders"] == [waiting.number]
    assert not [a for a in brief.actions if a.kind == "switch_shipping"]  # every method to RU is blocked
    _, done = apply_action(session, shop=russia, action_id=blocked.id, context=CONTEXT, producers=producers)
    assert done[0] == f"held 1 orders until the route reopens: {waiting.number}"


def test_a_slowdown_in_the_register_slows_the_lane(session: Session, russia: Shop) -> None:
    before = {s.lane: s.estimate for s in lane_statistics(session, shop=russia, now=NOW)}
    add_disruption(
        session,
        shop=russia,
        kind="capacity_cut",
        destination="RU",
        method="epacket",
        starts_on=TODAY - timedelta(days=1),
        extra_days=12,
        source="flights cut",
        now=NOW,
    )
    after = {s.lane: s.estimate for s in lane_statistics(session, shop=russia, now=NOW)}
    lane = Lane("CN", "RU", "epacket")
    assert (after[lane].p90_days or 0) >= (before[lane].p90_days or 0) + 12
    assert after[lane].slowed_by_days >= 12 and not after[lane].blocked
    assert after[Lane("CN", "RU", "rail")] == before[Lane("CN", "RU", "rail")]


def test_default_method_counts_only_parcels_from_the_origin(session: Session, shop: Shop) -> None:
    from datetime import UTC, date, datetime

    from tests.logistics.parcels import parcel
    from tradewind.logistics.rules import LogisticsRules
    from tradewind.logistics.service import default_method

    now = datetime(2024, 3, 20, 12, tzinfo=UTC)
    for n in range(3):  # the Madrid warehouse's local parcels are another lane
        local = parcel(
            session, shop, destination="ES", method_code="correos-paq", shipped_at=now - timedelta(days=n + 1)
        )
        local.origin_country = "ES"
    parcel(session, shop, destination="ES", method_code="epacket", shipped_at=now - timedelta(days=2))
    session.flush()
    method, source = default_method(
        session, shop=shop, origin="CN", destination="ES", today=date(2024, 3, 20), rules=LogisticsRules()
    )
    assert (method, source) == ("epacket", "orders")


def test_a_switch_forced_by_a_temporary_disruption_is_one_off(session: Session, russia: Shop) -> None:
    waiting = [
        shipped_order(session, russia, placed_at=ago(1), method_code="epacket", status=OrderStatus.AWAITING_SHIPMENT)
        for _ in range(2)
    ]
    add_disruption(
        session,
        shop=russia,
        kind="capacity_cut",
        destination="RU",
        method="epacket",
        starts_on=TODAY - timedelta(days=1),
        extra_days=12,
        source="flights cut",
        now=NOW,
    )
    producers = [ShippingChoiceProducer()]
    brief = refresh_brief(session, shop=russia, context=CONTEXT, producers=producers)
    (switch,) = [a for a in brief.actions if a.kind == "switch_shipping"]
    # ePacket's p90 is now beyond the 28 days the promise leaves: rail meets it, but only while the cut lasts.
    assert switch.figures["reason"] == "slower" and switch.figures["proposed"]["method"] == "rail"
    assert switch.figures["permanent"] is False and "capacity cut" in switch.figures["temporary_cause"]
    assert "one-off, epacket stays the default" in switch.title and "while the capacity cut lasts" in switch.title
    # The reason in Russian and Chinese: the cause's kind, lane and day translated, its source as recorded.
    assert switch.why.endswith(
        f"The delay comes from a temporary disruption (#{switch.figures['temporary_cause'][1:].split()[0]} capacity "
        f"cut anywhere → RU by epacket from {TODAY - timedelta(days=1)}, +12 days: flights cut): this time only."
    )
    russian, chinese = why_in(switch, "ru"), why_in(switch, "zh")
    assert "Задержка вызвана временным сбоем (№" in russian
    assert "сокращение ёмкости любая страна → RU (epacket)" in russian
    assert ", +12 дн.: flights cut): только в этот раз." in russian and "дн. обработки" in russian
    assert "延误来自临时中断（#" in chinese and "运力削减 任意地区 → RU（epacket）" in chinese and "仅限本次" in chinese
    numbers = sorted(o.number for o in waiting)
    assert switch.steps == [
        {"type": "reroute_orders", "orders": numbers, "from_method": "epacket", "to_method": "rail"}
    ]
    _, done = apply_action(session, shop=russia, action_id=switch.id, context=CONTEXT, producers=producers)
    assert done == [f"re-routed 2 orders to rail: {', '.join(numbers)}"]
    assert session.scalar(select(ShippingPreference).where(ShippingPreference.shop_id == russia.id)) is None
    assert default_method(session, shop=russia, origin="CN", destination="RU", today=TODAY, rules=LogisticsRules()) == (
        "epacket",
        "orders",
    )


def test_a_cheaper_method_on_time_pays_for_good(session: Session, russia: Shop) -> None:
    add_disruption(
        session,
        shop=russia,
        kind=DisruptionKind.IMPORT_BAN,
        destination="RU",
        method="rail",
        starts_on=TODAY - timedelta(days=3),
        source="rail cargo banned",
        now=NOW,
    )
    brief = refresh_brief(session, shop=russia, context=CONTEXT, producers=[ShippingChoiceProducer()])
    (switch,) = [a for a in brief.actions if a.kind == "switch_shipping"]
    # 20 orders in 30 days: 243.3 parcels a year, each 0.80 cheaper (3.20 → 2.40), none of either method late.
    figures = switch.figures
    assert figures["reason"] == "cheaper" and figures["permanent"] is True
    assert figures["parcels_per_year"] == 243.3 and figures["cost_change_per_parcel"] == "-0.80"
    assert figures["late_share_change"] == 0 and figures["gain_per_year"] == "194.67"
    assert "for good" in switch.title and "gains 194.67 a year" in switch.why
    assert [s["type"] for s in switch.steps] == ["set_default_method", "reroute_orders"]


def test_a_faster_method_that_does_not_pay_for_good_takes_the_open_orders_once(session: Session, shop: Shop) -> None:
    # ePacket takes 25–33 days: 5 parcels in 9 later than the 28 days the promise leaves. A courier takes 5–8 days
    # but costs 25.00 a parcel on 30.00 orders.
    days = [25 + i % 9 for i in range(45)]
    history(session, shop, destination="RU", method_code="epacket", days=days, end=NOW, cost="3.20")
    history(
        session,
        shop,
        destination="RU",
        method_code="courier",
        days=[5 + i % 4 for i in range(30)],
        end=NOW,
        cost="25.00",
    )
    for back in range(1, 21):
        shipped_order(session, shop, placed_at=ago(back), method_code="epacket", promised_days=30)
    waiting = shipped_order(session, shop, placed_at=ago(1), status=OrderStatus.AWAITING_SHIPMENT)
    session.flush()
    brief = refresh_brief(session, shop=shop, context=CONTEXT, producers=[ShippingChoiceProducer()])
    (switch,) = [a for a in brief.actions if a.kind == "switch_shipping"]
    figures = switch.figures
    assert figures["reason"] == "slower" and figures["proposed"]["method"] == "courier"
    assert figures["permanent"] is False and "temporary_cause" not in figures
    assert float(figures["gain_per_year"]) < 0 and "this time only" in switch.why
    assert "costs " in switch.why and "обойдётся в " in why_in(switch, "ru") and "每年多花 " in why_in(switch, "zh")
    assert switch.steps == [
        {"type": "reroute_orders", "orders": [waiting.number], "from_method": "epacket", "to_method": "courier"}
    ]


def test_the_default_methods_of_many_destinations_are_each_ones_default_method(session: Session, shop: Shop) -> None:
    """One query per table for every destination: the same answers as asking destination by destination — the
    seller's preference, the parcels' most used method (a tie to the code that sorts last), the orders' when no
    parcel went yet, the setting, none."""
    from tests.logistics.parcels import parcel
    from tradewind.logistics.service import default_methods

    for code, count in (("epacket", 2), ("rail", 2), ("courier", 1)):  # a tie: rail sorts last
        for n in range(count):
            parcel(session, shop, destination="ES", method_code=code, shipped_at=ago(n + 1))
    parcel(session, shop, destination="DE", method_code="epacket", shipped_at=ago(400))  # outside the window
    for code in ("dhl", "dhl", "epacket"):
        shipped_order(session, shop, placed_at=ago(2), destination="DE", method_code=code)
    parcel(session, shop, destination="FR", method_code="epacket", shipped_at=ago(1))
    session.add(
        ShippingPreference(
            shop_id=shop.id,
            origin_country="CN",
            destination_country="FR",
            method_code="colissimo",
            set_at=NOW,
            reason="seller",
        )
    )
    session.flush()
    rules = LogisticsRules(default_methods={"US": "usps"})
    destinations = ["ES", "DE", "FR", "US", "JP"]
    found = default_methods(session, shop=shop, origin="CN", destinations=destinations, today=TODAY, rules=rules)
    assert found == {
        "ES": ("rail", "orders"),
        "DE": ("dhl", "orders"),
        "FR": ("colissimo", "preference"),
        "US": ("usps", "setting"),
        "JP": (None, "none"),
    }
    for destination in destinations:
        one = default_method(session, shop=shop, origin="CN", destination=destination, today=TODAY, rules=rules)
        assert one == found[destination]


def test_promise_and_handling_days_are_the_medians_of_the_orders_themselves(session: Session, shop: Shop) -> None:
    """The database counts days and microseconds; the medians are the ones of the orders read one by one (UTC days:
    orders placed late in the day, fractions of a second, one shipped before it was placed), for an odd and an even
    number of orders."""
    import random
    import statistics

    from tradewind.clock import start_of_day
    from tradewind.logistics.service import handling_days, promise_days_by_destination
    from tradewind.orders.models import Order

    rng = random.Random(5)

    def order() -> None:
        placed = NOW - timedelta(
            days=rng.randint(1, 120), seconds=rng.randint(0, 86_399), microseconds=rng.randint(0, 999_999)
        )
        row = shipped_order(session, shop, placed_at=placed, destination=rng.choice(["RU", "ES"]), promised_days=None)
        row.promised_delivery_on = placed.date() + timedelta(days=rng.randint(10, 40))
        row.shipped_at = placed + timedelta(seconds=rng.randint(-3_600, 6 * 86_400), microseconds=rng.randint(1, 9))

    for count in (41, 1, 1, 1):
        for _ in range(count):
            order()
        session.flush()
        since = start_of_day(TODAY - timedelta(days=90))
        orders = [o for o in session.scalars(select(Order).where(Order.shop_id == shop.id)) if o.placed_at >= since]
        by_destination: dict[str, list[int]] = {}
        for o in orders:
            assert o.promised_delivery_on is not None and o.destination_country is not None
            days = (o.promised_delivery_on - o.placed_at.date()).days
            by_destination.setdefault(o.destination_country, []).append(days)
        assert promise_days_by_destination(session, shop=shop, today=TODAY) == {
            d: int(statistics.median(v)) for d, v in by_destination.items()
        }
        waits = [max(0.0, (o.shipped_at - o.placed_at).total_seconds() / 86400) for o in orders if o.shipped_at]
        assert handling_days(session, shop=shop, today=TODAY, rules=LogisticsRules()) == round(statistics.median(waits))


def test_the_recent_orders_per_destination_are_counted_and_summed_exactly(session: Session, shop: Shop) -> None:
    """Orders grouped by destination and total in the database: the count and the value (to the cent, as a Decimal
    of the same digits) that adding the orders one by one gives; cancelled, closed and older orders left out."""
    from decimal import Decimal

    from tradewind.logistics.choice import _recent_orders

    for destination, total, status, days in (
        ("RU", "30.10", OrderStatus.SHIPPED, 2),
        ("RU", "30.10", OrderStatus.AWAITING_SHIPMENT, 3),
        ("RU", "0.20", OrderStatus.SHIPPED, 4),
        ("RU", "99.00", OrderStatus.CANCELLED, 2),
        ("ES", "12.35", OrderStatus.SHIPPED, 5),
        ("ES", "12.35", OrderStatus.CLOSED, 5),
        ("ES", "7.00", OrderStatus.SHIPPED, 200),
    ):
        shipped_order(session, shop, placed_at=ago(days), destination=destination, status=status, total=total)
    found = _recent_orders(session, shop=shop, today=TODAY, days=90)
    assert found == {"RU": (3, Decimal("60.40")), "ES": (1, Decimal("12.35"))}
    assert str(found["RU"][1]) == str(Decimal(0) + Decimal("30.1000") + Decimal("30.1000") + Decimal("0.2000"))
