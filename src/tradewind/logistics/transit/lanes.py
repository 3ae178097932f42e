"""Transit times per lane (origin country, destination country, method) that stay honest in a disruption.

For each lane: the days from hand-over to delivery by which half (p50) and nine in ten (p90) parcels arrive,
estimated by a recency-weighted Kaplan–Meier (`survival`) in which parcels still travelling count as censored.
Lanes with too little data borrow from wider groups — same destination region and method, same method, all lanes —
and say so; a lane to a state or province (ISO 3166-2, `BR-SP`) borrows first from its country (every lane from the
same origin by the same method to that country or to its states), then as a lane to the country would.
What they borrow is the wider group's *shape* at the lane's own *pace*: each lane's pace (how much slower
than its region, its region than its method) is measured over a long memory and shrunk toward the wider group's, the
wider groups pool their parcels with the paces divided out, and a lane's prior is that curve stretched back to its
pace — Japan borrows how spread out ePacket parcels arrive, not Russia's days. Buyers' reviews that name the method
and the days it took are a second, weaker source.

The p50 and p90 are those of the predictive curve — where the *next* parcel arrives — rather than of the estimate
itself: the plain quantile of n parcels covers on average only n/(n + 1) of what it says, which for the p90 of a
thin lane is far from nine in ten. The uncertainty behind it (Greenwood's variance) counts the lane's own parcels,
what the wider groups it leans on rest on, and how uncertain its pace is. Where a curve never gets to 90 % (parcels
still travelling, as in a slowdown), the p90 is extrapolated from the last day the lane's parcels say anything and
flagged as a lower bound.

`as_of` makes the estimate what was known that day: later hand-overs are ignored, later deliveries count as still
in transit.

A parcel with no carrier news for `lost_after_days` (Expired, probably lost) is a competing risk, not a slow
delivery: it leaves the parcels at risk when it went silent (censored at its last news) instead of counting as still
travelling for ever — a handful of lost parcels of a year ago would otherwise keep a lane's curve from ever reaching
90 %. Everything here is pure (arrays in, estimates out); the database side is `service.lane_statistics`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

import numpy as np

from tradewind.logistics.schemas import lane_estimate_figures
from tradewind.logistics.transit.regions import country_of, is_subdivision, region_of
from tradewind.logistics.transit.survival import (
    BoolArray,
    DailyCounts,
    FloatArray,
    IntArray,
    KaplanMeier,
    conditional_quantile_days,
    daily_counts,
    effective_at_risk,
    kaplan_meier,
    predictive_survival,
    quantile_days,
    recency_weights,
    stretched,
    stretched_levels,
    stretched_variance,
    survival_curves,
    time_scales,
    whole_days,
)
from tradewind.wording import Phrase, phrase

DAY_SECONDS = 86_400.0
_TOLERANCE = 1e-12
LEVELS = ("lane", "country", "region", "method", "all")


@dataclass(frozen=True)
class TransitSettings:
    """How transit estimates weigh the evidence: one setting for every shop, chosen with
    `benchmarks/transit_backtest.py` on synthetic shipments and on the demo shop alike."""

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
    # A lane borrows its wider group's shape at its own pace; the pace is shrunk toward the wider group's as by this
    # many deliveries at that pace (negative: borrow the wider group's days as they are).
    pace_strength: float = 3.0
    # How much slower a destination is than its region hardly changes: its pace has this longer memory.
    pace_half_life_days: float = 90.0
    # p50/p90 of the predictive curve (where the next parcel arrives), not of the curve's point estimate.
    predictive: bool = True
    # A parcel silent this long is probably lost: censored at its last news (LogisticsRules.expired_after_days).
    lost_after_days: float = 30.0


class Lane(NamedTuple):
    origin: str
    destination: str
    method: str

    def describe(self) -> str:
        return self.words().english()

    def words(self) -> Phrase:
        """`describe` in the reader's language."""
        return phrase(
            "%(origin)s→%(destination)s by %(method)s",
            origin=self.origin,
            destination=self.destination,
            method=self.method,
        )


