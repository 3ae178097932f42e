"""Weighted Kaplan–Meier survival of parcels in transit, for many lanes at once (pure NumPy).

A parcel still in transit is a censored observation: it has taken at least so many days. Ignoring it is what makes
transit times look good exactly when a route slows down, because only the fast parcels have arrived yet.

The kernel works on whole days, as sellers count them: a parcel delivered after 12.3 days took 13 days (delivered on
its 13th day), a parcel in transit for 12.3 days is known to take more than 12. On those integer times it is the
ordinary weighted Kaplan–Meier estimator (Kaplan & Meier 1958; the weights as in lifelines' `KaplanMeierFitter`):
S(d) = Π_{k≤d} (1 − D_k / N_k), with D_k the weight delivered on day k and N_k the weight still in transit at the
start of day k (parcels censored on day k count as at risk on day k).

Thin lanes borrow strength from a wider group (same region, same method, all lanes): the wider group's curve enters
as `prior_strength` pseudo-parcels that follow it, so that h_k = (D_k + m·(P_{k−1} − P_k)) / (N_k + m·P_{k−1}),
P being the wider group's survival. Where a lane has many parcels the prior is negligible; where it has few, or none
left at risk in the tail, the wider group fills in.

Recency weights w = 2^(−age/half-life) by hand-over date are, for discrete-time hazards, the same as weighting each
day of exposure by how recent that calendar day is (the day factor cancels between D_k and N_k): a moving "period
analysis" (Brenner & Gefeller 1996) that shows a slowdown as soon as parcels in flight stop arriving.

A wider group's curve can be stretched to a group's own pace (`time_scales`, `stretched`): parcels to Japan borrow
the shape of all ePacket parcels, not their days.

Quantiles of a few parcels promise more than they keep: the k-th of n parcels is passed by the next one with
probability k/(n + 1), so the plain p90 of ten parcels covers about 82 % of the next ones. `kaplan_meier` carries the
uncertainty of each day's hazard (Greenwood's variance, in effective parcels, including what the wider group's
curve is uncertain by), and `predictive_survival` turns it into the curve of the *next* parcel, (n·S + 1)/(n + 1)
with n the effective number of parcels behind each day; the p50 and p90 are read off that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_TOLERANCE = 1e-12
_FLOOR = 1e-6  # survival below this counts as nil when a curve is stretched
_BISECTIONS = 14  # halvings of the log-scale interval: to within 5·2⁻¹⁴ ≈ 0.03 %
_MAX_LOG_SCALE = 2.5  # a group at most e^2.5 ≈ 12 times slower or faster than its prior


@dataclass(frozen=True)
class DailyCounts:
    """Per group and transit day 0…max_days: weight delivered that day and weight still in transit at its start."""

    delivered: FloatArray
    at_risk: FloatArray
    at_risk_squared: FloatArray  # Σw² of the parcels at risk: with at_risk, their effective number (Kish)
    n_delivered: IntArray
    n_in_transit: IntArray
    weight_delivered: FloatArray
    weight_delivered_squared: FloatArray
    weight_total: FloatArray
    weight_total_squared: FloatArray
    longest_in_transit: IntArray  # the most days any still-travelling parcel of the group has taken (-1: none)

    @property
    def effective_delivered(self) -> FloatArray:
        """Kish's effective number of delivered parcels: (Σw)² / Σw²."""
        with np.errstate(divide="ignore", invalid="ignore"):
            found = self.weight_delivered**2 / self.weight_delivered_squared
        return np.where(self.weight_delivered_squared > 0, found, 0.0)

    def merged(self, parent_of: IntArray, n_parents: int) -> DailyCounts:
        """The counts of wider groups, each the sum of the groups `parent_of` maps into it."""

        membership = np.zeros((n_parents, parent_of.shape[0]), dtype=np.float64)
        membership[parent_of, np.arange(parent_of.shape[0])] = 1.0

        def rows(values: FloatArray) -> FloatArray:
            summed: FloatArray = membership @ values
            return summed

        def sums(values: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
            return np.bincount(parent_of, weights=values.astype(np.float64), minlength=n_parents)

        longest = np.full(n_parents, -1, dtype=np.int64)
        np.maximum.at(longest, parent_of, self.longest_in_transit)
        return DailyCounts(
            delivered=rows(self.delivered),
            at_risk=rows(self.at_risk),
            at_risk_squared=rows(self.at_risk_squared),
            n_delivered=sums(self.n_delivered).astype(np.int64),
            n_in_transit=sums(self.n_in_transit).astype(np.int64),
            weight_delivered=sums(self.weight_delivered).astype(np.float64),
            weight_delivered_squared=sums(self.weight_delivered_squared).astype(np.float64),
            weight_total=sums(self.weight_total).astype(np.float64),
            weight_total_squared=sums(self.weight_total_squared).astype(np.float64),
            longest_in_transit=longest,
        )


def daily_counts(
    group: IntArray, days: IntArray, delivered: BoolArray, weights: FloatArray, *, n_groups: int, max_days: int
) -> DailyCounts:
    """Weighted counts per group and day. `days` are whole days: delivered on day d, or in transit for d full days.

    A delivery after `max_days` counts as still in transit at `max_days` (the estimator says nothing beyond it).
    """
    width = max_days + 1
    late = delivered & (days > max_days)
    is_delivered = delivered & ~late
    day = np.clip(days, 0, max_days).astype(np.int64)
    cell = group.astype(np.int64) * width + day
    size = n_groups * width
    delivered_w = _weighted_bincount(cell[is_delivered], weights[is_delivered], size).reshape(n_groups, width)
    leaving = _weighted_bincount(cell, weights, size).reshape(n_groups, width)
    at_risk = _still_at_risk(leaving)
    at_risk_squared = _still_at_risk(_weighted_bincount(cell, weights**2, size).reshape(n_groups, width))
    travelling = ~is_delivered
    longest = np.full(n_groups, -1, dtype=np.int64)
    if travelling.any():
        np.maximum.at(longest, group[travelling].astype(np.int64), day[travelling])
    return DailyCounts(
        delivered=delivered_w,
        at_risk=at_risk,
        at_risk_squared=at_risk_squared,
        n_delivered=np.bincount(group[is_delivered], minlength=n_groups).astype(np.int64),
        n_in_transit=np.bincount(group[travelling], minlength=n_groups).astype(np.int64),
        weight_delivered=_weighted_bincount(group[is_delivered], weights[is_delivered], n_groups),
        weight_delivered_squared=_weighted_bincount(group[is_delivered], weights[is_delivered] ** 2, n_groups),
        weight_total=_weighted_bincount(group, weights, n_groups),
        weight_total_squared=_weighted_bincount(group, weights**2, n_groups),
        longest_in_transit=longest,
    )


def _still_at_risk(leaving: FloatArray) -> FloatArray:
    """Weight still travelling at the start of each day: the total less what left on earlier days."""
    total: FloatArray = leaving.sum(axis=1)
    left_before: FloatArray = np.cumsum(leaving, axis=1) - leaving
    still: FloatArray = np.maximum(total[:, None] - left_before, 0.0)
    return still


def _weighted_bincount(index: IntArray, weights: FloatArray, size: int) -> FloatArray:
    return np.bincount(index, weights=weights, minlength=size).astype(np.float64)


def effective_at_risk(counts: DailyCounts) -> FloatArray:
    """Kish's effective number of parcels at risk on each day: (Σw)² / Σw²."""
    with np.errstate(divide="ignore", invalid="ignore"):
        found = counts.at_risk**2 / counts.at_risk_squared
    return np.where(counts.at_risk_squared > 0, found, 0.0)


class KaplanMeier(NamedTuple):
    """Survival curves (groups × days), the hazard of each day, how uncertain that hazard is, and the effective
    number of the group's own parcels at risk behind it."""

    survival: FloatArray
    hazard: FloatArray
    hazard_variance: FloatArray
    at_risk: FloatArray

    @property
    def variance(self) -> FloatArray:
        """Var S(d), Greenwood's formula: S(d)² Σ_{k≤d} Var(h_k) / (1 − h_k)² (days ending the curve left out)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where(self.hazard < 1.0, self.hazard_variance / (1.0 - self.hazard) ** 2, 0.0)
        found: FloatArray = self.survival**2 * np.cumsum(term, axis=1)
        return found


def survival_curves(
    counts: DailyCounts,
    *,
    prior: FloatArray | None = None,
    prior_strength: float = 0.0,
    min_at_risk: float = 0.0,
) -> FloatArray:
    """S(d) for each group (rows) and day d (columns): the probability a parcel is still in transit after day d.

    With `prior` (one curve per group, same shape) the groups borrow `prior_strength` pseudo-parcels from it; the
    group's own weighted counts are then expressed in effective parcels (a scale that leaves its own curve as is).
    """
    return kaplan_meier(counts, prior=prior, prior_strength=prior_strength, min_at_risk=min_at_risk).survival


def kaplan_meier(
    counts: DailyCounts,
    *,
    prior: FloatArray | None = None,
    prior_strength: float = 0.0,
    min_at_risk: float = 0.0,
    prior_hazard_variance: FloatArray | None = None,
    prior_at_risk: FloatArray | None = None,
) -> KaplanMeier:
    """The weighted Kaplan–Meier curves, borrowing from `prior`, with the uncertainty of each day's hazard.

    The hazard h_k = (D_k + m·ΔP_k) / (N_k + m·P_{k−1}) mixes the group's own effective parcels (binomial variance
    h(1 − h)/N_k) with the prior's pseudo-parcels, whose hazard is only as certain as the wider group's own
    (`prior_hazard_variance` v; none if not given). The wider group's parcels include the group's own, so the two
    are correlated — by h(1 − h)/N^P_k, N^P_k its effective parcels at risk (`prior_at_risk`; independent if not
    given):
        Var h_k = (N_k·h(1 − h) + (m·P_{k−1})²·v_k + 2·m·P_{k−1}·N_k·h(1 − h)/N^P_k) / (N_k + m·P_{k−1})²,
    which is h(1 − h)/N_k when a lane is all of its group, and without a prior gives Greenwood's S² Σ D/(N(N − D)).
    """
    delivered, at_risk = counts.delivered, counts.at_risk
    if min_at_risk > 0:
        # Days on which fewer than `min_at_risk` effective parcels are left say nothing (a lost parcel or two
        # would otherwise hold the curve up for ever): the wider group speaks for them.
        informative = effective_at_risk(counts) >= min_at_risk
        delivered, at_risk = np.where(informative, delivered, 0.0), np.where(informative, at_risk, 0.0)
    # Each day's counts in effective parcels (Kish: Σw/Σw² over the parcels at risk that day), so that the prior's
    # pseudo-parcels weigh against the lane's own evidence on that day, whatever the scale of the recency weights:
    # a lane's old deliveries still speak for day 30 when its only recent parcel is 2 days out.
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(counts.at_risk_squared > 0, at_risk / counts.at_risk_squared, 0.0)
    own = at_risk * scale
    pseudo = np.zeros_like(own)
    if prior is not None and prior_strength > 0:
        before = np.concatenate([np.ones((prior.shape[0], 1)), prior[:, :-1]], axis=1)
        pseudo = prior_strength * before
        delivered = delivered * scale + prior_strength * np.maximum(before - prior, 0.0)
        at_risk = own + pseudo
    # (Without a prior the hazard is the same in either unit: the raw weights keep it exactly lifelines' estimator.)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.clip(np.where(at_risk > _TOLERANCE, delivered / at_risk, 0.0), 0.0, 1.0)
        pooled = own + pseudo
        binomial = own * hazard * (1.0 - hazard)
        spread = binomial.copy()
        if prior_hazard_variance is not None:
            spread += pseudo**2 * np.maximum(prior_hazard_variance, 0.0)
        if prior_at_risk is not None:
            spread += np.where(prior_at_risk > _TOLERANCE, 2.0 * pseudo * binomial / prior_at_risk, 0.0)
        hazard_variance = np.where(pooled > _TOLERANCE, spread / pooled**2, 0.0)
    survival = np.cumprod(1.0 - hazard, axis=1).astype(np.float64)
    return KaplanMeier(survival, hazard, hazard_variance.astype(np.float64), own.astype(np.float64))


def time_scales(counts: DailyCounts, prior: FloatArray, *, strength: float, bulk: float = 0.75) -> FloatArray:
    """How much slower (> 1) or faster (< 1) each group's parcels travel than its prior curve says.

    The factor r with which the prior stretched in time, P(d / r), expects as many deliveries as the group had —
    Σ w·δ = Σ w·Λ(t / r), Λ = −log P the cumulative hazard, each parcel counted up to its delivery or to now (the
    log-rank balance of observed and expected; parcels in transit count their exposure) — over the bulk of the
    curve only: up to the day the stretched prior has delivered `bulk` of its parcels, so that a lost parcel or two
    does not make a lane look slow. log r is then shrunk toward 0 as by `strength` deliveries at the prior's pace,
    log r · n/(n + strength) with n the effective number of deliveries: one parcel to Japan says Japan is fast, but
    not how fast.
    """
    n_groups, width = counts.at_risk.shape
    if n_groups == 0:
        return np.ones(0, dtype=np.float64)
    leaving = counts.at_risk - np.concatenate([counts.at_risk[:, 1:], np.zeros((n_groups, 1))], axis=1)
    cap = -np.log(1.0 - bulk)
    hazard = np.minimum(-np.log(np.clip(prior, _FLOOR, 1.0)), cap)
    # The day (on the prior's own scale) by which it has delivered `bulk`: the end of the bulk.
    reached = hazard >= cap - _TOLERANCE
    bulk_end = np.where(reached.any(axis=1), np.argmax(reached, axis=1), width - 1).astype(np.float64)
    # Only the days some parcel's observation ends on count: the sums run over those.
    left_group, left_day = np.nonzero(leaving > _TOLERANCE)
    left_weight = leaving[left_group, left_day]
    came_group, came_day = np.nonzero(counts.delivered > _TOLERANCE)
    came_weight = counts.delivered[came_group, came_day]
    low, high = np.full(n_groups, -_MAX_LOG_SCALE), np.full(n_groups, _MAX_LOG_SCALE)
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        scale = np.exp(middle)
        exposure = _interpolate_at(hazard, left_group, left_day / scale[left_group])
        expected = np.bincount(left_group, weights=left_weight * exposure, minlength=n_groups)
        in_bulk = came_day <= bulk_end[came_group] * scale[came_group]
        observed = np.bincount(came_group, weights=came_weight * in_bulk, minlength=n_groups)
        # Expecting more deliveries than happened: the group is slower than that.
        slower = expected > observed
        low, high = np.where(slower, middle, low), np.where(slower, high, middle)
    n = counts.effective_delivered
    shrunk = np.where(n > 0, (low + high) / 2 * n / (n + strength), 0.0)
    scales: FloatArray = np.exp(shrunk)
    return scales


def stretched(curves: FloatArray, scales: FloatArray) -> FloatArray:
    """Each curve stretched in time by its factor: S(d) = P(d / r), interpolated on the cumulative hazard."""
    grid = np.arange(curves.shape[1], dtype=np.float64)
    hazard = -np.log(np.clip(curves, _FLOOR, 1.0))
    found = np.exp(-_interpolate_rows(hazard, grid[None, :] / scales[:, None]))
    out: FloatArray = np.where(found <= _FLOOR * (1 + 1e-9), 0.0, found)
    return out


def stretched_levels(values: FloatArray, scales: FloatArray) -> FloatArray:
    """Daily levels (parcels at risk, say) of curves stretched by `scales`: the value at d / r."""
    grid = np.arange(values.shape[1], dtype=np.float64)
    return _interpolate_rows(values, grid[None, :] / scales[:, None])


def stretched_variance(hazard_variance: FloatArray, scales: FloatArray) -> FloatArray:
    """The daily hazard variance of curves stretched by `scales`: a day's hazard spreads over r days, so each gets
    1/r of its variance (summed over the r days, what the day had)."""
    width = hazard_variance.shape[1]
    grid = np.arange(width, dtype=np.float64)
    found: FloatArray = _interpolate_rows(hazard_variance, grid[None, :] / scales[:, None]) / scales[:, None]
    return found


def _interpolate_rows(values: FloatArray, positions: FloatArray) -> FloatArray:
    """values[g](positions[g, j]), linear between whole days, held at the ends."""
    rows = np.broadcast_to(np.arange(values.shape[0], dtype=np.int64)[:, None], positions.shape)
    return _interpolate_at(values, rows, positions)


def _interpolate_at(values: FloatArray, rows: IntArray, positions: FloatArray) -> FloatArray:
    """values[rows](positions), linear between whole days, held at the ends."""
    width = values.shape[1]
    flat = values.ravel()
    if width < 2:
        held: FloatArray = flat[rows * width].astype(np.float64)
        return held
    x = np.clip(positions, 0.0, width - 1.0)
    left = np.minimum(x.astype(np.int64), width - 2)
    at = left + rows * width
    lower, upper = flat[at], flat[at + 1]
    out: FloatArray = lower + (x - left) * (upper - lower)
    return out


def predictive_survival(survival: FloatArray, variance: FloatArray) -> FloatArray:
    """The chance the *next* parcel is still travelling after day d, not the curve's point estimate.

    With n parcels the plain Kaplan–Meier quantile covers on average only n/(n + 1) of what it should (the k-th of n
    parcels is passed by a new one with probability k/(n + 1)): the next parcel is as likely to be the slowest as any
    of them. The predictive curve is (n·S + 1)/(n + 1) — as if one more parcel were still on its way — with n the
    effective number of parcels behind S(d), S(1 − S)/Var S(d) (Greenwood), which counts censoring, recency weights
    and borrowing alike. It is never below S, and tends to S as the lane fills up. Where the curve has ended (every
    parcel in, S = 0) nothing is left to lift: the p90 of fewer than nine parcels is then the slowest of them.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = np.where(variance > 0, (1.0 - survival) * variance / (survival * (1.0 - survival) + variance), 0.0)
    lifted = np.clip(survival + lift, 0.0, 1.0)
    monotone: FloatArray = np.minimum.accumulate(lifted, axis=1)
    return monotone


