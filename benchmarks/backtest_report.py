"""Backtest report: seed, tradewind and statsforecast on intermittent monthly demand and on Online Retail.

Prints, per dataset, the table (service level, fill rate, average on hand) of each policy, and the inventory
each policy needs at the seed rule's fill rate (interpolated along its curve) relative to the seed and to the
statsforecast policy. `--small` runs a fast smoke version (fewer SKUs, fewer service levels, no statsforecast
unless --with-statsforecast).

    python benchmarks/backtest_report.py [--small] [--with-statsforecast]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from tradewind.planning.backtest import BacktestReport, backtest_demand, inventory_at_fill_rate
from tradewind.planning.history import Freq, load_online_retail, synthetic_intermittent_history

SHARED = Path(__file__).resolve().parents[1] / "../shared/data/online_retail"
ONLINE_RETAIL = SHARED / "online_retail_2010-12_2011-12.csv.gz"
MONTHLY_LEVELS = (0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99)
DAILY_LEVELS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def print_report(title: str, report: BacktestReport) -> None:
    print(f"\n{title}: {report.skus} SKUs × {report.periods} periods, lead time {report.lead_time}")
    print(f"{'policy':>14} {'level':>6} {'fill rate':>9} {'avg on hand':>12} {'days of supply':>14}")
    for run in report.runs:
        level = "" if run.service_level is None else f"{run.service_level:g}"
        o = run.outcome
        print(f"{run.name:>14} {level:>6} {o.fill_rate:9.3f} {o.avg_on_hand_units:12.0f} {o.avg_days_of_supply:14.1f}")
    for name in sorted({r.name for r in report.runs} - {"seed"}):
        ratio = report.inventory_ratio(name)
        text = "outside the curve" if ratio is None else f"{ratio:.3f}"
        print(f"  {name}: inventory at the seed's fill rate / seed's = {text}")
    compare_to_statsforecast(report)


def compare_to_statsforecast(report: BacktestReport) -> None:
    ours, theirs = report.curve("tradewind"), report.curve("statsforecast")
    if not ours or not theirs:
        return
    low = max(ours[0][0], theirs[0][0])
    high = min(ours[-1][0], theirs[-1][0])
    for fill in np.linspace(low, high, 5):
        a, b = inventory_at_fill_rate(ours, fill), inventory_at_fill_rate(theirs, fill)
        if a is not None and b:
            print(f"  at fill rate {fill:.3f}: tradewind / statsforecast inventory = {a / b:.3f}")


def run(
    title: str, demand: np.ndarray, freq: Freq, lead_time: int, levels: tuple[float, ...], policies: list[str]
) -> None:
    start = time.perf_counter()
    report = backtest_demand(demand, freq, lead_time, 1, levels, policies)
    print_report(title, report)
    print(f"  ({time.perf_counter() - start:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="fast smoke run")
    parser.add_argument("--with-statsforecast", action="store_true", help="include statsforecast with --small")
    args = parser.parse_args()
    policies = ["seed", "tradewind", "moving_average"]
    if not args.small or args.with_statsforecast:
        policies.append("statsforecast")
    monthly = synthetic_intermittent_history(n_skus=300 if args.small else 2600).demand("M")
    run(
        "Intermittent monthly demand (synthetic, car-parts-like)",
        monthly,
        "M",
        1,
        MONTHLY_LEVELS[1::2] if args.small else MONTHLY_LEVELS,
        policies,
    )
    if not ONLINE_RETAIL.exists():
        print(f"\nOnline Retail: {ONLINE_RETAIL} not found, skipped")
        return
    daily = load_online_retail(ONLINE_RETAIL).demand("D")
    if args.small:
        daily = daily[::10]
    run(
        "Online Retail (daily, all product SKUs)",
        daily,
        "D",
        7,
        DAILY_LEVELS[1::2] if args.small else DAILY_LEVELS,
        policies,
    )


if __name__ == "__main__":
    main()
