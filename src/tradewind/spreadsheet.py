"""Cells safe to open in a spreadsheet: the one helper every CSV or workbook Tradewind writes passes its cells
through.

A cell beginning with = + - @ (or a tab or carriage return, which Excel skips before them) is read by Excel,
LibreOffice and Google Sheets as a formula: an imported order number `=HYPERLINK(…)` would run when the seller opens
an export to paste from it. OWASP's rule (CSV injection): such a text cell is written with a leading apostrophe,
which the spreadsheet shows as plain text. Numbers stay numbers: a number, or a text that is just a number
("-12.50"), is written as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """`value` as a spreadsheet should hold it: a text that would start a formula gets a leading apostrophe."""
    if isinstance(value, bool | int | float | Decimal) or value is None:
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]
