"""Daily demand for every SKU over the year: fast movers, slow movers and intermittent (sparse, lumpy) niche
models; middle sizes sell more; weekly rhythm, seasons by category, the big sale days and a growing shop."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from tradewind.demo.catalog import LAUNCHED_DAYS_AGO, MODELS, Catalog

ORDER_LINES_PER_SCALE = 10_000
# Peak day of the year and swing of each category's season (northern hemisphere: most buyers live there).
SEASONS = {
    "boots": (10, 0.75),
    "slippers": (15, 0.5),
    "sandals": (185, 0.85),
    "heels": (130, 0.2),
    "sneakers": (100, 0.15),
    "loafers": (120, 0.15),
    "flats": (150, 0.2),
    "formal": (140, 0.2),
}
WEEKDAY = np.array([1.05, 1.0, 0.97, 0.95, 0.9, 0.98, 1.15])  # Monday .. Sunday


@dataclass(frozen=True)
class DemandLines:
    """Order lines as parallel arrays: the day (0 = first day of the history), the SKU and the pairs."""

    day: NDArray[np.int64]
    sku: NDArray[np.int64]
    quantity: NDArray[np.int64]


def _sale_days(first_day: date, n_days: int) -> NDArray[np.float64]:
    """Lift on AliExpress's big days: 11.11, Black Friday, the anniversary sale in late March."""
    lift = np.ones(n_days)
    for offset in range(n_days):
        day = first_day + timedelta(days=offset)
        if (day.month, day.day) == (11, 11):
            lift[offset] = 3.0
        elif (day.month, day.day) in ((11, 10), (11, 12)):
            lift[offset] = 1.6
        elif day.month == 11 and day.weekday() == 4 and 22 <= day.day <= 28:
            lift[offset] = 1.5
        elif day.month == 3 and 26 <= day.day <= 28:
            lift[offset] = 1.7
    return lift


def daily_rates(catalog: Catalog, first_day: date, n_days: int, scale: int) -> NDArray[np.float64]:
    """Expected order lines per day (rows) and SKU (columns), summing to ~10,000 × scale over the year."""
    days = [first_day + timedelta(days=i) for i in range(n_days)]
    day_of_year = np.array([d.timetuple().tm_yday for d in days], dtype=np.float64)
    weekday = WEEKDAY[np.array([d.weekday() for d in days])]
    trend = np.linspace(0.75, 1.25, n_days)
    common = weekday * trend * _sale_days(first_day, n_days)
    base = catalog.model_appeal[catalog.sku_model] * catalog.sku_size_share * catalog.sku_colour_share
    rates = np.empty((n_days, catalog.size))
    categories = np.array([catalog.model_of(s).category for s in range(catalog.size)])
    for category in sorted(set(categories.tolist())):
        peak, swing = SEASONS[category]
        season = np.clip(1 + swing * np.cos(2 * math.pi * (day_of_year - peak) / 365.25), 0.15, None)
        columns = np.flatnonzero(categories == category)
        rates[:, columns] = np.outer(common * season, base[columns])
    model_in_range = catalog.sku_model % len(MODELS)
    for model, days_ago in LAUNCHED_DAYS_AGO.items():
        rates[: max(0, n_days - days_ago), model_in_range == model] = 0.0
    scaled: NDArray[np.float64] = rates * (ORDER_LINES_PER_SCALE * scale / rates.sum())
    return scaled


def generate_demand(
    rng: np.random.Generator, catalog: Catalog, first_day: date, n_days: int, scale: int
) -> DemandLines:
    """Draw the order lines: Poisson days with weekly ups and downs; niche SKUs in rare bursts of several pairs."""
    rates = daily_rates(catalog, first_day, n_days, scale)
    niche = np.array([catalog.model_of(s).appeal == "niche" for s in range(catalog.size)])
    # Week-to-week swings: mild for regular SKUs, on/off for the niche ones (shape < 1 gives many quiet weeks).
    weeks = n_days // 7 + 1
    shape = np.where(niche, 0.35, 6.0)
    swing = rng.gamma(shape, 1.0 / shape, size=(weeks, catalog.size))
    rates = rates * np.repeat(swing, 7, axis=0)[:n_days]
    counts = rng.poisson(rates)
    day, sku = np.nonzero(counts)
    repeats = counts[day, sku]
    day = np.repeat(day, repeats).astype(np.int64)
    sku = np.repeat(sku, repeats).astype(np.int64)
    regular_quantity = rng.choice(np.array([1, 2, 3]), size=len(sku), p=[0.9, 0.08, 0.02])
    lumpy_quantity = 1 + rng.poisson(1.4, size=len(sku))
    quantity = np.where(niche[sku], lumpy_quantity, regular_quantity).astype(np.int64)
    return DemandLines(day=day, sku=sku, quantity=quantity)