def quantile_days(survival: FloatArray, q: float) -> IntArray:
    """The first day by which a share `q` of parcels is delivered (S(d) ≤ 1 − q), per row; −1 where never reached."""
    reached = survival <= (1.0 - q) + _TOLERANCE
    first = np.argmax(reached, axis=1)
    return np.where(reached.any(axis=1), first, -1).astype(np.int64)


def conditional_quantile_days(survival_row: FloatArray, elapsed_days: int, q: float) -> int:
    """For a parcel already `elapsed_days` in transit: the day by which it arrives with probability `q`.

    P(T ≤ d | T > e) = 1 − S(d)/S(e); −1 when the curve never gets there.
    """
    elapsed = int(max(0, min(elapsed_days, survival_row.shape[0] - 1)))
    still = float(survival_row[elapsed])
    if still <= _TOLERANCE:
        return elapsed
    tail = survival_row[elapsed:]
    reached = np.nonzero(tail <= (1.0 - q) * still + _TOLERANCE)[0]
    return int(elapsed + reached[0]) if reached.size else -1


def whole_days(durations: FloatArray, delivered: BoolArray) -> IntArray:
    """Days as sellers count them: a delivery on the day it happened (ceil), a parcel in transit in full days."""
    eps = 1e-9
    delivered_days = np.ceil(np.maximum(durations, 0.0) - eps)
    waiting_days = np.floor(np.maximum(durations, 0.0) + eps)
    return np.where(delivered, delivered_days, waiting_days).astype(np.int64)


def recency_weights(age_days: FloatArray, half_life_days: float) -> FloatArray:
    """2^(−age / half-life): a parcel handed over one half-life ago counts half as much as one handed over today."""
    if half_life_days <= 0:
        return np.ones_like(age_days, dtype=np.float64)
    return np.exp2(-np.maximum(age_days, 0.0) / half_life_days)
