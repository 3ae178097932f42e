"""Imports bring the shop's stores of derived figures up to date in their own transaction (SQLite and
PostgreSQL): after an orders, shipments or platform import the daily demand and lane samples equal a rebuild from
the records, with no brief having run; a dry run and an import of other records leave them alone."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.importers.platform_samples import SHOPIFY
from tests.importers.samples import RunImport, WriteCsv
from tests.stores import assert_stores_equal_a_rebuild, store_snapshot
from tradewind.db.stores import watermarks
from tradewind.importers.platforms import import_orders
from tradewind.logistics.lane_store import STORE as LANES
from tradewind.logistics.models import LaneSample, Shipment
from tradewind.orders.models import OrderLine
from tradewind.planning.demand_store import STORE as DEMAND
from tradewind.planning.models import DailyDemand
from tradewind.shops.models import Shop

ORDERS = (
    "order,placed_at,paid_at,country,sku,quantity,unit_price\n"
    "A1001,2024-03-02T10:00:00+03:00,2024-03-02T10:05:00+03:00,RU,SH-38-BLK,1,39.90\n"
    "A1002,2024-03-03T12:00:00Z,2024-03-03T12:01:00Z,ES,CAP-RED,1,9.50\n"
    "A1003,2024-03-03T23:30:00Z,2024-03-03T23:31:00Z,ES,CAP-RED,2,9.50\n"
)
MORE_ORDERS = (
    "order,placed_at,paid_at,country,sku,quantity,unit_price\n"
    "A1004,2024-03-03T08:00:00Z,2024-03-03T08:01:00Z,PL,CAP-RED,4,9.50\n"
    "A1005,2024-03-09T08:00:00Z,2024-03-09T08:01:00Z,PL,SH-39-BLK,1,39.90\n"
)
# A1002 again, now cancelled by its buyer: an edit below the watermark.
CANCELLED = (
    "order,placed_at,paid_at,country,sku,quantity,unit_price,status,cancelled_at,cancelled_by\n"
    "A1002,2024-03-03T12:00:00Z,2024-03-03T12:01:00Z,ES,CAP-RED,1,9.50,cancelled,2024-03-04T09:00:00Z,buyer\n"
)
SHIPMENTS = (
    "tracking_number,order,method,carrier,origin,destination,shipped_at,first_scan_at,delivered_at,cost,currency\n"
    "LP00123456789CN,A1001,cainiao_standard,Cainiao,CN,,2024-03-05T08:00:00+08:00,2024-03-06T01:00:00Z,,3.20,USD\n"
    "RR123456789CN,A1002,china_post_reg,China Post,CN,ES,2024-03-05T08:00:00+08:00,,2024-03-20T10:00:00+01:00,"
    "2.10,USD\n"
)
# The first parcel delivered (an edit below the watermark) and a new one.
SHIPMENTS_AGAIN = (
    "tracking_number,order,method,carrier,origin,destination,shipped_at,first_scan_at,delivered_at,cost,currency\n"
    "LP00123456789CN,A1001,cainiao_standard,Cainiao,CN,,2024-03-05T08:00:00+08:00,2024-03-06T01:00:00Z,"
    "2024-03-19T11:00:00Z,3.20,USD\n"
    "UB987654321CN,,china_post_reg,,,DEU,2024-03-06T08:00:00+08:00,,,,\n"
)


def units(session: Session, shop: Shop) -> int:
    return int(session.scalar(select(func.sum(DailyDemand.units)).where(DailyDemand.shop_id == shop.id)) or 0)


def test_orders_imports_fold_into_the_daily_demand(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, import_shop: Shop, catalogue: None
) -> None:
    run_import("orders", write_csv("orders.csv", ORDERS))
    assert units(import_session, import_shop) == 4
    highest = import_session.scalar(select(func.max(OrderLine.id)).where(OrderLine.shop_id == import_shop.id))
    assert watermarks(import_session, shop_id=import_shop.id, store=DEMAND)["order_lines"] == highest
    assert_stores_equal_a_rebuild(import_session, import_shop.id, built=[DEMAND])

    run_import("orders", write_csv("more.csv", MORE_ORDERS))  # new lines on a day already stored and a new day
    assert units(import_session, import_shop) == 9
    assert_stores_equal_a_rebuild(import_session, import_shop.id, built=[DEMAND])

    before = store_snapshot(import_session, import_shop.id)
    run_import("orders", write_csv("more.csv", MORE_ORDERS), dry_run=True)
    run_import("orders", write_csv("more.csv", MORE_ORDERS))  # the same file again: nothing written
    assert store_snapshot(import_session, import_shop.id) == before

    run_import("orders", write_csv("cancelled.csv", CANCELLED))
    assert units(import_session, import_shop) == 8
    assert_stores_equal_a_rebuild(import_session, import_shop.id, built=[DEMAND])


def test_shipments_imports_fold_into_the_lane_samples(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, import_shop: Shop, catalogue: None
) -> None:
    run_import("orders", write_csv("orders.csv", ORDERS))
    assert store_snapshot(import_session, import_shop.id)[LANES] == ([], {})  # orders only: not the lanes' records
    run_import("shipments", write_csv("shipments.csv", SHIPMENTS))
    samples = select(LaneSample.shipment_id, LaneSample.delivered).where(LaneSample.shop_id == import_shop.id)
    assert len(import_session.execute(samples).all()) == 2
    assert_stores_equal_a_rebuild(import_session, import_shop.id, built=[LANES, DEMAND])

    run_import("shipments", write_csv("again.csv", SHIPMENTS_AGAIN))
    stored = dict(import_session.execute(samples).all())
    first = import_session.scalars(select(Shipment).where(Shipment.tracking_number == "LP00123456789CN")).one()
    assert len(stored) == 3 and stored[first.id] is not None  # the parcel's delivery reached its sample
    assert_stores_equal_a_rebuild(import_session, import_shop.id, built=[LANES, DEMAND])


def test_a_platform_export_folds_into_the_daily_demand(
    write_csv: WriteCsv, import_session: Session, import_shop: Shop
) -> None:
    import_orders(import_session, shop=import_shop, path=write_csv("orders_export_1.csv", SHOPIFY), format="shopify")
    assert units(import_session, import_shop) > 0
    assert_stores_equal_a_rebuild(import_session, import_shop.id, built=[DEMAND])
