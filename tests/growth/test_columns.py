"""The growth report counted over columns against the per-fact code it replaced (tests/growth/per_fact: load_facts,
the KPIs, the service metrics and the milestones as they were, one Python object per order, parcel and message), on
generated shops: time zones with and without changes of offset, instants around local midnight and the change,
every order state, disputes, negative feedback, parcels with and without scans, messages, empty windows, orders in
other currencies."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories as f
from tests.growth.per_fact import facts as old_facts
from tests.growth.per_fact import metrics as old_metrics
from tests.growth.per_fact import milestones as old_milestones
from tradewind.config import Settings
from tradewind.growth.facts import load_facts
from tradewind.growth.metrics import money
from tradewind.growth.service import growth_report
from tradewind.growth.settings import growth_settings
from tradewind.logistics.models import Shipment, TrackingStatus
from tradewind.messaging.models import InboundMessage
from tradewind.money import convert
from tradewind.orders.models import CancelledBy, Dispute, Feedback, Order, OrderStatus, PaymentState
from tradewind.shops.models import Shop

SETTINGS = Settings(database_url="sqlite://")
RATES = {"USD": Decimal(1), "EUR": Decimal("1.08"), "CNY": Decimal("0.14")}


def _old_report(session: Session, shop: Shop, today: date, rates: dict[str, Decimal]) -> dict[str, Any]:
    """What growth_report computed before the columns (growth/service.py's steps over the per-fact code)."""
    s = growth_settings(SETTINGS)
    facts = old_facts.load_facts(
        session,
        shop=shop,
        today=today,
        lookback_days=max(old_metrics.longest_window(s), 30, 90) + 1,
        milestone_days=max(s.gmv_days, s.sales_days, s.listing_days),
        negative_rating=s.negative_feedback_max_rating,
        stale_days=SETTINGS.stale_order_days,
    )
    period = old_metrics.kpis(
        facts, start=today - timedelta(days=29), end=today, currency=shop.currency, usd_per_unit=rates
    )
    quarter = old_metrics.kpis(
        facts, start=today - timedelta(days=89), end=today, currency=shop.currency, usd_per_unit=rates
    )
    return {
        "period": asdict(period),
        "quarter": asdict(quarter),
        "metrics": [asdict(m) for m in old_metrics.service_metrics(facts, today, s)],
        "milestones": [asdict(m) for m in old_milestones.milestones(facts, today, s, usd_per_unit=rates)],
    }


def _new_report(session: Session, shop: Shop, today: date, rates: dict[str, Decimal]) -> dict[str, Any]:
    report = growth_report(
        session, shop=shop, today=today, settings=SETTINGS.model_copy(update={"usd_per_unit": rates})
    )
    return {
        "period": asdict(report.period),
        "quarter": asdict(report.last_90_days),
        "metrics": [asdict(m) for m in report.metrics],
        "milestones": [asdict(m) for m in report.milestones],
    }


def _moment(rng: random.Random, today: date, zone: ZoneInfo, days_back: int) -> datetime:
    """An instant in the last `days_back` days, often within a second of a local midnight or of noon UTC."""
    day = today - timedelta(days=rng.randint(-1, days_back))
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    pick = rng.random()
    if pick < 0.4:
        step = rng.choice([timedelta(0), timedelta(microseconds=1), timedelta(seconds=1), timedelta(hours=1)])
        return midnight + step if rng.random() < 0.5 else midnight - step
    if pick < 0.5:
        return datetime(day.year, day.month, day.day, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 180))
    return midnight + timedelta(seconds=rng.randint(0, 86_399), microseconds=rng.randint(0, 999_999))


