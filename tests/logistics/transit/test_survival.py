"""The weighted Kaplan–Meier kernel: a small case computed by hand, lifelines as an oracle, the borrowing prior's
invariants, Greenwood's variance, the predictive curve the p50/p90 are read from, and a group's pace."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewind.logistics.transit.survival import (
    KaplanMeier,
    conditional_quantile_days,
    daily_counts,
    kaplan_meier,
    predictive_survival,
    quantile_days,
    recency_weights,
    stretched,
    survival_curves,
    time_scales,
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
    first: np.ndarray = survival_curves(counts)[0]
    return first


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


def fit(days: list[int], delivered: list[bool], weights: list[float] | None = None, max_days: int = 20) -> KaplanMeier:
    n = len(days)
    counts = daily_counts(
        np.zeros(n, dtype=np.int64),
        np.array(days, dtype=np.int64),
        np.array(delivered),
        np.ones(n) if weights is None else np.array(weights, dtype=float),
        n_groups=1,
        max_days=max_days,
    )
    return kaplan_meier(counts)


def test_greenwood_variance_by_hand() -> None:
    # The parcels of the hand-computed case: Var S(d) = S(d)² Σ_{k≤d} D_k / (N_k (N_k − D_k)).
    found = fit([3, 5, 5, 7, 8, 10], [True, True, False, True, False, True])
    variance = found.variance[0]
    assert variance[2] == 0.0
    assert variance[3] == pytest.approx((5 / 6) ** 2 * (1 / 30))
    assert variance[5] == pytest.approx((2 / 3) ** 2 * (1 / 30 + 1 / 20))
    assert variance[7] == pytest.approx((4 / 9) ** 2 * (1 / 30 + 1 / 20 + 1 / 6))
    # The last parcel delivered ends the curve: S = 0, nothing uncertain about it.
    assert variance[10] == 0.0
    # What counts is the effective number of parcels: the scale of the weights does not matter.
    assert np.allclose(
        fit([4, 6, 9], [True, True, False], [2.0, 2.0, 2.0]).variance, fit([4, 6, 9], [True, True, False]).variance
    )


def test_the_predictive_curve_is_as_if_one_more_parcel_were_on_its_way() -> None:
    # n parcels, all delivered: Greenwood's variance is S(1 − S)/n, and the predictive curve (nS + 1)/(n + 1) —
    # the Kaplan–Meier curve with one more parcel that never arrives — until the last parcel ends the curve.
    days = [3, 4, 4, 6, 7, 9, 12, 15]
    found = fit(days, [True] * len(days))
    n = len(days)
    predictive = predictive_survival(found.survival, found.variance)[0]
    assert np.allclose(predictive[:15], (n * found.survival[0, :15] + 1) / (n + 1))
    with_one_more = curve([*days, 20], [True] * n + [False], max_days=20)
    assert np.allclose(predictive[:15], with_one_more[:15])
    assert predictive[15] == 0.0


def test_the_predictive_p90_is_never_below_the_plain_one_and_meets_it_as_parcels_pile_up() -> None:
    sizes = (15, 60, 250, 5000)
    lifts: dict[int, list[float]] = {n: [] for n in sizes}
    gaps: dict[int, list[int]] = {n: [] for n in sizes}
    for seed in range(8):
        rng = np.random.default_rng(seed)
        for n in sizes:
            days = np.ceil(rng.lognormal(np.log(20.0), 0.35, n)).astype(np.int64)
            delivered = rng.random(n) < 0.9  # a few still travelling, part of the way there
            days = np.where(delivered, days, (days * rng.random(n)).astype(np.int64))
            found = fit(days.tolist(), delivered.tolist(), max_days=150)
            predictive = predictive_survival(found.survival, found.variance)
            assert np.all(predictive >= found.survival - 1e-12)
            plain, lifted = quantile_days(found.survival, 0.9)[0], quantile_days(predictive, 0.9)[0]
            assert 0 < plain <= lifted
            gaps[n].append(int(lifted - plain))
            lifts[n].append(float(predictive[0, plain] - found.survival[0, plain]))
    mean_lift = [float(np.mean(lifts[n])) for n in sizes]
    # The lift at the p90 is about 0.9/(n + 1): it falls as the parcels pile up, and so does the gap in days.
    assert mean_lift == sorted(mean_lift, reverse=True)
    assert mean_lift[0] > 0.03 and mean_lift[-1] < 0.001
    assert np.mean(gaps[15]) >= 1 and max(gaps[5000]) == 0


def test_the_predictive_p90_covers_nine_in_ten_of_the_next_parcels() -> None:
    # The plain quantile of n parcels covers about n/(n + 1) of what it should; the predictive one does not fall short.
    rng = np.random.default_rng(3)
    n, rounds = 12, 600
    plain_hits = predictive_hits = 0.0
    for _ in range(rounds):
        days = np.ceil(rng.lognormal(np.log(200.0), 0.3, n)).astype(np.int64)  # long: whole days barely matter
        found = fit(days.tolist(), [True] * n, max_days=600)
        plain = quantile_days(found.survival, 0.9)[0]
        predictive = quantile_days(predictive_survival(found.survival, found.variance), 0.9)[0]
        # The chance the next parcel arrives within each: the true distribution function there.
        plain_hits += float(_lognormal_cdf(plain, 200.0, 0.3))
        predictive_hits += float(_lognormal_cdf(predictive, 200.0, 0.3))
    assert plain_hits / rounds < 0.87
    assert 0.88 <= predictive_hits / rounds <= 0.95


def _lognormal_cdf(x: float, median: float, sigma: float) -> float:
    return 0.5 * (1.0 + math.erf(math.log(max(x, 1e-9) / median) / (sigma * math.sqrt(2.0))))


def test_the_prior_carries_its_own_uncertainty() -> None:
    # A group with no parcels of its own is exactly as uncertain as the wider group it borrows from.
    wider = fit([3, 5, 5, 7, 8, 10, 12, 12, 14], [True, True, False, True, True, True, False, True, True])
    empty = daily_counts(
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=bool),
        np.zeros(0),
        n_groups=1,
        max_days=20,
    )
    borrowed = kaplan_meier(
        empty, prior=wider.survival, prior_strength=8.0, prior_hazard_variance=wider.hazard_variance
    )
    assert np.allclose(borrowed.survival, wider.survival)
    assert np.allclose(borrowed.variance, wider.variance)
    # Without the wider group's uncertainty, borrowing is taken as certain.
    assert np.allclose(kaplan_meier(empty, prior=wider.survival, prior_strength=8.0).variance, 0.0)


def test_a_slower_group_is_found_slower_by_its_pace() -> None:
    rng = np.random.default_rng(9)
    base = np.ceil(rng.lognormal(np.log(10.0), 0.3, 4000)).astype(np.int64)
    prior = fit(base.tolist(), [True] * base.size, max_days=150).survival
    for factor in (0.6, 1.0, 2.0):
        days = np.ceil(rng.lognormal(np.log(10.0 * factor), 0.3, 400)).astype(np.int64)
        # The most recent fifth still travelling, after part of their way.
        travelling = rng.random(days.size) < 0.2
        days = np.where(travelling, (days * rng.random(days.size)).astype(np.int64), days)
        counts = daily_counts(
            np.zeros(days.size, dtype=np.int64), days, ~travelling, np.ones(days.size), n_groups=1, max_days=150
        )
        (pace,) = time_scales(counts, prior, strength=0.0)
        assert pace == pytest.approx(factor, rel=0.08)
        # Stretched by its pace, the wider curve's quantiles are the group's.
        assert quantile_days(stretched(prior, np.array([pace])), 0.9)[0] == pytest.approx(
            quantile_days(prior, 0.9)[0] * pace, abs=1.5
        )
    # Three parcels twice as slow say the group is slower, but not yet twice: the pace is shrunk toward 1.
    few = daily_counts(
        np.zeros(3, dtype=np.int64),
        np.array([20, 22, 19]),
        np.ones(3, dtype=bool),
        np.ones(3),
        n_groups=1,
        max_days=150,
    )
    (shrunk,) = time_scales(few, prior, strength=3.0)
    (alone,) = time_scales(few, prior, strength=0.0)
    assert 1.0 < shrunk < alone
    assert time_scales(few.merged(np.zeros(1, dtype=np.int64), 1), prior, strength=3.0)[0] == pytest.approx(shrunk)
