"""Files written to reproduce the quirks of real platform exports (issue 19; none of them real customers' data):
headers with notes, line breaks, full-width forms, accents and other articles; per-item repeats of one value; a
mapping file that ignores a column; the platform recognised from the header; and the three real failures as
regression tests (SkyVerge's `date`, AliExpress's noted header and repeated method, AlgolPlus's `Coste de
artículo`). Also a corpus of broken files fed to every importer: no exception but `InputFileError` escapes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.importers.platform_samples import (
    ALGOLPLUS_ES,
    ALIEXPRESS_HEADER,
    ALIEXPRESS_ROWS,
    INVOICE_LINES,
    SHOPIFY,
    SKYVERGE,
    WEBTOFFEE,
)
from tests.importers.samples import WriteCsv, where
from tests.importers.test_import_fuzz import IMPORTERS, run
from tradewind.cli.main import app
from tradewind.errors import InputFileError, RowError
from tradewind.importers import woocommerce
from tradewind.importers.mapping import load_mapping
from tradewind.importers.platforms import import_orders, recognise_format
from tradewind.importers.reading import Column, Layout, header_keys
from tradewind.orders.models import Order, OrderLine
from tradewind.shops.models import Shop

RejectOrders = Callable[..., list[RowError]]  # the reject_orders_ fixture: format, path, import options


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


# --- header matching ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "column"),
    [
        ("产品信息\n（双击单元格展开所有产品信息！）", "items"),  # a note after a line break, full-width brackets
        ("订单号（Order No.）", "order"),  # a note in full-width brackets
        ("ＯＲＤＥＲ　ＩＤ", "order"),  # full-width letters and space
        ("  order_id\ufeff ", "order"),
        ("Buyer Selected Shipping (one per item)", "shipping_method"),
    ],
)
def test_aliexpress_headers_match_as_a_person_reads_them(cell: str, column: str) -> None:
    from tradewind.importers import aliexpress

    found = aliexpress.LAYOUT.find(cell)
    assert found is not None and found.name == column


@pytest.mark.parametrize(
    ("cell", "column"),
    [
        ("Coste de artículo", "item_cost"),  # the other plugin version's article
        ("Coste del articulo", "item_cost"),  # accent dropped
        ("COSTE DEL ARTÍCULO", "item_cost"),
        ("Cantidad (- reembolso)", "quantity_net"),  # the exact name wins over the one without its note
        ("Cantidad", "quantity"),
        ("Fecha del pedido", "placed_at"),
        ("date", "placed_at"),  # SkyVerge
    ],
)
def test_woocommerce_headers_match_as_a_person_reads_them(cell: str, column: str) -> None:
    found = woocommerce.LAYOUT.find(cell)
    assert found is not None and found.name == column


def test_a_note_or_article_dropped_matches_only_where_one_column_is_meant() -> None:
    layout = Layout(
        "t",
        (Column("billing", aliases=("Country (Billing)",)), Column("shipping", aliases=("Country (Shipping)",))),
        strict=False,
    )
    assert layout.find("Country (billing)") == layout.column("billing")
    assert layout.find("Country") is None  # both lose their note to "country": neither is meant
    articles = Layout("t", (Column("a", aliases=("Coste del artículo",)), Column("b", aliases=("Coste de la caja",))))
    assert articles.find("Coste de artículo") == articles.column("a")
    assert header_keys("Coste de la caja") == ["costedelacaja", "costecaja"]


# --- the three real failures --------------------------------------------------------------------------------

SKYVERGE_DATE = SKYVERGE.replace("order_date", "date", 1)


def test_skyverge_date_column_is_the_order_date(
    write_csv: WriteCsv, import_session: Session, import_shop: Shop
) -> None:
    summary = import_orders(
        import_session, shop=import_shop, path=write_csv("skyverge.csv", SKYVERGE_DATE), format="woocommerce"
    )
    assert summary.ok and summary.created["orders"] == 2
    placed = {row.number: row.placed_at for row in import_session.execute(select(Order.number, Order.placed_at))}
    # 2024-03-01 12:00 in the shop's zone (Asia/Shanghai, +08:00) is 04:00 UTC.
    assert placed["901"].replace(tzinfo=None).isoformat() == "2024-03-01T04:00:00"


@pytest.mark.parametrize(
    "text",
    [
        SKYVERGE_DATE.replace("2024-03-01 12:00:00", "yesterday"),  # an unreadable date
        SKYVERGE_DATE.replace("2024-03-01 12:00:00", ""),  # an empty one (the NOT NULL traceback of issue 19)
        SKYVERGE.replace("order_date,", "note,", 1),  # no date column at all
    ],
)
def test_a_dry_run_reports_exactly_what_the_import_reports(
    write_csv: WriteCsv, import_session: Session, import_shop: Shop, text: str
) -> None:
    path = write_csv("skyverge.csv", text)
    found: list[list[RowError]] = []
    for dry_run in (True, False):
        with pytest.raises(InputFileError) as caught:
            import_orders(import_session, shop=import_shop, path=path, format="woocommerce", dry_run=dry_run)
        found.append(caught.value.errors)
    assert found[0] == found[1] and found[0]
    assert all(error.column == "placed_at" for error in found[0])
    assert import_session.scalar(select(Order.id)) is None


def aliexpress_as_exported() -> list[list[str]]:
    """The seller centre's export: the items header with its note, the method once per item, one per line."""
    header = [*ALIEXPRESS_HEADER]
    header[8] = "产品信息\n（双击单元格展开所有产品信息！）"
    first = [*ALIEXPRESS_ROWS[0]]
    first[10] = "AliExpress Standard Shipping\nAliExpress Standard Shipping\n"  # two items, two lines
    return [header, first, [*ALIEXPRESS_ROWS[1]]]