def factorize(values: Sequence[str]) -> tuple[tuple[str, ...], IntArray]:
    """Distinct values (in first-seen order) and each value's index: strings become small integers once."""
    # dict.fromkeys keeps the first-seen order; the codes are then looked up at C speed (a year of parcels).
    names = tuple(dict.fromkeys(values))
    index = {name: i for i, name in enumerate(names)}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
    return names, codes


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
    # The carrier's last news of each parcel (NaN: none known); None: not known for any.
    last_news: FloatArray | None = None

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
        last_news: FloatArray | None = None,
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
            last_news=None if last_news is None else np.asarray(last_news, dtype=np.float64),
        )

    @classmethod
    def from_shipments(
        cls,
        shipments: Iterable[tuple[str, str, str, datetime, datetime | None]],
        last_news: Sequence[datetime | None] | None = None,
    ) -> TransitObservations:
        """From (origin, destination, method, shipped_at, delivered_at or None) rows, and, when known, each parcel's
        last carrier news (None: none)."""
        rows = list(shipments)
        return cls.from_columns(
            [row[0] for row in rows],
            [row[1] for row in rows],
            [row[2] for row in rows],
            np.array([row[3].timestamp() for row in rows], dtype=np.float64),
            np.array([row[4].timestamp() if row[4] else np.nan for row in rows], dtype=np.float64),
            last_news=None
            if last_news is None
            else np.array([m.timestamp() if m else np.nan for m in last_news], dtype=np.float64),
        )

    def news(self) -> FloatArray:
        """The last carrier news of each parcel, NaN where none is known."""
        return np.full(self.size, np.nan) if self.last_news is None else self.last_news

    def where(self, keep: BoolArray) -> TransitObservations:
        """Only the parcels (and reviews) `keep` marks, every per-parcel column alike."""
        return replace(
            self,
            origin_code=self.origin_code[keep],
            destination_code=self.destination_code[keep],
            method_code=self.method_code[keep],
            shipped=self.shipped[keep],
            delivered=self.delivered[keep],
            weight=self.weight[keep],
            is_review=self.is_review[keep],
            last_news=None if self.last_news is None else self.last_news[keep],
        )

    def latest_moment(self) -> datetime:
        """The latest hand-over or delivery among them: how far what they tell reaches (their lanes' statistics as
        known then, when no day is asked for)."""
        latest = float(np.nanmax(np.concatenate([self.shipped, self.delivered])))
        return datetime.fromtimestamp(latest, UTC)

    def lanes(self, *, include_reviews: bool = False) -> list[Lane]:
        """The distinct lanes, in first-seen order."""
        keep = np.ones(self.size, dtype=bool) if include_reviews else ~self.is_review
        n_d, n_m = len(self.destinations), len(self.methods)
        combined = (self.origin_code[keep] * n_d + self.destination_code[keep]) * n_m + self.method_code[keep]
        # Each distinct lane once, ordered by where it first occurs.
        distinct, first = np.unique(combined, return_index=True)
        lanes = []
        for value in distinct[np.argsort(first)].tolist():
            o, rest = divmod(value, n_d * n_m)
            d, m = divmod(rest, n_m)
            lanes.append(Lane(self.origins[o], self.destinations[d], self.methods[m]))
        return lanes

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
            last_news=None
            if self.last_news is None and other.last_news is None
            else np.concatenate([self.news(), other.news()]),
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
    # The curve never got there (too many parcels still travelling): the days are extrapolated, and at least that.
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

    def days_to_delivery(self, q: float, *, elapsed_days: int = 0) -> int | None:
        """Total transit days by which a parcel already `elapsed_days` on its way arrives with probability `q`, or
        None where the lane's curve cannot answer: it never gets to `q` (parcels still travelling), or the parcel has
        been on its way longer than any the curve knows of (every one of them had arrived by then). The curve's
        horizon is not an answer: a parcel 20 days late is not expected on the horizon's day, nor today."""
        last = self.survival.shape[0] - 1
        if elapsed_days > last or float(self.survival[max(0, elapsed_days)]) <= _TOLERANCE:
            return None
        found = conditional_quantile_days(self.survival, elapsed_days, q)
        return found + self.slowed_by_days if found >= 0 else None

    def to_dict(self) -> dict[str, Any]:
        """As every face publishes it (`schemas.LANE_ESTIMATE`)."""
        return lane_estimate_figures(self)


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
    # Probably lost (silent for lost_after_days by now): out of the parcels at risk from its last news on.
    news = obs.news()
    with np.errstate(invalid="ignore"):
        lost = ~arrived & (news + config.lost_after_days * DAY_SECONDS < moment)
    end = np.where(arrived, obs.delivered, np.where(lost, np.maximum(news, obs.shipped), moment))
    durations = (end - obs.shipped) / DAY_SECONDS
    days = whole_days(durations, arrived)
    weights = recency_weights((moment - obs.shipped) / DAY_SECONDS, config.half_life_days) * obs.weight

    # Lanes are numbered the same whichever are wanted: every lane of the shipments in first-seen order, then any
    # other wanted lane, then lanes only reviews name. A lane's estimate is then the same bits whether it is asked
    # for alone or with others (the wider groups' sums add the lanes in one order).
    lane_index: dict[Lane, int] = {lane: i for i, lane in enumerate(wanted if lanes is None else obs.lanes())}
    for lane in wanted:
        lane_index.setdefault(lane, len(lane_index))
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
    groups = _Groups.of(all_lanes, regions)
    long_weights = recency_weights((moment - obs.shipped) / DAY_SECONDS, config.pace_half_life_days) * obs.weight
    paces = _lane_paces(groups, _Parcels(group, durations[known], arrived[known], long_weights[known]), config)
    recent = _Parcels(group, durations[known], arrived[known], weights[known])
    curves = _lane_curves(groups, counts, recent, paces, config)
    sources = _sources(groups, counts, config)
    reviews = np.bincount(group[obs.is_review[known]], minlength=len(all_lanes))
    effective = counts.effective_delivered
    # The last day on which the lane itself still had enough parcels travelling to say anything.
    has_data = effective_at_risk(counts) >= config.min_at_risk
    data_end = np.where(has_data.any(axis=1), has_data.shape[1] - 1 - np.argmax(has_data[:, ::-1], axis=1), 0)
    usual = _at_pace(np.repeat(paces.usual.survival, len(all_lanes), 0), paces, stretched)
    p50, p90, p50_beyond, p90_beyond = _beyond_the_data(curves, usual, data_end, config)
    estimates = []
    for lane in wanted:
        i = lane_index[lane]
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
                p50_days=int(p50[i]),
                p90_days=int(p90[i]),
                p50_is_lower_bound=bool(p50_beyond[i]),
                p90_is_lower_bound=bool(p90_beyond[i]),
                source=source,
                borrowed_from=borrowed,
                effective_delivered=float(effective[i]),
                longest_in_transit_days=longest if longest >= 0 else None,
                survival=curves[i],
            )
        )
    return estimates


