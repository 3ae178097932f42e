"""Transit times per lane (origin country, destination country, method) that stay honest in a disruption.

For each lane: the days from hand-over to delivery by which half (p50) and nine in ten (p90) parcels arrive,
estimated by a recency-weighted Kaplan–Meier (`survival`) in which parcels still travelling count as censored.
Lanes with too little data borrow from wider groups — same destination region and method, same method, all lanes —
and say so. Buyers' reviews that name the method and the days it took are a second, weaker source.

`as_of` makes the estimate what was known that day: later hand-overs are ignored, later deliveries count as still
in transit. Everything here is pure (arrays in, estimates out); the database side is `service.lane_statistics`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

import numpy as np

from tradewind.logistics.regions import region_of
from tradewind.logistics.survival import (
    BoolArray,
    DailyCounts,
    FloatArray,
    IntArray,
    conditional_quantile_days,
    daily_counts,
    effective_at_risk,
    quantile_days,
    recency_weights,
    survival_curves,
    whole_days,
)

DAY_SECONDS = 86_400.0
LEVELS = ("lane", "region", "method", "all")


@dataclass(frozen=True)
class TransitSettings:
    """How transit estimates weigh the evidence (tuned by `benchmarks/transit_backtest.py`)."""

    half_life_days: float = 7.0
    # Effective number of delivered parcels a lane needs before its estimate is called its own.
    min_delivered: float = 10.0
    # Pseudo-parcels a lane borrows from its wider group (negligible for a busy lane, most of a thin one).
    prior_strength: float = 8.0
    # A day with fewer effective parcels still travelling than this says nothing on its own.
    min_at_risk: float = 2.0
    max_days: int = 150
    lookback_days: int = 365
    review_weight: float = 0.3


class Lane(NamedTuple):
    origin: str
    destination: str
    method: str

    def describe(self) -> str:
        return f"{self.origin}→{self.destination} by {self.method}"


def factorize(values: Sequence[str]) -> tuple[tuple[str, ...], IntArray]:
    """Distinct values (in first-seen order) and each value's index: strings become small integers once."""
    index: dict[str, int] = {}
    codes = np.fromiter((index.setdefault(value, len(index)) for value in values), dtype=np.int64, count=len(values))
    return tuple(index), codes


