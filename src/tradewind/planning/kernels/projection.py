"""The projected stock path day by day, with inbound purchase orders, and the dates that follow from it.

Expected demand is taken at the daily rate; stock cannot go below zero (sales that cannot be served are
lost). The stockout day is the first day whose expected demand the stock cannot cover; the order-by day is
that day minus the lead time at its 90th percentile (an order placed later probably arrives too late).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class StockProjection:
    """End-of-day projected stock (n_skus, horizon), first stockout day and last order day (NaN = none)."""

    stock: FloatArray
    stockout_day: FloatArray
    order_by_day: FloatArray


def project_stock(
    on_hand: FloatArray,
    inbound: FloatArray,
    demand_per_day: FloatArray,
    lead_time_p90: FloatArray,
) -> StockProjection:
    """Project stock over the horizon of `inbound` (n_skus, horizon); day 0 is tomorrow."""
    n_skus, horizon = inbound.shape
    stock = np.empty((n_skus, horizon))
    stockout = np.full(n_skus, np.nan)
    level = np.asarray(on_hand, np.float64).copy()
    for day in range(horizon):
        available = level + inbound[:, day]
        short = (available < demand_per_day - 1e-9) & np.isnan(stockout)
        stockout[short] = day
        level = np.maximum(available - demand_per_day, 0.0)
        stock[:, day] = level
    order_by = stockout - np.ceil(np.asarray(lead_time_p90, np.float64))
    return StockProjection(stock, stockout, order_by)
