"""Speed of the full replenishment plan against statsforecast computing the same forecasts.

Builds a dense daily history (default 100,000 SKUs × 730 days, a mix of fast, slow and intermittent movers),
times reading the array once (the memory-bandwidth floor), the full `plan` (demand, safety stock, reorder
point, quantity, stockout date), and statsforecast (n_jobs=2) producing the same forecasts: SES with the
same α, Croston, SBA (CrostonSBA) and TSB. Prints both times, their ratio and peak memory.

    python benchmarks/planning.py --skus 2000
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
from numpy.typing import NDArray

from tradewind.planning.kernels import DemandSettings, plan


def build_history(n_skus: int, n_days: int, seed: int = 11) -> NDArray[np.float64]:
    """Daily demand: per-SKU rate (log-normal), intermittency (beta) and a weekly pattern."""
    rng = np.random.default_rng(seed)
    rate = np.exp(rng.normal(0.0, 1.2, size=n_skus))
    probability = np.clip(rng.beta(1.2, 1.0, size=n_skus), 0.02, 1.0)
    weekday = np.array([1.1, 1.0, 1.0, 1.0, 1.2, 0.9, 0.8])[np.arange(n_days) % 7]
    history = np.empty((n_skus, n_days))
    block = 10_000
    for start in range(0, n_skus, block):
        stop = min(start + block, n_skus)
        occurs = rng.random((stop - start, n_days)) < probability[start:stop, None]
        sizes = rng.poisson(rate[start:stop, None] / probability[start:stop, None] * weekday[None, :])
        history[start:stop] = np.where(occurs, np.maximum(sizes, 1), 0)
    return history


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def time_read(history: NDArray[np.float64]) -> float:
    start = time.perf_counter()
    float(history.sum())
    return time.perf_counter() - start


def time_plan(history: NDArray[np.float64]) -> float:
    n_skus = history.shape[0]
    start = time.perf_counter()
    plan(
        history,
        None,
        on_hand=np.full(n_skus, 20.0),
        inbound=np.zeros((n_skus, 60)),
        lead_time_mean=7.0,
        lead_time_p90=10.0,
        service_level=0.95,
        moq=10.0,
        pack_size=6.0,
        max_cover_days=90.0,
    )
    return time.perf_counter() - start


def time_statsforecast(history: NDArray[np.float64], alpha: float) -> float:
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import TSB, CrostonClassic, CrostonSBA, SimpleExponentialSmoothing

    n_skus, n_days = history.shape
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(np.arange(n_skus), n_days),
            "ds": np.tile(np.arange(n_days), n_skus),
            "y": history.ravel(),
        }
    )
    models = [SimpleExponentialSmoothing(alpha=alpha), CrostonClassic(), CrostonSBA(), TSB(alpha_d=0.1, alpha_p=0.1)]
    start = time.perf_counter()
    StatsForecast(models=models, freq=1, n_jobs=2).forecast(df=frame, h=1)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--no-statsforecast", action="store_true")
    args = parser.parse_args()
    history = build_history(args.skus, args.days)
    time_plan(history[:100])  # compile (or load the cached compilation) before timing
    read = min(time_read(history) for _ in range(3))
    planned = min(time_plan(history) for _ in range(2))
    print(f"history: {args.skus:,} SKUs × {args.days} days ({history.nbytes / 2**20:,.0f} MiB)")
    print(f"read the array once:   {read:8.3f} s")
    print(f"tradewind full plan:   {planned:8.3f} s")
    print(f"peak memory so far:    {peak_rss_mb():8.0f} MiB")
    if not args.no_statsforecast:
        forecasts = time_statsforecast(history, DemandSettings().alpha_level)
        print(f"statsforecast (n_jobs=2, SES+Croston+SBA+TSB): {forecasts:8.3f} s")
        print(f"speed-up: {forecasts / planned:6.1f}×")
        print(f"peak memory incl. statsforecast: {peak_rss_mb():8.0f} MiB")


if __name__ == "__main__":
    main()
