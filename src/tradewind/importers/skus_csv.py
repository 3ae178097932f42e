"""The `skus` kind of Tradewind CSV: the catalogue's SKUs, with their products created on demand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tradewind.catalog.models import Product, Sku
from tradewind.importers import values
from tradewind.importers.bulk import UpsertPlan, apply_upsert, load_keyed
from tradewind.importers.job import ImportJob
from tradewind.importers.reading import Column, Layout

LAYOUT = Layout(
    "skus",
    (
        Column("sku", required=True),
        Column("title", required=True),
        Column("product"),
        Column("product_title"),
        Column("price"),
        Column("currency"),
        Column("unit"),
        Column("attributes"),
        Column("active"),
    ),
)
TABLES = ("products", "skus")
_SKU_FIELDS = ("title", "product_id", "price", "currency", "unit", "attributes", "active")


@dataclass
class SkuRecord:
    line: int
    code: str
    product: str | None
    product_title: str | None
    given: dict[str, Any]


def run(job: ImportJob) -> None:
    records = _read(job)
    product_titles = _product_titles(job, records)
    job.table.raise_if_errors()
    product_ids = _write_products(job, product_titles)
    _write_skus(job, records, product_ids)


def _read(job: ImportJob) -> list[SkuRecord]:
    table = job.table
    records: list[SkuRecord] = []
    first_line: dict[str, int] = {}
    for row in table.rows:
        job.progress.advance()
        code = table.value(row, "sku", values.code, required=True)
        given = {
            "title": table.value(row, "title", values.text(300), required=True),
            "price": table.value(row, "price", values.amount),
            "currency": table.value(row, "currency", values.currency),
            "unit": table.value(row, "unit", values.text(16)),
            "attributes": table.value(row, "attributes", values.attributes),
            "active": table.value(row, "active", values.flag),
        }
        product = table.value(row, "product", values.code)
        product_title = table.value(row, "product_title", values.text(300))
        if code is None:
            continue
        if not table.first_time(first_line, code, row.line, "sku", f"sku {code!r}"):
            continue
        records.append(SkuRecord(row.line, code, product, product_title, given))
    return records


def _product_titles(job: ImportJob, records: list[SkuRecord]) -> dict[str, tuple[str | None, str]]:
    """Each product code: (the product_title given, if any; the title a new product gets)."""
    titles: dict[str, tuple[str | None, str]] = {}
    stated_on: dict[str, int] = {}
    for record in records:
        if record.product is None:
            continue
        stated, fallback = titles.get(record.product, (None, record.given["title"] or record.product))
        if record.product_title is not None:
            if stated is not None and stated != record.product_title:
                job.table.error(
                    record.line,
                    "product_title",
                    f"product {record.product!r} is titled {stated!r} on line {stated_on[record.product]}",
                )
                continue
            if stated is None:
                stated, fallback = record.product_title, record.product_title
                stated_on[record.product] = record.line
        titles[record.product] = (stated, fallback)
    return titles


def _write_products(job: ImportJob, titles: dict[str, tuple[str | None, str]]) -> dict[str, int]:
    existing = load_keyed(
        job.session,
        (Product.id, Product.code, Product.title),
        Product.code,
        titles,
        Product.shop_id == job.shop_id,
    )
    plan = UpsertPlan(("code",))
    for code, (stated, fallback) in titles.items():
        plan.add(
            existing.get(code),
            {"title": stated},
            {"shop_id": job.shop_id, "code": code, "title": fallback, "category": None},
        )
    return apply_upsert(job.session, Product, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id)


def _write_skus(job: ImportJob, records: list[SkuRecord], product_ids: dict[str, int]) -> None:
    columns = [Sku.id, Sku.code, *(getattr(Sku, name) for name in _SKU_FIELDS)]
    existing = load_keyed(
        job.session,
        columns,
        Sku.code,
        (r.code for r in records),
        Sku.shop_id == job.shop_id,
    )
    plan = UpsertPlan(("code",))
    for record in records:
        wanted = {**record.given, "product_id": product_ids[record.product] if record.product else None}
        plan.add(
            existing.get(record.code),
            wanted,
            {
                "shop_id": job.shop_id,
                "code": record.code,
                "title": record.code,
                "product_id": None,
                "attributes": {},
                "price": None,
                "currency": job.shop.currency,
                "unit": "piece",
                "active": True,
                "created_at": job.now,
            },
        )
        job.progress.advance()
    apply_upsert(job.session, Sku, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id, new_ids=False)
