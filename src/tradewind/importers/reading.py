"""Reading an import file (CSV, or the first sheet of an Excel workbook): bytes to UTF-8 text, the header matched to a
layout's columns (ignoring case, spaces, '_' and '-'; through a layout's aliases and the seller's mapping file), rows
with the physical line each starts on, and every problem collected as a `RowError` instead of a traceback."""

from __future__ import annotations

import csv
import gzip
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from tradewind.config import Settings
from tradewind.errors import InputFileError, RowError, ValidationError

T = TypeVar("T")

_SEPARATORS = re.compile(r"[\s_\-]+")
# The errors one file reports in full; beyond them only their number (a file of a million bad rows, or a header of a
# million unknown columns, would otherwise answer with hundreds of megabytes of errors).
MAX_ERRORS = 1000
_UTF8_BOM = b"\xef\xbb\xbf"
_NUL = "\x00"
_HOLDS_NUL = (
    "holds a NUL character (byte 0x00), which no text may hold (PostgreSQL refuses it): the file is damaged or "
    "not text; remove it, or save the file again as CSV UTF-8"
)
_SAVE_AS_UTF8 = 'save it as UTF-8 (Excel: "CSV UTF-8 (Comma delimited)"; LibreOffice: character set "Unicode (UTF-8)")'
_NOT_CSV = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or another zip file",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
    b"%PDF": "a PDF document",
}


@dataclass(frozen=True)
class ReadLimits:
    """The most one import file may hold (the settings `import_max_*`); beyond any of them the file is refused with
    one clear error before it can use up memory or time."""

    file_bytes: int
    unpacked_bytes: int
    rows: int
    columns: int

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadLimits:
        return cls(
            file_bytes=settings.import_max_file_bytes,
            unpacked_bytes=settings.import_max_unpacked_bytes,
            rows=settings.import_max_rows,
            columns=settings.import_max_columns,
        )

    @classmethod
    def default(cls) -> ReadLimits:
        """The documented defaults of `Settings` (without reading the environment)."""
        return cls.from_settings(Settings.model_construct())


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def _refuse(file: str, line: int, message: str) -> InputFileError:
    return InputFileError([RowError(file, line, "", message)])


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
        return names_index({column: (column.name, *column.aliases) for column in self.columns})

    def find(self, header_cell: str) -> Column | None:
        return match_header(header_cell, self._by_key)

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
        """The column the mapping file names for `header_cell` (matched as `match_header` matches), "" when the
        file says to ignore it, None when it says nothing of it."""
        return match_header(header_cell, self.columns)


# What a mapping file writes as a column's target to have the column passed over.
IGNORE = "ignore"
# Articles and the like that a platform's wording adds or drops between versions ("Coste de artículo" and
# "Coste del artículo"): dropped from a header only where the result names one column.
_ARTICLES = frozenset(
    {
        "the",
        "a",
        "an",
        "of",
        "de",
        "del",
        "de la",
        "la",
        "el",
        "los",
        "las",
        "le",
        "les",
        "du",
        "des",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "do",
        "da",
        "dos",
        "di",
        "della",
        "dello",
        "il",
        "lo",
    }
)
_ARTICLE_WORDS = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(a) for a in _ARTICLES), key=len, reverse=True)) + r")\b"
)
_NOTE_IN_BRACKETS = re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]")


def _fold(text: str) -> str:
    """NFKC (full-width letters and punctuation as half-width), accents dropped, case folded."""
    normal = unicodedata.normalize("NFKC", text.replace("\ufeff", ""))
    decomposed = unicodedata.normalize("NFKD", normal)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFKC", bare).casefold()


def header_key(name: str) -> str:
    """A header cell as a person reads it: the same whatever its case, width (full-width `ＩＤ`), accents, spaces,
    '_' and '-'."""
    return _SEPARATORS.sub("", _fold(name))


def header_keys(name: str) -> list[str]:
    """The keys `name` may be known by, most exact first: the whole cell; without a note after a line break
    (`产品信息` + newline + `（双击…）`); without notes in brackets; without articles (`Coste de artículo`)."""
    folded = _fold(name)
    first_line = next((line for line in folded.splitlines() if line.strip()), "")
    unbracketed = _NOTE_IN_BRACKETS.sub(" ", first_line)
    bare = _ARTICLE_WORDS.sub(" ", unbracketed)
    keys: list[str] = []
    for text in (folded, first_line, unbracketed, bare):
        key = _SEPARATORS.sub("", text)
        if key and key not in keys:
            keys.append(key)
    return keys


