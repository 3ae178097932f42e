"""Helpers and sample files shared by the importer tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from tradewind.errors import RowError
from tradewind.importers.summary import ImportSummary

# Every table a Tradewind CSV import can write.
IMPORTED_TABLES = (
    "products", "skus", "suppliers", "supply_offers", "warehouses", "stock_levels", "stock_movements", "buyers",
    "orders", "order_lines", "shipping_methods", "shipments",
)  # fmt: skip


class WriteCsv(Protocol):
    def __call__(self, name: str, text: str, *, encoding: str = "utf-8", bom: bool = False) -> Path: ...


class RunImport(Protocol):
    def __call__(self, kind: str, path: Path, **options: Any) -> ImportSummary: ...


def where(errors: list[RowError]) -> list[tuple[int, str]]:
    """(line, column) of each error, in the order reported."""
    return [(error.line, error.column) for error in errors]


SKUS = (
    "sku,title,product,product_title,price,currency,unit,attributes,active\n"
    "SH-38-BLK,Runner 38 black,SH-RUN,Runner shoe,39.90,USD,pair,size=38;color=black,yes\n"
    "SH-39-BLK,Runner 39 black,SH-RUN,,39.90,USD,pair,size=39;color=black,yes\n"
    "CAP-RED,Cap red,,,9.50,USD,,color=red,\n"
)