@dataclass(frozen=True)
class TransitObservations:
    """Shipments (and reviews) as columns: lane parts as category codes, instants as seconds since the epoch."""

    origins: tuple[str, ...]
    origin_code: IntArray
    destinations: tuple[str, ...]
    destination_code: IntArray
    methods: tuple[str, ...]
    method_code: IntArray
    shipped: FloatArray
    delivered: FloatArray  # NaN: not delivered (yet)
    weight: FloatArray
    is_review: BoolArray

    @property
    def size(self) -> int:
        return int(self.shipped.shape[0])

    @classmethod
    def from_columns(
        cls,
        origins: Sequence[str],
        destinations: Sequence[str],
        methods: Sequence[str],
        shipped: FloatArray,
        delivered: FloatArray,
        *,
        weight: FloatArray | None = None,
        is_review: BoolArray | None = None,
    ) -> TransitObservations:
        origin_names, origin_code = factorize(origins)
        destination_names, destination_code = factorize(destinations)
        method_names, method_code = factorize(methods)
        n = len(origins)
        return cls(
            origins=origin_names,
            origin_code=origin_code,
            destinations=destination_names,
            destination_code=destination_code,
            methods=method_names,
            method_code=method_code,
            shipped=np.asarray(shipped, dtype=np.float64),
            delivered=np.asarray(delivered, dtype=np.float64),
            weight=np.ones(n) if weight is None else np.asarray(weight, dtype=np.float64),
            is_review=np.zeros(n, dtype=bool) if is_review is None else np.asarray(is_review, dtype=bool),
        )

    @classmethod
    def from_shipments(
        cls, shipments: Iterable[tuple[str, str, str, datetime, datetime | None]]
    ) -> TransitObservations:
        """From (origin, destination, method, shipped_at, delivered_at or None) rows."""
        rows = list(shipments)
        return cls.from_columns(
            [row[0] for row in rows],
            [row[1] for row in rows],
            [row[2] for row in rows],
            np.array([row[3].timestamp() for row in rows], dtype=np.float64),
            np.array([row[4].timestamp() if row[4] else np.nan for row in rows], dtype=np.float64),
        )

    def lanes(self, *, include_reviews: bool = False) -> list[Lane]:
        """The distinct lanes, in first-seen order."""
        keep = np.ones(self.size, dtype=bool) if include_reviews else ~self.is_review
        seen: dict[Lane, None] = {}
        for o, d, m in zip(
            self.origin_code[keep].tolist(),
            self.destination_code[keep].tolist(),
            self.method_code[keep].tolist(),
            strict=True,
        ):
            seen.setdefault(Lane(self.origins[o], self.destinations[d], self.methods[m]), None)
        return list(seen)

    def concat(self, other: TransitObservations) -> TransitObservations:
        def recode(names: tuple[str, ...], codes: IntArray, into: dict[str, int]) -> IntArray:
            mapping = np.array([into.setdefault(name, len(into)) for name in names], dtype=np.int64)
            return mapping[codes] if codes.size else codes

        columns: list[tuple[tuple[str, ...], IntArray]] = []
        for mine, theirs in (
            ((self.origins, self.origin_code), (other.origins, other.origin_code)),
            ((self.destinations, self.destination_code), (other.destinations, other.destination_code)),
            ((self.methods, self.method_code), (other.methods, other.method_code)),
        ):
            index = {name: i for i, name in enumerate(mine[0])}
            codes = np.concatenate([mine[1], recode(theirs[0], theirs[1], index)])
            columns.append((tuple(index), codes))
        return TransitObservations(
            origins=columns[0][0],
            origin_code=columns[0][1],
            destinations=columns[1][0],
            destination_code=columns[1][1],
            methods=columns[2][0],
            method_code=columns[2][1],
            shipped=np.concatenate([self.shipped, other.shipped]),
            delivered=np.concatenate([self.delivered, other.delivered]),
            weight=np.concatenate([self.weight, other.weight]),
            is_review=np.concatenate([self.is_review, other.is_review]),
        )


