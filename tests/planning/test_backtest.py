"""The backtest: its books balance, its conventions, and the goals against the seed rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.typing import NDArray

from tradewind.planning.backtest import (
    backtest_demand,
    inventory_at_fill_rate,
    run_backtest,
    seed_levels,
    simulate,
)
from tradewind.planning.history import load_online_retail, synthetic_intermittent_history

demands = arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(29, 45)),
    elements=st.one_of(st.just(0.0), st.floats(0, 100, allow_nan=False)),
)


@settings(max_examples=50, deadline=None)
@given(demands, st.integers(1, 5), st.integers(1, 3), st.floats(0, 300, allow_nan=False))
def test_books_balance(demand: NDArray[np.float64], lead_time: int, review: int, level: float) -> None:
    levels = np.full(demand.shape, level)
    outcome = simulate(demand, levels, lead_time, review)
    assert outcome.units_served + outcome.units_lost == pytest.approx(float(demand[:, 28:].sum()), abs=1e-6)
    assert 0.0 <= outcome.fill_rate <= 1.0
    assert outcome.avg_on_hand_units >= 0.0


def test_seed_rule_and_order_timing() -> None:
    demand = np.full((1, 40), 2.0)
    np.testing.assert_allclose(seed_levels(demand)[0, 27:], 14.0)
    outcome = simulate(demand, seed_levels(demand), lead_time=3)
    assert outcome.fill_rate == 1.0
    # 14 at the start; two orders of 2 always in the pipeline after day 30: 12, 10, then 8 for ten days
    assert outcome.avg_on_hand_units == pytest.approx((12 + 10 + 8 * 10) / 12)
    starved = simulate(demand, np.zeros((1, 40)), lead_time=1)
    assert starved.fill_rate == 0.0 and starved.stockout_periods == 12


def test_report_json_has_the_contract_keys(tmp_path: Path) -> None:
    lines = ["sku,date,units"] + [f"A,2024-01-{d:02d},{d % 3}" for d in range(1, 32)]
    lines += [f"A,2024-02-{d:02d},{d % 4}" for d in range(1, 10)]
    path = tmp_path / "h.csv"
    path.write_text("\n".join(lines) + "\n")
    from tradewind.planning.history import read_history_csv

    report = run_backtest(read_history_csv(path), "D", 2, 1, (0.9,), ("seed", "tradewind")).to_json()
    assert report["skus"] == 1 and report["periods"] == 40
    sweep = run_backtest(read_history_csv(path), "D", 2, 1, (0.8, 0.9), ("seed", "tradewind")).to_json()
    assert set(sweep["policies"]) == {"seed", "tradewind@0.8", "tradewind@0.9"}
    assert set(report["policies"]) == {"seed", "tradewind"}  # one service level: plain names
    for name in ("seed", "tradewind"):
        assert set(report["policies"][name]) >= {
            "fill_rate",
            "cycle_service_level",
            "avg_on_hand_units",
            "avg_days_of_supply",
            "stockout_periods",
            "orders_placed",
        }


def test_interpolation_along_a_curve() -> None:
    assert inventory_at_fill_rate([(0.5, 10.0), (0.7, 30.0)], 0.6) == pytest.approx(20.0)
    assert inventory_at_fill_rate([(0.5, 10.0)], 0.9) is None


def test_intermittent_monthly_goal() -> None:
    demand = synthetic_intermittent_history().demand("M")
    report = backtest_demand(demand, "M", 1, 1, (0.8, 0.9, 0.95, 0.97, 0.98, 0.99), ("seed", "tradewind"))
    ratio = report.inventory_ratio("tradewind")
    assert ratio is not None and ratio <= 0.75


@pytest.mark.slow
def test_online_retail_goal(online_retail_path: Path) -> None:
    history = load_online_retail(online_retail_path)
    assert len(history.skus) > 3500
    report = run_backtest(history, "D", 7, 1, (0.4, 0.5, 0.6, 0.7, 0.8), ("seed", "tradewind"))
    ratio = report.inventory_ratio("tradewind")
    assert ratio is not None and ratio <= 0.90
