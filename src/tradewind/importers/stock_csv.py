"""The `stock` kind of Tradewind CSV: a stock take. Each row sets the units on hand of a SKU in a warehouse
(created on demand); every change is recorded as a stock movement with reason `stocktake` and the difference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tradewind.catalog.models import Sku
from tradewind.importers import values
from tradewind.importers.bulk import UpsertPlan, apply_upsert, insert_rows, load_by_keys, load_ids, load_keyed, table_of
from tradewind.importers.job import Codes, ImportJob
from tradewind.importers.reading import Column, Layout
from tradewind.inventory.models import MovementReason, StockLevel, StockMovement, Warehouse, WarehouseKind

LAYOUT = Layout(
    "stock",
    (
        Column("warehouse", required=True),
        Column("sku", required=True),
        Column("on_hand", required=True),
        Column("counted_at"),
        Column("warehouse_name"),
        Column("warehouse_kind"),
        Column("warehouse_country"),
    ),
)
TABLES = ("warehouses", "stock_levels", "stock_movements")
_WAREHOUSE_COLUMNS = {"warehouse_name": "name", "warehouse_kind": "kind", "warehouse_country": "country"}


@dataclass
class CountRecord:
    line: int
    warehouse: str
    sku_id: int
    on_hand: int
    counted_at: datetime | None


def run(job: ImportJob) -> None:
    counts, warehouses = _read(job)
    job.table.raise_if_errors()
    warehouse_ids = _write_warehouses(job, warehouses)
    _write_counts(job, counts, warehouse_ids)


def _read(job: ImportJob) -> tuple[list[CountRecord], dict[str, dict[str, Any]]]:
    table = job.table
    skus = Codes(
        load_ids(job.session, Sku.id, Sku.code, table.texts("sku"), Sku.shop_id == job.shop_id), what="SKU", kind="skus"
    )
    counts: list[CountRecord] = []
    warehouses: dict[str, dict[str, Any]] = {}
    stated_on: dict[tuple[str, str], int] = {}
    first_line: dict[tuple[str, int], int] = {}
    for row in table.rows:
        job.progress.advance()
        warehouse = table.value(row, "warehouse", values.code, required=True)
        sku = table.value(row, "sku", values.code, required=True)
        on_hand = table.value(row, "on_hand", values.whole_number(0), required=True)
        counted_at = table.value(row, "counted_at", job.read_moment)
        stated = {
            "name": table.value(row, "warehouse_name", values.text(200)),
            "kind": table.value(row, "warehouse_kind", values.choice(WarehouseKind)),
            "country": table.value(row, "warehouse_country", values.country),
        }
        sku_id = job.reference(row.line, "sku", sku, skus) if sku else None
        if warehouse is None:
            continue
        _merge_warehouse(job, warehouses.setdefault(warehouse, {}), stated, row.line, stated_on, warehouse)
        if sku_id is None or on_hand is None:
            continue
        if table.first_time(first_line, (warehouse, sku_id), row.line, "sku", f"{sku} in warehouse {warehouse}"):
            counts.append(CountRecord(row.line, warehouse, sku_id, on_hand, counted_at))
    return counts, warehouses


def _merge_warehouse(
    job: ImportJob,
    known: dict[str, Any],
    stated: dict[str, Any],
    line: int,
    stated_on: dict[tuple[str, str], int],
    warehouse: str,
) -> None:
    """Warehouse details may be repeated on every row, but must agree."""
    for column, field in _WAREHOUSE_COLUMNS.items():
        value = stated[field]
        if value is None:
            continue
        if known.get(field) is None:
            known[field] = value
            stated_on[(warehouse, field)] = line
        elif known[field] != value:
            job.table.error(
                line,
                column,
                f"warehouse {warehouse!r} has {column} {known[field]!s} on line "
                f"{stated_on[(warehouse, field)]}, {value!s} here",
            )


def _write_warehouses(job: ImportJob, warehouses: dict[str, dict[str, Any]]) -> dict[str, int]:
    existing = load_keyed(
        job.session,
        (Warehouse.id, Warehouse.code, Warehouse.name, Warehouse.kind, Warehouse.country),
        Warehouse.code,
        warehouses,
        Warehouse.shop_id == job.shop_id,
    )
    plan = UpsertPlan(("code",))
    for code, stated in warehouses.items():
        plan.add(
            existing.get(code),
            stated,
            {
                "shop_id": job.shop_id,
                "code": code,
                "name": code,
                "kind": WarehouseKind.OWN,
                "country": job.shop.country,
            },
        )
    return apply_upsert(job.session, Warehouse, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id)


def _write_counts(job: ImportJob, counts: list[CountRecord], warehouse_ids: dict[str, int]) -> None:
    existing = {
        (row["warehouse_id"], row["sku_id"]): row
        for row in load_by_keys(
            job.session,
            (StockLevel.id, StockLevel.warehouse_id, StockLevel.sku_id, StockLevel.on_hand, StockLevel.counted_at),
            StockLevel.warehouse_id,
            (i for i in warehouse_ids.values() if i > 0),
            StockLevel.shop_id == job.shop_id,
        )
    }
    plan = UpsertPlan(("warehouse_id", "sku_id"))
    movements: list[dict[str, Any]] = []
    for count in counts:
        warehouse_id = warehouse_ids[count.warehouse]
        level = existing.get((warehouse_id, count.sku_id))
        before = level["on_hand"] if level is not None else 0
        counted_at = count.counted_at
        if counted_at is None and count.on_hand != before:
            counted_at = job.now
        plan.add(
            level,
            {"on_hand": count.on_hand, "counted_at": counted_at},
            {
                "shop_id": job.shop_id,
                "warehouse_id": warehouse_id,
                "sku_id": count.sku_id,
                "on_hand": 0,
                "counted_at": job.now,
                "updated_at": job.now,
            },
        )
        if count.on_hand != before:
            movements.append(
                {
                    "shop_id": job.shop_id,
                    "warehouse_id": warehouse_id,
                    "sku_id": count.sku_id,
                    "occurred_at": counted_at,
                    "quantity": count.on_hand - before,
                    "reason": MovementReason.STOCKTAKE,
                    "reference": f"import {job.table.file}"[:100],
                    "note": None,
                }
            )
        job.progress.advance()
    apply_upsert(
        job.session, StockLevel, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id, new_ids=False
    )
    if not job.dry_run:
        insert_rows(job.session, table_of(StockMovement), movements)
    job.summary.count("created", "stock_movements", len(movements))
