"""Demand history: read and validate a `sku,date,units` file, and lay it on a calendar of periods.

A history file has one row per SKU and day with the units demanded that day. A day with no row is a day
with zero demand. Every problem is reported with the file, the line and the column, so that a seller can
fix it in a spreadsheet. Also here: the importer for the UCI "Online Retail" transactions and a
deterministic generator of intermittent monthly demand, both used by the backtest and the benchmarks.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from tradewind.errors import InputFileError, RowError

Freq = Literal["D", "W", "M"]
REQUIRED_COLUMNS = ("sku", "date", "units")
NOT_PRODUCTS = frozenset({"POST", "DOT", "M", "BANK CHARGES", "AMAZONFEE", "C2", "D", "CRUK", "S", "B", "PADS"})


class HistoryFileError(InputFileError):
    """A history file that cannot be read, located at a line (1 = the header) and a column."""

    def __init__(self, file: str, line: int, column: str, message: str) -> None:
        super().__init__([RowError(file, line, column, message)])
        self.file = file
        self.line = line
        self.column = column
        self.reason = message


@dataclass(frozen=True)
class History:
    """Units demanded per SKU and day, stored sparsely: one entry per SKU-day with a row in the file."""

    skus: tuple[str, ...]
    first_day: date
    last_day: date
    sku_index: NDArray[np.int64]
    day_index: NDArray[np.int64]
    units: NDArray[np.float64]

    @property
    def n_days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def period_starts(self, freq: Freq) -> list[date]:
        """The first day of every period from the history's first to its last date."""
        return period_calendar(self.first_day, self.last_day, freq)

    def demand(self, freq: Freq) -> NDArray[np.float64]:
        """Dense demand matrix (n_skus, n_periods) on the calendar of `freq`; missing periods are zero."""
        starts = self.period_starts(freq)
        days = self.day_index
        period = period_of_day(self.first_day, days, freq)
        matrix = np.zeros((len(self.skus), len(starts)), dtype=np.float64)
        np.add.at(matrix, (self.sku_index, period), self.units)
        return matrix