def test_aliexpress_noted_header_and_repeated_method(
    write_csv: WriteCsv, import_session: Session, import_shop: Shop
) -> None:
    path = write_csv("orders.csv", csv_text(aliexpress_as_exported()))
    summary = import_orders(import_session, shop=import_shop, path=path, format="aliexpress")
    assert summary.ok and summary.created["orders"] == 2 and summary.created["order_lines"] == 3
    methods = {
        row.number: row.shipping_method for row in import_session.execute(select(Order.number, Order.shipping_method))
    }
    assert methods["8100000000001"] == "AliExpress Standard Shipping"


def test_a_cell_of_different_lines_is_not_collapsed(write_csv: WriteCsv, reject_orders_: RejectOrders) -> None:
    rows = aliexpress_as_exported()
    rows[1][10] = "AliExpress Standard Shipping\n" + "Cainiao Super Economy Global for special goods " * 2
    errors = reject_orders_("aliexpress", write_csv("orders.csv", csv_text(rows)))
    assert where(errors) == [(3, "shipping_method")]  # the header's line break: the header takes lines 1-2


def test_a_mapping_file_can_ignore_a_column_and_give_the_country(
    write_csv: WriteCsv, import_session: Session, import_shop: Shop, tmp_path: Path
) -> None:
    rows = aliexpress_as_exported()
    rows[1][10] = "x" * 99  # unreadable as a method, and the seller does not need it
    for row in rows:
        del row[9]  # no country column: the mapping gives it
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\n"买家选择物流" = "ignore"\n[defaults]\ncountry = "RU"\n', encoding="utf-8")
    path = write_csv("orders.csv", csv_text(rows))
    summary = import_orders(
        import_session, shop=import_shop, path=path, format="aliexpress", mapping=load_mapping(mapping)
    )
    assert summary.ok
    stored = {tuple(row) for row in import_session.execute(select(Order.shipping_method, Order.destination_country))}
    assert stored == {(None, "RU")}


def write_xlsx(path: Path, text: str) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in csv.reader(io.StringIO(text)):
        sheet.append(row)
    workbook.save(path)
    return path


