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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_TOLERANCE = 1e-12


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

        def rows(values: FloatArray) -> FloatArray:
            out = np.zeros((n_parents, values.shape[1]), dtype=np.float64)
            np.add.at(out, parent_of, values)
            return out

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
    delivered, at_risk = counts.delivered, counts.at_risk
    if min_at_risk > 0:
        # Days on which fewer than `min_at_risk` effective parcels are left say nothing (a lost parcel or two
        # would otherwise hold the curve up for ever): the wider group speaks for them.
        informative = effective_at_risk(counts) >= min_at_risk
        delivered, at_risk = np.where(informative, delivered, 0.0), np.where(informative, at_risk, 0.0)
    if prior is not None and prior_strength > 0:
        # Each day's counts in effective parcels (Kish: Σw/Σw² over the parcels at risk that day), so that the
        # prior's pseudo-parcels weigh against the lane's own evidence on that day, whatever the scale of the
        # recency weights: a lane's old deliveries still speak for day 30 when its only recent parcel is 2 days out.
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(counts.at_risk_squared > 0, at_risk / counts.at_risk_squared, 0.0)
        delivered, at_risk = delivered * scale, at_risk * scale
        before = np.concatenate([np.ones((prior.shape[0], 1)), prior[:, :-1]], axis=1)
        delivered = delivered + prior_strength * np.maximum(before - prior, 0.0)
        at_risk = at_risk + prior_strength * before
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > _TOLERANCE, delivered / at_risk, 0.0)
    return np.cumprod(1.0 - np.clip(hazard, 0.0, 1.0), axis=1).astype(np.float64)


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
