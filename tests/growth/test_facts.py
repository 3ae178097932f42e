"""The growth facts' local days (placed, shipped, received on) worked out over arrays, against the one-by-one
conversion they replace (`local_day`: the instant in the shop's zone, its date), around local midnight and across
changes of UTC offset."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.growth.facts import MISSING, day_number, day_of, load_facts, local_day, local_days
from tradewind.growth.metrics import kpis
from tradewind.logistics.models import Shipment, TrackingStatus
from tradewind.messaging.models import InboundMessage
from tradewind.orders.models import Order, OrderStatus, PaymentState
from tradewind.shops.models import Shop

# 2024-03-31 01:00 UTC: Berlin goes from UTC+1 to UTC+2; local midnight is 23:00 UTC before, 22:00 UTC after.
TODAY = date(2024, 3, 31)
BERLIN = ZoneInfo("Europe/Berlin")


def _edges(days: list[date], zone: ZoneInfo) -> list[datetime]:
    """Instants a microsecond, a second and an hour either side of each day's local midnight, and around the
    zone's changes of offset on those days."""
    around = (timedelta(0), timedelta(microseconds=1), timedelta(seconds=1), timedelta(minutes=30), timedelta(hours=1))
    moments: list[datetime] = []
    for day in days:
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
        moments += [midnight + step for step in around] + [midnight - step for step in around[1:]]
        utc_midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        for minutes in range(0, 24 * 60, 15):  # every quarter hour of the UTC day: catches any change of offset
            moments.append(utc_midnight + timedelta(minutes=minutes))
            moments.append(utc_midnight + timedelta(minutes=minutes, microseconds=-1))
    return moments


@pytest.mark.parametrize(
    ("zone", "days"),
    [
        ("Europe/Berlin", [date(2024, 3, 30), date(2024, 3, 31), date(2024, 4, 1), date(2024, 10, 27)]),
        # Offsets and changes off the whole hour (UTC-3:30 / -2:30; Lord Howe moves by half an hour).
        ("America/St_Johns", [date(2024, 3, 10), date(2024, 11, 3), date(2024, 6, 1)]),
        ("Australia/Lord_Howe", [date(2024, 4, 7), date(2024, 10, 6)]),
        ("America/Los_Angeles", [date(2024, 3, 10), date(2024, 11, 3), date(2024, 12, 31)]),
        ("Asia/Shanghai", [date(2024, 1, 1), date(2024, 2, 29)]),
        ("Asia/Kathmandu", [date(2024, 1, 1)]),
    ],
)
def test_local_days_are_local_day_of_each_instant(zone: str, days: list[date]) -> None:
    tz = ZoneInfo(zone)
    moments = _edges(days, tz)
    assert list(local_days(moments, tz)) == [local_day(m, tz) for m in moments]


def test_local_days_keep_none_and_read_naive_instants_as_utc() -> None:
    naive = datetime(2024, 3, 30, 23, 30, tzinfo=UTC).replace(tzinfo=None)  # as SQLite hands back UTC
    got = local_days([None, naive, datetime(2024, 3, 30, 22, 59, tzinfo=UTC), None], BERLIN)
    assert list(got) == [None, date(2024, 3, 31), date(2024, 3, 30), None]
    assert list(local_days([], BERLIN)) == []
    assert list(local_days([datetime(2024, 3, 31, 0, 30, tzinfo=UTC)], UTC)) == [date(2024, 3, 31)]


def test_facts_days_match_the_old_conversion_around_midnight_and_the_change_of_offset(
    session: Session, shop: Shop
) -> None:
    shop.timezone = "Europe/Berlin"
    session.flush()
    moments = _edges([TODAY - timedelta(days=1), TODAY], BERLIN)[::3]
    moments += _edges([TODAY - timedelta(days=30), TODAY - timedelta(days=29)], BERLIN)[::5]
    sku = f.sku(session, shop)
    shipped_at: dict[str, datetime | None] = {}
    for n, placed in enumerate(moments):
        row = f.order(session, shop, [(sku, 1)], placed_at=placed, status=OrderStatus.DELIVERED)
        row.shipped_at = shipped_at[row.number] = placed + timedelta(hours=1) if n % 2 else None
        session.add(
            Shipment(
                shop_id=shop.id,
                tracking_number=f"LP{n:08d}",
                destination_country="ES",
                shipped_at=placed,
                status=TrackingStatus.PENDING,
            )
        )
        session.add(InboundMessage(shop_id=shop.id, external_id=f"M{n}", received_at=placed, text="Hi"))
    session.flush()

    facts = load_facts(session, shop=shop, today=TODAY, lookback_days=91, milestone_days=0)
    orders, parcels = facts.orders, facts.shipments
    assert len(orders.ids) == len(parcels.shipped_us) == len(facts.messages) > 150
    placed_at = {o.number: o.placed_at for o in session.scalars(select(Order).where(Order.shop_id == shop.id))}
    for number, placed, shipped in zip(
        orders.numbers.tolist(), orders.placed_on.tolist(), orders.shipped_on.tolist(), strict=True
    ):
        assert day_of(placed) == local_day(placed_at[number], BERLIN), placed_at[number]
        when = shipped_at[number]
        assert shipped == (day_number(local_day(when, BERLIN)) if when else MISSING), when
    for moment, day in zip(parcels.shipped_us.tolist(), parcels.shipped_on.tolist(), strict=True):
        assert day_of(day) == local_day(datetime.fromtimestamp(moment / 1e6, UTC), BERLIN)
    assert all(m.received_on == local_day(m.received_at, BERLIN) for m in facts.messages)
    # Instants on both sides of local midnight before and after the change: both days are there.
    placed_on = {day_of(d) for d in orders.placed_on.tolist()}
    assert placed_on >= {TODAY - timedelta(days=2), TODAY - timedelta(days=1), TODAY}

    # The KPIs over a window whose edge is the day of the change count what the old, one-by-one path counted.
    got = kpis(facts, start=TODAY, end=TODAY, currency="USD", usd_per_unit={"USD": Decimal(1)})
    no_sale = (OrderStatus.CANCELLED, OrderStatus.CLOSED)
    rows = session.scalars(select(Order).where(Order.id.in_(orders.ids.tolist())).order_by(Order.id)).all()
    sales = [
        o
        for o in rows
        if (o.paid_at or o.payment_state != PaymentState.UNPAID)
        and o.payment_state != PaymentState.REFUNDED
        and o.status not in no_sale
    ]
    assert orders.sale.tolist() == [o in sales for o in rows]
    oracle = [o for o in sales if local_day(o.placed_at, BERLIN) == TODAY]
    assert got.orders == len(oracle) > 0
    assert got.gmv == sum((o.total for o in oracle), Decimal(0)).quantize(Decimal("0.01"))
