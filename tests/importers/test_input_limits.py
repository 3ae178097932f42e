"""Issue 18: every input and every limit a clear answer. Files beyond a limit (size, decompressed size, rows,
columns, a sheet's real cells), text PostgreSQL refuses (NUL), dates beyond any shop's records, rows given twice,
and the hints for files that are not what they claim: each is one `InputFileError` naming file and line, nothing is
written, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.importers.platform_samples import INVOICE_LINES, SHOPIFY
from tests.importers.samples import SKUS, RunImport, WriteCsv, where
from tradewind.cli.main import app
from tradewind.errors import InputFileError, RowError
from tradewind.importers import skus_csv
from tradewind.importers.platforms import import_orders
from tradewind.importers.reading import MAX_ERRORS, ReadLimits, read_table
from tradewind.orders.models import Order
from tradewind.shops.models import Shop

Reject = Callable[..., list[RowError]]
SMALL = ReadLimits(file_bytes=16_384, unpacked_bytes=32_768, rows=5, columns=12)


def refused(path: Path, limits: ReadLimits = SMALL) -> RowError:
    with pytest.raises(InputFileError) as caught:
        read_table(path, skus_csv.LAYOUT, limits=limits)
    assert len(caught.value.errors) == 1
    return caught.value.errors[0]


def workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def rewrite_part(path: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """The workbook with one of its zip parts changed (what another program might have written)."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            out.writestr(info.filename, change(data) if info.filename == part else data)
    return path


@pytest.fixture
def reject_orders(import_session: Session, import_shop: Shop, counts: Callable[[], dict[str, int]]) -> Reject:
    def reject(format: str, path: Path, **options: Any) -> list[RowError]:
        before = counts()
        with pytest.raises(InputFileError) as caught:
            import_orders(import_session, shop=import_shop, path=path, format=format, **options)
        assert counts() == before
        return caught.value.errors

    return reject


# Limits -------------------------------------------------------------------------------------------------------------


def test_the_default_limits_are_the_settings_defaults_and_let_the_largest_real_file_through() -> None:
    limits = ReadLimits.default()
    assert limits == ReadLimits(100 * 1024 * 1024, 128 * 1024 * 1024, 1_100_000, 1000)
    # The UCI Online Retail file: 541,909 rows, 48 MB once unpacked, 8 columns.
    assert limits.rows > 541_909 and limits.unpacked_bytes > 48_039_726 and limits.columns > 80


def test_a_file_beyond_the_size_limit_is_refused_before_it_is_read(write_csv: WriteCsv) -> None:
    error = refused(write_csv("big.csv", "sku,title\n" + "A-1,Cap\n" * 3000))
    assert (error.file, error.line) == ("big.csv", 0)
    assert "larger than 16384 bytes" in error.message and "TRADEWIND_IMPORT_MAX_FILE_BYTES" in error.message


def test_a_gzip_bomb_is_stopped_at_the_unpacked_limit(tmp_path: Path) -> None:
    path = tmp_path / "skus.csv.gz"
    path.write_bytes(gzip.compress(b"sku,title\n" + b"A-1,Cap\n" * 100_000))  # 800 KB from 2 KB
    assert path.stat().st_size < SMALL.file_bytes
    error = refused(path)
    assert "unpacks to more than 32768 bytes" in error.message and "MAX_UNPACKED_BYTES" in error.message


def test_a_small_gzip_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "skus.csv.gz"
    path.write_bytes(gzip.compress(b"sku,title\nA-1,Cap\n"))
    assert [row.cells for row in read_table(path, skus_csv.LAYOUT, limits=SMALL).rows] == [
        {"sku": "A-1", "title": "Cap"}
    ]


def test_more_rows_than_the_limit_is_one_error_at_the_first_row_beyond_it(write_csv: WriteCsv) -> None:
    text = "sku,title\n" + "".join(f"A-{n},Cap\n" for n in range(5))
    assert len(read_table(write_csv("five.csv", text), skus_csv.LAYOUT, limits=SMALL).rows) == 5
    error = refused(write_csv("six.csv", text + "A-9,Cap\n"))
    assert error.line == 7 and "more than 5 rows" in error.message and "TRADEWIND_IMPORT_MAX_ROWS" in error.message


