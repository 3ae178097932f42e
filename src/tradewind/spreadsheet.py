"""Cells safe to open in a spreadsheet, and the one writer of tables as CSV or Excel workbooks that every export
goes through (`table_file`).

A cell beginning with = + - @ (or a tab or carriage return, which Excel skips before them) is read by Excel,
LibreOffice and Google Sheets as a formula: an imported order number `=HYPERLINK(…)` would run when the seller opens
an export to paste from it. OWASP's rule (CSV injection): such a text cell is written with a leading apostrophe,
which the spreadsheet shows as plain text. Numbers stay numbers: a number, or a text that is just a number
("-12.50"), is written as it is.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """`value` as a spreadsheet should hold it: a text that would start a formula gets a leading apostrophe."""
    if isinstance(value, bool | int | float | Decimal | date) or value is None:
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


TableFormat = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_file(fmt: TableFormat, header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str) -> bytes:
    """A table as a file: the header row, then each row's cells through `safe_cell`. Numbers stay numbers (a
    workbook's cells are numeric; a CSV writes them plain, with a dot), days stay days (an ISO date in a CSV, a
    date cell in a workbook). A CSV is UTF-8 with a byte-order mark, which Excel needs to read it as UTF-8."""
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(safe_row(header))
        for row in rows:
            writer.writerow(["" if cell is None else cell for cell in safe_row(row)])
        return ("\ufeff" + text.getvalue()).encode("utf-8")
    from openpyxl import Workbook  # only an export needs it

    book = Workbook(write_only=True)
    worksheet = book.create_sheet(title=sheet[:31])
    worksheet.append(safe_row(header))
    for row in rows:
        worksheet.append([_workbook_value(cell) for cell in safe_row(row)])
    workbook = io.BytesIO()
    book.save(workbook)
    return workbook.getvalue()


def _workbook_value(value: Any) -> Any:
    # A workbook's times have no zone: a moment is written as UTC.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value