def period_calendar(first: date, last: date, freq: Freq) -> list[date]:
    """Every period start (day, ISO week's Monday, or month's first day) covering first..last."""
    if freq == "D":
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if freq == "W":
        monday = first - timedelta(days=first.weekday())
        return [monday + timedelta(weeks=i) for i in range((last - monday).days // 7 + 1)]
    if freq == "M":
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        return [_add_months(first.replace(day=1), i) for i in range(months)]
    raise ValueError(f"unknown frequency {freq!r}: use D, W or M")


def period_of_day(first: date, day_index: NDArray[np.int64], freq: Freq) -> NDArray[np.int64]:
    """Period number of each day (days counted from `first`) on the calendar of `freq`."""
    if freq == "D":
        return day_index.astype(np.int64)
    if freq == "W":
        return ((day_index + first.weekday()) // 7).astype(np.int64)
    if freq == "M":
        ordinals = day_index.astype("timedelta64[D]") + np.datetime64(first.isoformat(), "D")
        months = ordinals.astype("datetime64[M]").astype(np.int64)
        return (months - np.datetime64(first.isoformat(), "M").astype(np.int64)).astype(np.int64)
    raise ValueError(f"unknown frequency {freq!r}: use D, W or M")


def _add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1)


def read_history_csv(path: str | Path) -> History:
    """Read and validate a `sku,date,units` file (optionally gzip-compressed)."""
    name = str(path)
    with _open_text(Path(path)) as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        columns = _check_header(name, header)
        return _collect(name, _parse_rows(name, reader, columns))


def _open_text(path: Path) -> io.TextIOWrapper:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8-sig", newline="")


def _check_header(name: str, header: list[str] | None) -> dict[str, int]:
    if header is None:
        raise HistoryFileError(name, 1, "sku", "the file is empty: expected a header sku,date,units")
    cleaned = [cell.strip().lower() for cell in header]
    for column in REQUIRED_COLUMNS:
        if column not in cleaned:
            raise HistoryFileError(name, 1, column, f"missing column {column!r}: expected sku,date,units")
    return {column: cleaned.index(column) for column in REQUIRED_COLUMNS}


def _parse_rows(
    name: str, reader: Iterator[list[str]], columns: dict[str, int]
) -> Iterator[tuple[int, str, date, float]]:
    width = max(columns.values()) + 1
    for line, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) < width:
            missing = next(c for c, i in columns.items() if i >= len(row))
            raise HistoryFileError(name, line, missing, "the row has too few cells")
        sku = row[columns["sku"]].strip()
        if not sku:
            raise HistoryFileError(name, line, "sku", "the SKU is empty")
        day = _parse_date(name, line, row[columns["date"]].strip())
        units = _parse_units(name, line, row[columns["units"]].strip())
        yield line, sku, day, units


def _parse_date(name: str, line: int, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HistoryFileError(name, line, "date", f"{text!r} is not a date in the form YYYY-MM-DD") from None


def _parse_units(name: str, line: int, text: str) -> float:
    try:
        units = float(text)
    except ValueError:
        raise HistoryFileError(name, line, "units", f"{text!r} is not a number of units") from None
    if not math.isfinite(units):
        raise HistoryFileError(name, line, "units", f"{text!r} is not a finite number of units")
    if units < 0:
        raise HistoryFileError(name, line, "units", f"{text!r} is negative: units demanded cannot be below 0")
    return units


def _collect(name: str, rows: Iterator[tuple[int, str, date, float]]) -> History:
    seen: dict[tuple[str, date], int] = {}
    entries: dict[tuple[str, date], float] = {}
    for line, sku, day, units in rows:
        key = (sku, day)
        if key in seen:
            raise HistoryFileError(
                name,
                line,
                "date",
                f"duplicate row for SKU {sku!r} on {day.isoformat()} (first on line {seen[key]})",
            )
        seen[key] = line
        entries[key] = units
    if not entries:
        raise HistoryFileError(name, 2, "sku", "the file has a header but no rows")
    return history_from_entries(entries)


def history_from_entries(entries: dict[tuple[str, date], float]) -> History:
    """Build a History from {(sku, day): units}; SKUs are kept in sorted order."""
    skus = tuple(sorted({sku for sku, _ in entries}))
    position = {sku: i for i, sku in enumerate(skus)}
    first = min(day for _, day in entries)
    last = max(day for _, day in entries)
    sku_index = np.fromiter((position[s] for s, _ in entries), dtype=np.int64, count=len(entries))
    day_index = np.fromiter(((d - first).days for _, d in entries), dtype=np.int64, count=len(entries))
    units = np.fromiter(entries.values(), dtype=np.float64, count=len(entries))
    return History(skus, first, last, sku_index, day_index, units)


def load_online_retail(path: str | Path) -> History:
    """Daily product demand from the UCI "Online Retail" invoice lines (Chen, Sain & Guo, 2012).

    Quantities are summed per StockCode and day including the cancellation lines (an order cancelled the
    same day is no demand); days with a positive total are kept; postage, fees and gift vouchers are left out.
    """
    totals: dict[tuple[str, date], float] = {}
    with _open_text(Path(path)) as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            code = row["StockCode"].strip()
            if code.upper() in NOT_PRODUCTS or code.lower().startswith("gift_"):
                continue
            key = (code, date.fromisoformat(row["InvoiceDate"][:10]))
            totals[key] = totals.get(key, 0.0) + float(row["Quantity"])
    return history_from_entries({key: units for key, units in totals.items() if units > 0})


def load_online_retail_netted(path: str | Path) -> History:
    """Daily product demand from the UCI "Online Retail" invoice lines, each cancellation netted against the sale
    it cancels: a `C` invoice line takes its units off the same customer's latest purchases of the same stock code
    at or before it (lines without a customer count as one anonymous customer); what finds no earlier sale (bought
    before the data starts) is dropped. Other negative lines (stock adjustments) are no demand. Postage, fees and
    gift vouchers are left out; days with a positive total are kept."""
    bought: dict[tuple[str, str], list[list[Any]]] = {}  # (code, customer) → [[day, units], …] in time order
    with _open_text(Path(path)) as handle:
        for row in csv.DictReader(handle):
            code = row["StockCode"].strip()
            if code.upper() in NOT_PRODUCTS or code.lower().startswith("gift_"):
                continue
            units = float(row["Quantity"])
            key = (code, row["CustomerID"].strip())
            if units > 0 and not row["InvoiceNo"].startswith("C"):
                bought.setdefault(key, []).append([date.fromisoformat(row["InvoiceDate"][:10]), units])
            elif units < 0 and row["InvoiceNo"].startswith("C"):
                _cancel(bought.get(key, []), -units)
    totals: dict[tuple[str, date], float] = {}
    for (code, _), sales in bought.items():
        for day, units in sales:
            if units > 0:
                totals[(code, day)] = totals.get((code, day), 0.0) + units
    return history_from_entries(totals)


def _cancel(sales: list[list[Any]], units: float) -> None:
    """Take `units` off the latest sales first (the list holds only sales before the cancellation)."""
    for sale in reversed(sales):
        if units <= 0:
            return
        taken = min(sale[1], units)
        sale[1] -= taken
        units -= taken


def synthetic_intermittent_history(n_skus: int = 2600, n_months: int = 51, seed: int = 7) -> History:
    """Deterministic intermittent monthly demand resembling spare-parts sales (~75% zero months).

    Modelled on the car-parts series of Hyndman et al., "Forecasting with Exponential Smoothing" (2008):
    each SKU has a demand probability per month (a beta mixture, with a slow trend for 30% of SKUs);
    sizes are 1 + Poisson for three SKUs in four (intermittent, CV² < 0.49) and 1 + negative binomial with a
    larger mean for the rest (lumpy), i.e. a compound-Bernoulli demand process.
    """
    rng = np.random.default_rng(seed)
    months = np.arange(n_months, dtype=np.float64)
    probability = rng.beta(0.8, 2.4, size=n_skus)
    trend = np.where(rng.random(n_skus) < 0.3, rng.normal(0.0, 0.03, size=n_skus), 0.0)
    path = np.clip(probability[:, None] * np.exp(trend[:, None] * (months - n_months / 2)), 0.0, 0.95)
    occurs = rng.random((n_skus, n_months)) < path
    lumpy = rng.random(n_skus) < 0.25
    mean_extra = np.exp(rng.normal(-0.3, 0.8, size=n_skus)) * np.where(lumpy, 3.0, 1.0)
    dispersion = rng.gamma(2.0, 0.6, size=n_skus)
    success = dispersion / (dispersion + mean_extra)
    poisson_sizes = rng.poisson(mean_extra[:, None], size=(n_skus, n_months))
    lumpy_sizes = rng.negative_binomial(dispersion[:, None], success[:, None], size=(n_skus, n_months))
    sizes = 1 + np.where(lumpy[:, None], lumpy_sizes, poisson_sizes)
    units = np.where(occurs, sizes, 0).astype(np.float64)
    first = date(2000, 1, 1)
    entries = {
        (f"P{i:05d}", _add_months(first, m)): float(units[i, m]) for i, m in zip(*np.nonzero(units), strict=True)
    }
    return history_from_entries(entries)
