"""Rolling-origin backtest of transit-time p90s on shipments with a slowdown.

At each origin day T (every `--step` days) each estimator sees only what was known at the end of T; its p50/p90 per
lane are then scored on the parcels handed over in the 30 days after T, once they have arrived:

- coverage: the share of those parcels delivered within the p90 (calibrated: about 0.90) and within the p50;
- pinball loss (quantile loss) at 0.9 and 0.5, in days: lower is better, and it punishes both misses and slack;
- width: the mean p90 in days (a promise nobody can keep is useless, and so is one of 90 days).

Estimators: Tradewind's censored, recency-weighted Kaplan–Meier with borrowing; the same estimator fed only the
parcels already delivered (the naive "delivered-only" estimate, which ignores parcels in transit); and a
marketplace's fixed promise per method. Lost parcels count as arriving after every estimate (`max_days`).

Shipments come from `tradewind.logistics.synthetic` (deterministic; ePacket flights cut from day 150 for 45 days).

    python benchmarks/transit_backtest.py            # full run (~300 days, ~60k parcels)
    python benchmarks/transit_backtest.py --small    # CI smoke size
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np

from tradewind.logistics.survival import FloatArray, whole_days
from tradewind.logistics.synthetic import SlowdownScenario, SyntheticShipments, generate_shipments
from tradewind.logistics.transit import (
    DAY_SECONDS,
    Lane,
    TransitObservations,
    TransitSettings,
    end_of,
    estimate_lanes,
)

HORIZON_DAYS = 30
PERIODS = ("all", "calm", "before", "during", "after")
# A marketplace's fixed delivery promise per method (days), as shown to buyers at checkout.
FIXED_PROMISE = {
    "epacket": 30,
    "aliexpress-standard": 35,
    "china-post-ordinary": 60,
    "cainiao-economy": 45,
    "dhl-express": 12,
}

Estimator = Callable[[TransitObservations, datetime, list[Lane]], dict[Lane, tuple[int, int]]]


def censored_km(settings: TransitSettings) -> Estimator:
    def estimate(obs: TransitObservations, as_of: datetime, lanes: list[Lane]) -> dict[Lane, tuple[int, int]]:
        found = estimate_lanes(obs, as_of=as_of, settings=settings, lanes=lanes)
        return {e.lane: (e.p50_days or 0, e.p90_days or 0) for e in found}

    return estimate


def delivered_only(settings: TransitSettings) -> Estimator:
    """The same estimator, but parcels not yet delivered are simply left out."""

    def estimate(obs: TransitObservations, as_of: datetime, lanes: list[Lane]) -> dict[Lane, tuple[int, int]]:
        moment = as_of.timestamp()
        arrived = ~np.isnan(obs.delivered) & (obs.delivered <= moment)
        kept = replace(
            obs,
            origin_code=obs.origin_code[arrived],
            destination_code=obs.destination_code[arrived],
            method_code=obs.method_code[arrived],
            shipped=obs.shipped[arrived],
            delivered=obs.delivered[arrived],
            weight=obs.weight[arrived],
            is_review=obs.is_review[arrived],
        )
        found = estimate_lanes(kept, as_of=as_of, settings=settings, lanes=lanes)
        return {e.lane: (e.p50_days or 0, e.p90_days or 0) for e in found}

    return estimate


def fixed_promise(obs: TransitObservations, as_of: datetime, lanes: list[Lane]) -> dict[Lane, tuple[int, int]]:
    return {lane: (FIXED_PROMISE[lane.method] // 2, FIXED_PROMISE[lane.method]) for lane in lanes}


@dataclass
class Score:
    parcels: int = 0
    covered90: int = 0
    covered50: int = 0
    pinball90: float = 0.0
    pinball50: float = 0.0
    width90: float = 0.0

    def add(self, actual: FloatArray, p50: FloatArray, p90: FloatArray) -> None:
        self.parcels += actual.size
        self.covered90 += int((actual <= p90).sum())
        self.covered50 += int((actual <= p50).sum())
        self.pinball90 += float(pinball(actual, p90, 0.9).sum())
        self.pinball50 += float(pinball(actual, p50, 0.5).sum())
        self.width90 += float(p90.sum())

    def summary(self) -> dict[str, float]:
        n = max(self.parcels, 1)
        return {
            "parcels": self.parcels,
            "coverage_p90": round(self.covered90 / n, 3),
            "coverage_p50": round(self.covered50 / n, 3),
            "pinball_p90": round(self.pinball90 / n, 3),
            "pinball_p50": round(self.pinball50 / n, 3),
            "mean_p90_days": round(self.width90 / n, 1),
        }


def pinball(actual: FloatArray, predicted: FloatArray, q: float) -> FloatArray:
    difference = actual - predicted
    return np.where(difference >= 0, q * difference, (q - 1) * difference)


def backtest(
    data: SyntheticShipments,
    scenario: SlowdownScenario,
    estimators: dict[str, Estimator],
    *,
    step: int,
    max_days: int,
) -> dict[str, dict[str, dict[str, float]]]:
    obs = data.observations
    start = datetime.combine(scenario.first_day, datetime.min.time(), tzinfo=UTC)
    lanes = obs.lanes()
    lane_index = {lane: i for i, lane in enumerate(lanes)}
    lane_of = np.array(
        [
            lane_index[Lane(obs.origins[o], obs.destinations[d], obs.methods[m])]
            for o, d, m in zip(
                obs.origin_code.tolist(), obs.destination_code.tolist(), obs.method_code.tolist(), strict=True
            )
        ]
    )
    lost = np.isnan(obs.delivered)
    actual = whole_days(np.where(lost, max_days, (obs.delivered - obs.shipped) / DAY_SECONDS), ~lost).astype(float)
    actual[lost] = float(max_days)
    scores = {name: {period: Score() for period in PERIODS} for name in estimators}
    first_origin, last_origin = 60, scenario.days - HORIZON_DAYS - max(40, HORIZON_DAYS)
    for origin_day in range(first_origin, last_origin + 1, step):
        as_of = end_of(scenario.day(origin_day))
        window = (obs.shipped > as_of.timestamp()) & (obs.shipped <= (as_of + timedelta(days=HORIZON_DAYS)).timestamp())
        if not window.any():
            continue
        period = _period(origin_day, scenario)
        for name, estimator in estimators.items():
            found = estimator(obs, as_of, lanes)
            p50 = np.array([found[lane][0] for lane in lanes], dtype=float)[lane_of[window]]
            p90 = np.array([found[lane][1] for lane in lanes], dtype=float)[lane_of[window]]
            for bucket in ("all", period):
                scores[name][bucket].add(actual[window], p50, p90)
    _ = start
    return {name: {bucket: s.summary() for bucket, s in buckets.items()} for name, buckets in scores.items()}


def _period(origin_day: int, scenario: SlowdownScenario) -> str:
    """ "before": the next month's parcels run into a slowdown nothing has shown yet; "during": it is under way;
    "after": it has ended but the parcels caught in it are still arriving."""
    starts, ends = scenario.slowdown_starts, scenario.slowdown_starts + scenario.slowdown_days
    if starts - HORIZON_DAYS <= origin_day < starts:
        return "before"
    if starts <= origin_day <= ends:
        return "during"
    if ends < origin_day <= ends + HORIZON_DAYS:
        return "after"
    return "calm"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="CI smoke size")
    parser.add_argument("--step", type=int, default=None, help="days between origins")
    parser.add_argument("--half-life", type=float, default=TransitSettings().half_life_days)
    parser.add_argument("--prior", type=float, default=TransitSettings().prior_strength)
    parser.add_argument("--min-delivered", type=float, default=TransitSettings().min_delivered)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    scenario = SlowdownScenario(scale=0.25, days=260, slowdown_starts=130) if args.small else SlowdownScenario(scale=3)
    step = args.step or (14 if args.small else 3)
    settings = TransitSettings(
        half_life_days=args.half_life, prior_strength=args.prior, min_delivered=args.min_delivered
    )
    began = time.perf_counter()
    data = generate_shipments(scenario)
    estimators: dict[str, Estimator] = {
        "tradewind_censored_km": censored_km(settings),
        "naive_delivered_only": delivered_only(settings),
        "fixed_marketplace_promise": fixed_promise,
    }
    results = backtest(data, scenario, estimators, step=step, max_days=settings.max_days)
    elapsed = time.perf_counter() - began
    if args.json:
        print(json.dumps({"parcels": data.observations.size, "seconds": round(elapsed, 2), "results": results}))
        return
    print(
        f"Rolling-origin backtest: {data.observations.size:,} parcels, {len(data.lanes)} lanes, origins every "
        f"{step} days, horizon {HORIZON_DAYS} days; slowdown (ePacket flights cut) from day "
        f"{scenario.slowdown_starts} for {scenario.slowdown_days} days; {elapsed:.1f} s"
    )
    header = f"{'estimator':28} {'period':9} {'parcels':>8} {'cov p90':>8} {'cov p50':>8} {'pinball90':>10} "
    print(header + f"{'pinball50':>10} {'mean p90':>9}")
    for name, buckets in results.items():
        for bucket, s in buckets.items():
            print(
                f"{name:28} {bucket:9} {s['parcels']:>8,} {s['coverage_p90']:>8.3f} {s['coverage_p50']:>8.3f} "
                f"{s['pinball_p90']:>10.3f} {s['pinball_p50']:>10.3f} {s['mean_p90_days']:>9.1f}"
            )


if __name__ == "__main__":
    main()