def names_index(names: Mapping[T, Iterable[str]]) -> dict[str, T]:
    """Each key the names may be matched by (see `header_keys`), to the one thing it names; a key that two things'
    names share once their notes or articles are dropped names neither (ambiguous), while their exact keys stay."""
    exact: dict[str, T] = {}
    loose: dict[str, set[T]] = {}
    for thing, spellings in names.items():
        for spelling in spellings:
            keys = header_keys(spelling)
            exact.setdefault(keys[0], thing)
            for key in keys[1:]:
                loose.setdefault(key, set()).add(thing)
    found = dict(exact)
    for key, things in loose.items():
        if key not in found and len(things) == 1:
            found[key] = next(iter(things))
    return found


def match_header(header_cell: str, index: Mapping[str, T]) -> T | None:
    """What `header_cell` names in `index` (made by `names_index`, or keyed by `header_key`): its exact key first,
    then without its notes, then without articles; the one function every importer matches headers with."""
    for key in header_keys(header_cell):
        found = index.get(key)
        if found is not None:
            return found
    return None


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
    # Errors found beyond the first MAX_ERRORS: counted, not kept.
    more_errors: int = 0

    def error(self, line: int, column: str, message: str) -> None:
        if len(self.errors) >= MAX_ERRORS:
            self.more_errors += 1
            return
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
            if self.more_errors:
                ordered.append(
                    RowError(self.file, 0, "", f"… and {self.more_errors:,} more errors, not listed: fix these first")
                )
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
    # The header row's cells as the file writes them.
    header: list[str] = field(default_factory=list)


def read_table(
    path: Path, layout: Layout, mapping: ColumnMapping | None = None, limits: ReadLimits | None = None
) -> CsvTable:
    """Read `path` against `layout`; file-level problems (unreadable, not UTF-8, no header, beyond a limit) raise at
    once."""
    source = open_records(path, layout, mapping, limits)
    table = source.table
    by_index = {index: name for name, index in source.positions.items()}
    for line, cells in source.records:
        _add_row(table, by_index, source.width, line, cells)
    return table


def open_records(
    path: Path, layout: Layout, mapping: ColumnMapping | None = None, limits: ReadLimits | None = None
) -> RecordSource:
    """Open `path` (CSV, or an .xlsx workbook's first sheet) and match its header row against `layout`."""
    limits = limits or ReadLimits.default()
    table = CsvTable(file=path.name, layout=layout)
    data = _read_bytes(path, table.file, limits)
    workbook = data.startswith(b"PK\x03\x04")
    if workbook:
        records = _workbook_records(data, table.file, limits)
        estimated = 0
        has_nul = True  # XML cannot hold one, but a cell escaped as Excel escapes control characters might
    else:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls") and not data.startswith(tuple(_NOT_CSV)):
            raise _refuse(
                table.file,
                1,
                f"the file is named {path.suffix} but is not an Excel workbook (it is damaged, or not a spreadsheet "
                f"at all): open it in Excel and save it again as .xlsx, or as CSV UTF-8",
            )
        content = _decode(data, table.file)
        del data
        estimated = content.count("\n")
        has_nul = _NUL in content
        delimiter = "," if layout.strict else _delimiter(content)
        records = _limited(_records(content, table, delimiter), table.file, limits)
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
    if any(_NUL in cell for cell in header[1]):
        for index, cell in enumerate(header[1], start=1):
            if _NUL in cell:
                table.error(1, cell.replace(_NUL, "").strip(), f"header cell {index} {_HOLDS_NUL}")
        table.raise_if_errors()
    if has_nul:
        records = _without_nul(records, table, header[1])
    by_index = _match_header(header[1], table, mapping)
    positions = {name: index for index, name in by_index.items()}
    width = len(header[1])
    if workbook:
        # A sheet's row ends at its last filled cell: empty cells at the end are no sign of a row cut short.
        records = ((line, cells + [""] * (width - len(cells))) for line, cells in records)
    return RecordSource(table, positions, width, records, estimated, header[1])


