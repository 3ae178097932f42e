"""Demand per period and its spread for every SKU, stockout-corrected, from the fused recursions.

`estimate_demand` runs every candidate method over the history in one pass and returns, per SKU, the chosen
method, its demand rate, the mean squared one-step error (the spread of one period's demand around the
forecast) and the probability that a period has any demand (TSB's estimate, used for the zero mass of
lead-time demand). With `record_path` the same quantities are returned as of every period, which is what the
backtest replays; the last column always equals the plan's figures.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from tradewind.planning.kernels.methods import (
    N_METHODS,
    N_PARAMS,
    P_ALPHA_ERROR,
    P_ALPHA_INTERVAL,
    P_ALPHA_LEVEL,
    P_ALPHA_PROBABILITY,
    P_ALPHA_SEASON,
    P_ALPHA_SIZE,
    P_SWITCH_MARGIN,
)


@dataclass(frozen=True)
class DemandSettings:
    """Smoothing constants (per period) and the rules of the method choice; one setting for every shop."""

    alpha_level: float = 0.03
    alpha_season: float = 0.1
    alpha_size: float = 0.1
    alpha_interval: float = 0.1
    alpha_probability: float = 0.03
    alpha_error: float = 0.05
    switch_margin: float = 0.25
    window: int = 28
    min_history: int = 14
    warm_up: bool = True

    def vector(self) -> NDArray[np.float64]:
        params = np.zeros(N_PARAMS)
        params[P_ALPHA_LEVEL] = self.alpha_level
        params[P_ALPHA_SEASON] = self.alpha_season
        params[P_ALPHA_SIZE] = self.alpha_size
        params[P_ALPHA_INTERVAL] = self.alpha_interval
        params[P_ALPHA_PROBABILITY] = self.alpha_probability
        params[P_ALPHA_ERROR] = self.alpha_error
        params[P_SWITCH_MARGIN] = self.switch_margin
        return params


@dataclass(frozen=True)
class DemandEstimate:
    """Per SKU (and, for a path, per period): rate, one-period error variance, demand probability, method."""

    method: NDArray[np.int8]
    rate: NDArray[np.float64]
    error_variance: NDArray[np.float64]
    demand_probability: NDArray[np.float64]
    method_rates: NDArray[np.float64]
    method_mse: NDArray[np.float64]

    def rows(self, start: int, stop: int) -> DemandEstimate:
        """The estimate of SKUs [start, stop)."""
        return DemandEstimate(**{field.name: getattr(self, field.name)[start:stop] for field in fields(self)})


def observed_mask(history: NDArray[np.float64], in_stock: NDArray[np.bool_] | None) -> NDArray[np.bool_]:
    """Which SKU-periods count as observations: in stock (when a mask is given) and not NaN."""
    observed = ~np.isnan(history)
    if in_stock is not None:
        if in_stock.shape != history.shape:
            raise ValueError(f"in_stock has shape {in_stock.shape}, history has {history.shape}")
        observed &= in_stock.astype(np.bool_)
    return observed


def estimate_demand(
    history: NDArray[np.float64],
    in_stock: NDArray[np.bool_] | None = None,
    settings: DemandSettings | None = None,
    season_length: int = 7,
    record_path: bool = False,
) -> DemandEstimate:
    """Run all methods over `history` (n_skus, n_periods) and choose one per SKU; see module docstring."""
    settings = settings or DemandSettings()
    y = np.ascontiguousarray(history, dtype=np.float64)
    if y.ndim != 2:
        raise ValueError(f"history must be 2-D (n_skus, n_periods), got shape {y.shape}")
    if np.any(y < 0):
        raise ValueError("history has negative demand")
    observed = np.ascontiguousarray(observed_mask(y, in_stock))
    if not observed.all():
        y = np.where(observed, y, 0.0)
    n_skus, n_periods = y.shape
    columns = n_periods if record_path else 1
    rate = np.zeros((n_skus, columns))
    mse = np.zeros((n_skus, columns))
    prob = np.zeros((n_skus, columns))
    method = np.zeros((n_skus, columns), dtype=np.int8)
    method_rates = np.zeros((n_skus, N_METHODS))
    method_mse = np.zeros((n_skus, N_METHODS))
    if n_periods > 0:
        # Imported here: loading the compiled recursions (Numba) costs half a second, which a stored estimate
        # (planning/estimate_store.py) saves.
        from tradewind.planning.kernels.recursions import _smooth_all

        _smooth_all(
            y,
            observed,
            settings.vector(),
            int(season_length),
            int(settings.window),
            int(settings.min_history),
            bool(settings.warm_up),
            bool(record_path),
            rate,
            mse,
            prob,
            method,
            method_rates,
            method_mse,
        )
    if not record_path:
        rate, mse, prob, method = rate[:, 0], mse[:, 0], prob[:, 0], method[:, 0]
    return DemandEstimate(method, rate, mse, prob, method_rates, method_mse)
