"""Rolling-origin backtest of transit-time p90s on shipments with a slowdown: a synthetic generator and the demo shop.

At each origin day T (every `--step` days) each estimator sees only what was known at the end of T (parcels handed
over later ignored, deliveries after T still in transit); its p50/p90 per lane are then scored on the parcels handed
over in the 30 days after T:

- coverage: the share of those parcels delivered within the p90 (calibrated: about 0.90) and within the p50;
- pinball loss (quantile loss) at 0.9 and 0.5, in days: lower is better, and it punishes both misses and slack;
- width: the mean p90 in days (a promise nobody can keep is useless, and so is one of 90 days).

Estimators: Tradewind's censored, recency-weighted Kaplan–Meier with borrowing (`estimate_lanes` with its default
settings — the same for both sets of shipments); the same estimator fed only the parcels already delivered (the naive
"delivered-only" estimate, which ignores parcels in transit); and a marketplace's fixed promise per method (p50: half
of it). `--plain` adds Tradewind with the plain Kaplan–Meier quantile instead of the predictive one, and
`--no-pace` with lanes borrowing their wider group's days as they are (the settings before calibration).

Two sets of shipments:

- synthetic (`tests.logistics.synthetic`, deterministic): ePacket flights cut from day 150 for 45 days, parcels
  already in flight slowed too; every parcel's delivery is known (lost parcels count as arriving after every
  estimate, at `max_days`);
- the demo shop (`tradewind.demo.build_demo_shop` on an in-memory SQLite database, read back from the Shipment
  table the way `lane_statistics` reads it: hand-over `shipped_at`, method `ShippingMethod.code`): a year of parcels,
  ePacket slower from today−40 (flight cuts), rail to Russia suspended from today−25, Israel's import ban from
  today−15; the promise is the one the shop's orders carry. The records end today, so the last origin is today−30
  and the parcels of a window still travelling today are right-censored: where a parcel's outcome is not yet known,
  it is drawn from the Kaplan–Meier curve of its window's parcels on the same lane (what eventually happened to them,
  as far as the records show). Beyond the longest time any of them has been observed nothing is known: that share
  (`unresolved`) counts as late in the p90 coverage (a lower bound; the upper is coverage + unresolved) and at its
  most favourable place in the pinball loss (a lower bound). In calm weeks it is nil; during the slowdown it is not.

Periods (by origin day): "before" — the next month's parcels run into a slowdown nothing has shown yet (only the
disruption register's extra days can cover it); "during" — it is under way; "after" — it has ended but parcels
caught in it are still arriving; "calm" — the rest.

    python benchmarks/transit_backtest.py                    # full run: synthetic (~31k parcels) and demo scale 1
    python benchmarks/transit_backtest.py --demo-scale 10    # the demo at ≈76k parcels
    python benchmarks/transit_backtest.py --small            # CI smoke size
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

# The backtest and its synthetic shipments are test helpers (tests/logistics/), not part of the installed package:
# run as `python benchmarks/transit_backtest.py`, the checkout's root has to be on the path to import them.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.logistics.synthetic import SlowdownScenario, generate_shipments
from tests.logistics.transit.backtesting import (
    DEMO_SEED,
    DEMO_TODAY,
    HORIZON_DAYS,
    BacktestCase,
    demo_case,
    fixed_promise,
    run_case,
    synthetic_case,
)
from tradewind.logistics.transit.lanes import TransitSettings


def print_table(results: Mapping[str, Mapping[str, Mapping[str, float]]]) -> None:
    header = f"{'estimator':28} {'period':9} {'parcels':>8} {'cov p90':>8} {'cov p50':>8} {'pinball90':>10} "
    print(header + f"{'pinball50':>10} {'mean p90':>9} {'unresolved':>11}")
    for name, buckets in results.items():
        for bucket, s in buckets.items():
            print(
                f"{name:28} {bucket:9} {s['parcels']:>8,} {s['coverage_p90']:>8.3f} {s['coverage_p50']:>8.3f} "
                f"{s['pinball_p90']:>10.3f} {s['pinball_p50']:>10.3f} {s['mean_p90_days']:>9.1f} "
                f"{s['unresolved_p90']:>11.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="CI smoke size")
    parser.add_argument("--step", type=int, default=None, help="days between origins (synthetic)")
    parser.add_argument("--demo-step", type=int, default=None, help="days between origins (demo)")
    parser.add_argument("--demo-scale", type=int, default=1, help="demo shop scale (1: ≈7,600 parcels)")
    parser.add_argument("--demo-seed", type=int, default=DEMO_SEED)
    parser.add_argument("--demo-today", type=date.fromisoformat, default=DEMO_TODAY)
    parser.add_argument("--synthetic-seed", type=int, default=SlowdownScenario().seed)
    parser.add_argument("--no-demo", action="store_true", help="the synthetic shipments only")
    parser.add_argument("--no-synthetic", action="store_true", help="the demo shop only")
    parser.add_argument("--half-life", type=float, default=TransitSettings().half_life_days)
    parser.add_argument("--prior", type=float, default=TransitSettings().prior_strength)
    parser.add_argument("--min-delivered", type=float, default=TransitSettings().min_delivered)
    parser.add_argument("--plain", action="store_true", help="also Tradewind with the plain KM quantile")
    parser.add_argument("--no-pace", action="store_true", help="also Tradewind borrowing days as they are")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    settings = TransitSettings(
        half_life_days=args.half_life, prior_strength=args.prior, min_delivered=args.min_delivered
    )
    variants: dict[str, TransitSettings] = {}
    if args.plain:
        variants["tradewind_plain_quantile"] = replace(settings, predictive=False)
    if args.no_pace:
        variants["tradewind_days_as_they_are"] = replace(settings, pace_strength=-1.0)
    report: dict[str, Any] = {}
    if not args.no_synthetic:
        scenario = (
            SlowdownScenario(scale=0.25, days=260, slowdown_starts=130, seed=args.synthetic_seed)
            if args.small
            else SlowdownScenario(scale=3, seed=args.synthetic_seed)
        )
        step = args.step or (14 if args.small else 3)
        began = time.perf_counter()
        case = synthetic_case(generate_shipments(scenario), scenario)
        results = run_case(case, settings, step=step, promise=fixed_promise, variants=variants)
        report["synthetic"] = _section(case, step, results, began)
    if not args.no_demo:
        step = args.demo_step or (14 if args.small else 1)
        began = time.perf_counter()
        case = demo_case(seed=args.demo_seed, scale=args.demo_scale, today=args.demo_today)
        results = run_case(case, settings, step=step, variants=variants)
        report["demo"] = _section(case, step, results, began)
    if args.json:
        print(json.dumps(report))
        return
    for section in report.values():
        print(
            f"Rolling-origin backtest, {section['description']}: {section['parcels']:,} parcels, "
            f"{section['lanes']} lanes, origins every {section['step']} days, horizon {HORIZON_DAYS} days; "
            f"{section['seconds']:.1f} s"
        )
        print_table(section["results"])
        print()


def _section(
    case: BacktestCase, step: int, results: dict[str, dict[str, dict[str, float]]], began: float
) -> dict[str, Any]:
    return {
        "description": case.description,
        "parcels": case.observations.size,
        "lanes": len(case.observations.lanes()),
        "step": step,
        "seconds": round(time.perf_counter() - began, 2),
        "results": results,
    }


if __name__ == "__main__":
    main()