def _shop_records(
    session: Session, shop: Shop, today: date, rng: random.Random, *, orders: int, currencies: list[str]
) -> None:
    zone = ZoneInfo(shop.timezone)
    buyers = [f.buyer(session, shop, name=f"B{n}") for n in range(max(1, orders // 4))]
    for b, one in enumerate(buyers):
        one.external_id = f"buyer-{b}"
    session.flush()
    rows: list[Order] = []
    for n in range(orders):
        placed = _moment(rng, today, zone, rng.choice([8, 40, 100, 200, 420]))
        status = rng.choice(list(OrderStatus))
        payment = rng.choice(list(PaymentState))
        shipped = placed + timedelta(hours=rng.randint(1, 200)) if rng.random() < 0.7 else None
        row = Order(
            shop_id=shop.id,
            number=f"G{n:07d}",
            buyer_id=rng.choice(buyers).id if rng.random() < 0.85 else None,
            placed_at=placed,
            paid_at=placed + timedelta(minutes=3) if rng.random() < 0.6 else None,
            payment_state=payment,
            status=status,
            currency=rng.choice(currencies),
            total=Decimal(rng.randint(0, 400_000)) / Decimal(100),
            ship_by=(placed + timedelta(days=rng.randint(-2, 6))).date() if rng.random() < 0.8 else None,
            protection_ends_on=(placed + timedelta(days=rng.randint(10, 70))).date() if rng.random() < 0.7 else None,
            shipped_at=shipped,
            delivered_at=shipped + timedelta(days=9) if shipped and rng.random() < 0.5 else None,
            cancelled_by=rng.choice(list(CancelledBy)) if status == OrderStatus.CANCELLED else None,
        )
        rows.append(row)
    session.add_all(rows)
    session.flush()
    for row in rows:
        if rng.random() < 0.08:
            session.add(Dispute(shop_id=shop.id, order_id=row.id, opened_at=row.placed_at, reason="not received"))
        if rng.random() < 0.2:
            session.add(Feedback(shop_id=shop.id, order_id=row.id, left_at=row.placed_at, rating=rng.randint(1, 5)))
    for n in range(orders // 2):
        sent = _moment(rng, today, zone, 50)
        scanned = sent + timedelta(days=rng.choice([0, 3, 7, 8]), microseconds=rng.choice([-1, 0, 1]))
        session.add(
            Shipment(
                shop_id=shop.id,
                order_id=rng.choice(rows).id if rng.random() < 0.9 else None,
                tracking_number=f"LP{n:07d}{rng.choice('AB')}",
                destination_country="ES",
                shipped_at=sent,
                first_scan_at=scanned if rng.random() < 0.6 else None,
                last_event_at=sent + timedelta(days=1) if rng.random() < 0.3 else None,
                status=rng.choice(list(TrackingStatus)),
            )
        )
    for n in range(orders // 5):
        received = _moment(rng, today, zone, 40)
        session.add(
            InboundMessage(
                shop_id=shop.id,
                external_id=f"M{n}",
                order_id=rng.choice(rows).id if rng.random() < 0.7 else None,
                received_at=received,
                answered_at=received + timedelta(hours=rng.choice([1, 23, 24, 30])) if rng.random() < 0.7 else None,
                text="Hi",
            )
        )
    session.flush()


@pytest.mark.parametrize(
    ("zone", "today", "opened_days_ago", "currencies"),
    [
        # The day of Berlin's change to summer time, and of the change back.
        ("Europe/Berlin", date(2024, 3, 31), 120, ["USD"]),
        ("Europe/Berlin", date(2024, 10, 27), 400, ["USD", "EUR"]),
        ("America/St_Johns", date(2024, 11, 3), 60, ["USD"]),
        ("Australia/Lord_Howe", date(2024, 4, 7), 10, ["CNY", "USD"]),
        ("Asia/Kathmandu", date(2024, 6, 1), 200, ["USD"]),
        ("Asia/Shanghai", date(2025, 2, 20), 425, ["USD"]),
    ],
)
def test_the_report_over_columns_is_the_per_fact_report(
    session: Session, shop: Shop, zone: str, today: date, opened_days_ago: int, currencies: list[str]
) -> None:
    shop.timezone = zone
    shop.opened_on = today - timedelta(days=opened_days_ago)
    session.flush()
    rng = random.Random(f"{zone}{today}")
    _shop_records(session, shop, today, rng, orders=500, currencies=currencies)
    f.listing(session, shop, f.sku(session, shop))

    new = _new_report(session, shop, today, RATES)
    assert new == _old_report(session, shop, today, RATES)
    # Not a report of nothing: every metric counted something, some lists are not empty.
    assert all(m["denominator"] > 0 for m in new["metrics"])
    assert any(m["counted"] for m in new["metrics"]) and new["period"]["orders"] > 0


@pytest.mark.parametrize("shop_currency", ["USD", "EUR"])
def test_a_shop_of_many_currencies_sums_its_sales_as_one_by_one(
    session: Session, shop: Shop, shop_currency: str
) -> None:
    """EUR and CNY converted to a EUR shop's currency round per order: summed one by one, in the old order."""
    today = date(2024, 6, 1)
    shop.currency = shop_currency
    shop.opened_on = today - timedelta(days=100)
    session.flush()
    _shop_records(session, shop, today, random.Random(shop_currency), orders=300, currencies=["USD", "EUR", "CNY"])
    assert _new_report(session, shop, today, RATES) == _old_report(session, shop, today, RATES)
    # Before rounding to cents too: the same digits as converting and adding order by order.
    facts = load_facts(session, shop=shop, today=today, lookback_days=91, milestone_days=0)
    rows = session.scalars(select(Order).where(Order.id.in_(facts.orders.ids.tolist())).order_by(Order.id)).all()
    for target in (shop_currency, "USD"):
        one_by_one = sum((convert(o.total, o.currency, target, RATES) for o in rows), Decimal(0))
        assert money(facts.orders, np.arange(len(rows)), target, RATES) == one_by_one


def test_an_empty_shop_and_empty_windows(session: Session, shop: Shop) -> None:
    today = date(2024, 3, 31)
    shop.timezone = "Europe/Berlin"
    shop.opened_on = today - timedelta(days=3)
    session.flush()
    empty = _new_report(session, shop, today, RATES)
    assert empty == _old_report(session, shop, today, RATES)
    assert empty["period"]["orders"] == 0 and all(m["denominator"] == 0 for m in empty["metrics"])
    # Only records long before the windows (and before opening): the windows stay empty.
    f.order(session, shop, [(f.sku(session, shop), 1)], placed_at=datetime(2023, 1, 1, tzinfo=UTC))
    assert _new_report(session, shop, today, RATES) == _old_report(session, shop, today, RATES)


def test_the_first_days_sales_come_per_hour_and_name_their_parcels_and_messages(session: Session, shop: Shop) -> None:
    """A USD shop in a zone of whole hours, opened 300 days ago: the sales of its first days that no window reads are
    counted per hour by the database, not read one by one; a recent parcel and message of such an order still name
    it by its number; the report is the per-fact one."""
    today = date(2025, 2, 20)
    shop.timezone = "Asia/Shanghai"
    shop.opened_on = today - timedelta(days=300)
    session.flush()
    _shop_records(session, shop, today, random.Random("early"), orders=600, currencies=["USD"])
    zone = ZoneInfo(shop.timezone)
    first_days = datetime(2024, 5, 1, 9, tzinfo=zone).astimezone(UTC)
    early = f.order(session, shop, [(f.sku(session, shop), 1)], placed_at=first_days)
    early.status, early.payment_state, early.paid_at = OrderStatus.DELIVERED, PaymentState.PAID, first_days
    late_parcel = datetime(2025, 2, 15, 3, tzinfo=UTC)
    session.add(
        Shipment(
            shop_id=shop.id,
            order_id=early.id,
            tracking_number="LPEARLY",
            destination_country="ES",
            shipped_at=late_parcel,
            status=TrackingStatus.PENDING,
        )
    )
    session.add(
        InboundMessage(shop_id=shop.id, external_id="early", order_id=early.id, received_at=late_parcel, text="?")
    )
    f.listing(session, shop, f.sku(session, shop))
    session.flush()

    s = growth_settings(SETTINGS)
    facts = load_facts(session, shop=shop, today=today, lookback_days=91, milestone_days=s.gmv_days)
    assert int(facts.early_sales.count.sum()) > 0 and early.id not in facts.orders.ids.tolist()
    assert early.number in facts.shipments.labels.tolist()
    assert early.number in [m.order_number for m in facts.messages]
    assert _new_report(session, shop, today, RATES) == _old_report(session, shop, today, RATES)