def _beyond_the_data(
    curves: FloatArray, usual: FloatArray, data_end: IntArray, config: TransitSettings
) -> tuple[IntArray, IntArray, BoolArray, BoolArray]:
    """p50 and p90 of each lane, and whether its curve never got there (too many parcels still travelling).

    Where it does not, the days are extrapolated: from t₀, the last day the lane's own parcels say anything (for a
    lane with none, the last day its curve still falls), the lane's usual curve U at the pace its parcels keep now —
    a share s still travelling after t₀ days where usually that share is left after u days means parcels going t₀/u
    times slower than usual, and the quantile is U⁻¹(q)·t₀/u. Never less than t₀ + 1 (parcels are still travelling
    after t₀ days), and t₀ + 1 where nothing says more.
    """
    rows = np.arange(curves.shape[0])
    falling = np.diff(curves, axis=1) < -_TOLERANCE
    curve_end = np.where(falling.any(axis=1), falling.shape[1] - np.argmax(falling[:, ::-1], axis=1), 0)
    anchor = np.where(data_end > 0, data_end, curve_end)
    still = curves[rows, anchor]
    reached = usual <= still[:, None] + _TOLERANCE
    matched = np.where(reached.any(axis=1), np.argmax(reached, axis=1), 0)
    found: list[IntArray] = []
    beyond: list[BoolArray] = []
    for q in (0.5, 0.9):
        quantile = quantile_days(curves, q)
        usual_q = quantile_days(usual, q)
        usable = (matched > 0) & (usual_q > 0) & (still < 1.0)
        ratio = np.ceil(anchor * usual_q / np.maximum(matched, 1)).astype(np.int64)
        bound = np.minimum(np.where(usable, np.maximum(ratio, anchor + 1), anchor + 1), config.max_days)
        found.append(np.where(quantile >= 0, quantile, bound).astype(np.int64))
        beyond.append(quantile < 0)
    p50, p90 = found
    return p50, np.maximum(p90, p50), beyond[0], beyond[1]


