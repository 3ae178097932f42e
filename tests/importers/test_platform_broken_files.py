"""Broken platform exports: each problem a clear error naming file, line, column and reason, all at once, and
nothing written. Also the seller's mapping file, Excel stock lists, and the `tradewind import … --format` command."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.importers.platform_samples import INVOICE_LINES, SHOPIFY
from tests.importers.samples import RunImport, WriteCsv, where
from tradewind.cli.main import app
from tradewind.errors import InputFileError, RowError
from tradewind.importers.mapping import load_mapping
from tradewind.importers.platforms import import_orders
from tradewind.inventory.models import StockLevel
from tradewind.orders.models import Order
from tradewind.shops.models import Shop

Reject = Callable[..., list[RowError]]


@pytest.fixture
def reject_orders(import_session: Session, import_shop: Shop, counts: Callable[[], dict[str, int]]) -> Reject:
    def reject(format: str, path: Path, **options: Any) -> list[RowError]:
        before = counts()
        with pytest.raises(InputFileError) as caught:
            import_orders(import_session, shop=import_shop, path=path, format=format, **options)
        assert counts() == before
        return caught.value.errors

    return reject


def test_windows_1251_file_is_named(write_csv: WriteCsv, reject_orders: Reject) -> None:
    text = "Order Number,Order Date,Item Name,Quantity,Item Cost\n1,2024-01-01 10:00,Сапоги зимние,1,10\n"
    errors = reject_orders("woocommerce", write_csv("zakazy.csv", text, encoding="cp1251"))
    assert where(errors) == [(2, "")]
    assert "Windows-1251" in errors[0].message and "UTF-8" in errors[0].message


def test_gbk_file_is_named(write_csv: WriteCsv, reject_orders: Reject) -> None:
    text = "订单号,下单时间,产品信息\n8100,2013-01-24,【1】 女士短靴\n"
    errors = reject_orders("aliexpress", write_csv("订单.csv", text, encoding="gbk"))
    assert "GBK" in errors[0].message and errors[0].file == "订单.csv"


def test_a_parcel_that_is_not_one_and_a_shipped_order_without_a_country(
    write_csv: WriteCsv, reject_orders: Reject
) -> None:
    import csv
    import io

    from tests.importers.platform_samples import ALIEXPRESS_HEADER, ALIEXPRESS_ROWS

    garbled, nowhere = [*ALIEXPRESS_ROWS[1]], [*ALIEXPRESS_ROWS[1]]
    garbled[11] = "China Post Registered Air Mail:see the chat"
    nowhere[0], nowhere[9] = "8100000000003", ""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([ALIEXPRESS_HEADER, garbled, nowhere])
    errors = reject_orders("aliexpress", write_csv("orders.csv", buffer.getvalue()))
    assert where(errors) == [(2, "tracking"), (6, "country")]  # the items cell spans lines 2–5
    assert "'China Post Registered Air Mail:see the chat' is not a parcel" in errors[0].message
    assert "8100000000003" in errors[1].message


def test_every_row_problem_at_once(write_csv: WriteCsv, reject_orders: Reject) -> None:
    text = INVOICE_LINES.splitlines()
    text[1] = "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,six,2010-12-01 08:26:00,2.55,17850.0,United Kingdom"
    text[2] = "536365,71053,WHITE METAL LANTERN,6,01/12/2010 08:26,3.39,17850.0,United Kingdom"
    text[4] = "536366,22633,HAND WARMER UNION JACK,6"  # cut short
    text[7] = "536381,BANK CHARGES,Bank Charges,1,2010-12-01 09:50:00,15.00,14527.0,Atlantis"
    errors = reject_orders("invoice-lines", write_csv("retail.csv", "\n".join(text) + "\n"))
    assert where(errors) == [(2, "quantity"), (3, "placed_at"), (5, ""), (8, "country")]
    assert "whole number" in errors[0].message and "'six'" in errors[0].message
    assert "2024-03-31 14:05:00" in errors[1].message
    assert "cut short" in errors[2].message
    assert "Atlantis" in errors[3].message


def test_missing_required_column(write_csv: WriteCsv, reject_orders: Reject) -> None:
    header, *rows = SHOPIFY.splitlines()
    broken = header.replace("Lineitem quantity", "Qty ordered")
    errors = reject_orders("shopify", write_csv("orders.csv", "\n".join([broken, *rows])))
    assert where(errors) == [(1, "quantity")]
    assert "'Lineitem quantity'" in errors[0].message and "--mapping" in errors[0].message


def test_a_mapping_file_names_unknown_columns(
    write_csv: WriteCsv, import_session: Session, import_shop: Shop, tmp_path: Path
) -> None:
    header, *rows = SHOPIFY.splitlines()
    broken = header.replace("Lineitem quantity", "Qty ordered")
    mapping = tmp_path / "shopify.toml"
    mapping.write_text('[columns]\n"Qty ordered" = "quantity"\n', encoding="utf-8")
    path = write_csv("orders.csv", "\n".join([broken, *rows]))
    summary = import_orders(import_session, shop=import_shop, path=path, format="shopify", mapping=mapping)
    assert summary.created["orders"] == 3


def test_a_broken_mapping_file_is_an_error(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('[defaults]\ncurrency = "XXY"\ntimezone = "Mars/Olympus"\n[statuses]\nsent = "gone"\n')
    with pytest.raises(InputFileError) as caught:
        load_mapping(mapping)
    assert [(e.file, e.column) for e in caught.value.errors] == [
        ("m.toml", "currency"),
        ("m.toml", "timezone"),
        ("m.toml", "sent"),
    ]


def test_mapping_to_an_unknown_column_is_an_error(write_csv: WriteCsv, reject_orders: Reject, tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\n"Lineitem quantity" = "how_many"\n', encoding="utf-8")
    errors = reject_orders("shopify", write_csv("orders.csv", SHOPIFY), mapping=mapping)
    assert any(e.line == 1 and e.column == "Lineitem quantity" and "how_many" in e.message for e in errors)


def test_an_excel_stock_list(run_import: RunImport, import_session: Session, tmp_path: Path, catalogue: None) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Warehouse", "SKU", "On hand", "Counted at"])
    sheet.append(["CN-1", "SH-38-BLK", 12, "2024-03-01T09:00:00+08:00"])
    sheet.append(["CN-1", "CAP-RED", 4.0])
    path = tmp_path / "stock.xlsx"
    workbook.save(path)
    summary = run_import("stock", path)
    assert summary.created["stock_levels"] == 2
    assert sorted(level.on_hand for level in import_session.scalars(select(StockLevel))) == [4, 12]


def test_cli_import_orders_with_format(tmp_path: Path, write_csv: WriteCsv) -> None:
    runner = CliRunner()
    db = str(tmp_path / "shop.db")
    assert runner.invoke(app, ["init", "--shop", "s", "--name", "Shop", "--db", db]).exit_code == 0
    path = write_csv("orders_export_1.csv", SHOPIFY)
    dry = runner.invoke(app, ["import", "orders", str(path), "--format", "shopify", "--db", db, "--dry-run"])
    assert dry.exit_code == 0 and "dry run" in dry.stdout
    result = runner.invoke(app, ["import", "orders", str(path), "--format", "shopify", "--db", db, "--json"])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"created", "updated", "unchanged", "errors", "skipped"}
    assert payload["created"] == {"skus": 3, "buyers": 3, "orders": 3, "order_lines": 4}
    broken = write_csv(
        "bad.csv", SHOPIFY.replace('"62.40"', "62.40").replace("2024-01-15 10:00:00 +0100", "15/01/2024")
    )
    failed = runner.invoke(app, ["import", "orders", str(broken), "--format", "shopify", "--db", db, "--json"])
    assert failed.exit_code == 2
    errors = json.loads(failed.stdout)["errors"]
    assert errors and all(e["file"] == "bad.csv" and e["column"] == "placed_at" for e in errors)
    wrong = runner.invoke(app, ["import", "skus", str(path), "--format", "shopify", "--db", db])
    assert wrong.exit_code == 2 and "import orders" in wrong.stderr


def test_orders_are_not_written_when_a_later_row_fails(
    write_csv: WriteCsv, reject_orders: Reject, import_session: Session
) -> None:
    text = SHOPIFY.replace("Wool socks,10.00", "Wool socks,ten")
    assert text != SHOPIFY
    reject_orders("shopify", write_csv("orders.csv", text))
    assert import_session.scalar(select(Order).where(Order.number == "#1001")) is None