def _read_bytes(path: Path, file: str, limits: ReadLimits) -> bytes:
    """The file's bytes, at most `limits.file_bytes` of them; a gzip-compressed file (`orders.csv.gz`) is read
    uncompressed, as a stream that stops at `limits.unpacked_bytes`."""
    too_large = (
        f"the file is larger than {_megabytes(limits.file_bytes)}, the most an import reads "
        f"(setting TRADEWIND_IMPORT_MAX_FILE_BYTES): split it, e.g. by month"
    )
    try:
        with path.open("rb") as handle:
            data = handle.read(limits.file_bytes + 1)
    except OSError as problem:
        raise _refuse(file, 0, f"cannot read the file: {problem.strerror or problem}") from None
    if len(data) > limits.file_bytes:
        raise _refuse(file, 0, too_large)
    if data.startswith(b"\x1f\x8b"):
        return _gunzip(data, file, limits)
    return data


def _gunzip(data: bytes, file: str, limits: ReadLimits) -> bytes:
    unpacked = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while chunk := stream.read(1024 * 1024):
                if unpacked.tell() + len(chunk) > limits.unpacked_bytes:
                    raise _refuse(
                        file,
                        0,
                        f"the compressed file unpacks to more than {_megabytes(limits.unpacked_bytes)}, the most an "
                        f"import reads (setting TRADEWIND_IMPORT_MAX_UNPACKED_BYTES): split it, e.g. by month",
                    )
                unpacked.write(chunk)
    except (OSError, EOFError, zlib.error) as problem:
        raise _refuse(file, 0, f"the compressed file is damaged: {problem}") from None
    return unpacked.getvalue()


def _limited(
    records: Iterator[tuple[int, list[str]]], file: str, limits: ReadLimits
) -> Iterator[tuple[int, list[str]]]:
    """The records, refusing the file at the first one beyond `limits.rows` or wider than `limits.columns`."""
    for count, (line, cells) in enumerate(records, start=1):
        _check_size(file, line, count, len(cells), limits)
        yield line, cells


def _without_nul(
    records: Iterator[tuple[int, list[str]]], table: CsvTable, header: list[str]
) -> Iterator[tuple[int, list[str]]]:
    """The records without a NUL character; each one that holds one is an error naming its column, and is passed
    over so that no importer ever sees it."""
    for line, cells in records:
        bad = [index for index, cell in enumerate(cells) if _NUL in cell]
        if not bad:
            yield line, cells
            continue
        for index in bad:
            column = header[index].strip() if index < len(header) else f"column {index + 1}"
            table.error(line, column, f"the value {_HOLDS_NUL}")


def _check_size(file: str, line: int, rows: int, width: int, limits: ReadLimits) -> None:
    if rows > limits.rows + 1:  # the header, then at most `limits.rows` records
        raise _refuse(
            file,
            line,
            f"the file has more than {limits.rows:,} rows, the most an import reads "
            f"(setting TRADEWIND_IMPORT_MAX_ROWS): split it, e.g. by month",
        )
    if width > limits.columns:
        raise _refuse(
            file,
            line,
            f"the row has {width:,} cells; an import reads at most {limits.columns:,} columns "
            f"(setting TRADEWIND_IMPORT_MAX_COLUMNS): is this the right file?",
        )


def _delimiter(content: str) -> str:
    """Commas, or the semicolons (European spreadsheets) or tabs that the header row uses instead."""
    first = content.split("\n", 1)[0]
    counts = {separator: first.count(separator) for separator in (",", ";", "\t")}
    return max(counts, key=lambda separator: (counts[separator], separator == ","))


