"""The weighted Kaplan–Meier kernel: a small case computed by hand, lifelines as an oracle, and the borrowing
prior's invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewind.logistics.survival import (
    conditional_quantile_days,
    daily_counts,
    quantile_days,
    recency_weights,
    survival_curves,
    whole_days,
)


def curve(days: list[int], delivered: list[bool], weights: list[float] | None = None, max_days: int = 20) -> np.ndarray:
    n = len(days)
    counts = daily_counts(
        np.zeros(n, dtype=np.int64),
        np.array(days, dtype=np.int64),
        np.array(delivered),
        np.ones(n) if weights is None else np.array(weights, dtype=float),
        n_groups=1,
        max_days=max_days,
    )
    return survival_curves(counts)[0]


def test_kaplan_meier_by_hand_with_parcels_still_in_transit() -> None:
    # Delivered on days 3, 5, 7, 10; still travelling after 5 and 8 days.
    s = curve([3, 5, 5, 7, 8, 10], [True, True, False, True, False, True])
    # Day 3: 6 at risk, 1 delivered → 5/6. Day 5: 5 at risk (the parcel seen on day 5 still counts), 1 → ×4/5.
    # Day 7: 3 at risk, 1 → ×2/3. Day 8: a censored parcel leaves, no change. Day 10: 1 at risk, 1 → 0.
    expected = {0: 1.0, 2: 1.0, 3: 5 / 6, 4: 5 / 6, 5: 2 / 3, 6: 2 / 3, 7: 4 / 9, 8: 4 / 9, 9: 4 / 9, 10: 0.0}
    for day, value in expected.items():
        assert s[day] == pytest.approx(value)
    assert quantile_days(s[None, :], 0.5)[0] == 7
    assert quantile_days(s[None, :], 0.9)[0] == 10
    # Ignoring the two travelling parcels would put the median at day 5: optimistic.
    naive = curve([3, 5, 7, 10], [True] * 4)
    assert quantile_days(naive[None, :], 0.5)[0] == 5


def test_weights_count_like_copies() -> None:
    weighted = curve([4, 6, 9], [True, True, False], [2.0, 1.0, 3.0])
    copies = curve([4, 4, 6, 9, 9, 9], [True, True, True, False, False, False])
    assert np.allclose(weighted, copies)


def test_a_quantile_never_reached_is_minus_one() -> None:
    s = curve([3, 20, 20, 20], [True, False, False, False])
    assert quantile_days(s[None, :], 0.5)[0] == -1


def test_conditional_quantile_for_a_parcel_already_on_its_way() -> None:
    s = curve([3, 5, 5, 7, 8, 10], [True, True, False, True, False, True])
    assert conditional_quantile_days(s, 0, 0.5) == 7
    # After 6 days: S(6) = 2/3; half of that is 1/3, first reached on day 10.
    assert conditional_quantile_days(s, 6, 0.5) == 10


def test_whole_days_and_recency() -> None:
    durations = np.array([12.3, 12.3, 0.0, 5.0])
    delivered = np.array([True, False, True, True])
    assert whole_days(durations, delivered).tolist() == [13, 12, 0, 5]
    assert recency_weights(np.array([0.0, 7.0, 14.0]), 7.0).tolist() == [1.0, 0.5, 0.25]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.booleans(), st.floats(0.05, 3.0)), min_size=1, max_size=60),
    st.floats(0.0, 20.0),
)
def test_the_prior_keeps_a_survival_curve(parcels: list[tuple[int, bool, float]], strength: float) -> None:
    days = np.array([p[0] for p in parcels], dtype=np.int64)
    delivered = np.array([p[1] for p in parcels])
    weights = np.array([p[2] for p in parcels])
    counts = daily_counts(np.zeros(len(parcels), dtype=np.int64), days, delivered, weights, n_groups=1, max_days=40)
    prior = np.exp(-np.arange(41) / 10.0)[None, :]
    s = survival_curves(counts, prior=prior, prior_strength=strength)[0]
    assert np.all(np.diff(s) <= 1e-12) and np.all((s >= -1e-12) & (s <= 1 + 1e-12))
    if strength == 0:
        assert np.allclose(s, survival_curves(counts)[0])


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")
def test_against_lifelines_on_random_weighted_data() -> None:
    lifelines = pytest.importorskip("lifelines")
    rng = np.random.default_rng(11)
    for _ in range(30):
        n = int(rng.integers(5, 150))
        # The longest observation is a parcel still in transit, so both estimators stop at the same place.
        days = np.append(rng.integers(0, 40, n), 45)
        delivered = np.append(rng.random(n) < 0.7, False)
        weights = rng.random(n + 1) + 0.1
        mine = curve(days.tolist(), delivered.tolist(), weights.tolist(), max_days=60)
        fitter = lifelines.KaplanMeierFitter().fit(days, delivered, weights=weights)
        theirs = fitter.survival_function_at_times(np.arange(61)).to_numpy()
        assert np.allclose(mine, theirs)
        for q in (0.5, 0.9):
            expected = fitter.percentile(1 - q)
            assert quantile_days(mine[None, :], q)[0] == (-1 if np.isinf(expected) else int(expected))
