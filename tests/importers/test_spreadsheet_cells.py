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