def test_a_header_of_a_million_columns_is_one_error_not_a_million(write_csv: WriteCsv) -> None:
    header = ",".join(f"c{n}" for n in range(1_000_000))
    with pytest.raises(InputFileError) as caught:
        read_table(write_csv("wide.csv", f"{header}\nx\n"), skus_csv.LAYOUT)
    assert len(caught.value.errors) == 1
    assert "1,000,000 cells" in caught.value.message and "at most 1,000 columns" in caught.value.message


def test_at_most_max_errors_are_listed_and_the_rest_counted(write_csv: WriteCsv) -> None:
    text = "sku,title\n" + "".join(f"A-{n}\n" for n in range(MAX_ERRORS + 500))
    with pytest.raises(InputFileError) as caught:
        read_table(write_csv("cut.csv", text), skus_csv.LAYOUT).raise_if_errors()
    errors = caught.value.errors
    assert len(errors) == MAX_ERRORS + 1
    assert "and 500 more errors" in errors[-1].message


def test_a_sheet_is_read_by_its_real_cells_not_its_declared_range(tmp_path: Path) -> None:
    path = workbook(tmp_path / "skus.xlsx", [["sku", "title"], ["A-1", "Cap"]])
    rewrite_part(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>'),
    )
    table = read_table(path, skus_csv.LAYOUT, limits=SMALL)
    assert [row.cells for row in table.rows] == [{"sku": "A-1", "title": "Cap"}]


def test_a_sheet_with_a_cell_at_xfd1048576_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["sku", "title"])
    book.active["XFD1048576"] = "x"
    book.save(path)
    assert path.stat().st_size < 6000
    error = refused(path, ReadLimits(10**6, 10**6, 1_100_000, 1000))
    assert error.line == 1_048_576 and "16,384 cells" in error.message
    error = refused(path, ReadLimits(10**6, 10**6, 1000, 20_000))
    assert error.line == 1_048_576 and "a cell on row 1,048,576" in error.message


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = workbook(tmp_path / "bomb.xlsx", [["sku", "title"], ["A-1", "Cap"]])
    rewrite_part(
        path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 20_000)
    )
    assert path.stat().st_size < SMALL.file_bytes
    error = refused(path)
    assert "the workbook unpacks to" in error.message and "MAX_UNPACKED_BYTES" in error.message


# Files that are not what they claim -----------------------------------------------------------------------------------


def test_a_random_file_named_xlsx_is_told_it_is_no_workbook(tmp_path: Path) -> None:
    path = tmp_path / "stock.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    error = refused(path, ReadLimits.default())
    assert "named .xlsx but is not an Excel workbook" in error.message and "CSV" not in error.message.split(":")[0]


def test_a_latin1_file_is_named_latin1(write_csv: WriteCsv) -> None:
    error = refused(write_csv("western.csv", "sku,title\nA-1,Café Müller crème\n", encoding="latin-1"))
    assert "Latin-1" in error.message and "1251" not in error.message and "GBK" not in error.message


# Values ---------------------------------------------------------------------------------------------------------------


def test_a_nul_in_a_header_cell_is_an_error_not_an_empty_column(
    write_csv: WriteCsv, reject_orders: Reject, tmp_path: Path
) -> None:
    text = INVOICE_LINES.replace("Country\n", "Country\x00\n", 1)
    errors = reject_orders("invoice-lines", write_csv("lines.csv", text))
    assert where(errors) == [(1, "Country")] and "NUL" in errors[0].message


def test_a_nul_in_a_title_is_an_error_on_both_databases(write_csv: WriteCsv, rejected: Reject) -> None:
    errors = rejected("skus", write_csv("skus.csv", "sku,title\nA-1,Cap\nA-2,Ca\x00p\n"))
    assert where(errors) == [(3, "title")] and "NUL character" in errors[0].message


