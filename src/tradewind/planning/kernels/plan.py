"""The replenishment plan for a whole catalogue in one call: demand, safety stock, quantities, dates.

`plan` is the single entry point used by the service and `tradewind plan`; `replenishment_levels` is the part
that turns a demand estimate into stock levels, shared with the backtest so that both apply the same policy.
Everything is computed per SKU independently, so splitting the SKU axis into partitions and concatenating the
results gives the same arrays (the service maps `plan` over Dask partitions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tradewind.planning.kernels.demand import DemandEstimate, DemandSettings, estimate_demand
from tradewind.planning.kernels.methods import METHOD_NAMES
from tradewind.planning.kernels.policy import (
    cap_by_cover,
    cycle_level_for_fill_rate,
    demand_quantile,
    fit_order_to_cover,
    lead_time_sigma,
    protection_periods,
)
from tradewind.planning.kernels.projection import project_stock

FloatArray = NDArray[np.float64]
ServiceMeasure = Literal["cycle", "fill_rate"]


@dataclass(frozen=True)
class PlanResult:
    """Per-SKU plan; quantities in units, rates per day, days counted from tomorrow (0) and NaN = none."""

    method: NDArray[np.int8]
    demand_per_day: FloatArray
    demand_sigma: FloatArray
    safety_stock: FloatArray
    reorder_point: FloatArray
    order_up_to: FloatArray
    suggested_quantity: FloatArray
    days_of_cover: FloatArray
    stockout_day: FloatArray
    order_by_day: FloatArray
    # Units the MOQ or pack size would force beyond the cover cap; not ordered, left to the seller (0 = none).
    moq_choice_quantity: FloatArray

    @property
    def method_name(self) -> list[str]:
        return [METHOD_NAMES[int(code)] for code in self.method]


@dataclass(frozen=True)
class Levels:
    """Stock levels for a demand estimate; arrays broadcast like the inputs."""

    safety_stock: FloatArray
    reorder_point: FloatArray
    order_up_to: FloatArray


def _per_sku(value: ArrayLike, n_skus: int, name: str) -> FloatArray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return np.full(n_skus, float(array))
    if array.shape != (n_skus,):
        raise ValueError(f"{name} must be a scalar or have shape ({n_skus},), got {array.shape}")
    return array


def replenishment_levels(
    estimate: DemandEstimate,
    lead_time_mean: FloatArray,
    lead_time_p90: FloatArray,
    review_period: FloatArray,
    service_level: FloatArray,
    service_measure: ServiceMeasure = "cycle",
    max_cover_days: FloatArray | float = np.inf,
) -> Levels:
    """Reorder point and order-up-to level at the target service level (see kernels.policy)."""
    rate, variance, probability = estimate.rate, estimate.error_variance, estimate.demand_probability
    spread = lead_time_sigma(lead_time_mean, lead_time_p90)
    cover = protection_periods(lead_time_mean, review_period)
    lead = protection_periods(lead_time_mean, np.ones_like(np.asarray(review_period, np.float64)))
    level = np.asarray(service_level, np.float64)
    if service_measure == "fill_rate":
        level = cycle_level_for_fill_rate(level, rate, variance, cover, review_period)
    order_up_to = cap_by_cover(
        demand_quantile(level, rate, variance, probability, cover, spread), rate, np.asarray(max_cover_days, np.float64)
    )
    reorder_point = np.minimum(demand_quantile(level, rate, variance, probability, lead, spread), order_up_to)
    return Levels(order_up_to - rate * cover, reorder_point, order_up_to)


def plan(
    history: FloatArray,
    in_stock: NDArray[np.bool_] | None,
    on_hand: ArrayLike,
    inbound: FloatArray,
    lead_time_mean: ArrayLike,
    lead_time_p90: ArrayLike,
    service_level: ArrayLike,
    moq: ArrayLike = 0.0,
    pack_size: ArrayLike = 1.0,
    max_cover_days: ArrayLike = np.inf,
    review_period: ArrayLike = 1.0,
    *,
    service_measure: ServiceMeasure = "cycle",
    season_length: int = 7,
    settings: DemandSettings | None = None,
    estimate: DemandEstimate | None = None,
) -> PlanResult:
    """Plan every SKU of `history` (n_skus, n_days of units sold, oldest first; NaN = unknown).

    `in_stock` marks the days each SKU could be sold (None: always); `inbound` (n_skus, horizon) holds the
    units arriving each day from tomorrow on. Per-SKU settings may be scalars. Lead times are in days: an order
    placed today arrives at the start of day `lead_time_mean` (counting today as 0). `estimate`: the demand
    estimate of this history, mask, settings and season length when the caller has it (a stored one), else computed.
    """
    history = np.asarray(history, dtype=np.float64)
    n_skus = history.shape[0]
    inbound = np.asarray(inbound, dtype=np.float64).reshape(n_skus, -1)
    lt_mean = _per_sku(lead_time_mean, n_skus, "lead_time_mean")
    lt_p90 = np.maximum(_per_sku(lead_time_p90, n_skus, "lead_time_p90"), lt_mean)
    review = _per_sku(review_period, n_skus, "review_period")
    stock = _per_sku(on_hand, n_skus, "on_hand")
    if estimate is None:
        estimate = estimate_demand(history, in_stock, settings, season_length)
    elif estimate.rate.shape != (n_skus,):
        raise ValueError(f"the estimate has {estimate.rate.shape} rates for {n_skus} SKUs")
    levels = replenishment_levels(
        estimate,
        lt_mean,
        lt_p90,
        review,
        _per_sku(service_level, n_skus, "service_level"),
        service_measure,
        _per_sku(max_cover_days, n_skus, "max_cover_days"),
    )
    position = stock + inbound.sum(axis=1)
    wanted = np.where(position <= levels.reorder_point, levels.order_up_to - position, 0.0)
    rate = estimate.rate
    quantity, choice = fit_order_to_cover(
        wanted,
        position,
        rate,
        _per_sku(moq, n_skus, "moq"),
        _per_sku(pack_size, n_skus, "pack_size"),
        _per_sku(max_cover_days, n_skus, "max_cover_days"),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(rate > 0, stock / np.where(rate > 0, rate, 1.0), np.inf)
    projection = project_stock(stock, inbound, rate, lt_p90)
    return PlanResult(
        method=estimate.method,
        demand_per_day=rate,
        demand_sigma=np.sqrt(estimate.error_variance),
        safety_stock=levels.safety_stock,
        reorder_point=levels.reorder_point,
        order_up_to=levels.order_up_to,
        suggested_quantity=quantity,
        days_of_cover=cover,
        stockout_day=projection.stockout_day,
        order_by_day=projection.order_by_day,
        moq_choice_quantity=choice,
    )


def forecast_by_method(
    history: FloatArray,
    in_stock: NDArray[np.bool_] | None = None,
    settings: DemandSettings | None = None,
    season_length: int = 7,
) -> FloatArray:
    """Per-SKU demand rate from every method separately, shape (n_skus, 6), columns in METHOD_NAMES order.

    With `DemandSettings(warm_up=False)` the textbook starts are used, as in statsforecast.
    """
    return estimate_demand(history, in_stock, settings, season_length).method_rates
