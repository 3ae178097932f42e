"""Reading the files `tradewind transit estimate` takes: shipments (shipment_id, origin, destination, method,
shipped_at, delivered_at — empty delivered_at: not delivered yet) and, optionally, buyers' reviews that name the
method and the days it took (destination, method, days, reviewed_on, origin). Every problem is collected with
its line and column and raised at once as `InputFileError`.

An origin or destination is a country (ISO 3166-1: `BR`, `Brazil`) or a state or province (ISO 3166-2: `BR-SP`).
The estimate only reads the file, so a few impossible rows (delivered before they were handed over: a real
marketplace export has 3 in 1,400) are left out and listed in `ShipmentsFile.skipped` rather than refusing the whole
file; importing shipments into the shop still refuses them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pycountry

from tradewind.errors import InputFileError, RowError
from tradewind.logistics.transit.lanes import TransitObservations, reviews_as_observations
from tradewind.logistics.transit.regions import subdivision_code

SHIPMENT_COLUMNS = ("shipment_id", "origin", "destination", "method", "shipped_at", "delivered_at")
REVIEW_COLUMNS = ("destination", "method", "days", "reviewed_on", "origin")
_NOISE = re.compile(r"[\s_\-]+")


@lru_cache(maxsize=4096)
def _country(text: str) -> str | None:
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


def _place(text: str) -> str | None:
    """A country's alpha-2 code, or a state's or province's ISO 3166-2 code; None where it is neither."""
    return _country(text) or subdivision_code(text)


class ShipmentsFile(NamedTuple):
    """The shipments a file gives, and the impossible rows left out of them (each with its line and why)."""

    observations: TransitObservations
    skipped: tuple[RowError, ...]
    rows: int


@lru_cache(maxsize=65536)
def _moment(text: str) -> datetime | None:
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class _Table:
    def __init__(self, data: bytes, file: str, columns: tuple[str, ...], required: tuple[str, ...]) -> None:
        self.file = file
        self.errors: list[RowError] = []
        self.rows: list[tuple[int, dict[str, str]]] = []
        try:
            text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError as problem:
            self.error(data.count(b"\n", 0, problem.start) + 1, "", "the file is not UTF-8 text: save it as UTF-8")
            return
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader, None)
        if header is None:
            self.error(1, "", f"the file is empty: the first line must name the columns ({', '.join(columns)})")
            return
        keys = {_NOISE.sub("", name): name for name in columns}
        positions = {}
        for index, cell in enumerate(header):
            name = keys.get(_NOISE.sub("", cell.replace("\ufeff", "")).lower())
            if name is not None:
                positions[name] = index
        for name in required:
            if name not in positions:
                self.error(1, name, f"the column {name} is missing (the header has {', '.join(header)})")
        if self.errors:
            return
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as problem:
                self.error(line, "", f"this line is not valid CSV ({problem})")
                break
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) < len(header):
                self.error(line, "", f"the row has {len(cells)} values but the header has {len(header)} columns")
                continue
            self.rows.append((line, {name: cells[index].strip() for name, index in positions.items()}))

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(self.file, line, column, message))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise InputFileError(self.errors)


