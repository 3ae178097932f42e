"""Backtest of replenishment policies on a demand history: fill rate against stock held.

Conventions (they change the verdict, so they are part of the contract):

- one calendar of every period (D, W or M) from the history's first to its last date; no row = zero demand;
- periods 0–27 are history only; scoring starts at period 28, where each policy holds its own order-up-to
  level (computed at the end of period 27) and nothing is on order;
- each period: orders due arrive; demand is served from stock (partial fills, the rest is lost); every
  `review_period` periods the policy, seeing the recorded demand of all periods so far, orders
  max(0, order-up-to − on hand − on order); an order placed in period t arrives at the start of t + lead time;
- quantities are not rounded.

Policies: `seed` (order up to 7 × the mean demand of the last 28 periods), `tradewind` (the kernels' policy,
the same settings as `tradewind plan`), `statsforecast` (statsforecast forecasts chosen per SKU by the
ADI/CV² classes of Syntetos, Boylan & Croston, JORS 56 (2005), with tradewind's safety-stock rule) and
`moving_average` (the sellers' 28-period mean with tradewind's safety-stock rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradewind.errors import ConfigurationError
from tradewind.planning.history import Freq, History
from tradewind.planning.kernels import DemandEstimate, DemandSettings, estimate_demand, replenishment_levels

FloatArray = NDArray[np.float64]
WARM_UP_PERIODS = 28
DAYS_PER_PERIOD: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 365.25 / 12.0}
POLICIES = ("seed", "tradewind", "statsforecast", "moving_average")
LEVEL_POLICIES = frozenset({"tradewind", "statsforecast", "moving_average"})


@dataclass(frozen=True)
class Outcome:
    """Scores of one policy run."""

    fill_rate: float
    cycle_service_level: float
    avg_on_hand_units: float
    avg_days_of_supply: float
    stockout_periods: int
    orders_placed: int
    units_demanded: float
    units_served: float
    units_lost: float

    def to_json(self) -> dict[str, float | int]:
        return {
            "fill_rate": self.fill_rate,
            "cycle_service_level": self.cycle_service_level,
            "avg_on_hand_units": self.avg_on_hand_units,
            "avg_days_of_supply": self.avg_days_of_supply,
            "stockout_periods": self.stockout_periods,
            "orders_placed": self.orders_placed,
        }


@dataclass(frozen=True)
class PolicyRun:
    name: str
    service_level: float | None
    outcome: Outcome

    @property
    def key(self) -> str:
        return self.name if self.service_level is None else f"{self.name}@{self.service_level:g}"


@dataclass(frozen=True)
class BacktestReport:
    skus: int
    periods: int
    freq: str
    lead_time: int
    review_period: int
    runs: list[PolicyRun] = field(default_factory=list)

    def curve(self, name: str) -> list[tuple[float, float]]:
        """(fill rate, average on hand) of a policy over its service levels, by rising fill rate."""
        return sorted((r.outcome.fill_rate, r.outcome.avg_on_hand_units) for r in self.runs if r.name == name)

    def inventory_ratio(self, name: str, reference: str = "seed") -> float | None:
        """On hand `name` needs at the reference's fill rate (linear along its curve) over the reference's."""
        ref = self.curve(reference)
        if not ref:
            return None
        fill, on_hand = ref[0]
        needed = inventory_at_fill_rate(self.curve(name), fill)
        return None if needed is None or on_hand <= 0 else needed / on_hand

    def to_json(self) -> dict[str, Any]:
        """Policies by name; a policy run at several service levels appears once per level as NAME@LEVEL."""
        levels_per_name: dict[str, int] = {}
        for run in self.runs:
            levels_per_name[run.name] = levels_per_name.get(run.name, 0) + 1
        policies: dict[str, Any] = {}
        for run in self.runs:
            entry: dict[str, Any] = run.outcome.to_json()
            if run.service_level is not None:
                entry["service_level"] = run.service_level
            policies[run.key if levels_per_name[run.name] > 1 else run.name] = entry
        ratios = {name: self.inventory_ratio(name) for name in {r.name for r in self.runs} if name != "seed"}
        return {
            "policies": policies,
            "skus": self.skus,
            "periods": self.periods,
            "inventory_ratio_at_seed_fill_rate": ratios,
        }


def inventory_at_fill_rate(curve: Sequence[tuple[float, float]], fill_rate: float) -> float | None:
    """Average on hand at `fill_rate`, interpolating linearly; None outside the curve's range."""
    if len(curve) == 0:
        return None
    fills = np.array([c[0] for c in curve])
    stock = np.array([c[1] for c in curve])
    if fill_rate < fills.min() - 1e-12 or fill_rate > fills.max() + 1e-12:
        return None
    order = np.argsort(fills, kind="stable")
    return float(np.interp(fill_rate, fills[order], stock[order]))