@pytest.mark.parametrize("placed_at", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00", "1899-12-31"])
def test_dates_beyond_any_shop_s_records_are_errors_not_overflows(
    write_csv: WriteCsv, rejected: Reject, catalogue: None, placed_at: str
) -> None:
    text = f"order,placed_at,sku,quantity,unit_price\nX-1,{placed_at},CAP-RED,1,9.50\n"
    errors = rejected("orders", write_csv("orders.csv", text))
    assert where(errors) == [(2, "placed_at")] and "1900-2100" in errors[0].message


@pytest.mark.parametrize(
    "created", ["9999-12-31 23:00:00 -0500", "0001-01-01 00:00:00 +0500", "2024-01-01 10:00 +9900"]
)
def test_platform_dates_beyond_the_calendar_are_errors_not_overflows(
    write_csv: WriteCsv, reject_orders: Reject, created: str
) -> None:
    header, first, *rest = SHOPIFY.split("\n")
    cells = first.split(",")
    cells[header.split(",").index("Created at")] = created
    errors = reject_orders("shopify", write_csv("orders_export.csv", "\n".join([header, ",".join(cells), *rest])))
    assert (errors[0].line, errors[0].column) == (2, "placed_at")


# Rows given twice -----------------------------------------------------------------------------------------------------


def test_a_tradewind_order_row_given_twice_is_an_error_naming_both_lines(
    write_csv: WriteCsv, rejected: Reject, catalogue: None
) -> None:
    row = "X-1,2024-03-01T10:00:00Z,CAP-RED,2,9.50\n"
    text = "order,placed_at,sku,quantity,unit_price\n" + row + "X-1,,SH-38-BLK,1,39.90\n" + row
    errors = rejected("orders", write_csv("orders.csv", text))
    assert where(errors) == [(4, "")] and "repeats line 2" in errors[0].message


def test_a_shopify_row_given_twice_is_an_error_naming_both_lines(write_csv: WriteCsv, reject_orders: Reject) -> None:
    header, *rows = SHOPIFY.strip().split("\n")
    errors = reject_orders("shopify", write_csv("orders_export.csv", "\n".join([header, *rows, rows[1]]) + "\n"))
    assert where(errors) == [(len(rows) + 2, "")] and "repeats line 3" in errors[0].message


def test_invoice_lines_repeated_word_for_word_are_counted_once(
    write_csv: WriteCsv, import_session: Session, import_shop: Shop
) -> None:
    repeated = INVOICE_LINES.split("\n")[2]  # 536365's WHITE METAL LANTERN, 6 × 3.39
    summary = import_orders(
        import_session,
        shop=import_shop,
        path=write_csv("lines.csv", INVOICE_LINES + repeated + "\n" + repeated + "\n"),
        format="invoice-lines",
    )
    assert summary.skipped["rows repeating an earlier row word for word (counted once)"] == 2
    found = import_session.scalar(select(Order).where(Order.number == "536365"))
    assert found is not None
    # 4 × 2.55 (C536379 credits 2 of the 6 hearts) + 6 × 3.39 + 18.00 postage, not 6 × 3.39 more for each repeat
    assert found.total == Decimal("48.54") and len(found.lines) == 2


def test_skus_file_imports_unchanged_under_the_default_limits(write_csv: WriteCsv, run_import: RunImport) -> None:
    assert run_import("skus", write_csv("skus.csv", SKUS)).created["skus"] == 3


def test_a_platform_export_without_an_order_date_column_is_an_error_not_a_null(
    write_csv: WriteCsv, reject_orders: Reject
) -> None:
    # Found by test_import_fuzz on PostgreSQL: the order was written with placed_at NULL (a NotNullViolation).
    errors = reject_orders("woocommerce", write_csv("orders.csv", "order,line_items\n1001,\n"))
    assert where(errors) == [(1, "placed_at")] and "no order date column" in errors[0].message


def test_the_cli_reads_the_limits_from_the_settings(write_csv: WriteCsv, tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "shop.db")
    assert runner.invoke(app, ["init", "--shop", "s", "--name", "Shop", "--db", db]).exit_code == 0
    path = write_csv("skus.csv", SKUS)
    limited = runner.invoke(app, ["import", "skus", str(path), "--db", db], env={"TRADEWIND_IMPORT_MAX_ROWS": "2"})
    assert limited.exit_code == 2
    assert "skus.csv:4: the file has more than 2 rows" in limited.stderr
    assert "TRADEWIND_IMPORT_MAX_ROWS" in limited.stderr
    assert runner.invoke(app, ["import", "skus", str(path), "--db", db]).exit_code == 0
