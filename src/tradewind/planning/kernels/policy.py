"""Safety stock, reorder point and order-up-to level from the demand estimate, and order rounding.

Demand over a protection interval of H periods is modelled as zero-inflated lognormal: no demand at all with
probability (1 − p)^H (p = chance of demand in one period), otherwise lognormal with the mean and variance
that make the whole match H·rate and H·σ² + rate²·σ_L² (σ_L = lead-time spread). The order-up-to level is the
target quantile of that distribution; for lumpy SKUs it may be below the mean. Lognormal lead-time demand:
Silver, Pyke & Peterson (1998, §7.10); zero mass of intermittent demand: Syntetos, Babai & Altay, "On the
demand distributions of spare parts", IJPR 50 (2012). A fill-rate target is turned into the equivalent
cycle service level with the normal loss function (Silver, Pyke & Peterson, §7.7.5).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tradewind.planning.kernels.normal import normal_cdf, normal_loss_inverse, normal_quantile

FloatArray = NDArray[np.float64]
Z_P90 = 1.2815515655446004
_TINY = 1e-12


def lead_time_sigma(lead_time_mean: FloatArray, lead_time_p90: FloatArray) -> FloatArray:
    """Spread of the lead time (periods) implied by its mean and 90th percentile, assuming normality."""
    return np.maximum(np.asarray(lead_time_p90, np.float64) - lead_time_mean, 0.0) / Z_P90


def protection_periods(lead_time_mean: FloatArray, review_period: FloatArray) -> FloatArray:
    """Periods of demand the order-up-to level must cover: an order placed at the end of period t arrives at
    the start of period t + L, and the next order arrives R periods later, so L + R − 1 periods (≥ 1)."""
    return np.maximum(np.asarray(lead_time_mean, np.float64) + review_period - 1.0, 1.0)


def cycle_level_for_fill_rate(
    fill_rate: FloatArray,
    demand_per_period: FloatArray,
    error_variance: FloatArray,
    protection: FloatArray,
    review_period: FloatArray,
) -> FloatArray:
    """Cycle service level whose normal safety factor k gives expected shortage (1 − β)·demand per cycle."""
    sigma = np.sqrt(np.maximum(error_variance, 0.0) * protection)
    cycle_demand = demand_per_period * np.maximum(review_period, 1.0)
    target = (1.0 - np.asarray(fill_rate, np.float64)) * cycle_demand / np.maximum(sigma, _TINY)
    k = normal_loss_inverse(np.clip(target, 1e-9, 6.0))
    return np.where(sigma > _TINY, normal_cdf(k), np.asarray(fill_rate, np.float64))


def demand_quantile(
    service_level: FloatArray,
    demand_per_period: FloatArray,
    error_variance: FloatArray,
    demand_probability: FloatArray,
    periods: FloatArray,
    lead_time_spread: FloatArray,
) -> FloatArray:
    """Quantile `service_level` of demand over `periods` (zero-inflated lognormal; see module docstring)."""
    mean = demand_per_period * periods
    variance = np.maximum(error_variance, 0.0) * periods + (demand_per_period * lead_time_spread) ** 2
    p_zero = (1.0 - np.clip(demand_probability, 0.0, 1.0)) ** periods
    positive = np.maximum(1.0 - p_zero, _TINY)
    mean_pos = mean / positive
    variance_pos = np.maximum((variance + mean * mean) / positive - mean_pos * mean_pos, _TINY)
    sigma2 = np.log1p(variance_pos / np.maximum(mean_pos, _TINY) ** 2)
    u = np.clip((service_level - p_zero) / positive, 1e-9, 1.0 - 1e-9)
    log_quantile = np.log(np.maximum(mean_pos, _TINY)) - 0.5 * sigma2 + np.sqrt(sigma2) * normal_quantile(u)
    quantile = np.exp(np.minimum(log_quantile, 700.0))
    return np.where((service_level > p_zero) & (mean > _TINY), quantile, 0.0)


def round_order(quantity: FloatArray, moq: FloatArray, pack_size: FloatArray) -> FloatArray:
    """Raise a positive quantity to the MOQ, then up to a whole number of packs; zero stays zero."""
    wanted = np.maximum(np.asarray(quantity, np.float64), 0.0)
    raised = np.maximum(wanted, moq)
    pack = np.where(np.asarray(pack_size) > 0, pack_size, 1.0)
    packs = np.ceil(raised / pack - 1e-9)
    return np.where(wanted > 0, packs * pack, 0.0)


def fit_order_to_cover(
    wanted: FloatArray,
    position: FloatArray,
    demand_per_day: FloatArray,
    moq: FloatArray,
    pack_size: FloatArray,
    max_cover_days: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """The quantity to order and the quantity left to the seller as a choice, both in units.

    `wanted` is raised to the MOQ and whole packs (`round_order`). When that would take the stock position beyond
    `max_cover_days` of demand, the largest whole number of packs that stays within the cap is ordered instead if
    the MOQ allows it; otherwise nothing is ordered and the rounded quantity is returned as a choice (negotiate
    the MOQ, or skip), never ordered silently.
    """
    rounded = round_order(wanted, moq, pack_size)
    limited = np.isfinite(max_cover_days)
    room = demand_per_day * np.where(limited, max_cover_days, 0.0) - position
    beyond = limited & (rounded > 0) & (rounded > room + 1e-9)
    pack = np.where(np.asarray(pack_size) > 0, pack_size, 1.0)
    fits = np.floor(np.maximum(room, 0.0) / pack + 1e-9) * pack
    fits_ok = (fits > 0) & (fits >= moq)
    quantity = np.where(beyond, np.where(fits_ok, fits, 0.0), rounded)
    choice = np.where(beyond & ~fits_ok, rounded, 0.0)
    return quantity, choice


def cap_by_cover(level: FloatArray, demand_per_day: FloatArray, max_cover_days: FloatArray) -> FloatArray:
    """Limit a stock level to `max_cover_days` of demand (no cap where the cap is infinite or NaN)."""
    limited = np.isfinite(max_cover_days)
    cap = demand_per_day * np.where(limited, max_cover_days, 0.0)
    return np.where(limited, np.minimum(level, cap), level)
