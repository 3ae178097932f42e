"""`tradewind import stock`: a stock take, with warehouses created on demand and a movement for every change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.importers.samples import RunImport, WriteCsv, where
from tradewind.catalog.models import Sku
from tradewind.clock import FixedClock
from tradewind.errors import RowError
from tradewind.inventory.models import MovementReason, StockLevel, StockMovement, Warehouse, WarehouseKind

Reject = Callable[..., list[RowError]]

STOCK = (
    "warehouse,sku,on_hand,counted_at,warehouse_kind,warehouse_country\n"
    "YIWU,SH-38-BLK,120,2024-03-01T09:00:00+08:00,own,CN\n"
    "YIWU,SH-39-BLK,0,2024-03-01T09:00:00+08:00,,\n"
    "WAW,CAP-RED,15,2024-03-01T08:00:00+01:00,overseas,Poland\n"
)
NOON = FixedClock(datetime(2024, 3, 10, 12, 0, tzinfo=UTC))


def _levels(session: Session) -> dict[tuple[str, str], StockLevel]:
    rows = session.execute(
        select(Warehouse.code, Sku.code, StockLevel)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .join(Sku, Sku.id == StockLevel.sku_id)
    ).all()
    return {(warehouse, sku): level for warehouse, sku, level in rows}


def _movements(session: Session) -> list[tuple[str, int, MovementReason, datetime]]:
    rows = session.execute(
        select(Sku.code, StockMovement).join(Sku, Sku.id == StockMovement.sku_id).order_by(StockMovement.id)
    ).all()
    return [(sku, m.quantity, m.reason, m.occurred_at) for sku, m in rows]


def test_stock_take_creates_warehouses_levels_and_movements(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, catalogue: None
) -> None:
    summary = run_import("stock", write_csv("stock.csv", STOCK), clock=NOON)

    assert summary.created == {"warehouses": 2, "stock_levels": 3, "stock_movements": 2}
    warehouses = {w.code: w for w in import_session.scalars(select(Warehouse))}
    assert (warehouses["YIWU"].kind, warehouses["YIWU"].country, warehouses["YIWU"].name) == (
        WarehouseKind.OWN, "CN", "YIWU",
    )  # fmt: skip
    assert (warehouses["WAW"].kind, warehouses["WAW"].country) == (WarehouseKind.OVERSEAS, "PL")
    levels = _levels(import_session)
    assert levels[("YIWU", "SH-38-BLK")].on_hand == 120
    assert levels[("YIWU", "SH-38-BLK")].counted_at == datetime(2024, 3, 1, 1, 0, tzinfo=UTC)
    assert levels[("YIWU", "SH-39-BLK")].on_hand == 0
    assert levels[("WAW", "CAP-RED")].on_hand == 15
    assert _movements(import_session) == [
        ("SH-38-BLK", 120, MovementReason.STOCKTAKE, datetime(2024, 3, 1, 1, 0, tzinfo=UTC)),
        ("CAP-RED", 15, MovementReason.STOCKTAKE, datetime(2024, 3, 1, 7, 0, tzinfo=UTC)),
    ]


def test_same_stock_list_again_changes_nothing(
    write_csv: WriteCsv, run_import: RunImport, catalogue: None, counts: Callable[[], dict[str, int]]
) -> None:
    path = write_csv("stock.csv", STOCK)
    run_import("stock", path, clock=NOON)
    before = counts()

    again = run_import("stock", path, clock=NOON)

    assert again.unchanged == {"warehouses": 2, "stock_levels": 3, "stock_movements": 0}
    assert again.total("created") == again.total("updated") == 0
    assert counts() == before


def test_a_new_count_records_the_difference_as_a_stocktake_movement(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, catalogue: None
) -> None:
    run_import("stock", write_csv("stock.csv", STOCK), clock=NOON)
    recount = "Warehouse,SKU,On Hand\nYIWU,SH-38-BLK,97\nYIWU,SH-39-BLK,0\nYIWU,CAP-RED,4\n"

    summary = run_import("stock", write_csv("recount.csv", recount), clock=NOON)

    assert summary.created == {"warehouses": 0, "stock_levels": 1, "stock_movements": 2}
    assert summary.updated == {"warehouses": 0, "stock_levels": 1, "stock_movements": 0}
    assert summary.unchanged == {"warehouses": 1, "stock_levels": 1, "stock_movements": 0}
    level = _levels(import_session)[("YIWU", "SH-38-BLK")]
    assert (level.on_hand, level.counted_at) == (97, NOON.now())  # no counted_at: the time of the import
    assert _movements(import_session)[-2:] == [
        ("SH-38-BLK", -23, MovementReason.STOCKTAKE, NOON.now()),
        ("CAP-RED", 4, MovementReason.STOCKTAKE, NOON.now()),
    ]


def test_bad_stock_rows_are_all_reported(write_csv: WriteCsv, rejected: Reject, catalogue: None) -> None:
    text = (
        "warehouse,sku,on_hand,counted_at,warehouse_kind\n"
        "YIWU,SH-38-BLK,-5,2024-03-01T09:00:00+08:00,own\n"
        "YIWU,SH-40-BLK,3,01/03/2024,own\n"
        "YIWU,CAP-RED,2.5,,overseas\n"
        "YIWU,SH-39-BLK,1,,cellar\n"
        "WAW,CAP-RED,1,,\n"
        "WAW,CAP-RED,2,,\n"
    )
    errors = rejected("stock", write_csv("stock.csv", text))
    assert where(errors) == [
        (2, "on_hand"), (3, "sku"), (3, "counted_at"), (4, "on_hand"), (4, "warehouse_kind"), (5, "warehouse_kind"),
        (7, "sku"),
    ]  # fmt: skip
    assert "must not be negative" in errors[0].message
    assert "ISO 8601" in errors[2].message
    assert "whole number" in errors[3].message
    assert "has warehouse_kind own on line 2, overseas here" in errors[4].message
    assert "not one of: own, overseas, supplier_direct" in errors[5].message
    assert "already on line 6" in errors[6].message