def simulate(
    demand: FloatArray,
    order_up_to: FloatArray,
    lead_time: int,
    review_period: int = 1,
    freq: Freq = "D",
    start: int = WARM_UP_PERIODS,
) -> Outcome:
    """Replay `demand` (n_skus, n_periods) against order-up-to levels known at the end of each period."""
    n_skus, n_periods = demand.shape
    if n_periods <= start:
        raise ValueError(f"the history has {n_periods} periods; the backtest needs more than {start}")
    if lead_time < 1 or review_period < 1:
        raise ValueError("lead time and review period must be at least one period")
    arrivals = np.zeros((n_skus, n_periods + lead_time + 1))
    on_hand = np.maximum(order_up_to[:, start - 1], 0.0).copy()
    served_total = lost_total = on_hand_total = 0.0
    stockouts = orders = 0
    for t in range(start, n_periods):
        on_hand += arrivals[:, t]
        served = np.minimum(on_hand, demand[:, t])
        on_hand -= served
        lost = demand[:, t] - served
        served_total += float(served.sum())
        lost_total += float(lost.sum())
        stockouts += int(np.count_nonzero(lost > 1e-9))
        if (t - start) % review_period == 0:
            on_order = arrivals[:, t + 1 : t + lead_time].sum(axis=1)
            quantity = np.maximum(order_up_to[:, t] - on_hand - on_order, 0.0)
            arrivals[:, t + lead_time] += quantity
            orders += int(np.count_nonzero(quantity > 1e-9))
        on_hand_total += float(on_hand.sum())
    scored = n_periods - start
    demanded = served_total + lost_total
    mean_on_hand = on_hand_total / scored
    demand_per_period = float(demand[:, start:].sum()) / scored
    return Outcome(
        fill_rate=served_total / demanded if demanded > 0 else 1.0,
        cycle_service_level=1.0 - stockouts / (n_skus * scored),
        avg_on_hand_units=mean_on_hand,
        avg_days_of_supply=mean_on_hand / demand_per_period * DAYS_PER_PERIOD[freq] if demand_per_period else 0.0,
        stockout_periods=stockouts,
        orders_placed=orders,
        units_demanded=demanded,
        units_served=served_total,
        units_lost=lost_total,
    )


def seed_levels(demand: FloatArray, window: int = 28, cover: float = 7.0) -> FloatArray:
    """The seed rule: order up to `cover` × the mean demand of the last `window` periods, this one included."""
    padded = np.concatenate([np.zeros((demand.shape[0], 1)), np.cumsum(demand, axis=1)], axis=1)
    ends = np.arange(1, demand.shape[1] + 1)
    starts = np.maximum(ends - window, 0)
    return np.asarray(cover * (padded[:, ends] - padded[:, starts]) / window, dtype=np.float64)


def season_length_for(freq: Freq) -> int:
    """Weekly seasonality only applies to daily histories."""
    return 7 if freq == "D" else 0


def tradewind_estimate(demand: FloatArray, freq: Freq, settings: DemandSettings | None = None) -> DemandEstimate:
    """The kernels' demand estimate as of every period (the plan's figures on each day)."""
    return estimate_demand(demand, None, settings, season_length_for(freq), record_path=True)


def levels_from_estimate(
    estimate: DemandEstimate, lead_time: int, review_period: int, service_level: float
) -> FloatArray:
    lead = np.full((estimate.rate.shape[0], 1), float(lead_time))
    review = np.full_like(lead, float(review_period))
    return replenishment_levels(estimate, lead, lead, review, np.full_like(lead, service_level)).order_up_to


def estimate_from_forecasts(
    demand: FloatArray, rate_path: FloatArray, reference: DemandEstimate, settings: DemandSettings | None = None
) -> DemandEstimate:
    """Wrap another forecaster's rate path (forecast made at the end of each period) for tradewind's
    safety-stock rule: the error variance is the same warm-started EWMA of its squared one-step errors, and
    the demand probability is tradewind's."""
    settings = settings or DemandSettings()
    n_skus, n_periods = demand.shape
    variance = np.zeros((n_skus, n_periods))
    current = np.zeros(n_skus)
    for t in range(1, n_periods):
        weight = max(settings.alpha_error, 1.0 / t)
        error = demand[:, t] - rate_path[:, t - 1]
        current += weight * (error * error - current)
        variance[:, t] = current
    return DemandEstimate(
        reference.method,
        rate_path,
        variance,
        reference.demand_probability,
        reference.method_rates,
        reference.method_mse,
    )


def moving_average_path(demand: FloatArray, window: int = 28) -> FloatArray:
    """Mean of the last `window` periods (fewer at the start), as of every period."""
    padded = np.concatenate([np.zeros((demand.shape[0], 1)), np.cumsum(demand, axis=1)], axis=1)
    ends = np.arange(1, demand.shape[1] + 1)
    starts = np.maximum(ends - window, 0)
    return np.asarray((padded[:, ends] - padded[:, starts]) / (ends - starts), dtype=np.float64)


