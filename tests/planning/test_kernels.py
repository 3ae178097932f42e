"""Invariants of the planning kernels: non-negative quantities, monotone levels, rounding, partitions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.typing import ArrayLike, NDArray

from tradewind.planning.decisions import fit_to_cover
from tradewind.planning.kernels import SMOOTHED, PlanResult, estimate_demand, plan
from tradewind.planning.kernels.policy import fit_order_to_cover, round_order

histories = arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.integers(1, 60)),
    elements=st.one_of(st.just(0.0), st.floats(0, 500, allow_nan=False)),
)


def run_plan(history: NDArray[np.float64], level: ArrayLike = 0.9, **kwargs: Any) -> PlanResult:
    n = history.shape[0]
    defaults: dict[str, Any] = {
        "on_hand": np.full(n, 5.0),
        "inbound": np.zeros((n, 20)),
        "lead_time_mean": 4.0,
        "lead_time_p90": 6.0,
        "service_level": level,
        "moq": 3.0,
        "pack_size": 4.0,
    }
    defaults.update(kwargs)
    return plan(history, None, **defaults)


@settings(max_examples=60, deadline=None)
@given(histories, st.floats(0.5, 0.99))
def test_quantities_are_never_negative(history: NDArray[np.float64], level: float) -> None:
    result = run_plan(history, level)
    for name in ("demand_per_day", "demand_sigma", "reorder_point", "order_up_to", "suggested_quantity"):
        values = getattr(result, name)
        assert np.all(np.isfinite(values)) and np.all(values >= 0), name


@settings(max_examples=60, deadline=None)
@given(histories, st.floats(0.5, 0.98), st.floats(0.001, 0.019))
def test_reorder_point_never_falls_when_the_service_level_rises(
    history: NDArray[np.float64], level: float, step: float
) -> None:
    low, high = run_plan(history, level), run_plan(history, level + step)
    assert np.all(high.reorder_point >= low.reorder_point - 1e-9)
    assert np.all(high.order_up_to >= low.order_up_to - 1e-9)


@given(st.floats(0, 1e4), st.floats(0, 500), st.floats(0.5, 200))
def test_rounding_respects_moq_and_pack_size(quantity: float, moq: float, pack: float) -> None:
    rounded = float(round_order(np.array([quantity]), np.array([moq]), np.array([pack]))[0])
    if quantity <= 0:
        assert rounded == 0
    else:
        assert rounded >= quantity - 1e-9 and rounded >= moq - 1e-9
        assert abs(rounded / pack - round(rounded / pack)) < 1e-6
        assert rounded - max(quantity, moq) < pack + 1e-6


def test_partitions_give_the_same_plan(intermittent_history: NDArray[np.float64]) -> None:
    whole = run_plan(intermittent_history)
    parts = [run_plan(piece) for piece in np.array_split(intermittent_history, [7, 8, 25])]
    for name in whole.__dataclass_fields__:
        joined = np.concatenate([getattr(p, name) for p in parts])
        np.testing.assert_array_equal(getattr(whole, name), joined, err_msg=name)


def test_plan_is_deterministic(intermittent_history: NDArray[np.float64]) -> None:
    first, second = run_plan(intermittent_history), run_plan(intermittent_history)
    np.testing.assert_array_equal(first.order_up_to, second.order_up_to)


def test_out_of_stock_days_are_missing_demand_not_zero() -> None:
    rng = np.random.default_rng(5)
    true_demand = rng.poisson(10.0, size=(1, 200)).astype(np.float64)
    in_stock = np.ones_like(true_demand, dtype=bool)
    in_stock[:, 100:180] = False
    recorded = np.where(in_stock, true_demand, 0.0)
    naive = estimate_demand(recorded)
    corrected = estimate_demand(recorded, in_stock)
    assert naive.rate[0] < 7.0
    assert abs(corrected.rate[0] - 10.0) < 2.0


def test_stockout_day_and_order_by_day_follow_the_projection() -> None:
    history = np.full((2, 60), 10.0)
    inbound = np.zeros((2, 30))
    inbound[1, 2] = 100.0
    result = run_plan(history, on_hand=np.array([25.0, 25.0]), inbound=inbound, lead_time_p90=6.0)
    stockout = result.stockout_day
    np.testing.assert_allclose(stockout, [2.0, 12.0])
    np.testing.assert_allclose(result.order_by_day, stockout - 6.0)
    no_demand = run_plan(np.zeros((1, 30)))
    assert np.isnan(no_demand.stockout_day[0])


def test_short_series_fall_back_to_smoothing() -> None:
    result = run_plan(np.array([[0.0, 5.0, 0.0, 0.0, 9.0]]))
    assert result.method[0] == SMOOTHED


def test_higher_target_for_best_sellers_and_cover_cap() -> None:
    history = np.tile(np.arange(60, dtype=np.float64) % 5, (2, 1))
    levels = run_plan(history, np.array([0.99, 0.8]))
    assert levels.order_up_to[0] > levels.order_up_to[1]
    capped = run_plan(history, 0.99, max_cover_days=3.0)
    assert np.all(capped.order_up_to <= 3.0 * capped.demand_per_day + 1e-9)


def test_fill_rate_target_orders_less_than_the_same_cycle_level_for_fast_movers() -> None:
    history = np.random.default_rng(1).poisson(50.0, size=(3, 120)).astype(np.float64)
    cycle = run_plan(history, 0.95)
    fill = run_plan(history, 0.95, service_measure="fill_rate")
    assert np.all(fill.order_up_to < cycle.order_up_to)


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="in_stock"):
        estimate_demand(np.zeros((2, 5)), np.ones((2, 4), dtype=bool))


def test_order_up_to_covers_lead_time_plus_the_review_period() -> None:
    """2 a day, no noise, lead time 10 d: a daily review orders up to 10 + 1 − 1 = 10 days (20 units), a weekly
    one up to 10 + 7 − 1 = 16 days (32 units); with 5 on hand that is 16 and 28 units to order."""
    history = np.full((1, 60), 2.0)
    daily = plan(history, None, 5.0, np.zeros((1, 20)), 10.0, 10.0, 0.9, review_period=1.0)
    weekly = plan(history, None, 5.0, np.zeros((1, 20)), 10.0, 10.0, 0.9, review_period=7.0)
    assert daily.order_up_to[0] == pytest.approx(20.0) and weekly.order_up_to[0] == pytest.approx(32.0)
    assert daily.suggested_quantity[0] == 16.0 and weekly.suggested_quantity[0] == 28.0
    assert weekly.reorder_point[0] == pytest.approx(20.0)  # the reorder point covers the lead time only


@pytest.mark.parametrize(
    ("wanted", "moq", "pack", "ordered", "choice"),
    [
        (30.0, 200.0, 10.0, 0.0, 200.0),  # MOQ 200 at 1/day with 10 held: 210 days > 90: a choice, not an order
        (30.0, 20.0, 50.0, 50.0, 0.0),  # one pack of 50 brings the position to 60 days: within the cap
        (75.0, 20.0, 12.0, 72.0, 0.0),  # 7 packs (84) would make 94 days: 6 packs (72, 82 days) fit and meet the MOQ
        (75.0, 80.0, 12.0, 0.0, 84.0),  # … unless the MOQ is above what fits (80 > 72)
        (0.0, 200.0, 10.0, 0.0, 0.0),  # nothing wanted, nothing to choose
    ],
)
def test_an_moq_beyond_the_cover_cap_is_a_choice(
    wanted: float, moq: float, pack: float, ordered: float, choice: float
) -> None:
    """Position 10, 1 a day, cap 90 days: room for 80 units."""
    quantity, left = fit_order_to_cover(
        np.array([wanted]), np.array([10.0]), np.array([1.0]), np.array([moq]), np.array([pack]), np.array([90.0])
    )
    assert (quantity[0], left[0]) == (ordered, choice)


def test_without_a_cap_the_moq_is_ordered() -> None:
    quantity, left = fit_order_to_cover(
        np.array([30.0]), np.array([10.0]), np.array([1.0]), np.array([200.0]), np.array([10.0]), np.array([np.inf])
    )
    assert (quantity[0], left[0]) == (200.0, 0.0)


def test_plan_leaves_the_moq_to_the_seller() -> None:
    """2 a day, 5 on hand, weekly review: 28 wanted, but MOQ 200 would make (5 + 200) / 2 = 102.5 days > 90."""
    result = plan(np.full((1, 60), 2.0), None, 5.0, np.zeros((1, 20)), 10.0, 10.0, 0.9, 200.0, 10.0, 90.0, 7.0)
    assert result.suggested_quantity[0] == 0.0 and result.moq_choice_quantity[0] == 200.0


@pytest.mark.parametrize(
    ("needed", "moq", "pack", "room", "quantity"),
    [
        (25.0, 20, 10, 100.0, 30),  # rounded up to whole packs within the room
        (25.0, 200, 10, 100.0, 0),  # the MOQ does not fit: not pulled forward
        (95.0, 20, 10, 96.0, 90),  # 100 would exceed the room: 9 packs
        (0.0, 20, 10, 100.0, 0),
    ],
)
def test_a_pulled_forward_line_stays_within_the_cover_cap(
    needed: float, moq: int, pack: int, room: float, quantity: int
) -> None:
    assert fit_to_cover(needed, moq, pack, room) == quantity