def _workbook_records(data: bytes, file: str, limits: ReadLimits) -> Iterator[tuple[int, list[str]]]:
    """The rows of a workbook's first sheet as text cells, numbered as Excel numbers them.

    The sheet's real cells are read, not the range it declares (`<dimension ref="A1:XFD1048576">` would make every
    row 16,384 cells wide); the zip's parts may unpack to at most `limits.unpacked_bytes` together."""
    import openpyxl  # only when a workbook is read

    unreadable = (
        "this is an Excel workbook (.xlsx) or another zip file that cannot be read ({problem}): "
        "save it again from Excel as .xlsx, or as CSV UTF-8"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as problem:
        raise _refuse(file, 1, unreadable.format(problem=problem)) from None
    if unpacked > limits.unpacked_bytes:
        raise _refuse(
            file,
            1,
            f"the workbook unpacks to {_megabytes(unpacked)}, more than the {_megabytes(limits.unpacked_bytes)} an "
            f"import reads (setting TRADEWIND_IMPORT_MAX_UNPACKED_BYTES): save the sheet as CSV UTF-8, or split it",
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as problem:  # openpyxl raises many kinds for a damaged or foreign zip
        raise _refuse(file, 1, unreadable.format(problem=problem)) from None
    if hasattr(sheet, "reset_dimensions"):  # a read-only sheet: read its cells, not its declared range
        sheet.reset_dimensions()

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 0
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if not values:
                    continue  # a row the sheet does not hold (openpyxl fills the gaps between real rows)
                if number > limits.rows + 1:
                    raise _refuse(
                        file,
                        number,
                        f"the sheet has a cell on row {number:,}; an import reads at most {limits.rows:,} rows "
                        f"(setting TRADEWIND_IMPORT_MAX_ROWS): delete what lies below the table, or split it",
                    )
                _check_size(file, number, 0, len(values), limits)
                cells = [cell_text(value) for value in values]
                while cells and not cells[-1]:
                    cells.pop()
                if any(cell.strip() for cell in cells):
                    yield number, cells
        except InputFileError:
            raise
        except Exception as problem:  # a damaged part shows only as its rows are read
            raise _refuse(file, number + 1, unreadable.format(problem=problem)) from None
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
    3,755 common characters (GB2312 level 1, lead bytes 0xB0-0xD7), Russian lower case falls beyond them.

    Western European text (Latin-1, Windows-1252) has its accented letters one at a time inside words of plain
    letters ("café", "Müller"), where Cyrillic and Chinese have words made wholly of bytes beyond ASCII."""
    if _looks_latin(data):
        return "it looks like Latin-1 or Windows-1252 (Western European)"
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


def _looks_latin(data: bytes) -> bool:
    """Most bytes beyond ASCII stand alone next to an ASCII letter, as accented letters in Latin-1 words do."""
    high = alone = 0
    for index, byte in enumerate(data):
        if byte < 0x80:
            continue
        high += 1
        before = data[index - 1] if index > 0 else 0x20
        after = data[index + 1] if index + 1 < len(data) else 0x20
        if (before < 0x80 and after < 0x80) and (chr(before).isalpha() or chr(after).isalpha()):
            alone += 1
        if high >= 10_000:
            break
    return high > 0 and alone / high > 0.5


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
        if mapped == "":
            continue  # the mapping file says to pass over this column
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


class RepeatedRows:
    """Rows a file holds twice, word for word (every cell the same, spaces around them aside).

    Kept as a hash of each row, so that a file of a million rows costs a few dozen megabytes, not a copy of it.
    """

    def __init__(self) -> None:
        self._first: dict[int, int] = {}

    def first_line(self, line: int, cells: Iterable[str]) -> int | None:
        """The line the same row was first on, or None the first time it is seen."""
        first = self._first.setdefault(hash(tuple(cell.strip() for cell in cells)), line)
        return None if first == line else first


def repeated_row_error(first: int) -> str:
    return (
        f"this row repeats line {first} word for word, which would count its order line twice: delete one of "
        f"them (if the order really has two such lines, tell them apart, e.g. by a line column)"
    )


def iter_rows(source: RecordSource, *, once: bool = False) -> Iterator[Row]:
    """The source's records as `Row`s; rows cut short or too long are recorded as errors and passed over; with
    `once`, so is a row that repeats an earlier one word for word (an error naming both lines)."""
    by_index = {index: name for name, index in source.positions.items()}
    repeated = RepeatedRows() if once else None
    for line, cells in source.records:
        if repeated is not None:
            first = repeated.first_line(line, cells)
            if first is not None:
                source.table.error(line, "", repeated_row_error(first))
                continue
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
            return Row(line, {name: collapse_repeats(cells[index]) for index, name in positions.items()})
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
    if not table.layout.strict:
        return Row(line, {name: collapse_repeats(cells[index]) for index, name in positions.items()})
    return Row(line, {name: cells[index].strip() for index, name in positions.items()})


def collapse_repeats(cell: str) -> str:
    """The stripped cell; a platform's per-order cell that repeats one value once per item, one per line
    (AliExpress's 买家选择物流), is that value."""
    text = cell.strip()
    if "\n" not in text:
        return text
    lines = {part.strip() for part in text.splitlines()}
    lines.discard("")
    return lines.pop() if len(lines) == 1 else text
