"""Reading an import file (CSV, or the first sheet of an Excel workbook): bytes to UTF-8 text, the header matched to a
layout's columns (ignoring case, spaces, '_' and '-'; through a layout's aliases and the seller's mapping file), rows
with the physical line each starts on, and every problem collected as a `RowError` instead of a traceback."""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
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
    # Other names the column goes by in the files of the wild (a platform's export, in each of its languages).
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of file; header cells match them ignoring case, spaces, '_' and '-'.

    A strict layout (Tradewind's own CSV) refuses header cells it does not know; a lenient one (a platform's export
    of 80 columns, of which an importer reads 20) passes over them, keeps the first of repeated columns and reads
    semicolon- or tab-separated files too.
    """

    kind: str
    columns: tuple[Column, ...]
    strict: bool = True

    @cached_property
    def _by_key(self) -> dict[str, Column]:
        found: dict[str, Column] = {}
        for column in self.columns:
            for name in (column.name, *column.aliases):
                found.setdefault(header_key(name), column)
        return found

    def find(self, header_cell: str) -> Column | None:
        return self._by_key.get(header_key(header_cell))

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)


@dataclass(frozen=True)
class ColumnMapping:
    """The seller's own names for a layout's columns (`file header → column`), read from a mapping file, plus
    values a file never states (`defaults`, e.g. its currency or time zone) and the meaning of custom order
    statuses (`statuses`)."""

    columns: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=dict)
    statuses: Mapping[str, str] = field(default_factory=dict)
    file: str = ""

    def column_for(self, header_cell: str) -> str | None:
        return self.columns.get(header_key(header_cell))


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


@dataclass
class RecordSource:
    """A file opened against a layout: the header matched (`positions`: column name → index), and its records
    (first physical line, cells) still to be read. Fast importers walk `records` themselves; `read_table` turns
    them into `Row`s."""

    table: CsvTable
    positions: dict[str, int]
    width: int
    records: Iterator[tuple[int, list[str]]]
    # Rows the file holds, about (physical lines of a CSV): the total a progress bar counts to.
    estimated_rows: int = 0


def read_table(path: Path, layout: Layout, mapping: ColumnMapping | None = None) -> CsvTable:
    """Read `path` against `layout`; file-level problems (unreadable, not UTF-8, no header) raise at once."""
    source = open_records(path, layout, mapping)
    table = source.table
    by_index = {index: name for name, index in source.positions.items()}
    for line, cells in source.records:
        _add_row(table, by_index, source.width, line, cells)
    return table


def open_records(path: Path, layout: Layout, mapping: ColumnMapping | None = None) -> RecordSource:
    """Open `path` (CSV, or an .xlsx workbook's first sheet) and match its header row against `layout`."""
    table = CsvTable(file=path.name, layout=layout)
    data = _read_bytes(path, table.file)
    if data.startswith(b"PK\x03\x04"):
        records = _workbook_records(data, table.file)
        estimated = 0
    else:
        content = _decode(data, table.file)
        estimated = content.count("\n")
        delimiter = "," if layout.strict else _delimiter(content)
        records = _records(content, table, delimiter)
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
    by_index = _match_header(header[1], table, mapping)
    positions = {name: index for index, name in by_index.items()}
    width = len(header[1])
    if data.startswith(b"PK\x03\x04"):
        # A sheet's row ends at its last filled cell: empty cells at the end are no sign of a row cut short.
        records = ((line, cells + [""] * (width - len(cells))) for line, cells in records)
    return RecordSource(table, positions, width, records, estimated)


def _read_bytes(path: Path, file: str) -> bytes:
    """The file's bytes; a gzip-compressed file (`orders.csv.gz`) is read uncompressed."""
    try:
        data = path.read_bytes()
    except OSError as problem:
        raise InputFileError([RowError(file, 0, "", f"cannot read the file: {problem.strerror}")]) from None
    if data.startswith(b"\x1f\x8b"):
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as problem:
            raise InputFileError([RowError(file, 0, "", f"the compressed file is damaged: {problem}")]) from None
    return data


def _delimiter(content: str) -> str:
    """Commas, or the semicolons (European spreadsheets) or tabs that the header row uses instead."""
    first = content.split("\n", 1)[0]
    counts = {separator: first.count(separator) for separator in (",", ";", "\t")}
    return max(counts, key=lambda separator: (counts[separator], separator == ","))


def _workbook_records(data: bytes, file: str) -> Iterator[tuple[int, list[str]]]:
    """The rows of a workbook's first sheet as text cells, numbered as Excel numbers them."""
    import openpyxl  # only when a workbook is read

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as problem:  # openpyxl raises many kinds for a damaged or foreign zip
        raise InputFileError(
            [
                RowError(
                    file,
                    1,
                    "",
                    f"this is an Excel workbook (.xlsx) or another zip file that cannot be read ({problem}): "
                    f"save it again from Excel as .xlsx, or as CSV UTF-8",
                )
            ]
        ) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(value) for value in values]
                while cells and not cells[-1]:
                    cells.pop()
                if any(cell.strip() for cell in cells):
                    yield number, cells
        finally:
            workbook.close()

    return rows()


def cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV export would hold (whole numbers without '.0', dates in ISO 8601)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _decode(data: bytes, file: str) -> str:
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
                    f"the file is not UTF-8 text (byte 0x{byte:02X} on line {line}; {_likely_encoding(data)}): "
                    f"{_SAVE_AS_UTF8}",
                )
            ]
        ) from None


def _likely_encoding(data: bytes) -> str:
    """The legacy encoding the bytes most likely are in, as a hint: a Chinese or a Cyrillic Windows code page.

    Cyrillic in Windows-1251 also decodes as GBK, but into rare characters: real Chinese text is mostly made of the
    3,755 common characters (GB2312 level 1, lead bytes 0xB0-0xD7), Russian lower case falls beyond them."""
    try:
        chinese = [char for char in data.decode("gbk") if "\u4e00" <= char <= "\u9fff"]
    except UnicodeDecodeError:
        chinese = []
    if chinese and sum(1 for char in chinese if 0xB0 <= char.encode("gbk")[0] <= 0xD7) / len(chinese) > 0.6:
        return "it looks like GBK (Chinese)"
    decoded = data.decode("cp1251", errors="replace")
    non_ascii = [char for char in decoded if ord(char) > 127]
    if non_ascii and sum(1 for char in non_ascii if "\u0400" <= char <= "\u04ff") / len(non_ascii) > 0.9:
        return "it looks like Windows-1251 (Cyrillic)"
    return "perhaps Windows-1251, GBK or Latin-1"


def _records(content: str, table: CsvTable, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) of each record; records the CSV syntax errors and carries on after them."""
    reader = csv.reader(io.StringIO(content, newline=""), strict=True, delimiter=delimiter)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as problem:
            table.error(start, "", _explain_csv_error(str(problem), start))
            continue
        if cells and "".join(cells).strip():
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


def _match_header(header: list[str], table: CsvTable, mapping: ColumnMapping | None = None) -> dict[int, str]:
    """Position of each known column in the header; unknown (in a strict layout), repeated and missing columns are
    errors on line 1."""
    positions: dict[int, str] = {}
    seen: dict[str, int] = {}
    layout = table.layout
    if layout.strict and len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator = "semicolons" if ";" in header[0] else "tabs"
        table.error(1, "", f"the columns are separated by {separator}; Tradewind CSV separates them by commas")
        table.raise_if_errors()
    for index, name in enumerate(header):
        if not name.strip():
            continue
        mapped = mapping.column_for(name) if mapping is not None else None
        column = layout.column(mapped) if mapped is not None else layout.find(name)
        if mapped is not None and column is None:
            known = ", ".join(c.name for c in layout.columns)
            table.error(
                1, name.strip(), f"the mapping file maps {name.strip()!r} to {mapped!r}, which is not one of {known}"
            )
        elif column is None:
            if not layout.strict:
                continue
            known = ", ".join(c.name for c in layout.columns)
            table.error(1, name.strip(), f"unknown column {name.strip()!r} for {layout.kind}: the columns are {known}")
        elif column.name in seen:
            if not layout.strict:
                continue  # exports let the shop pick columns, and some pick one twice: the first one counts
            table.error(
                1, column.name, f"column {column.name} appears twice (columns {seen[column.name] + 1} and {index + 1})"
            )
        else:
            seen[column.name] = index
            positions[index] = column.name
    for column in layout.columns:
        if column.required and column.name not in seen:
            also = f" (or {', '.join(repr(alias) for alias in column.aliases[:3])})" if column.aliases else ""
            table.error(
                1,
                column.name,
                f"the required column {column.name}{also} is missing from the header row; if the file names it "
                f"differently, map it with --mapping",
            )
    table.present = set(seen)
    return positions


def iter_rows(source: RecordSource) -> Iterator[Row]:
    """The source's records as `Row`s; rows cut short or too long are recorded as errors and passed over."""
    by_index = {index: name for name, index in source.positions.items()}
    for line, cells in source.records:
        row = _row(source.table, by_index, source.width, line, cells)
        if row is not None:
            yield row


def _add_row(table: CsvTable, positions: dict[int, str], width: int, line: int, cells: list[str]) -> None:
    row = _row(table, positions, width, line, cells)
    if row is not None:
        table.rows.append(row)


def _row(table: CsvTable, positions: dict[int, str], width: int, line: int, cells: list[str]) -> Row | None:
    if len(cells) < width:
        missing = [positions[i] for i in range(len(cells), width) if i in positions]
        if not table.layout.strict and not missing:
            return Row(line, {name: cells[index].strip() for index, name in positions.items()})
        where = missing[0] if missing else ""
        table.error(
            line,
            where,
            f"the row has {len(cells)} values but the header has {width} columns; missing: "
            f"{', '.join(missing) or 'unnamed columns'} (is the row cut short?)",
        )
        return None
    if any(cell.strip() for cell in cells[width:]):
        table.error(
            line,
            "",
            f"the row has {len(cells)} values but the header has {width} columns (a comma inside "
            f"a value that is not quoted?)",
        )
        return None
    return Row(line, {name: cells[index].strip() for index, name in positions.items()})
