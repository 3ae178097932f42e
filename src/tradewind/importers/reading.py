"""Reading a CSV import file: bytes to UTF-8 text, the header matched to a layout's columns, rows with the physical
line each starts on, and every problem collected as a `RowError` instead of a traceback."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tradewind.errors import InputFileError, RowError, ValidationError

T = TypeVar("T")

_SEPARATORS = re.compile(r"[\s_\-]+")
_UTF8_BOM = b"\xef\xbb\xbf"
_SAVE_AS_UTF8 = 'save it as UTF-8 (Excel: "CSV UTF-8 (Comma delimited)"; LibreOffice: character set "Unicode (UTF-8)")'
_NOT_CSV = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or another zip file",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
    b"%PDF": "a PDF document",
}


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of file; header cells match them ignoring case, spaces, '_' and '-'."""

    kind: str
    columns: tuple[Column, ...]

    def find(self, header_cell: str) -> Column | None:
        wanted = header_key(header_cell)
        return next((column for column in self.columns if header_key(column.name) == wanted), None)


def header_key(name: str) -> str:
    return _SEPARATORS.sub("", name.replace("\ufeff", "")).lower()


@dataclass(frozen=True)
class Row:
    """One record of the file: the stripped text of each known column (absent columns are missing)."""

    line: int
    cells: dict[str, str]


@dataclass
class CsvTable:
    """A file read against a layout: its rows, the columns its header has, and the problems found so far."""

    file: str
    layout: Layout
    present: set[str] = field(default_factory=set)
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(self.file, line, column, message))

    def texts(self, column: str) -> set[str]:
        """The distinct non-empty texts of `column` (e.g. the SKU codes a file refers to)."""
        return {row.cells[column] for row in self.rows if row.cells.get(column)}

    def first_time(self, seen: dict[Any, int], key: Any, line: int, column: str, what: str) -> bool:
        """True the first time `key` occurs; a repeat is an error naming the line it was first on."""
        if key in seen:
            self.error(line, column, f"{what} is already on line {seen[key]}")
            return False
        seen[key] = line
        return True

    def raise_if_errors(self) -> None:
        if self.errors:
            order = {column.name: index for index, column in enumerate(self.layout.columns)}
            ordered = sorted(self.errors, key=lambda e: (e.line, order.get(e.column, len(order))))
            raise InputFileError(ordered)

    def value(self, row: Row, column: str, parse: Callable[[str], T], *, required: bool = False) -> T | None:
        """The parsed cell, or None when it is empty; a bad or missing value is recorded as an error."""
        raw = row.cells.get(column, "")
        if not raw:
            if required and column in self.present:
                self.error(row.line, column, f"{column} is required")
            return None
        try:
            return parse(raw)
        except ValidationError as problem:
            self.error(row.line, column, problem.message)
            return None


def read_table(path: Path, layout: Layout) -> CsvTable:
    """Read `path` against `layout`; file-level problems (unreadable, not UTF-8, no header) raise at once."""
    table = CsvTable(file=path.name, layout=layout)
    content = _decode(path, table.file)
    records = _records(content, table)
    header = next(records, None)
    if header is None or not any(cell.strip() for cell in header[1]):
        expected = ", ".join(column.name for column in layout.columns if column.required)
        raise InputFileError(
            [
                RowError(
                    table.file,
                    1,
                    "",
                    f"the file is empty: the first line must be the header row naming the columns ({expected}, …)",
                )
            ]
        )
    positions = _match_header(header[1], table)
    for line, cells in records:
        _add_row(table, positions, len(header[1]), line, cells)
    return table


def _decode(path: Path, file: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as problem:
        raise InputFileError([RowError(file, 0, "", f"cannot read the file: {problem.strerror}")]) from None
    for magic, what in _NOT_CSV.items():
        if data.startswith(magic):
            raise InputFileError([RowError(file, 1, "", f"this is {what}, not a CSV file: {_SAVE_AS_UTF8}")])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError([RowError(file, 1, "", f"the file is UTF-16 text, not UTF-8: {_SAVE_AS_UTF8}")])
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as problem:
        line = data.count(b"\n", 0, problem.start) + 1
        byte = data[problem.start]
        raise InputFileError(
            [
                RowError(
                    file,
                    line,
                    "",
                    f"the file is not UTF-8 text (byte 0x{byte:02X} on line {line}; perhaps Windows-1251, GBK or "
                    f"Latin-1): {_SAVE_AS_UTF8}",
                )
            ]
        ) from None


def _records(content: str, table: CsvTable) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) of each record; records the CSV syntax errors and carries on after them."""
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as problem:
            table.error(start, "", _explain_csv_error(str(problem), start))
            continue
        if any(cell.strip() for cell in cells):
            yield start, cells


def _explain_csv_error(message: str, line: int) -> str:
    if "unexpected end of data" in message:
        return (
            f"a quoted value that starts on line {line} is never closed, so the rest of the file could not "
            f'be read: add the closing quote mark (")'
        )
    if "expected after" in message:
        return (
            'a quote mark (") in the middle of a value: quote the whole value and double the quote marks '
            'inside it, e.g. "12"" frame"'
        )
    return f"this line is not valid CSV ({message})"


def _match_header(header: list[str], table: CsvTable) -> dict[int, str]:
    """Position of each known column in the header; unknown, repeated and missing columns are errors on line 1."""
    positions: dict[int, str] = {}
    seen: dict[str, int] = {}
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator = "semicolons" if ";" in header[0] else "tabs"
        table.error(1, "", f"the columns are separated by {separator}; Tradewind CSV separates them by commas")
        table.raise_if_errors()
    for index, name in enumerate(header):
        if not name.strip():
            continue
        column = table.layout.find(name)
        if column is None:
            known = ", ".join(c.name for c in table.layout.columns)
            table.error(
                1, name.strip(), f"unknown column {name.strip()!r} for {table.layout.kind}: the columns are {known}"
            )
        elif column.name in seen:
            table.error(
                1, column.name, f"column {column.name} appears twice (columns {seen[column.name] + 1} and {index + 1})"
            )
        else:
            seen[column.name] = index
            positions[index] = column.name
    for column in table.layout.columns:
        if column.required and column.name not in seen:
            table.error(1, column.name, f"the required column {column.name} is missing from the header row")
    table.present = set(seen)
    return positions


def _add_row(table: CsvTable, positions: dict[int, str], width: int, line: int, cells: list[str]) -> None:
    if len(cells) < width:
        missing = [positions[i] for i in range(len(cells), width) if i in positions]
        where = missing[0] if missing else ""
        table.error(
            line,
            where,
            f"the row has {len(cells)} values but the header has {width} columns; missing: "
            f"{', '.join(missing) or 'unnamed columns'} (is the row cut short?)",
        )
        return
    if any(cell.strip() for cell in cells[width:]):
        table.error(
            line,
            "",
            f"the row has {len(cells)} values but the header has {width} columns (a comma inside "
            f"a value that is not quoted?)",
        )
        return
    table.rows.append(Row(line, {name: cells[index].strip() for index, name in positions.items()}))