def reviews_as_observations(
    reviews: Iterable[tuple[str, str, str, date, int]], *, review_weight: float
) -> TransitObservations:
    """Buyers' reviews (origin, destination, method, reviewed on, days it took) as delivered parcels of low weight.

    A review is written on or after delivery, so the parcel is placed as handed over `days` before the review day.
    """
    rows = list(reviews)
    reviewed = np.array([_noon(row[3]).timestamp() for row in rows], dtype=np.float64)
    took = np.array([row[4] for row in rows], dtype=np.float64) * DAY_SECONDS
    return TransitObservations.from_columns(
        [row[0] for row in rows],
        [row[1] for row in rows],
        [row[2] for row in rows],
        reviewed - took,
        reviewed,
        weight=np.full(len(rows), review_weight),
        is_review=np.ones(len(rows), dtype=bool),
    )


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def end_of(day: date) -> datetime:
    """The instant a day ends (UTC): what was known 'on' that day."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=UTC)


@dataclass(frozen=True)
class LaneEstimate:
    """Transit days of one lane, where the figures come from, and what restricts the lane today."""

    lane: Lane
    region: str
    n_delivered: int
    n_in_transit: int
    n_reviews: int
    p50_days: int | None
    p90_days: int | None
    p50_is_lower_bound: bool
    p90_is_lower_bound: bool
    source: str
    borrowed_from: str | None
    effective_delivered: float
    longest_in_transit_days: int | None
    survival: FloatArray = field(repr=False, compare=False)
    blocked: bool = False
    slowed_by_days: int = 0
    restrictions: tuple[str, ...] = ()

    def days_to_delivery(self, q: float, *, elapsed_days: int = 0) -> int:
        """Total transit days by which a parcel already `elapsed_days` on its way arrives with probability `q`."""
        found = conditional_quantile_days(self.survival, elapsed_days, q)
        base = found if found >= 0 else max(elapsed_days, self.survival.shape[0] - 1)
        return base + self.slowed_by_days

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.lane.origin,
            "destination": self.lane.destination,
            "method": self.lane.method,
            "region": self.region,
            "n_delivered": self.n_delivered,
            "n_in_transit": self.n_in_transit,
            "n_reviews": self.n_reviews,
            "p50_days": self.p50_days,
            "p90_days": self.p90_days,
            "p90_is_lower_bound": self.p90_is_lower_bound,
            "source": self.source,
            "borrowed_from": self.borrowed_from,
            "effective_delivered": round(self.effective_delivered, 1),
            "longest_in_transit_days": self.longest_in_transit_days,
            "blocked": self.blocked,
            "slowed_by_days": self.slowed_by_days,
            "restrictions": list(self.restrictions),
        }


def estimate_lanes(
    observations: TransitObservations,
    *,
    as_of: datetime,
    settings: TransitSettings | None = None,
    regions: Mapping[str, str] | None = None,
    lanes: Sequence[Lane] | None = None,
) -> list[LaneEstimate]:
    """One estimate per lane (every lane of the shipments, or the `lanes` asked for), as known at `as_of`."""
    config = settings or TransitSettings()
    wanted = list(lanes) if lanes is not None else observations.lanes()
    moment = as_of.timestamp()
    obs = observations
    known = (obs.shipped <= moment) & (obs.shipped >= moment - config.lookback_days * DAY_SECONDS)
    arrived = known & ~np.isnan(obs.delivered) & (obs.delivered <= moment)
    end = np.where(arrived, obs.delivered, moment)
    durations = (end - obs.shipped) / DAY_SECONDS
    days = whole_days(durations, arrived)
    weights = recency_weights((moment - obs.shipped) / DAY_SECONDS, config.half_life_days) * obs.weight

    # Lanes are numbered: the wanted ones first, then any other lane that only feeds the wider groups.
    lane_index: dict[Lane, int] = {lane: i for i, lane in enumerate(wanted)}
    n_d, n_m = len(obs.destinations), len(obs.methods)
    combined = (obs.origin_code * n_d + obs.destination_code) * n_m + obs.method_code
    distinct, inverse = np.unique(combined[known], return_inverse=True)
    code_to_lane = np.empty(distinct.shape[0], dtype=np.int64)
    for position, value in enumerate(distinct.tolist()):
        o, rest = divmod(int(value), n_d * n_m)
        d, m = divmod(rest, n_m)
        lane = Lane(obs.origins[o], obs.destinations[d], obs.methods[m])
        code_to_lane[position] = lane_index.setdefault(lane, len(lane_index))
    all_lanes = list(lane_index)
    group = code_to_lane[inverse] if distinct.size else np.zeros(0, dtype=np.int64)

    counts = daily_counts(
        group,
        days[known],
        arrived[known],
        weights[known],
        n_groups=len(all_lanes),
        max_days=config.max_days,
    )
    reviews = np.bincount(group[obs.is_review[known]], minlength=len(all_lanes))
    curves, sources = _borrowing_curves(counts, all_lanes, regions, config)
    p50 = quantile_days(curves, 0.5)
    p90 = quantile_days(curves, 0.9)
    effective = counts.effective_delivered
    # The last day on which the lane itself still had enough parcels travelling to say anything.
    has_data = effective_at_risk(counts) >= config.min_at_risk
    data_end = np.where(has_data.any(axis=1), has_data.shape[1] - 1 - np.argmax(has_data[:, ::-1], axis=1), 0)
    estimates = []
    for i, lane in enumerate(wanted):
        region = region_of(lane.destination, regions)
        source, borrowed = sources[i]
        longest = int(counts.longest_in_transit[i])
        estimates.append(
            LaneEstimate(
                lane=lane,
                region=region,
                n_delivered=int(counts.n_delivered[i] - reviews[i]),
                n_in_transit=int(counts.n_in_transit[i]),
                n_reviews=int(reviews[i]),
                p50_days=_days(p50[i], data_end[i], config),
                p90_days=_days(p90[i], data_end[i], config),
                p50_is_lower_bound=bool(p50[i] < 0),
                p90_is_lower_bound=bool(p90[i] < 0),
                source=source,
                borrowed_from=borrowed,
                effective_delivered=float(effective[i]),
                longest_in_transit_days=longest if longest >= 0 else None,
                survival=curves[i],
            )
        )
    return estimates


def _days(found: int, data_end: int, config: TransitSettings) -> int:
    """The quantile; where the curve never gets there, the lower bound the data give: parcels of the lane are
    still travelling after `data_end` days, so it is at least the day after."""
    return int(found) if found >= 0 else int(min(config.max_days, data_end + 1))


def _borrowing_curves(
    counts: DailyCounts, lanes: list[Lane], regions: Mapping[str, str] | None, config: TransitSettings
) -> tuple[FloatArray, list[tuple[str, str | None]]]:
    """Survival per lane, each borrowing from its region, its method, and all lanes in turn; and who it leans on."""
    region_keys = [(lane.origin, region_of(lane.destination, regions), lane.method) for lane in lanes]
    method_keys = [lane.method for lane in lanes]
    region_names, region_of_lane = factorize([f"{o}→{r} by {m}" for o, r, m in region_keys])
    method_names, method_of_lane = factorize(method_keys)
    method_of_region = np.zeros(len(region_names), dtype=np.int64)
    method_of_region[region_of_lane] = method_of_lane
    region_counts = counts.merged(region_of_lane, len(region_names))
    method_counts = counts.merged(method_of_lane, len(method_names))
    everything = counts.merged(np.zeros(len(lanes), dtype=np.int64), 1)

    strength, floor = config.prior_strength, config.min_at_risk
    all_curve = survival_curves(everything, min_at_risk=floor)
    method_prior = np.repeat(all_curve, len(method_names), 0)
    method_curves = survival_curves(method_counts, prior=method_prior, prior_strength=strength, min_at_risk=floor)
    region_curves = survival_curves(
        region_counts, prior=method_curves[method_of_region], prior_strength=strength, min_at_risk=floor
    )
    lane_curves = survival_curves(
        counts, prior=region_curves[region_of_lane], prior_strength=strength, min_at_risk=floor
    )

    enough = config.min_delivered
    lane_n = counts.effective_delivered
    region_n = region_counts.effective_delivered
    method_n = method_counts.effective_delivered
    sources: list[tuple[str, str | None]] = []
    for i in range(len(lanes)):
        if lane_n[i] >= enough:
            sources.append(("lane", None))
        elif region_n[region_of_lane[i]] >= enough:
            sources.append(("region", f"{region_names[region_of_lane[i]]} ({region_n[region_of_lane[i]]:.0f} parcels)"))
        elif method_n[method_of_lane[i]] >= enough:
            sources.append(("method", f"all lanes by {method_names[method_of_lane[i]]}"))
        else:
            sources.append(("all", "all lanes"))
    return lane_curves, sources


@dataclass(frozen=True)
class LaneRestriction:
    """What the disruption register says about a lane on a day: blocked, or slower by some days, and why."""

    blocked: bool
    extra_days: int
    since: date | None
    notes: tuple[str, ...]


def with_restrictions(
    estimates: list[LaneEstimate],
    observations: TransitObservations,
    restrictions: Mapping[Lane, LaneRestriction],
    *,
    settings: TransitSettings | None = None,
    regions: Mapping[str, str] | None = None,
) -> list[LaneEstimate]:
    """Blocked lanes flagged; slowed lanes at least `extra_days` slower than they were when the disruption began.

    Data catch up with a slowdown only as parcels fail to arrive, so the register's figure counts until they do:
    p = max(p now, p at the start of the disruption + extra days).
    """
    adjusted = []
    for estimate in estimates:
        restriction = restrictions.get(estimate.lane)
        if restriction is None:
            adjusted.append(estimate)
            continue
        changes: dict[str, Any] = {"blocked": restriction.blocked, "restrictions": restriction.notes}
        if restriction.extra_days > 0 and restriction.since is not None:
            before = estimate_lanes(
                observations, as_of=end_of(restriction.since), settings=settings, regions=regions, lanes=[estimate.lane]
            )[0]
            for name in ("p50_days", "p90_days"):
                now, then = getattr(estimate, name), getattr(before, name)
                if now is not None and then is not None and then + restriction.extra_days > now:
                    changes[name] = then + restriction.extra_days
            changes["slowed_by_days"] = max(0, (changes.get("p90_days") or 0) - (estimate.p90_days or 0))
        adjusted.append(replace(estimate, **changes))
    return adjusted
