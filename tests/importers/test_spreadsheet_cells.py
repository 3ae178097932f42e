"""Every CSV Tradewind writes is safe to open in Excel: a text cell that would start a formula is escaped with a
leading apostrophe (OWASP's rule for CSV injection), numbers stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from tradewind.messaging.channels import EXPORT_COLUMNS, export_text
from tradewind.spreadsheet import safe_cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("+7 cmd|' /C calc'!A0", "'+7 cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-12.50", "-12.50"),
        ("+44", "+44"),
        ("1e5", "1e5"),
        ("ORD-1001", "ORD-1001"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_that_would_start_a_formula_is_escaped(value: str, written: str) -> None:
    assert safe_cell(value) == written


def test_numbers_stay_numbers() -> None:
    assert safe_cell(-3) == -3
    assert safe_cell(Decimal("-1.5")) == Decimal("-1.5")
    assert safe_cell(-0.25) == -0.25
    assert safe_cell(None) is None


def test_messages_export_escapes_imported_order_numbers_and_buyers() -> None:
    row: dict[str, object] = dict.fromkeys(EXPORT_COLUMNS, "")
    row.update(id=7, order='=HYPERLINK("http://x.example","1001")', buyer="@SUM(1+1)", body="-1 day late", subject="Hi")
    parsed = next(csv.DictReader(io.StringIO(export_text([row], fmt="csv"))))
    assert parsed["id"] == "7"
    assert parsed["order"] == '\'=HYPERLINK("http://x.example","1001")'
    assert parsed["buyer"] == "'@SUM(1+1)"
    assert parsed["body"] == "'-1 day late"
    assert parsed["subject"] == "Hi"


def test_the_table_writer_keeps_numbers_and_days_and_escapes_formulas() -> None:
    from datetime import UTC, date, datetime

    from openpyxl import load_workbook

    from tradewind.spreadsheet import table_file

    header = ["Order", "Placed", "Total", "Buyer", "Moment"]
    rows = [
        ["8001", date(2026, 11, 15), Decimal("30.00"), '=HYPERLINK("http://evil.example")', None],
        ["-12", date(2026, 11, 16), 7, "Ольга", datetime(2026, 11, 16, 9, 30, tzinfo=UTC)],
    ]
    text = table_file("csv", header, rows, sheet="Orders").decode("utf-8")
    assert text.startswith("\ufeff")
    read = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert read[0] == header
    assert read[1] == ["8001", "2026-11-15", "30.00", '\'=HYPERLINK("http://evil.example")', ""]
    assert read[2][:4] == ["-12", "2026-11-16", "7", "Ольга"]
    book = load_workbook(io.BytesIO(table_file("xlsx", header, rows, sheet="Orders")))
    sheet = book["Orders"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == header
    assert values[1] == ["8001", datetime(2026, 11, 15), 30, '\'=HYPERLINK("http://evil.example")', None]
    assert values[2] == ["-12", datetime(2026, 11, 16), 7, "Ольга", datetime(2026, 11, 16, 9, 30)]
    assert isinstance(values[1][2], int | float) and sheet.cell(2, 4).data_type == "s"  # a text, not a formula
