"""Accuracy of the plan's demand against what the shop then sold, through the product as a seller uses it.

A `sku,date,units` history (default: the UCI Online Retail invoice lines in ../shared/data, each cancellation netted
against the same customer's purchase of the same stock code) becomes a shop through the normal importers:
`tradewind init`, then CSV files written into a temporary directory and imported with `tradewind import` — the
SKUs, one supplier (lead time 7 days), every SKU-day with sales before the cut as one order, and a stock take at the
cut of about two weeks of sales (14 × the SKU's mean daily sales of the 28 days before the cut, at least 1).
`tradewind plan --today CUT --json` then runs 28 days before the history's end, once before the stock take is
imported and once after it (a first stock count must not change the demand estimate).

Printed, for the plan and for the plain 28-day mean before the cut (the same SKUs, scored the same way):
  ratio = Σ demand_per_day / Σ units sold per day in the 28 days from the cut   (goal: 0.80–1.20)
  WAPE  = Σ |demand_per_day − sold per day| / Σ sold per day, over the SKUs     (goal: ≤ the 28-day mean's)

    python benchmarks/plan_accuracy.py --small              # a smoke run: 300 SKUs of Online Retail
    python benchmarks/plan_accuracy.py                      # every SKU of Online Retail
    python benchmarks/plan_accuracy.py --history h.csv      # any sku,date,units file (.csv or .csv.gz)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from tradewind.planning.history import History, load_online_retail_netted, read_history_csv

ONLINE_RETAIL = Path(__file__).resolve().parents[2] / "shared/data/online_retail/online_retail_2010-12_2011-12.csv.gz"
WINDOW = 28
COVER_DAYS = 14
LEAD_TIME_DAYS = 7


def dense(history: History) -> np.ndarray:
    matrix = np.zeros((len(history.skus), history.n_days))
    np.add.at(matrix, (history.sku_index, history.day_index), history.units)
    return matrix


def pick(history: History, matrix: np.ndarray, n_skus: int | None) -> list[int]:
    """The SKUs with a sale before the cut; with `n_skus`, an even spread of them in code order."""
    sold_before = np.flatnonzero(matrix[:, : history.n_days - WINDOW].sum(axis=1) > 0)
    if n_skus is None or n_skus >= len(sold_before):
        return sold_before.tolist()
    spread: list[int] = sold_before[np.linspace(0, len(sold_before) - 1, n_skus).round().astype(int)].tolist()
    return spread


def tradewind(*arguments: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tradewind.cli.main", *arguments],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    if result.returncode != 0:
        raise SystemExit(f"tradewind {' '.join(arguments[:2])} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result.stdout


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def build_shop(folder: Path, db: str, history: History, matrix: np.ndarray, rows: list[int], cut: date) -> Path:
    """Import everything but the stock take; return the stock-take file to import later."""
    codes = [history.skus[i] for i in rows]
    tradewind("init", "--db", db, "--shop", "bench", "--name", "Plan accuracy", "--currency", "GBP", "--country", "GB")
    skus = write_csv(folder / "skus.csv", ["sku", "title", "price"], [[c, f"Item {c}", "1.00"] for c in codes])
    suppliers = write_csv(
        folder / "suppliers.csv", ["supplier", "name", "country", "calendar"], [["SUP", "The supplier", "GB", "GB"]]
    )
    offers = write_csv(
        folder / "offers.csv",
        ["supplier", "sku", "unit_cost", "currency", "lead_time_days"],
        [["SUP", c, "0.50", "GBP", LEAD_TIME_DAYS] for c in codes],
    )
    n_before = (cut - history.first_day).days
    order_rows: list[list[object]] = []
    for i, code in zip(rows, codes, strict=True):
        for day in np.flatnonzero(matrix[i, :n_before] > 0).tolist():
            placed = datetime.combine(history.first_day + timedelta(days=day), datetime.min.time(), tzinfo=UTC)
            placed += timedelta(hours=12)
            units = round(float(matrix[i, day]))
            if units > 0:
                order_rows.append(
                    [f"{code}-{day}", placed.isoformat(), placed.isoformat(), "delivered", code, units, "1.00"]
                )
    orders = write_csv(
        folder / "orders.csv", ["order", "placed_at", "paid_at", "status", "sku", "quantity", "unit_price"], order_rows
    )
    recent = matrix[rows, n_before - WINDOW : n_before].sum(axis=1) / WINDOW
    counted = datetime.combine(cut, datetime.min.time(), tzinfo=UTC).isoformat()
    stock = write_csv(
        folder / "stock.csv",
        ["warehouse", "sku", "on_hand", "counted_at"],
        [["MAIN", c, max(1, round(COVER_DAYS * r)), counted] for c, r in zip(codes, recent, strict=True)],
    )
    for kind, path in (("skus", skus), ("suppliers", suppliers), ("offers", offers), ("orders", orders)):
        started = time.perf_counter()
        tradewind("import", kind, str(path), "--db", db)
        print(f"  imported {kind}: {sum(1 for _ in path.open()) - 1} rows ({time.perf_counter() - started:.1f} s)")
    return stock


def planned(db: str, cut: date) -> dict[str, float]:
    started = time.perf_counter()
    out = json.loads(tradewind("plan", "--db", db, "--today", cut.isoformat(), "--json"))
    print(f"  plan: {len(out['skus'])} SKUs ({time.perf_counter() - started:.1f} s)")
    return {row["sku"]: float(row["demand_per_day"]) for row in out["skus"]}


def score(name: str, forecast: np.ndarray, actual: np.ndarray) -> tuple[float, float]:
    ratio = float(forecast.sum() / actual.sum())
    wape = float(np.abs(forecast - actual).sum() / actual.sum())
    print(f"{name:>28}  Σ demand/day {forecast.sum():9.1f}  ratio {ratio:6.3f}  WAPE {wape:6.4f}")
    return ratio, wape


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="300 SKUs only (a smoke run)")
    parser.add_argument("--skus", type=int, default=None, help="at most this many SKUs")
    parser.add_argument("--history", type=Path, default=None, help="a sku,date,units file instead of Online Retail")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.history is not None:
        history, source = read_history_csv(args.history), str(args.history)
    else:
        history, source = load_online_retail_netted(ONLINE_RETAIL), "Online Retail (cancellations netted)"
    matrix = dense(history)
    if history.n_days < 2 * WINDOW + 1:
        raise SystemExit(f"{source}: {history.n_days} days; at least {2 * WINDOW + 1} are needed")
    rows = pick(history, matrix, 300 if args.small and args.skus is None else args.skus)
    cut = history.last_day - timedelta(days=WINDOW - 1)
    n_before = (cut - history.first_day).days
    print(
        f"{source}: {len(rows)} SKUs, {history.first_day} … {history.last_day}, plan on {cut} (read in "
        f"{time.perf_counter() - started:.1f} s)"
    )
    with tempfile.TemporaryDirectory(prefix="tradewind-accuracy-") as tmp:
        folder = Path(tmp)
        db = str(folder / "shop.db")
        stock = build_shop(folder, db, history, matrix, rows, cut)
        without = planned(db, cut)
        tradewind("import", "stock", str(stock), "--db", db)
        print("  imported the stock take at the cut")
        with_count = planned(db, cut)
    codes = [history.skus[i] for i in rows]
    actual = matrix[rows, n_before:].sum(axis=1) / WINDOW
    mean = matrix[rows, n_before - WINDOW : n_before].sum(axis=1) / WINDOW
    print(f"\nsold in the 28 days from {cut}: {actual.sum():.1f} units/day over {len(rows)} SKUs")
    _, mean_wape = score("28-day mean before the cut", mean, actual)
    score("plan, no stock record", np.array([without.get(c, 0.0) for c in codes]), actual)
    ratio, wape = score("plan after a stock take", np.array([with_count.get(c, 0.0) for c in codes]), actual)
    print(
        f"\nplan after the stock take: ratio {ratio:.3f} (goal 0.80–1.20), WAPE {wape:.4f} = "
        f"{wape / mean_wape:.3f} × the 28-day mean's (goal ≤ 1)"
    )
    print(f"({time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