def test_algolplus_xlsx_with_coste_de_articulo_reads_the_prices(
    tmp_path: Path, import_session: Session, import_shop: Shop
) -> None:
    path = write_xlsx(tmp_path / "pedidos.xlsx", ALGOLPLUS_ES.replace("Coste del artículo", "Coste de artículo"))
    summary = import_orders(import_session, shop=import_shop, path=path, format="woocommerce")
    assert summary.ok and not summary.warnings
    prices = sorted(import_session.scalars(select(OrderLine.unit_price)))
    assert prices == [Decimal(25), Decimal(25), Decimal(25)]  # were all 0


def test_a_woocommerce_file_without_a_price_column_is_an_error(
    write_csv: WriteCsv, reject_orders_: RejectOrders
) -> None:
    text = ALGOLPLUS_ES.replace("Coste del artículo", "Precio unitario con IVA")
    errors = reject_orders_("woocommerce", write_csv("pedidos.csv", text))
    assert where(errors) == [(1, "item_cost")] and "every price would be 0" in errors[0].message


def test_an_empty_price_is_a_named_warning(write_csv: WriteCsv, import_session: Session, import_shop: Shop) -> None:
    text = ALGOLPLUS_ES.replace("Calcetines,SOCK-1,1,0,10.00", "Calcetines,SOCK-1,1,0,").replace(
        "Botín negro 39,SH-39-BLK,1,1,25.00", "Botín negro 39,SH-39-BLK,1,1,"
    )
    summary = import_orders(import_session, shop=import_shop, path=write_csv("p.csv", text), format="woocommerce")
    assert summary.ok and summary.warnings == {woocommerce.NO_PRICE: 1}  # the sock line is refunded in full
    assert summary.to_json()["warnings"] == {woocommerce.NO_PRICE: 1}


def test_an_aliexpress_file_without_money_columns_is_an_error(
    write_csv: WriteCsv, reject_orders_: RejectOrders
) -> None:
    rows = [[cell for index, cell in enumerate(row) if index not in (5, 7)] for row in aliexpress_as_exported()]
    errors = reject_orders_("aliexpress", write_csv("orders.csv", csv_text(rows)))
    assert where(errors) == [(1, "product_total")]


# --- the platform recognised from the header ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "format"),
    [
        ("shopify.csv", SHOPIFY, "shopify"),
        ("algolplus.csv", ALGOLPLUS_ES, "woocommerce"),
        ("skyverge.csv", SKYVERGE_DATE, "woocommerce"),
        ("webtoffee.csv", WEBTOFFEE, "woocommerce"),
        ("aliexpress.csv", csv_text(aliexpress_as_exported()), "aliexpress"),
        ("retail.csv", INVOICE_LINES, "invoice-lines"),
        ("tradewind.csv", "order,placed_at,sku,quantity,unit_price\n1,2024-01-01 10:00,A,1,2\n", None),
        ("stray.csv", "order,placed_at,sku,quantity,unit_price,note\n1,2024-01-01 10:00,A,1,2,x\n", None),
        ("empty.csv", "", None),
    ],
)
def test_the_platform_is_recognised_from_the_header(write_csv: WriteCsv, name: str, text: str, format: str) -> None:
    assert recognise_format(write_csv(name, text)) == format


