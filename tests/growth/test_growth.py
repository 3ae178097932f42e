"""Growth and health on small shops computed by hand: KPIs, every service metric with its window edges and the
shop's time zone, projections into metric_risk actions, milestones with their pace, levels, and applying."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.action import BriefContext, StoredAction
from tradewind.config import Settings
from tradewind.growth.models import GrowthEvent
from tradewind.growth.producers import GrowthProducer
from tradewind.growth.service import growth_report
from tradewind.logistics.models import Shipment, TrackingStatus
from tradewind.messaging.models import InboundMessage
from tradewind.orders.models import CancelledBy, Dispute, Feedback, Order, OrderStatus, PaymentState
from tradewind.shops.models import Shop
from tradewind.wording import Phrase, render

TODAY = date(2024, 3, 31)
SETTINGS = Settings(database_url="sqlite://")


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def sale(session: Session, shop: Shop, placed: datetime, *, total: str = "30.00", **fields: object) -> Order:
    sku = f.sku(session, shop)
    row = f.order(session, shop, [(sku, 1)], placed_at=placed, total=total, status=OrderStatus.DELIVERED)
    for name, value in fields.items():
        setattr(row, name, value)
    session.flush()
    return row


def metric(session: Session, shop: Shop, code: str, today: date = TODAY) -> dict[str, Any]:
    report = growth_report(session, shop=shop, today=today, settings=SETTINGS).to_json()
    return next(m for m in report["metrics"] if m["code"] == code)


def context(today: date = TODAY) -> BriefContext:
    return BriefContext(today=today, now=at(today), settings=SETTINGS)


def test_kpis_gmv_in_two_currencies_buyers_and_repeat_rate(session: Session, shop: Shop) -> None:
    anna, ben = f.buyer(session, shop), f.buyer(session, shop)
    sale(session, shop, at(TODAY - timedelta(days=3)), total="100.00", buyer_id=anna.id)
    sale(session, shop, at(TODAY - timedelta(days=2)), total="50.00", buyer_id=anna.id)
    sale(session, shop, at(TODAY - timedelta(days=1)), total="10.00", buyer_id=ben.id, currency="EUR")
    sale(session, shop, at(TODAY - timedelta(days=1)), status=OrderStatus.CANCELLED, buyer_id=ben.id)
    sale(session, shop, at(TODAY - timedelta(days=1)), paid_at=None, payment_state="unpaid", status=OrderStatus.PLACED)
    # 2024-03-31 17:00 UTC is 1 April 01:00 in Shanghai: tomorrow for the shop.
    sale(session, shop, datetime(2024, 3, 31, 17, tzinfo=UTC), total="999.00", buyer_id=ben.id)
    # 30 days end today: 2 March 00:00 Shanghai (1 March 16:00 UTC) is the first instant counted.
    sale(session, shop, datetime(2024, 3, 1, 16, 0, tzinfo=UTC), total="1.00")
    sale(session, shop, datetime(2024, 3, 1, 15, 59, tzinfo=UTC), total="1000.00")
    report = growth_report(session, shop=shop, today=TODAY, settings=SETTINGS).to_json()["kpis"]
    # USD 100 + 50 + 1, and EUR 10 at 1.08 USD.
    assert (report["gmv"], report["gmv_usd"], report["currency"]) == ("161.80", "161.80", "USD")
    assert (report["orders"], report["buyers"], report["repeat_buyers"]) == (4, 2, 1)
    assert report["repeat_buyer_rate"] == 0.5
    assert (report["start"], report["end"]) == ("2024-03-02", "2024-03-31")


def test_order_defect_rate_counts_disputes_negative_feedback_and_seller_cancellations(
    session: Session, shop: Shop
) -> None:
    first_day = TODAY - timedelta(days=59)  # the 60-day window's first day
    orders = [sale(session, shop, at(first_day, 2)) for _ in range(7)]
    session.add(Dispute(shop_id=shop.id, order_id=orders[0].id, opened_at=at(TODAY), reason="not received"))
    session.add(Feedback(shop_id=shop.id, order_id=orders[1].id, left_at=at(TODAY), rating=2))
    session.add(Feedback(shop_id=shop.id, order_id=orders[2].id, left_at=at(TODAY), rating=3))
    orders[3].status, orders[3].cancelled_by = OrderStatus.CANCELLED, CancelledBy.SELLER
    orders[4].status, orders[4].cancelled_by = OrderStatus.CANCELLED, CancelledBy.BUYER
    # The day before the window: a defect that no longer counts (16:00 UTC the day before is 00:00 local).
    old = sale(session, shop, datetime(2024, 1, 31, 15, 59, tzinfo=UTC))
    session.add(Dispute(shop_id=shop.id, order_id=old.id, opened_at=at(TODAY), reason="old"))
    session.flush()
    found = metric(session, shop, "order_defect_rate")
    assert (found["numerator"], found["denominator"]) == (3, 7)
    assert found["window"] == ["2024-02-01", "2024-03-31"] and found["state"] == "over limit"
    assert sorted(found["counted"]) == sorted(o.number for o in [*orders[:2], orders[3]])


def test_cancellation_rate_over_seven_days(session: Session, shop: Shop) -> None:
    for _ in range(39):
        sale(session, shop, at(TODAY - timedelta(days=6)))
    sale(session, shop, at(TODAY), status=OrderStatus.CANCELLED, cancelled_by=CancelledBy.SELLER)
    sale(session, shop, at(TODAY - timedelta(days=7)), status=OrderStatus.CANCELLED, cancelled_by=CancelledBy.SELLER)
    found = metric(session, shop, "cancellation_rate")
    assert (found["numerator"], found["denominator"], found["value"]) == (1, 40, 0.025)
    assert found["state"] == "over limit"  # the limit is "under 2.5%"


def test_late_shipment_uses_the_shops_day_and_projects_open_orders(session: Session, shop: Shop) -> None:
    deadline = TODAY - timedelta(days=5)
    on_time = [
        sale(session, shop, at(deadline - timedelta(days=2)), ship_by=deadline, shipped_at=at(deadline, 15))
        for _ in range(24)
    ]
    # 15:59 UTC is 23:59 in Shanghai on the deadline: on time. 16:00 UTC is the next day there: late.
    sale(session, shop, at(deadline, 1), ship_by=deadline, shipped_at=datetime(2024, 3, 26, 15, 59, tzinfo=UTC))
    assert len(on_time) == 24
    found = metric(session, shop, "late_shipment_rate")
    assert (found["numerator"], found["denominator"], found["state"]) == (0, 25, "ok")
    late = sale(session, shop, at(deadline, 1), ship_by=deadline, shipped_at=datetime(2024, 3, 26, 16, tzinfo=UTC))
    found = metric(session, shop, "late_shipment_rate")
    assert (found["numerator"], found["denominator"]) == (1, 26) and found["counted"] == [late.number]
    # Two open orders due tomorrow: one shipping late gives 2/27 = 7.4%, over 4%.
    due = [
        sale(session, shop, at(TODAY), status=OrderStatus.AWAITING_SHIPMENT, ship_by=TODAY + timedelta(days=1))
        for _ in range(2)
    ]
    found = metric(session, shop, "late_shipment_rate")
    assert found["state"] == "at risk"
    assert found["projection"] == {
        "horizon_days": 7,
        "at_risk": sorted(o.number for o in due),
        "to_cross": 1,
        "worst_value": round(3 / 28, 4),
        "certain": [],
    }


def test_metric_risk_action_and_apply_is_idempotent(session: Session, shop: Shop) -> None:
    deadline = TODAY - timedelta(days=5)
    for _ in range(30):
        sale(session, shop, at(deadline - timedelta(days=1)), ship_by=deadline, shipped_at=at(deadline, 3))
    open_orders = [
        sale(session, shop, at(TODAY), status=OrderStatus.AWAITING_SHIPMENT, ship_by=TODAY + timedelta(days=d))
        for d in (2, 1)
    ]
    producer = GrowthProducer()
    actions = [a for a in producer.actions(session, shop=shop, context=context()) if a.kind == "metric_risk"]
    assert [a.subject for a in actions] == ["late_shipment_rate"]
    action = actions[0]
    # (0 + 2) / (30 + 2) = 6.25% crosses 4%; one alone, 1/31 = 3.2%, does not.
    assert action.figures["to_cross"] == 2
    assert action.figures["at_risk"] == [open_orders[1].number, open_orders[0].number]
    stored = StoredAction(
        1, action.kind, action.key, action.subject_kind, action.subject, action.due, action.figures, action.steps
    )
    first = producer.apply(session, shop=shop, action=stored, context=context())
    again = producer.apply(session, shop=shop, action=stored, context=context())
    assert first[0].startswith("recorded") and again[0].startswith("already recorded")
    events = list(session.scalars(select(GrowthEvent).where(GrowthEvent.shop_id == shop.id)))
    assert len(events) == 1 and open_orders[0].number in events[0].note


def shipment(session: Session, shop: Shop, shipped: datetime, scanned: datetime | None, number: str) -> None:
    session.add(
        Shipment(
            shop_id=shop.id,
            tracking_number=number,
            destination_country="ES",
            shipped_at=shipped,
            first_scan_at=scanned,
            last_event_at=scanned,
            status=TrackingStatus.IN_TRANSIT if scanned else TrackingStatus.PENDING,
        )
    )
    session.flush()


def test_first_scan_within_seven_days_and_valid_tracking(session: Session, shop: Shop) -> None:
    ten_days_ago = at(TODAY - timedelta(days=10))
    shipment(session, shop, ten_days_ago, ten_days_ago + timedelta(days=3), "LP001")
    shipment(session, shop, ten_days_ago, ten_days_ago + timedelta(days=7), "LP002")  # exactly 7 days: in time
    shipment(session, shop, ten_days_ago, ten_days_ago + timedelta(days=8), "LP003")
    shipment(session, shop, ten_days_ago, None, "LP004")
    shipment(session, shop, at(TODAY - timedelta(days=2)), None, "LP005")  # not due yet
    shipment(session, shop, at(TODAY - timedelta(days=1)), None, "LP006")  # not judged for tracking yet
    scan = metric(session, shop, "first_scan_rate")
    assert (scan["numerator"], scan["denominator"], scan["counted"]) == (2, 4, ["LP003", "LP004"])
    assert scan["projection"]["at_risk"] == ["LP005", "LP006"]
    tracking = metric(session, shop, "valid_tracking_rate")
    # LP005 (2 days) is judged, LP006 (yesterday) not yet.
    assert (tracking["numerator"], tracking["denominator"], tracking["counted"]) == (3, 5, ["LP004", "LP005"])


def test_reply_rate_and_time(session: Session, shop: Shop) -> None:
    received = at(TODAY - timedelta(days=3))
    for number, hours in enumerate((2, 24, 30, None)):
        session.add(
            InboundMessage(
                shop_id=shop.id,
                external_id=f"M{number}",
                received_at=received,
                text="Where is my parcel?",
                answered_at=received + timedelta(hours=hours) if hours is not None else None,
            )
        )
    # Received an hour ago: not late yet.
    session.add(InboundMessage(shop_id=shop.id, external_id="M9", received_at=at(TODAY, 11), text="Hi"))
    session.flush()
    found = metric(session, shop, "reply_rate")
    assert (found["numerator"], found["denominator"], found["average_reply_hours"]) == (2, 4, 18.7)
    assert found["state"] == "over limit"


def test_milestones_pace_level_and_growth_milestone_action(session: Session, shop: Shop) -> None:
    opened = TODAY - timedelta(days=99)  # today is day 100
    shop.opened_on = opened
    listed = f.sku(session, shop, "LISTED")
    listed.created_at = at(opened + timedelta(days=10))
    f.listing(session, shop, listed)
    for day in range(62):  # one USD 250 sale a day on days 1..62: the 60th on day 60
        sale(session, shop, at(opened + timedelta(days=day), 4), total="250.00")
    # Day 91 (opened + 90): counts for GMV, not for "60 sales within 90 days".
    session.flush()
    report = growth_report(session, shop=shop, today=TODAY, settings=SETTINGS)
    tasks = {t.code: t for t in report.milestones}
    # The SKU was recorded on day 11, but a sale on day 1 proves it was listed then.
    assert tasks["store_opened"].reached_on == opened
    assert report.to_json()["milestones"][0]["pace"] == f"reached on day 1 ({opened:%d %b %Y})"
    assert tasks["sales"].reached_on == opened + timedelta(days=59)
    gmv = tasks["gmv"]
    assert (gmv.progress, gmv.state, gmv.day) == (Decimal("15500.00"), "at risk", 100)
    payload = report.to_json()["milestones"][2]
    assert payload["pace"] == "at today's rate: 27,900 of 30,000 by day 180"
    assert payload["per_day_needed"] == "179.01"  # 14,500 over the 81 days left, today included
    assert report.level is not None and (report.level.code, report.level.next_code) == ("first_mate", "navigator")
    actions = [
        a for a in GrowthProducer().actions(session, shop=shop, context=context()) if a.kind == "growth_milestone"
    ]
    assert [a.key for a in actions] == ["growth_milestone:gmv:plan"]
    assert actions[0].title.endswith("at today's rate: 27,900 of 30,000 by day 180")
    assert actions[0].value_at_risk == Decimal("2100.00")
    # 15,500 USD in 100 days is 155.00 a day; 179.01 a day is needed: 24.01 more.
    assert actions[0].why == (
        "Day 100 of 180: 15,500.00 USD so far (155.00 a day). To close the gap: 179.0 USD a day from now on "
        "(24.0 more a day than so far)."
    )
    assert actions[0].why_phrase is not None and actions[0].title_phrase is not None
    assert render(actions[0].why_phrase, "ru") == (
        "День 100 из 180 — USD: 15\xa0500,00 (155,00 в день). Чтобы наверстать: USD: 179,0 в день с этого дня "
        "(на 24,0 в день больше, чем до сих пор)."
    )
    assert render(actions[0].why_phrase, "zh").startswith("第 100 / 180 天：目前 15,500.00 USD（每天 155.00）")
    pace = "при нынешнем темпе к 180-му дню будет 27\xa0900 из 30\xa0000"
    assert render(actions[0].title_phrase, "ru").endswith(pace)
    reached = report.to_json()["milestones"][0]["pace_msg"]
    assert render(Phrase.from_json(reached), "zh") == f"第 1 天达成（{opened.year}年{opened.month}月{opened.day}日）"


def test_a_listing_after_its_days_is_missed_with_nothing_counted(session: Session, shop: Shop) -> None:
    """'1 / 1 missed' said two things at once: a listing made after day 30 counts for nothing in the task, and a
    task that has ended shows how it ended, not a rate."""
    opened = TODAY - timedelta(days=99)
    shop.opened_on = opened
    late = f.sku(session, shop, "LATE")
    late.created_at = at(opened + timedelta(days=40))
    f.listing(session, shop, late)
    sale(session, shop, at(opened + timedelta(days=45), 4), total="250.00")  # the first sale, day 46
    session.flush()
    report = growth_report(session, shop=shop, today=TODAY, settings=SETTINGS)
    task = report.to_json()["milestones"][0]
    assert (task["progress"], task["state"], task["pace"]) == ("0", "missed", "ended on day 30 with 0 of 1")


def test_sales_on_day_91_miss_the_90_day_task(session: Session, shop: Shop) -> None:
    opened = date(2024, 1, 1)
    shop.opened_on = opened
    for _ in range(59):
        sale(session, shop, at(opened + timedelta(days=89), 3))  # day 90
    sale(session, shop, at(opened + timedelta(days=90), 3))  # day 91
    report = growth_report(session, shop=shop, today=date(2024, 4, 15), settings=SETTINGS)
    sales = next(t for t in report.milestones if t.code == "sales")
    assert (sales.progress, sales.state) == (Decimal(59), "missed")
    assert report.level is not None and report.level.code == "sailor"  # nothing listed


@pytest.mark.parametrize("opened_days_ago", [3])
def test_a_just_reached_milestone_is_news_once(session: Session, shop: Shop, opened_days_ago: int) -> None:
    shop.opened_on = TODAY - timedelta(days=opened_days_ago)
    sku = f.sku(session, shop)
    sku.created_at = at(TODAY - timedelta(days=1))
    f.listing(session, shop, sku)
    actions = GrowthProducer().actions(session, shop=shop, context=context())
    keys = [a.key for a in actions if a.kind == "growth_milestone"]
    assert "growth_milestone:store_opened:reached" in keys
    later = GrowthProducer().actions(session, shop=shop, context=context(TODAY + timedelta(days=10)))
    assert "growth_milestone:store_opened:reached" not in [a.key for a in later]


def test_orders_past_ship_by_count_as_certain_and_stale_ones_not_at_all(session: Session, shop: Shop) -> None:
    deadline = TODAY - timedelta(days=5)
    for _ in range(30):
        sale(session, shop, at(deadline - timedelta(days=1)), ship_by=deadline, shipped_at=at(deadline, 3))
    # Two open orders already past their ship-by day: late whatever happens, (0 + 2) / (30 + 2) = 6.25% > 4%.
    past = [
        sale(session, shop, at(TODAY - timedelta(days=4)), status=OrderStatus.AWAITING_SHIPMENT, ship_by=d)
        for d in (TODAY - timedelta(days=2), TODAY - timedelta(days=1))
    ]
    tomorrow = sale(session, shop, at(TODAY), status=OrderStatus.AWAITING_SHIPMENT, ship_by=TODAY + timedelta(days=1))
    # Open since long ago (61 days past its ship-by day): stale, neither certain nor at risk.
    sale(
        session,
        shop,
        at(TODAY - timedelta(days=70)),
        status=OrderStatus.AWAITING_SHIPMENT,
        ship_by=TODAY - timedelta(days=61),
    )
    found = metric(session, shop, "late_shipment_rate")
    assert found["projection"] == {
        "horizon_days": 7,
        "at_risk": [past[0].number, past[1].number, tomorrow.number],
        "to_cross": 0,
        "worst_value": round(3 / 33, 4),
        "certain": [past[0].number, past[1].number],
    }
    actions = [a for a in GrowthProducer().actions(session, shop=shop, context=context()) if a.kind == "metric_risk"]
    assert len(actions) == 1
    card = actions[0]
    assert "2 orders already past their deadline can no longer be on time" in card.title
    assert "if" not in card.title.split(":")[1]
    # Certain (chance 1), 6.25% against 4% is 0.5625 of the limit past it, and late shipment costs half the sales:
    # the period's 33 x 30.00 = 990.00 sales (the open orders are paid sales too) x 0.5 x 0.5625 = 278.44.
    assert (card.figures["chance"], card.figures["depth"], card.figures["breach_cost_share"]) == (1.0, 0.5625, 0.5)
    assert card.value_at_risk == Decimal("278.44") and card.figures["penalty"] == "278.44"
    assert card.figures["fixed_by"] == ["stockout_playbook", "restock", "pickup_reminder"]


def test_a_reply_rate_penalty_is_what_the_platform_does_times_how_far_below(session: Session, shop: Shop) -> None:
    for day in range(10):
        sale(session, shop, at(TODAY - timedelta(days=day + 1)), total="100.00")
    for hours in (1, 30, 40, 50):  # one of four answered within 24 h: 25% against at least 90%
        received = at(TODAY - timedelta(days=3))
        session.add(
            InboundMessage(
                shop_id=shop.id,
                external_id=f"M{hours}",
                received_at=received,
                answered_at=received + timedelta(hours=hours),
                text="where is my order?",
            )
        )
    session.flush()
    actions = [a for a in GrowthProducer().actions(session, shop=shop, context=context()) if a.kind == "metric_risk"]
    card = next(a for a in actions if a.subject == "reply_rate")
    # (0.90 - 0.25) / 0.90 = 0.7222 below; slow replies cost a fifth of the sales: 1,000.00 x 0.2 x 0.7222.
    assert card.figures["depth"] == 0.7222 and card.figures["chance"] == 1.0
    assert card.value_at_risk == Decimal("144.44")
    assert card.weight == 1.0 and card.figures["fixed_by"] == ["reply_needed"]


def test_returns_are_not_sales(session: Session, shop: Shop) -> None:
    sale(session, shop, at(TODAY - timedelta(days=2)), total="100.00")
    # Delivered, then returned and refunded in full: neither GMV nor an order of the period.
    sale(session, shop, at(TODAY - timedelta(days=2)), total="40.00", payment_state=PaymentState.REFUNDED)
    # Refunded in part: still a sale (the file gives no refunded amount to net).
    sale(session, shop, at(TODAY - timedelta(days=1)), total="10.00", payment_state=PaymentState.PARTIALLY_REFUNDED)
    report = growth_report(session, shop=shop, today=TODAY, settings=SETTINGS).to_json()["kpis"]
    assert (report["gmv"], report["orders"]) == ("110.00", 2)