@dataclass(frozen=True)
class _Groups:
    """The wider groups of the lanes: same origin, destination country and method (only lanes to a state or province
    lean on it); same origin, destination region and method; same method; all lanes."""

    country_names: tuple[str, ...]
    country_of_lane: IntArray
    region_of_country: IntArray
    # The lane's destination is a state or province: it borrows from its country before its region.
    to_subdivision: BoolArray
    region_names: tuple[str, ...]
    region_of_lane: IntArray
    method_names: tuple[str, ...]
    method_of_lane: IntArray
    method_of_region: IntArray

    @classmethod
    def of(cls, lanes: list[Lane], regions: Mapping[str, str] | None) -> _Groups:
        region_names, region_of_lane = factorize(
            [f"{lane.origin}→{region_of(lane.destination, regions)} by {lane.method}" for lane in lanes]
        )
        country_names, country_of_lane = factorize(
            [f"{lane.origin}→{country_of(lane.destination)} by {lane.method}" for lane in lanes]
        )
        region_of_country = np.zeros(len(country_names), dtype=np.int64)
        region_of_country[country_of_lane] = region_of_lane
        to_subdivision = np.array([is_subdivision(lane.destination) for lane in lanes], dtype=bool)
        method_names, method_of_lane = factorize([lane.method for lane in lanes])
        method_of_region = np.zeros(len(region_names), dtype=np.int64)
        method_of_region[region_of_lane] = method_of_lane
        return cls(
            country_names,
            country_of_lane,
            region_of_country,
            to_subdivision,
            region_names,
            region_of_lane,
            method_names,
            method_of_lane,
            method_of_region,
        )

    @property
    def n_lanes(self) -> int:
        return int(self.region_of_lane.shape[0])


class _Parcels(NamedTuple):
    lane: IntArray
    durations: FloatArray  # days, to delivery or to now
    arrived: BoolArray
    weights: FloatArray

    def counts(self, n_lanes: int, max_days: int, scales: FloatArray | None = None) -> DailyCounts:
        """Daily counts per lane, each lane's times divided by its pace when `scales` are given."""
        durations = self.durations if scales is None else self.durations / scales[self.lane]
        days = whole_days(durations, self.arrived)
        return daily_counts(self.lane, days, self.arrived, self.weights, n_groups=n_lanes, max_days=max_days)


class _Paces(NamedTuple):
    scales: FloatArray  # per lane: how much slower (> 1) or faster than the shared shape its parcels travel
    uncertainty: FloatArray  # per lane: the standard deviation of log(scale)
    usual: KaplanMeier  # (1 × days): all parcels with their lane's pace divided out, over the long memory


def _lane_paces(groups: _Groups, parcels: _Parcels, config: TransitSettings) -> _Paces:
    """Each lane's pace: how much slower (> 1) or faster than a typical parcel its parcels travel.

    Measured over a long memory (how much slower Brazil is than Spain hardly changes) in three steps, each shrunk
    toward the wider group's (`time_scales`): the method's pace, its region's relative to it, the destination's
    relative to that (for a state or province, its country's relative to the region first, then the state's).
    Parcels are compared with the shape all parcels share once each lane's pace is divided out;
    the first round, with no paces yet, compares them with all parcels as they are.

    A pace rests on n deliveries and `pace_strength` pseudo-deliveries: its log is uncertain by about the shape's
    spread in log-days over √(n + strength) — the lane's prior is spread by as much (`_lane_curves`).
    """
    n, floor = groups.n_lanes, config.min_at_risk
    everyone = np.zeros(n, dtype=np.int64)
    raw = parcels.counts(n, config.max_days)
    scales = np.ones(n, dtype=np.float64)
    if config.pace_strength < 0 or n == 0:
        return _Paces(scales, np.zeros(n, dtype=np.float64), kaplan_meier(raw.merged(everyone, 1), min_at_risk=floor))
    by_region = raw.merged(groups.region_of_lane, len(groups.region_names))
    by_method = raw.merged(groups.method_of_lane, len(groups.method_names))
    strength = config.pace_strength
    for _ in range(2):  # the first round against all parcels as they are, the second against the shared shape
        shape = survival_curves(
            parcels.counts(n, config.max_days, scales).merged(everyone, 1), min_at_risk=config.min_at_risk
        )
        method = time_scales(by_method, np.repeat(shape, len(groups.method_names), 0), strength=strength)
        region = method[groups.method_of_region]
        region = region * time_scales(
            by_region, stretched(np.repeat(shape, len(groups.region_names), 0), region), strength=strength
        )
        lane = region[groups.region_of_lane]
        if groups.to_subdivision.any():
            countries = len(groups.country_names)
            country = region[groups.region_of_country]
            country = country * time_scales(
                raw.merged(groups.country_of_lane, countries),
                stretched(np.repeat(shape, countries, 0), country),
                strength=strength,
            )
            lane = np.where(groups.to_subdivision, country[groups.country_of_lane], lane)
        scales = lane * time_scales(raw, stretched(np.repeat(shape, n, 0), lane), strength=strength)
    usual = kaplan_meier(parcels.counts(n, config.max_days, scales).merged(everyone, 1), min_at_risk=floor)
    return _Paces(scales, _log_spread(usual.survival[0]) / np.sqrt(raw.effective_delivered + strength), usual)


