"""`tradewind import skus`: SKUs with products created on demand."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.importers.samples import SKUS, RunImport, WriteCsv, where
from tradewind.catalog.models import Product, Sku
from tradewind.errors import RowError
from tradewind.shops.models import Shop

Reject = Callable[..., list[RowError]]


def _skus(session: Session) -> dict[str, Sku]:
    return {sku.code: sku for sku in session.scalars(select(Sku))}


def test_skus_and_their_products_are_created(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, import_shop: Shop
) -> None:
    summary = run_import("skus", write_csv("skus.csv", SKUS))

    assert summary.to_json() == {
        "created": {"products": 1, "skus": 3},
        "updated": {"products": 0, "skus": 0},
        "unchanged": {"products": 0, "skus": 0},
        "errors": [],
    }
    skus = _skus(import_session)
    runner = skus["SH-38-BLK"]
    assert runner.shop_id == import_shop.id
    assert (runner.title, runner.price, runner.currency, runner.unit) == (
        "Runner 38 black", Decimal("39.90"), "USD", "pair",
    )  # fmt: skip
    assert runner.attributes == {"size": "38", "color": "black"}
    assert runner.product is not None and runner.product.title == "Runner shoe"
    assert skus["SH-39-BLK"].product_id == runner.product_id
    cap = skus["CAP-RED"]
    assert (cap.product_id, cap.unit, cap.active, cap.attributes) == (None, "piece", True, {"color": "red"})


def test_reimporting_the_same_file_changes_nothing(
    write_csv: WriteCsv, run_import: RunImport, counts: Callable[[], dict[str, int]]
) -> None:
    path = write_csv("skus.csv", SKUS)
    run_import("skus", path)
    before = counts()

    again = run_import("skus", path)

    assert again.unchanged == {"products": 1, "skus": 3}
    assert again.total("created") == again.total("updated") == 0
    assert counts() == before


def test_changed_rows_update_and_absent_columns_keep_their_values(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session
) -> None:
    run_import("skus", write_csv("skus.csv", SKUS))
    changes = (
        "SKU,Title,Price,Product,Product_Title,Active\n"
        "SH-38-BLK,Runner 38 black,42.00,SH-RUN,Runner shoe v2,yes\n"
        "SH-39-BLK,Runner 39 black,39.90,SH-RUN,,no\n"
        "CAP-RED,Cap red,,,,\n"
        "CAP-BLU,Cap blue,9.50,,,\n"
    )

    summary = run_import("skus", write_csv("changes.csv", changes))

    assert summary.created == {"products": 0, "skus": 1}
    assert summary.updated == {"products": 1, "skus": 2}
    assert summary.unchanged == {"products": 0, "skus": 1}
    skus = _skus(import_session)
    assert skus["SH-38-BLK"].price == Decimal("42.00")
    assert skus["SH-38-BLK"].attributes == {"size": "38", "color": "black"}  # column absent: kept
    assert skus["SH-39-BLK"].active is False
    assert skus["CAP-RED"].price == Decimal("9.50")  # cell empty: kept
    assert import_session.scalars(select(Product.title)).one() == "Runner shoe v2"


def test_bad_sku_rows_are_all_reported(write_csv: WriteCsv, rejected: Reject) -> None:
    text = (
        "sku,title,product,product_title,price,currency,attributes\n"
        "SH-38-BLK,Runner 38,SH-RUN,Runner shoe,39.90,USD,size=38\n"
        "SH-39-BLK,Runner 39,SH-RUN,Runner boot,39.90,USD,size=39\n"
        "SH-40-BLK,Runner 40,SH-RUN,,-39.90,USD,size 40\n"
        "SH-41-BLK,Runner 41,SH-RUN,,39.90,usd,size=41;size=42\n"
    )
    errors = rejected("skus", write_csv("skus.csv", text))
    assert where(errors) == [(3, "product_title"), (4, "price"), (4, "attributes"), (5, "attributes")]
    assert "titled 'Runner shoe' on line 2" in errors[0].message
    assert "must not be negative" in errors[1].message
    assert "name=value" in errors[2].message
    assert "attribute 'size' is given twice" in errors[3].message


def test_too_many_decimals_and_unknown_currency(write_csv: WriteCsv, rejected: Reject) -> None:
    text = "sku,title,price,currency\nA-1,Cap,9.12345,USD\nA-2,Cap,9.50,DOLLARS\n"
    errors = rejected("skus", write_csv("skus.csv", text))
    assert where(errors) == [(2, "price"), (3, "currency")]
    assert "more than 4 decimals" in errors[0].message
    assert "unknown currency 'DOLLARS'" in errors[1].message
