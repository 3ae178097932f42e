"""The stores on the demo shop: the brief builds them, more records folded in over two days equal
`tradewind stores rebuild` from scratch, and the rebuild's counts are those SQL gives from the records."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests import factories as f
from tests.demo.building import BuiltDemo
from tests.logistics.parcels import parcel
from tradewind.catalog.models import Sku
from tradewind.cli.main import app
from tradewind.db.session import make_sessionmaker, transaction
from tradewind.db.stores import StoreWatermark
from tradewind.logistics.lane_store import refresh_lane_samples
from tradewind.logistics.models import LaneSample, OutlookInput, Shipment, TrackingEvent
from tradewind.logistics.outlook_store import OutlookRow, refresh_outlook_inputs
from tradewind.logistics.tracking.store import refresh_shipment
from tradewind.orders.models import CancelledBy, Order, OrderStatus
from tradewind.planning.demand_store import refresh_daily_demand
from tradewind.planning.models import DailyDemand
from tradewind.shops.service import get_shop

runner = CliRunner()


def store_rows(session: Session) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    lanes = [
        tuple(row)
        for row in session.execute(
            select(
                LaneSample.shipment_id,
                LaneSample.destination_country,
                LaneSample.method_id,
                LaneSample.shipped,
                LaneSample.delivered,
                LaneSample.last_news,
            ).order_by(LaneSample.shipment_id)
        )
    ]
    demand = [
        tuple(row)
        for row in session.execute(
            select(DailyDemand.sku_id, DailyDemand.day, DailyDemand.units).order_by(DailyDemand.sku_id, DailyDemand.day)
        )
    ]
    marks = [
        tuple(row)
        for row in session.execute(
            select(StoreWatermark.store, StoreWatermark.source, StoreWatermark.last_id).order_by(
                StoreWatermark.store, StoreWatermark.source
            )
        )
    ]
    outlooks = [
        tuple(row)
        for row in session.execute(
            select(*[getattr(OutlookInput, name) for name in OutlookRow._fields]).order_by(OutlookInput.order_id)
        )
    ]
    return lanes, demand, marks, outlooks


def a_day_of_records(session: Session, day: datetime, n: int) -> set[int]:
    """A day's new orders of the demo's SKUs, new parcels, and the carrier's news of parcels already travelling;
    the orders of those parcels."""
    shop = get_shop(session)
    skus = list(session.scalars(select(Sku).where(Sku.shop_id == shop.id).order_by(Sku.id).limit(n)))
    for i, sku in enumerate(skus):
        f.order(session, shop, [(sku, 1 + i % 3)], placed_at=day + timedelta(minutes=37 * i))
        parcel(session, shop, destination="RU", method_code="EPACKET", shipped_at=day + timedelta(hours=i % 20))
    travelling = session.scalars(
        select(Shipment)
        .where(Shipment.shop_id == shop.id, Shipment.delivered_at.is_(None))
        .order_by(Shipment.id)
        .limit(n)
    ).all()
    for shipment in travelling:
        event = TrackingEvent(
            shop_id=shop.id,
            shipment_id=shipment.id,
            occurred_at=day,
            raw_text="Delivered",
            status="Delivered",
            fingerprint=f"test-delivered-{shipment.id}",
        )
        session.add(event)
        session.flush()
        refresh_shipment(shipment, [*shipment.events, event], now=day + timedelta(hours=1))
    session.flush()
    return {shipment.order_id for shipment in travelling if shipment.order_id is not None}


def test_folded_in_over_two_days_the_stores_equal_a_rebuild(demo_engine: BuiltDemo) -> None:
    sessions = make_sessionmaker(demo_engine.engine)
    day = datetime(2025, 2, 20, 8, tzinfo=UTC)
    with transaction(sessions) as session:
        shop = get_shop(session)
        refresh_lane_samples(session, shop_id=shop.id)  # as the day's brief does
        refresh_daily_demand(session, shop_id=shop.id)
        refresh_outlook_inputs(session, shop_id=shop.id)
    for step in range(2):
        with transaction(sessions) as session:
            delivered_orders = len(a_day_of_records(session, day + timedelta(days=step), 12))
        with transaction(sessions) as session:
            shop = get_shop(session)
            assert refresh_lane_samples(session, shop_id=shop.id) == 24  # folded in, not rebuilt
            assert refresh_daily_demand(session, shop_id=shop.id) == 12
            # The 12 new orders, and the orders of the parcels delivered (the new parcels have none).
            assert refresh_outlook_inputs(session, shop_id=shop.id) == 12 + delivered_orders
    with transaction(sessions) as session:
        folded = store_rows(session)
    database = str(demo_engine.engine.url.database)
    result = runner.invoke(app, ["stores", "rebuild", "--db", database, "--json"])
    assert result.exit_code == 0, result.stderr
    with transaction(sessions) as session:
        assert store_rows(session) == folded

    # The rebuild's counts, as SQL gives them from the records.
    with sqlite3.connect(database) as connection:
        parcels = connection.execute("SELECT count(*) FROM shipments").fetchone()[0]
        cells = connection.execute(
            "SELECT count(DISTINCT l.sku_id || '-' || (CAST(strftime('%s', o.placed_at) AS INTEGER) / 86400)) "
            "FROM order_lines l JOIN orders o ON o.id = l.order_id "
            "WHERE o.status != 'closed' AND (o.status != 'cancelled' OR o.cancelled_by != 'buyer')"
        ).fetchone()[0]
        open_orders = connection.execute(
            "SELECT count(*) FROM orders o WHERE o.status IN ('awaiting_shipment', 'shipped') "
            "AND o.payment_state NOT IN ('unpaid', 'refunded') AND NOT EXISTS (SELECT 1 FROM disputes d "
            "WHERE d.order_id = o.id AND (d.state != 'open' OR d.closed_at IS NOT NULL))"
        ).fetchone()[0]
    assert json.loads(result.stdout) == [
        {"shop": "demo", "lane_samples": parcels, "daily_demand": cells, "order_outlooks": open_orders}
    ]

    # An order of the demo cancelled by its buyer afterwards: below the watermark, the shop's part is rebuilt.
    with transaction(sessions) as session:
        order = session.scalars(
            select(Order).where(Order.status == OrderStatus.DELIVERED).order_by(Order.id).limit(1)
        ).one()
        order.status, order.cancelled_by = OrderStatus.CANCELLED, CancelledBy.BUYER
        cancelled_units = sum(line.quantity for line in order.lines)
    with transaction(sessions) as session:
        refresh_daily_demand(session, shop_id=get_shop(session).id)
        after = store_rows(session)[1]
    assert cancelled_units > 0
    assert sum(cell[2] for cell in after) == sum(cell[2] for cell in folded[1]) - cancelled_units