def _log_spread(curve: FloatArray) -> float:
    """The standard deviation of log-days under a survival curve (what it has delivered)."""
    mass = np.concatenate([[1.0], curve[:-1]]) - curve
    total = float(mass.sum())
    if total <= 0:
        return 0.0
    log_days = np.log(np.maximum(np.arange(curve.shape[0]), 0.5))
    mean = float((mass * log_days).sum()) / total
    return float(np.sqrt((mass * (log_days - mean) ** 2).sum() / total))


# Gauss–Hermite nodes and weights for an average over a normal log-pace.
_NODES, _NODE_WEIGHTS = np.polynomial.hermite_e.hermegauss(5)
_NODE_WEIGHTS = _NODE_WEIGHTS / _NODE_WEIGHTS.sum()


def _at_pace(values: FloatArray, paces: _Paces, stretch: Callable[[FloatArray, FloatArray], FloatArray]) -> FloatArray:
    """Each lane's curve (or its daily hazard variance, or parcels at risk) stretched to the lane's pace, averaged
    over what the pace may be."""
    found = np.zeros_like(values)
    for z, weight in zip(_NODES.tolist(), _NODE_WEIGHTS.tolist(), strict=True):
        found += weight * stretch(values, paces.scales * np.exp(paces.uncertainty * z))
    return found


def _lane_curves(
    groups: _Groups, counts: DailyCounts, parcels: _Parcels, paces: _Paces, config: TransitSettings
) -> FloatArray:
    """Survival per lane, each borrowing from its region, its method, and all lanes in turn.

    What a lane borrows is its wider group's shape at the lane's own pace: the wider groups pool their parcels with
    each lane's pace divided out (a region's parcels to Japan and to Brazil do not make a wider curve for either),
    and the lane's prior is that curve stretched back to its pace, P(d / pace), averaged over what the pace may be.
    Each group's hazards carry their uncertainty down to the lanes, whose p50 and p90 are read off the predictive
    curve (`predictive_survival`).
    """
    strength, floor, n = config.prior_strength, config.min_at_risk, groups.n_lanes
    normalized = parcels.counts(n, config.max_days, paces.scales)
    # All lanes' recent parcels, borrowing from the long memory where they are too few (the far tail).
    top = kaplan_meier(
        normalized.merged(np.zeros(n, dtype=np.int64), 1),
        prior=paces.usual.survival,
        prior_strength=strength,
        min_at_risk=floor,
        prior_hazard_variance=paces.usual.hazard_variance,
        prior_at_risk=paces.usual.at_risk,
    )
    methods = len(groups.method_names)
    method = kaplan_meier(
        normalized.merged(groups.method_of_lane, methods),
        prior=np.repeat(top.survival, methods, 0),
        prior_strength=strength,
        min_at_risk=floor,
        prior_hazard_variance=np.repeat(top.hazard_variance, methods, 0),
        prior_at_risk=np.repeat(top.at_risk, methods, 0),
    )
    region = kaplan_meier(
        normalized.merged(groups.region_of_lane, len(groups.region_names)),
        prior=method.survival[groups.method_of_region],
        prior_strength=strength,
        min_at_risk=floor,
        prior_hazard_variance=method.hazard_variance[groups.method_of_region],
        prior_at_risk=method.at_risk[groups.method_of_region],
    )
    wider = (
        region.survival[groups.region_of_lane],
        region.hazard_variance[groups.region_of_lane],
        region.at_risk[groups.region_of_lane],
    )
    if groups.to_subdivision.any():
        # A state leans on its country (all its states and the country itself), the country on its region.
        country = kaplan_meier(
            normalized.merged(groups.country_of_lane, len(groups.country_names)),
            prior=region.survival[groups.region_of_country],
            prior_strength=strength,
            min_at_risk=floor,
            prior_hazard_variance=region.hazard_variance[groups.region_of_country],
            prior_at_risk=region.at_risk[groups.region_of_country],
        )
        state = groups.to_subdivision[:, None]
        wider = (
            np.where(state, country.survival[groups.country_of_lane], wider[0]),
            np.where(state, country.hazard_variance[groups.country_of_lane], wider[1]),
            np.where(state, country.at_risk[groups.country_of_lane], wider[2]),
        )
    fit = kaplan_meier(
        counts,
        prior=_at_pace(wider[0], paces, stretched),
        prior_strength=strength,
        min_at_risk=floor,
        prior_hazard_variance=_at_pace(wider[1], paces, stretched_variance),
        prior_at_risk=_at_pace(wider[2], paces, stretched_levels),
    )
    return predictive_survival(fit.survival, fit.variance) if config.predictive else fit.survival


