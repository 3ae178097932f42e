"""The file itself: encodings, header matching, CSV syntax, row shapes. A bad file is refused with every error,
located by file, line and column, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.importers.samples import SKUS, RunImport, WriteCsv, where
from tradewind.catalog.models import Sku
from tradewind.errors import RowError, ValidationError
from tradewind.shops.models import Shop

Reject = Callable[..., list[RowError]]


def test_utf8_with_byte_order_mark_is_read(write_csv: WriteCsv, run_import: RunImport) -> None:
    summary = run_import("skus", write_csv("skus.csv", SKUS, bom=True))
    assert summary.created == {"products": 1, "skus": 3}


def test_header_names_ignore_case_spaces_and_separators(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, import_shop: Shop
) -> None:
    text = " SKU ,TITLE,Product-Title,product,Price\nSH-38-BLK,Runner 38 black,Runner shoe,SH-RUN,39.90\n"
    run_import("skus", write_csv("skus.csv", text))
    sku = import_session.scalars(select(Sku).where(Sku.shop_id == import_shop.id)).one()
    assert (sku.code, sku.title, sku.price) == ("SH-38-BLK", "Runner 38 black", Decimal("39.90"))
    assert sku.product is not None and sku.product.title == "Runner shoe"


def test_crlf_line_ends_blank_lines_and_quoted_commas(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session
) -> None:
    text = 'sku,title\r\nA-1,"Runner, ""pro"" edition"\r\n\r\n,\r\nA-2,Cap\r\n'
    summary = run_import("skus", write_csv("skus.csv", text))
    assert summary.created["skus"] == 2
    titles = set(import_session.scalars(select(Sku.title)))
    assert titles == {'Runner, "pro" edition', "Cap"}


def test_header_only_imports_nothing(write_csv: WriteCsv, run_import: RunImport) -> None:
    summary = run_import("skus", write_csv("skus.csv", "sku,title\n"))
    assert summary.total("created") == summary.total("updated") == summary.total("unchanged") == 0


@pytest.mark.parametrize(("encoding", "title"), [("cp1251", "Кроссовки чёрные"), ("gbk", "黑色跑鞋")])
def test_file_not_in_utf8_is_one_clear_error_naming_the_file(
    write_csv: WriteCsv, rejected: Reject, encoding: str, title: str
) -> None:
    text = f"sku,title\nA-1,Plain\nA-2,{title}\n"
    errors = rejected("skus", write_csv("legacy.csv", text, encoding=encoding))
    assert len(errors) == 1
    assert (errors[0].file, errors[0].line) == ("legacy.csv", 3)
    assert "not UTF-8" in errors[0].message and "save it as UTF-8" in errors[0].message


def test_utf16_file_is_refused(write_csv: WriteCsv, rejected: Reject) -> None:
    errors = rejected("skus", write_csv("excel.csv", "\ufeffsku,title\nA-1,Cap\n", encoding="utf-16-le"))
    assert "UTF-16" in errors[0].message


def test_excel_workbook_is_refused(tmp_path: Path, rejected: Reject) -> None:
    path = tmp_path / "skus.csv"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)))
    errors = rejected("skus", path)
    assert "Excel workbook" in errors[0].message


def test_empty_file_is_an_error_on_line_1(write_csv: WriteCsv, rejected: Reject) -> None:
    for text in ("", "\n\n", " , \n"):
        errors = rejected("skus", write_csv("empty.csv", text))
        assert where(errors) == [(1, "")]
        assert "empty" in errors[0].message and "sku, title" in errors[0].message


def test_missing_file_is_an_input_error(tmp_path: Path, rejected: Reject) -> None:
    errors = rejected("skus", tmp_path / "nowhere.csv")
    assert (errors[0].file, errors[0].line) == ("nowhere.csv", 0)


def test_missing_required_column_names_the_column_on_line_1(write_csv: WriteCsv, rejected: Reject) -> None:
    errors = rejected("skus", write_csv("skus.csv", "sku,price\nA-1,9.50\n"))
    assert where(errors) == [(1, "title")]
    assert "title" in errors[0].message and "missing" in errors[0].message


def test_unknown_and_repeated_columns_are_errors(write_csv: WriteCsv, rejected: Reject) -> None:
    errors = rejected("skus", write_csv("skus.csv", "sku,title,prise,Title\nA-1,Cap,9.50,Cap\n"))
    assert where(errors) == [(1, "title"), (1, "prise")]
    assert "appears twice" in errors[0].message
    assert "unknown column 'prise'" in errors[1].message


def test_semicolon_separated_file_is_explained(write_csv: WriteCsv, rejected: Reject) -> None:
    errors = rejected("skus", write_csv("skus.csv", "sku;title\nA-1;Cap\n"))
    assert len(errors) == 1 and "semicolons" in errors[0].message


def test_truncated_and_overlong_rows_are_errors_with_their_lines(write_csv: WriteCsv, rejected: Reject) -> None:
    text = "sku,title,price,currency\nA-1,Cap,9.50,USD\nA-2,Cap\nA-3,Cap,9.50,USD,extra\nA-4,Cap,9.50,USD,,\n"
    errors = rejected("skus", write_csv("skus.csv", text))
    assert where(errors) == [(3, "price"), (4, "")]
    assert "missing: price, currency" in errors[0].message
    assert "5 values but the header has 4" in errors[1].message


def test_bad_quoting_is_reported_and_later_rows_still_checked(write_csv: WriteCsv, rejected: Reject) -> None:
    text = 'sku,title,price\nA-1,"Runner 12" frame",9.50\nA-2,Cap,cheap\n'
    errors = rejected("skus", write_csv("skus.csv", text))
    assert where(errors) == [(2, ""), (3, "price")]
    assert "quote mark" in errors[0].message


def test_unclosed_quote_reports_where_it_opens(write_csv: WriteCsv, rejected: Reject) -> None:
    text = 'sku,title\nA-1,Cap\nA-2,"Runner\nA-3,Cap\n'
    errors = rejected("skus", write_csv("skus.csv", text))
    assert where(errors) == [(3, "")]
    assert "never closed" in errors[0].message


def test_lines_are_counted_as_an_editor_shows_them(write_csv: WriteCsv, rejected: Reject) -> None:
    """A quoted value spanning two lines moves the following rows down a line."""
    text = 'sku,title,price\nA-1,"two\nlines",9.50\n\nA-2,Cap,-1\n'
    errors = rejected("skus", write_csv("skus.csv", text))
    assert where(errors) == [(5, "price")]


def test_every_error_of_a_file_is_reported_at_once(write_csv: WriteCsv, rejected: Reject) -> None:
    text = (
        "sku,title,price,currency,active\n"
        "A-1,Cap,9.50,USD,yes\n"
        "A-2,,9.50,USD,yes\n"
        "A-3,Cap,9,50,USD\n"
        "A-4,Cap,-2,XYZ,maybe\n"
        "A-1,Cap again,9.50,USD,yes\n"
    )
    errors = rejected("skus", write_csv("skus.csv", text))
    assert where(errors) == [
        (3, "title"), (4, "currency"), (4, "active"), (5, "price"), (5, "currency"), (5, "active"), (6, "sku"),
    ]  # fmt: skip
    assert all(error.file == "skus.csv" for error in errors)
    assert "unknown currency '50'" in errors[1].message
    assert "must not be negative" in errors[3].message
    assert "already on line 2" in errors[6].message


def test_unknown_kind_is_refused(write_csv: WriteCsv, run_import: RunImport) -> None:
    with pytest.raises(ValidationError, match="skus, suppliers, offers, stock, orders, shipments"):
        run_import("invoices", write_csv("x.csv", SKUS))
