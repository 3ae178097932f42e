"""Demand-rate recursions over time for every SKU at once, with an out-of-sample choice of method.

One pass over the days of each SKU's history updates all candidate methods side by side:

- MOVING_AVERAGE: the sellers' rule, the mean of the last `window` observed periods;
- SMOOTHED: simple exponential smoothing (Brown, "Statistical Forecasting for Inventory Control", 1959);
- SEASONAL: additive exponential smoothing with a weekly season, no trend (Holt 1957 / Winters 1960, as in
  Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., §8.3);
- CROSTON: Croston, "Forecasting and stock control for intermittent demands", ORQ 23 (1972);
- SBA: the Syntetos–Boylan approximation, IJF 21 (2005), Croston's ratio times (1 − α/2);
- TSB: Teunter, Syntetos & Babai, "Intermittent demand: linking forecasting to inventory obsolescence",
  EJOR 214 (2011).

Periods when the SKU was out of stock are skipped: they are missing demand, not zero demand (no state
update, no error, not counted as an interval). With `warm_up` each smoothing constant is max(α, 1/n) where n
counts the observations so far, so a new series starts from the plain mean of what has been seen (from the
first day of the history: a single large first order is spread over all the days before it). Without
`warm_up` the textbook starts are used (first observation / first demand), as statsforecast does.

The method is chosen per SKU by the exponentially weighted mean squared one-step-ahead error (each error is
out of sample: the forecast was made before the demand was seen). SMOOTHED is the incumbent; another method
replaces it only when its error is lower by `switch_margin`, and only after `min_history` observations.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tradewind.planning.kernels._jit import jit, prange
from tradewind.planning.kernels.methods import (
    CROSTON,
    METHOD_NAMES,
    MOVING_AVERAGE,
    N_METHODS,
    N_PARAMS,
    P_ALPHA_ERROR,
    P_ALPHA_INTERVAL,
    P_ALPHA_LEVEL,
    P_ALPHA_PROBABILITY,
    P_ALPHA_SEASON,
    P_ALPHA_SIZE,
    P_SWITCH_MARGIN,
    SBA,
    SEASONAL,
    SMOOTHED,
    TSB,
)

__all__ = [
    "CROSTON",
    "METHOD_NAMES",
    "MOVING_AVERAGE",
    "N_METHODS",
    "N_PARAMS",
    "SBA",
    "SEASONAL",
    "SMOOTHED",
    "TSB",
]


@jit()
def _rate_of(
    method: int,
    level: float,
    s_level: float,
    c_size: float,
    c_interval: float,
    alpha_interval: float,
    t_prob: float,
    t_size: float,
    ring_sum: float,
    ring_count: int,
) -> float:
    if method == MOVING_AVERAGE:
        return ring_sum / ring_count if ring_count > 0 else 0.0
    if method == SMOOTHED:
        return level
    if method == SEASONAL:
        return max(s_level, 0.0)
    if method in (CROSTON, SBA):
        if c_interval <= 0.0:
            return 0.0
        ratio = c_size / c_interval
        return ratio * (1.0 - alpha_interval / 2.0) if method == SBA else ratio
    return t_prob * t_size


@jit()
def _smooth_one(
    y: NDArray[np.float64],
    observed: NDArray[np.bool_],
    params: NDArray[np.float64],
    season_length: int,
    window: int,
    min_history: int,
    warm_up: bool,
    record: bool,
    rate_out: NDArray[np.float64],
    mse_out: NDArray[np.float64],
    prob_out: NDArray[np.float64],
    method_out: NDArray[np.int8],
    final_rates: NDArray[np.float64],
    final_mse: NDArray[np.float64],
) -> None:
    a_level, a_season, a_size = params[P_ALPHA_LEVEL], params[P_ALPHA_SEASON], params[P_ALPHA_SIZE]
    a_interval, a_prob = params[P_ALPHA_INTERVAL], params[P_ALPHA_PROBABILITY]
    a_error, margin = params[P_ALPHA_ERROR], params[P_SWITCH_MARGIN]
    m = max(season_length, 1)
    seasonal_on = season_length > 1
    level = 0.0
    s_level = 0.0
    season = np.zeros(m)
    season_count = np.zeros(m)
    c_size = 0.0
    c_interval = 0.0
    c_since = 0.0
    n_demands = 0
    t_prob = 0.0
    t_size = 0.0
    ring = np.zeros(max(window, 1))
    ring_sum = 0.0
    ring_count = 0
    ring_pos = 0
    mse = np.zeros(N_METHODS)
    n_obs = 0
    chosen = SMOOTHED
    n_days = y.shape[0]
    for t in range(n_days):
        if observed[t]:
            d = y[t]
            slot = t % m
            if n_obs > 0:
                w = max(a_error, 1.0 / n_obs) if warm_up else a_error
                for k in range(N_METHODS):
                    f = _rate_of(
                        k, level, s_level, c_size, c_interval, a_interval, t_prob, t_size, ring_sum, ring_count
                    )
                    if k == SEASONAL:
                        f = s_level + season[slot]
                    e = d - f
                    mse[k] += w * (e * e - mse[k])
            n_obs += 1
            first = n_obs == 1
            # simple exponential smoothing
            a = max(a_level, 1.0 / n_obs) if warm_up else (1.0 if first else a_level)
            level += a * (d - level)
            # additive weekly season
            if seasonal_on:
                season_count[slot] += 1.0
                s_level += a * (d - season[slot] - s_level)
                g = max(a_season, 1.0 / season_count[slot]) if warm_up else a_season
                season[slot] += g * (d - s_level - season[slot])
            # Croston / SBA: sizes and intervals updated on demand only
            c_since += 1.0
            if d > 0.0:
                n_demands += 1
                if n_demands == 1:
                    c_size = d
                    c_interval = c_since
                else:
                    az = max(a_size, 1.0 / n_demands) if warm_up else a_size
                    ai = max(a_interval, 1.0 / n_demands) if warm_up else a_interval
                    c_size += az * (d - c_size)
                    c_interval += ai * (c_since - c_interval)
                c_since = 0.0
            # TSB: probability updated every period, size on demand
            occurred = 1.0 if d > 0.0 else 0.0
            ap = max(a_prob, 1.0 / n_obs) if warm_up else (1.0 if first else a_prob)
            t_prob += ap * (occurred - t_prob)
            if d > 0.0:
                at = max(a_size, 1.0 / n_demands) if warm_up else (1.0 if n_demands == 1 else a_size)
                t_size += at * (d - t_size)
            # moving average over the last `window` observed periods
            if ring_count == window:
                ring_sum -= ring[ring_pos]
            else:
                ring_count += 1
            ring[ring_pos] = d
            ring_sum += d
            ring_pos = (ring_pos + 1) % window
            # choice of method
            chosen = SMOOTHED
            if n_obs > min_history:
                best = mse[SMOOTHED] * (1.0 - margin)
                for k in range(N_METHODS):
                    eligible = k != SEASONAL or (seasonal_on and n_obs > 2 * m)
                    if eligible and k != SMOOTHED and mse[k] < best:
                        best = mse[k]
                        chosen = k
        if record or t == n_days - 1:
            col = t if record else 0
            rate_out[col] = _rate_of(
                chosen, level, s_level, c_size, c_interval, a_interval, t_prob, t_size, ring_sum, ring_count
            )
            mse_out[col] = mse[chosen]
            prob_out[col] = t_prob
            method_out[col] = chosen
    for k in range(N_METHODS):
        final_rates[k] = _rate_of(
            k, level, s_level, c_size, c_interval, a_interval, t_prob, t_size, ring_sum, ring_count
        )
        final_mse[k] = mse[k]


@jit(parallel=True)
def _smooth_all(
    y: NDArray[np.float64],
    observed: NDArray[np.bool_],
    params: NDArray[np.float64],
    season_length: int,
    window: int,
    min_history: int,
    warm_up: bool,
    record: bool,
    rate_out: NDArray[np.float64],
    mse_out: NDArray[np.float64],
    prob_out: NDArray[np.float64],
    method_out: NDArray[np.int8],
    final_rates: NDArray[np.float64],
    final_mse: NDArray[np.float64],
) -> None:
    for i in prange(y.shape[0]):
        _smooth_one(
            y[i],
            observed[i],
            params,
            season_length,
            window,
            min_history,
            warm_up,
            record,
            rate_out[i],
            mse_out[i],
            prob_out[i],
            method_out[i],
            final_rates[i],
            final_mse[i],
        )