def _sources(groups: _Groups, counts: DailyCounts, config: TransitSettings) -> list[tuple[str, str | None]]:
    """Whose parcels each lane's estimate mostly rests on: its own, or (for a state or province) its country's, or
    its region's, its method's, all lanes'."""
    enough = config.min_delivered
    lane_n = counts.effective_delivered
    country_n = counts.merged(groups.country_of_lane, len(groups.country_names)).effective_delivered
    region_n = counts.merged(groups.region_of_lane, len(groups.region_names)).effective_delivered
    method_n = counts.merged(groups.method_of_lane, len(groups.method_names)).effective_delivered
    sources: list[tuple[str, str | None]] = []
    for i in range(groups.n_lanes):
        region, method = groups.region_of_lane[i], groups.method_of_lane[i]
        country = groups.country_of_lane[i]
        if lane_n[i] >= enough:
            sources.append(("lane", None))
        elif groups.to_subdivision[i] and country_n[country] >= enough:
            sources.append(("country", f"{groups.country_names[country]} ({country_n[country]:.0f} parcels)"))
        elif region_n[region] >= enough:
            sources.append(("region", f"{groups.region_names[region]} ({region_n[region]:.0f} parcels)"))
        elif method_n[method] >= enough:
            sources.append(("method", f"all lanes by {groups.method_names[method]}"))
        else:
            sources.append(("all", "all lanes"))
    return sources


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
    # The lanes slowed since the same day are estimated as of that day together: one pass over the parcels per
    # start day, not one per lane (a lane's estimate does not depend on which other lanes are asked for).
    slowed_since: dict[date, list[Lane]] = {}
    for estimate in estimates:
        restriction = restrictions.get(estimate.lane)
        if restriction is not None and restriction.extra_days > 0 and restriction.since is not None:
            slowed_since.setdefault(restriction.since, []).append(estimate.lane)
    then_of: dict[Lane, LaneEstimate] = {}
    for since, lanes in slowed_since.items():
        found = estimate_lanes(observations, as_of=end_of(since), settings=settings, regions=regions, lanes=lanes)
        then_of.update(zip(lanes, found, strict=True))
    adjusted = []
    for estimate in estimates:
        restriction = restrictions.get(estimate.lane)
        if restriction is None:
            adjusted.append(estimate)
            continue
        changes: dict[str, Any] = {"blocked": restriction.blocked, "restrictions": restriction.notes}
        if restriction.extra_days > 0 and restriction.since is not None:
            before = then_of[estimate.lane]
            for name in ("p50_days", "p90_days"):
                now, then = getattr(estimate, name), getattr(before, name)
                if now is not None and then is not None and then + restriction.extra_days > now:
                    changes[name] = then + restriction.extra_days
            changes["slowed_by_days"] = max(0, (changes.get("p90_days") or 0) - (estimate.p90_days or 0))
        adjusted.append(replace(estimate, **changes))
    return adjusted