def test_a_shopify_file_without_format_is_read_as_shopify(write_csv: WriteCsv, tmp_path: Path) -> None:
    db = tmp_path / "tw.db"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--shop", "s", "--name", "Shop", "--db", str(db)]).exit_code == 0
    path = write_csv("orders_export.csv", SHOPIFY)
    result = runner.invoke(app, ["import", "orders", str(path), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["format"] == "shopify" and not payload["errors"] and payload["created"]["orders"] > 0
    plain = runner.invoke(app, ["import", "orders", str(path), "--db", str(db), "--dry-run"])
    assert plain.exit_code == 0 and "looks like a shopify export" in plain.output


# --- a corpus of broken files: no traceback -----------------------------------------------------------------

_ALIEXPRESS = csv_text(aliexpress_as_exported())
BROKEN = {
    "empty.csv": b"",
    "bom.csv": b"\xef\xbb\xbf",
    "blank-header.csv": b",,,\n1,2,3\n",
    "header-only-notes.csv": "产品信息\n（双击）,订单号（注）\n".encode(),
    "unclosed-quote.csv": SHOPIFY.replace("Women", '"Women', 1).encode(),
    "cut-short.csv": "\n".join(line[: len(line) // 2] for line in SHOPIFY.splitlines()).encode(),
    "wide.csv": (SHOPIFY.splitlines()[0] + "\n" + ",".join(["1"] * 200) + "\n").encode(),
    "nul.csv": SKYVERGE_DATE.replace("Joost", "Jo\x00ost").encode(),
    "gbk.csv": _ALIEXPRESS.encode("gbk", errors="replace"),
    "utf16.csv": SHOPIFY.encode("utf-16"),
    "pdf.csv": b"%PDF-1.4 not a table",
    "fake.xlsx": b"PK\x03\x04 this zip is damaged",
    "dates.csv": SKYVERGE_DATE.replace("2024-03-01 12:00:00", "31/02/2024").encode(),
    "money.csv": ALGOLPLUS_ES.replace("55.00", "fifty-five").replace(",25,", ",1e999,").encode(),
    "quantities.csv": ALGOLPLUS_ES.replace(",2,2,25,", ",two,-3,25,").encode(),
    "packed.csv": SKYVERGE_DATE.replace("quantity:2", "quantity:lots").replace("\\;", "\\").encode(),
    "items.csv": _ALIEXPRESS.replace("2 pieces", "many pieces").replace("【1】", "[1]").encode(),
    "tracking.csv": _ALIEXPRESS.replace("RR123456789CN", "?").encode(),
    "semicolons.csv": SHOPIFY.replace(",", ";").encode(),
    "fullwidth.csv": SHOPIFY.replace("Name", "Ｎａｍｅ").replace("Created at", "Created at\n(UTC)").encode(),
    "retail.csv": INVOICE_LINES.replace("17850.0", "").replace("2010-12-01", "2010-13-45").encode(),
}


@pytest.mark.parametrize(("way", "name"), IMPORTERS)
def test_every_importer_reads_every_broken_file_without_a_traceback(
    import_session: Session, import_shop: Shop, tmp_path: Path, way: str, name: str
) -> None:
    for file, data in BROKEN.items():
        path = tmp_path / file
        path.write_bytes(data)
        run(import_session, import_shop, way, name, path)  # only an import or an InputFileError may come out
        if way == "format":
            recognise_format(path)  # never raises


@pytest.fixture
def reject_orders_(import_session: Session, import_shop: Shop) -> RejectOrders:
    def reject(format: str, path: Path, **options: Any) -> list[RowError]:
        with pytest.raises(InputFileError) as caught:
            import_orders(import_session, shop=import_shop, path=path, format=format, **options)
        return caught.value.errors

    return reject


def test_docs_list_every_accepted_column_name() -> None:
    from tradewind.importers.platforms import _FORMATS

    text = (Path(__file__).parents[2] / "docs" / "importers.md").read_text(encoding="utf-8")
    missing = [
        f"{name}: {alias}"
        for name, selected in _FORMATS.items()
        for column in selected.layout.columns
        for alias in column.aliases
        if f"`{alias}`" not in text
    ]
    assert not missing


def test_a_mapping_default_country_reaches_shopify_orders_without_one(
    write_csv: WriteCsv, import_session: Session, import_shop: Shop, tmp_path: Path
) -> None:
    from tests.importers.platform_samples import SHOPIFY_HEADER, shopify_row

    row = shopify_row(
        Name="#1001",
        Financial_Status="paid",
        Currency="EUR",
        Total="10.00",
        Created_at="2024-01-05 10:00:00 +0100",
        Lineitem_quantity="1",
        Lineitem_name="Socks",
        Lineitem_price="10.00",
    )
    mapping = tmp_path / "m.toml"
    mapping.write_text('[defaults]\ncountry = "DE"\n', encoding="utf-8")
    path = write_csv("orders_export.csv", f"{SHOPIFY_HEADER}\n{row}\n")
    summary = import_orders(import_session, shop=import_shop, path=path, format="shopify", mapping=mapping)
    assert summary.ok
    assert import_session.scalar(select(Order.destination_country)) == "DE"  # was None