def run_backtest(
    history: History,
    freq: Freq = "D",
    lead_time: int = 7,
    review_period: int = 1,
    service_levels: Sequence[float] = (0.9,),
    policies: Sequence[str] = ("seed", "tradewind"),
    statsforecast_refit_every: int | None = None,
) -> BacktestReport:
    """Backtest `policies` on `history`; the level policies run once per service level."""
    unknown = sorted(set(policies) - set(POLICIES))
    if unknown:
        raise ValueError(f"unknown policies {unknown}: choose from {', '.join(POLICIES)}")
    require_extra(policies)
    demand = history.demand(freq)
    return backtest_demand(demand, freq, lead_time, review_period, service_levels, policies, statsforecast_refit_every)


def require_extra(policies: Sequence[str]) -> None:
    """The `statsforecast` policy needs pandas and statsforecast, which only the `backtest` extra installs: their
    absence is a clear error (exit 2), not a traceback from deep inside a run."""
    if "statsforecast" not in policies:
        return
    try:
        import pandas  # noqa: F401
        import statsforecast  # noqa: F401
    except ImportError as exc:
        raise ConfigurationError(
            "tradewind backtest needs the backtest extra: pip install 'tradewind[backtest]'"
            f" (or leave out --policy statsforecast; {exc.name or 'a package'} is missing)",
            details={"missing": exc.name},
        ) from exc


def backtest_demand(
    demand: FloatArray,
    freq: Freq,
    lead_time: int,
    review_period: int,
    service_levels: Sequence[float],
    policies: Sequence[str],
    statsforecast_refit_every: int | None = None,
) -> BacktestReport:
    """As `run_backtest`, on a dense demand matrix already laid on the calendar."""
    report = BacktestReport(demand.shape[0], demand.shape[1], freq, lead_time, review_period)
    reference = tradewind_estimate(demand, freq)
    for name in policies:
        if name == "seed":
            outcome = simulate(demand, seed_levels(demand), lead_time, review_period, freq)
            report.runs.append(PolicyRun("seed", None, outcome))
            continue
        estimate = _policy_estimate(name, demand, freq, reference, statsforecast_refit_every)
        for level in service_levels:
            levels = levels_from_estimate(estimate, lead_time, review_period, level)
            outcome = simulate(demand, levels, lead_time, review_period, freq)
            report.runs.append(PolicyRun(name, float(level), outcome))
    return report


def _policy_estimate(
    name: str, demand: FloatArray, freq: Freq, reference: DemandEstimate, refit_every: int | None
) -> DemandEstimate:
    if name == "tradewind":
        return reference
    if name == "moving_average":
        return estimate_from_forecasts(demand, moving_average_path(demand), reference)
    every = refit_every if refit_every is not None else (7 if freq == "D" else 1)
    return estimate_from_forecasts(demand, statsforecast_rate_path(demand, WARM_UP_PERIODS - 1, every), reference)


def demand_classes(demand: FloatArray) -> NDArray[np.int8]:
    """ADI/CV² class per SKU: 0 smooth, 1 erratic, 2 intermittent, 3 lumpy, -1 no demand yet
    (cut-offs 1.32 and 0.49, Syntetos, Boylan & Croston 2005)."""
    occurrences = np.count_nonzero(demand > 0, axis=1)
    adi = demand.shape[1] / np.maximum(occurrences, 1)
    sizes = np.where(demand > 0, demand, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(np.where(occurrences[:, None] > 0, sizes, 0.0), axis=1)
        cv2 = np.nan_to_num(np.nanvar(np.where(occurrences[:, None] > 0, sizes, 0.0), axis=1) / mean**2)
    classes = (adi >= 1.32).astype(np.int8) * 2 + (cv2 >= 0.49).astype(np.int8)
    return np.where(occurrences > 0, classes, -1).astype(np.int8)


def statsforecast_rate_path(demand: FloatArray, first: int, refit_every: int, n_jobs: int = 2) -> FloatArray:
    """Demand rate from statsforecast as of every period from `first` on, refitted every `refit_every`
    periods (held in between): AutoETS for smooth and erratic SKUs, CrostonOptimized for intermittent, TSB
    for lumpy, by each SKU's class on the history so far."""
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import TSB, AutoETS, CrostonOptimized

    n_skus, n_periods = demand.shape
    path = np.zeros((n_skus, n_periods))
    models = {0: AutoETS(), 1: AutoETS(), 2: CrostonOptimized(), 3: TSB(alpha_d=0.1, alpha_p=0.1)}
    for t in range(first, n_periods, refit_every):
        seen = demand[:, : t + 1]
        classes = demand_classes(seen)
        rate = np.zeros(n_skus)
        for code, model in models.items():
            rows = np.flatnonzero(classes == code)
            if rows.size == 0:
                continue
            frame = pd.DataFrame(
                {
                    "unique_id": np.repeat(rows, t + 1),
                    "ds": np.tile(np.arange(t + 1), rows.size),
                    "y": seen[rows].ravel(),
                }
            )
            forecast = StatsForecast(models=[model], freq=1, n_jobs=n_jobs).forecast(df=frame, h=1)
            values = forecast.drop(columns=["unique_id", "ds"]).to_numpy()[:, 0]
            rate[forecast["unique_id"].to_numpy()] = np.maximum(np.nan_to_num(values), 0.0)
        path[:, t : t + refit_every] = rate[:, None]
    return path
