"""The `offers` kind of Tradewind CSV: a supplier's terms for one SKU (cost, MOQ, pack size, lead time, priority)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tradewind.catalog.models import Sku
from tradewind.importers import values
from tradewind.importers.bulk import UpsertPlan, apply_upsert, load_by_keys, load_ids
from tradewind.importers.job import Codes, ImportJob
from tradewind.importers.reading import Column, Layout, Row
from tradewind.suppliers.models import Supplier, SupplyOffer

LAYOUT = Layout(
    "offers",
    (
        Column("supplier", required=True),
        Column("sku", required=True),
        Column("unit_cost", required=True),
        Column("currency", required=True),
        Column("moq"),
        Column("pack_size"),
        Column("lead_time_days"),
        Column("lead_time_p90_days"),
        Column("priority"),
        Column("active"),
    ),
)
TABLES = ("supply_offers",)
_FIELDS = ("unit_cost", "currency", "moq", "pack_size", "lead_time_days", "lead_time_p90_days", "priority", "active")


@dataclass
class OfferRecord:
    line: int
    supplier_id: int
    sku_id: int
    given: dict[str, Any]


def run(job: ImportJob) -> None:
    records = _read(job)
    job.table.raise_if_errors()
    keys = {(r.supplier_id, r.sku_id) for r in records}
    existing = {
        (row["supplier_id"], row["sku_id"]): row
        for row in load_by_keys(
            job.session,
            (
                SupplyOffer.id,
                SupplyOffer.supplier_id,
                SupplyOffer.sku_id,
                *(getattr(SupplyOffer, name) for name in _FIELDS),
            ),
            SupplyOffer.sku_id,
            (sku_id for _, sku_id in keys),
            SupplyOffer.shop_id == job.shop_id,
        )
    }
    plan = UpsertPlan(("supplier_id", "sku_id"))
    for record in records:
        plan.add(
            existing.get((record.supplier_id, record.sku_id)),
            record.given,
            {
                "shop_id": job.shop_id,
                "supplier_id": record.supplier_id,
                "sku_id": record.sku_id,
                "unit_cost": None,
                "currency": None,
                "moq": 1,
                "pack_size": 1,
                "lead_time_days": 7,
                "lead_time_p90_days": None,
                "priority": 1,
                "active": True,
            },
        )
        job.progress.advance()
    apply_upsert(
        job.session, SupplyOffer, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id, new_ids=False
    )


def _read(job: ImportJob) -> list[OfferRecord]:
    table = job.table
    suppliers = Codes(
        load_ids(job.session, Supplier.id, Supplier.code, table.texts("supplier"), Supplier.shop_id == job.shop_id),
        what="supplier",
        kind="suppliers",
    )
    skus = Codes(
        load_ids(job.session, Sku.id, Sku.code, table.texts("sku"), Sku.shop_id == job.shop_id),
        what="SKU",
        kind="skus",
    )
    records: list[OfferRecord] = []
    first_line: dict[tuple[int, int], int] = {}
    for row in table.rows:
        job.progress.advance()
        supplier = table.value(row, "supplier", values.code, required=True)
        sku = table.value(row, "sku", values.code, required=True)
        given = _terms(job, row)
        supplier_id = job.reference(row.line, "supplier", supplier, suppliers) if supplier else None
        sku_id = job.reference(row.line, "sku", sku, skus) if sku else None
        if supplier_id is None or sku_id is None:
            continue
        if table.first_time(first_line, (supplier_id, sku_id), row.line, "sku", f"the offer of {supplier} for {sku}"):
            records.append(OfferRecord(row.line, supplier_id, sku_id, given))
    return records


def _terms(job: ImportJob, row: Row) -> dict[str, Any]:
    table = job.table
    given: dict[str, Any] = {
        "unit_cost": table.value(row, "unit_cost", values.amount, required=True),
        "currency": table.value(row, "currency", values.currency, required=True),
        "moq": table.value(row, "moq", values.whole_number(1)),
        "pack_size": table.value(row, "pack_size", values.whole_number(1)),
        "lead_time_days": table.value(row, "lead_time_days", values.whole_number(0)),
        "lead_time_p90_days": table.value(row, "lead_time_p90_days", values.whole_number(0)),
        "priority": table.value(row, "priority", values.whole_number(1)),
        "active": table.value(row, "active", values.flag),
    }
    typical, p90 = given["lead_time_days"], given["lead_time_p90_days"]
    if typical is not None and p90 is not None and p90 < typical:
        table.error(
            row.line, "lead_time_p90_days", f"lead_time_p90_days ({p90}) is shorter than lead_time_days ({typical})"
        )
    return given