def read_shipments_csv(path: Path) -> ShipmentsFile:
    """The shipments file as observations, with the impossible rows left out and named; `InputFileError` with every
    bad cell."""
    table = _Table(_read(path), path.name, SHIPMENT_COLUMNS, ("origin", "destination", "method", "shipped_at"))
    table.raise_if_errors()
    origins, destinations, methods = [], [], []
    shipped = np.empty(len(table.rows))
    delivered = np.full(len(table.rows), np.nan)
    kept = np.ones(len(table.rows), dtype=bool)
    skipped: list[RowError] = []
    for i, (line, row) in enumerate(table.rows):
        origin = _required_country(table, line, row, "origin")
        destination = _required_country(table, line, row, "destination")
        method = row.get("method", "")
        if not method:
            table.error(line, "method", "method is required")
        start = _required_moment(table, line, row, "shipped_at")
        end = None
        if row.get("delivered_at"):
            end = _moment(row["delivered_at"])
            if end is None:
                table.error(line, "delivered_at", _moment_problem(row["delivered_at"]))
            elif start is not None and end < start:
                kept[i] = False
                skipped.append(
                    RowError(
                        path.name,
                        line,
                        "delivered_at",
                        f"delivered {row['delivered_at']} before it was shipped ({row['shipped_at']}): left out",
                    )
                )
        origins.append(origin or "")
        destinations.append(destination or "")
        methods.append(method)
        shipped[i] = start.timestamp() if start else 0.0
        if end is not None:
            delivered[i] = end.timestamp()
    table.raise_if_errors()
    if not table.rows:
        raise InputFileError([RowError(path.name, 2, "", "the file has a header but no shipments")])
    if not kept.any():
        raise InputFileError(
            [
                *skipped,
                RowError(
                    path.name, 2, "", "every shipment was delivered before it was shipped: are the columns swapped?"
                ),
            ]
        )
    observations = TransitObservations.from_columns(
        [o for o, keep in zip(origins, kept, strict=True) if keep],
        [d for d, keep in zip(destinations, kept, strict=True) if keep],
        [m for m, keep in zip(methods, kept, strict=True) if keep],
        shipped[kept],
        delivered[kept],
    )
    return ShipmentsFile(observations, tuple(skipped), len(table.rows))


def read_reviews_csv(path: Path, *, review_weight: float, default_origin: str = "CN") -> TransitObservations:
    """Reviews naming the method and the days it took, as weak delivered observations."""
    table = _Table(_read(path), path.name, REVIEW_COLUMNS, ("destination", "method", "days", "reviewed_on"))
    table.raise_if_errors()
    rows: list[tuple[str, str, str, date, int]] = []
    for line, row in table.rows:
        destination = _required_country(table, line, row, "destination")
        origin = _place(row["origin"]) if row.get("origin") else default_origin
        if origin is None:
            table.error(line, "origin", f"unknown country {row['origin']!r}")
        days = _whole(table, line, row, "days")
        reviewed = _required_moment(table, line, row, "reviewed_on")
        if not row.get("method"):
            table.error(line, "method", "method is required")
        if destination and origin and days is not None and reviewed is not None and row.get("method"):
            rows.append((origin, destination, row["method"], reviewed.date(), days))
    table.raise_if_errors()
    return reviews_as_observations(rows, review_weight=review_weight)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as problem:
        raise InputFileError([RowError(path.name, 0, "", f"cannot read the file: {problem.strerror}")]) from None


def _required_country(table: _Table, line: int, row: dict[str, str], column: str) -> str | None:
    value = row.get(column, "")
    if not value:
        table.error(line, column, f"{column} is required")
        return None
    found = _place(value)
    if found is None:
        table.error(
            line,
            column,
            f"unknown country or region {value!r}: use an ISO code such as CN, RU, ES, or a state's such as BR-SP",
        )
    return found


def _required_moment(table: _Table, line: int, row: dict[str, str], column: str) -> datetime | None:
    value = row.get(column, "")
    if not value:
        table.error(line, column, f"{column} is required")
        return None
    found = _moment(value)
    if found is None:
        table.error(line, column, _moment_problem(value))
    return found


def _moment_problem(value: str) -> str:
    return f"{value!r} is not a date: write 2024-03-31 or 2024-03-31T14:05:00+08:00"


def _whole(table: _Table, line: int, row: dict[str, str], column: str) -> int | None:
    value = row.get(column, "")
    parse: Callable[[str], int] = int
    try:
        number = parse(value)
    except ValueError:
        table.error(line, column, f"{column} must be a whole number of days, not {value!r}")
        return None
    if not 0 <= number <= 365:
        table.error(line, column, f"{column} must be between 0 and 365, not {number}")
        return None
    return number
