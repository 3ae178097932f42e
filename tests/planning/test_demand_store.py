"""The daily demand store: folded in step by step it equals a rebuild from scratch and the order lines it is made
of (SQLite and PostgreSQL); an order cancelled by its buyer, closed, moved or deleted below the watermark
rebuilds the shop's part."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.db.stores import count_edits, watermarks
from tradewind.orders.models import CancelledBy, Order, OrderStatus
from tradewind.orders.service import demand_lines
from tradewind.planning.demand_store import (
    STORE,
    daily_demand,
    day_number,
    is_up_to_date,
    rebuild_daily_demand,
    refresh_daily_demand,
)
from tradewind.planning.models import DailyDemand
from tradewind.shops.models import Shop

TODAY = date(2025, 2, 20)
START, END = TODAY - timedelta(days=400), TODAY + timedelta(days=1)


def cells(session: Session, shop: Shop) -> list[tuple[int, int, int]]:
    rows = session.execute(
        select(DailyDemand.sku_id, DailyDemand.day, DailyDemand.units)
        .where(DailyDemand.shop_id == shop.id)
        .order_by(DailyDemand.sku_id, DailyDemand.day)
    )
    return [(int(s), int(d), int(u)) for s, d, u in rows]


def from_lines(session: Session, shop: Shop) -> list[tuple[int, int, int]]:
    """The cells as the order lines give them (`demand_lines`, what the plan read before the store)."""
    found: dict[tuple[int, int], int] = defaultdict(int)
    for sku_id, placed_at, units in demand_lines(session, shop_id=shop.id, start=START, end=END):
        found[(sku_id, day_number(placed_at.astimezone(UTC).date()))] += units
    return sorted((s, d, u) for (s, d), u in found.items())


def stored(session: Session, shop: Shop) -> list[tuple[int, int, int]]:
    return sorted(daily_demand(session, shop_id=shop.id, start=START, end=END))


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2025, 1, 1, hour, 17, 3, 250000, tzinfo=UTC) + timedelta(days=day)


def test_folded_in_step_by_step_the_store_equals_a_rebuild_and_the_lines(session: Session, shop: Shop) -> None:
    boots, sandals = f.sku(session, shop), f.sku(session, shop)
    for day in range(10):
        f.order(session, shop, [(boots, 1 + day % 3), (sandals, 2)], placed_at=at(day, 23 if day % 2 else 0))
    # Not demand: the buyer cancelled; an unpaid order the platform closed. A seller's cancellation is demand.
    f.order(session, shop, [(boots, 5)], placed_at=at(3), status=OrderStatus.CANCELLED, cancelled_by=CancelledBy.BUYER)
    f.order(session, shop, [(boots, 7)], placed_at=at(4), status=OrderStatus.CLOSED, paid=False)
    f.order(
        session, shop, [(sandals, 4)], placed_at=at(4), status=OrderStatus.CANCELLED, cancelled_by=CancelledBy.SELLER
    )
    assert refresh_daily_demand(session, shop_id=shop.id) == 20  # the first refresh builds it
    assert is_up_to_date(session, shop_id=shop.id)
    assert stored(session, shop) == from_lines(session, shop)

    # Step one: more sales on days already in the store and on new ones.
    for day in range(8, 14):
        f.order(session, shop, [(boots, 2)], placed_at=at(day, 6))
    assert refresh_daily_demand(session, shop_id=shop.id) == 6
    # Step two: a new SKU, and an order the buyer cancelled straight away (never demand).
    trainers = f.sku(session, shop)
    f.order(session, shop, [(trainers, 3), (boots, 1)], placed_at=at(13, 22))
    f.order(
        session, shop, [(trainers, 9)], placed_at=at(13), status=OrderStatus.CANCELLED, cancelled_by=CancelledBy.BUYER
    )
    assert refresh_daily_demand(session, shop_id=shop.id) == 2
    assert refresh_daily_demand(session, shop_id=shop.id) == 0
    assert is_up_to_date(session, shop_id=shop.id)
    assert stored(session, shop) == from_lines(session, shop)

    # A reader while lines are past the watermark reads the lines, and writes nothing.
    f.order(session, shop, [(trainers, 6)], placed_at=at(20))
    folded_before = cells(session, shop)
    assert not is_up_to_date(session, shop_id=shop.id)
    assert stored(session, shop) == from_lines(session, shop)
    assert cells(session, shop) == folded_before
    assert refresh_daily_demand(session, shop_id=shop.id) == 1

    folded, marks = cells(session, shop), watermarks(session, shop_id=shop.id, store=STORE)
    rebuild_daily_demand(session, shop_id=shop.id)
    assert cells(session, shop) == folded
    assert watermarks(session, shop_id=shop.id, store=STORE) == marks


def test_an_order_changed_below_the_watermark_rebuilds_the_shops_part(session: Session, shop: Shop) -> None:
    """Orders edited in the refreshing transaction: their SKUs' cells are made afresh (the edit notes name them);
    a line deleted, or an order edited by another transaction: the sums find it and the shop's part is rebuilt."""
    boots = f.sku(session, shop)
    orders = [f.order(session, shop, [(boots, 2)], placed_at=at(day)) for day in range(6)]
    refresh_daily_demand(session, shop_id=shop.id)
    before = stored(session, shop)

    orders[1].status, orders[1].cancelled_by = OrderStatus.CANCELLED, CancelledBy.BUYER
    session.flush()
    assert not is_up_to_date(session, shop_id=shop.id)
    assert stored(session, shop) == from_lines(session, shop)  # a reader meanwhile: from the lines
    assert refresh_daily_demand(session, shop_id=shop.id) == 5  # the boots' cells made afresh: five days left
    assert is_up_to_date(session, shop_id=shop.id)
    assert stored(session, shop) == from_lines(session, shop) != before

    orders[2].status = OrderStatus.CLOSED
    orders[3].placed_at = at(30)  # the order's day corrected
    session.flush()
    refresh_daily_demand(session, shop_id=shop.id)
    assert stored(session, shop) == from_lines(session, shop)

    session.delete(session.get(Order, orders[4].id))
    session.flush()
    refresh_daily_demand(session, shop_id=shop.id)
    assert stored(session, shop) == from_lines(session, shop)
    assert [(day - day_number(at(0).date()), units) for _, day, units in stored(session, shop)] == [
        (0, 2),
        (5, 2),
        (30, 2),
    ]

    # An order cancelled by another transaction: a statement this session does not note, and the edit count its
    # commit moves on (the test's session never commits); the sums find it.
    cancel = {"status": OrderStatus.CANCELLED, "cancelled_by": CancelledBy.BUYER}
    session.execute(update(Order).where(Order.id == orders[5].id).values(**cancel))
    count_edits(session, [((shop.id, "orders"), 1)])
    assert not is_up_to_date(session, shop_id=shop.id)
    assert refresh_daily_demand(session, shop_id=shop.id) == 2  # rebuilt: days 0 and 30 left
    assert is_up_to_date(session, shop_id=shop.id)
    assert stored(session, shop) == from_lines(session, shop)
