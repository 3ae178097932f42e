"""The `suppliers` kind of Tradewind CSV: who the shop buys from, in which language and holiday calendar."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tradewind.importers import values
from tradewind.importers.bulk import UpsertPlan, apply_upsert, load_keyed
from tradewind.importers.job import ImportJob
from tradewind.importers.reading import Column, Layout
from tradewind.suppliers.models import Supplier

LAYOUT = Layout(
    "suppliers",
    (
        Column("supplier", required=True),
        Column("name", required=True),
        Column("country"),
        Column("language"),
        Column("calendar"),
        Column("email"),
        Column("processing_days"),
        Column("active"),
    ),
)
TABLES = ("suppliers",)
_FIELDS = ("name", "country", "language", "calendar", "email", "processing_days", "active")
_DEFAULT_COUNTRY = "CN"


@dataclass
class SupplierRecord:
    line: int
    code: str
    given: dict[str, Any]


def run(job: ImportJob) -> None:
    records = _read(job)
    job.table.raise_if_errors()
    existing = load_keyed(
        job.session,
        (Supplier.id, Supplier.code, *(getattr(Supplier, name) for name in _FIELDS)),
        Supplier.code,
        (r.code for r in records),
        Supplier.shop_id == job.shop_id,
    )
    plan = UpsertPlan(("code",))
    for record in records:
        country = record.given["country"] or _DEFAULT_COUNTRY
        plan.add(
            existing.get(record.code),
            record.given,
            {
                "shop_id": job.shop_id,
                "code": record.code,
                "name": record.code,
                "country": country,
                "language": "zh",
                "calendar": values.default_calendar(country),
                "email": None,
                "processing_days": 3,
                "active": True,
            },
        )
        job.progress.advance()
    apply_upsert(
        job.session, Supplier, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id, new_ids=False
    )


def _read(job: ImportJob) -> list[SupplierRecord]:
    table = job.table
    records: list[SupplierRecord] = []
    first_line: dict[str, int] = {}
    for row in table.rows:
        job.progress.advance()
        code = table.value(row, "supplier", values.code, required=True)
        given = {
            "name": table.value(row, "name", values.text(200), required=True),
            "country": table.value(row, "country", values.country),
            "language": table.value(row, "language", values.language),
            "calendar": table.value(row, "calendar", values.holiday_calendar),
            "email": table.value(row, "email", values.email),
            "processing_days": table.value(row, "processing_days", values.whole_number(0)),
            "active": table.value(row, "active", values.flag),
        }
        if code is None:
            continue
        if not table.first_time(first_line, code, row.line, "supplier", f"supplier {code!r}"):
            continue
        records.append(SupplierRecord(row.line, code, given))
    return records
