"""The rolling-origin backtest of transit-time p90s (`benchmarks/transit_backtest.py` prints it; the calibration
tests assert on it): estimators, cases (synthetic shipments from `tests.logistics.synthetic`, the demo shop) and their
scores per period. See the benchmark's docstring for what is measured and how."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

from tests.logistics.synthetic import SlowdownScenario, SyntheticShipments
from tradewind.logistics.transit.lanes import (
    DAY_SECONDS,
    Lane,
    TransitObservations,
    TransitSettings,
    end_of,
    estimate_lanes,
)
from tradewind.logistics.transit.survival import (
    BoolArray,
    FloatArray,
    IntArray,
    daily_counts,
    survival_curves,
    whole_days,
)

HORIZON_DAYS = 30
FIRST_ORIGIN_DAY = 60
PERIODS = ("all", "calm", "before", "during", "after")
DEMO_TODAY = date(2025, 3, 1)
DEMO_SEED = 7
# A marketplace's fixed delivery promise per method (days), as shown to buyers at checkout (synthetic shipments).
FIXED_PROMISE = {
    "epacket": 30,
    "aliexpress-standard": 35,
    "china-post-ordinary": 60,
    "cainiao-economy": 45,
    "dhl-express": 12,
}

Estimator = Callable[[TransitObservations, datetime, list[Lane]], dict[Lane, tuple[int, int]]]


def censored_km(settings: TransitSettings) -> Estimator:
    def estimate(obs: TransitObservations, as_of: datetime, lanes: list[Lane]) -> dict[Lane, tuple[int, int]]:
        found = estimate_lanes(obs, as_of=as_of, settings=settings, lanes=lanes)
        return {e.lane: (e.p50_days or 0, e.p90_days or 0) for e in found}

    return estimate


def delivered_only(settings: TransitSettings) -> Estimator:
    """The same estimator, but parcels not yet delivered are simply left out."""

    def estimate(obs: TransitObservations, as_of: datetime, lanes: list[Lane]) -> dict[Lane, tuple[int, int]]:
        moment = as_of.timestamp()
        arrived = ~np.isnan(obs.delivered) & (obs.delivered <= moment)
        kept = obs.where(arrived)
        found = estimate_lanes(kept, as_of=as_of, settings=settings, lanes=lanes)
        return {e.lane: (e.p50_days or 0, e.p90_days or 0) for e in found}

    return estimate


def fixed_promise(obs: TransitObservations, as_of: datetime, lanes: list[Lane]) -> dict[Lane, tuple[int, int]]:
    """The synthetic shipments' marketplace promise per method."""
    return {lane: (FIXED_PROMISE[lane.method] // 2, FIXED_PROMISE[lane.method]) for lane in lanes}


def promise_of(promise: Mapping[Lane, int], default: int) -> Estimator:
    """A fixed promise per lane (`default` for a lane without one)."""

    def estimate(obs: TransitObservations, as_of: datetime, lanes: list[Lane]) -> dict[Lane, tuple[int, int]]:
        return {lane: (promise.get(lane, default) // 2, promise.get(lane, default)) for lane in lanes}

    return estimate


@dataclass(frozen=True)
class BacktestCase:
    """Shipments to backtest on, when their slowdown came, and until when their outcomes are known."""

    name: str
    observations: TransitObservations
    first_day: date  # day number 0
    first_origin: int
    last_origin: int
    slowdown_starts: int  # day number
    slowdown_days: int | None  # None: still going when the records end
    # When the records end (epoch seconds): parcels not delivered by then are still travelling (censored). None:
    # every outcome is known, and a parcel never delivered is lost.
    records_end: float | None
    description: str = ""
    promise: Mapping[Lane, int] = field(default_factory=dict)

    def day(self, number: int) -> date:
        return self.first_day + timedelta(days=number)


@dataclass
class Score:
    """Sums over scored parcels; a parcel whose outcome is not known yet counts with its probabilities."""

    parcels: int = 0
    covered90: float = 0.0
    covered50: float = 0.0
    pinball90: float = 0.0
    pinball50: float = 0.0
    width90: float = 0.0
    unresolved90: float = 0.0

    def add(self, outcome: Outcomes, p50: FloatArray, p90: FloatArray) -> None:
        self.parcels += p90.size
        covered90, pinball90, unresolved90 = outcome.score(p90, 0.9)
        covered50, pinball50, _ = outcome.score(p50, 0.5)
        self.covered90 += covered90
        self.covered50 += covered50
        self.pinball90 += pinball90
        self.pinball50 += pinball50
        self.unresolved90 += unresolved90
        self.width90 += float(p90.sum())

    def summary(self) -> dict[str, float]:
        n = max(self.parcels, 1)
        return {
            "parcels": self.parcels,
            "coverage_p90": round(self.covered90 / n, 3),
            "coverage_p50": round(self.covered50 / n, 3),
            "pinball_p90": round(self.pinball90 / n, 3),
            "pinball_p50": round(self.pinball50 / n, 3),
            "mean_p90_days": round(self.width90 / n, 1),
            "unresolved_p90": round(self.unresolved90 / n, 3),
        }


def pinball(actual: FloatArray, predicted: FloatArray, q: float) -> FloatArray:
    difference = actual - predicted
    return np.where(difference >= 0, q * difference, (q - 1) * difference)


@dataclass(frozen=True)
class Outcomes:
    """The scored parcels of one origin: whole days taken where known; for a parcel still travelling when the
    records end, its days so far and the survival curve of its window's parcels on the same lane."""

    days: FloatArray
    known: BoolArray
    curve: FloatArray  # (n parcels × max_days + 1): the reference curve of each parcel (rows of unknown ones used)
    last_seen: IntArray  # the longest any parcel of the reference has been observed, in days

    def score(self, predicted: FloatArray, q: float) -> tuple[float, float, float]:
        """Coverage (expected number within `predicted`), pinball loss (sum) and the unresolved mass."""
        known = self.known
        covered = float((self.days[known] <= predicted[known]).sum())
        loss = float(pinball(self.days[known], predicted[known], q).sum())
        if known.all():
            return covered, loss, 0.0
        unknown = ~known
        elapsed = self.days[unknown].astype(np.int64)
        curve, target, last = self.curve[unknown], predicted[unknown], self.last_seen[unknown]
        rows = np.arange(curve.shape[0])
        width = curve.shape[1]
        still = curve[rows, elapsed]
        # P(T = t | T > elapsed) for t after `elapsed`, and the mass beyond the last day anyone was seen.
        steps = np.concatenate([np.ones((curve.shape[0], 1)), curve[:, :-1]], axis=1) - curve
        day = np.arange(width)[None, :]
        mass = np.where(day > elapsed[:, None], steps, 0.0) / still[:, None]
        beyond = curve[:, -1] / still
        by_target = np.clip(target, 0, width - 1).astype(np.int64)
        covered += float((1.0 - curve[rows, np.maximum(by_target, elapsed)] / still).sum())
        loss += float((mass * pinball(day.astype(np.float64), target[:, None], q)).sum())
        # What is past the records: at its most favourable place for the estimate (a lower bound on the loss).
        loss += float((beyond * pinball(np.maximum(last + 1.0, target), target, q)).sum())
        return covered, loss, float((beyond * (target > last)).sum())


def rolling_origin(
    case: BacktestCase,
    estimators: Mapping[str, Estimator],
    *,
    step: int,
    max_days: int,
) -> dict[str, dict[str, dict[str, float]]]:
    """Every `step` days from the case's first origin to its last: each estimator's figures per period."""
    obs = case.observations
    lanes = obs.lanes()
    lane_index = {lane: i for i, lane in enumerate(lanes)}
    lane_of = np.array(
        [
            lane_index[Lane(obs.origins[o], obs.destinations[d], obs.methods[m])]
            for o, d, m in zip(
                obs.origin_code.tolist(), obs.destination_code.tolist(), obs.method_code.tolist(), strict=True
            )
        ],
        dtype=np.int64,
    )
    days, known = _outcome_days(case, max_days)
    scores = {name: {period: Score() for period in PERIODS} for name in estimators}
    for origin_day in range(case.first_origin, case.last_origin + 1, step):
        as_of = end_of(case.day(origin_day))
        window = (obs.shipped > as_of.timestamp()) & (obs.shipped <= (as_of + timedelta(days=HORIZON_DAYS)).timestamp())
        if not window.any():
            continue
        outcome = _outcomes(lane_of[window], days[window], known[window], n_lanes=len(lanes), max_days=max_days)
        period = _period(origin_day, case)
        for name, estimator in estimators.items():
            found = estimator(obs, as_of, lanes)
            p50 = np.array([found[lane][0] for lane in lanes], dtype=np.float64)[lane_of[window]]
            p90 = np.array([found[lane][1] for lane in lanes], dtype=np.float64)[lane_of[window]]
            for bucket in ("all", period):
                scores[name][bucket].add(outcome, p50, p90)
    return {
        name: {bucket: s.summary() for bucket, s in buckets.items() if s.parcels or bucket == "all"}
        for name, buckets in scores.items()
    }


def _outcome_days(case: BacktestCase, max_days: int) -> tuple[FloatArray, BoolArray]:
    """Whole days each parcel took (known) or had been travelling when the records end (not known yet)."""
    obs = case.observations
    if case.records_end is None:
        lost = np.isnan(obs.delivered)
        took = whole_days(np.where(lost, max_days, (obs.delivered - obs.shipped) / DAY_SECONDS), ~lost)
        return np.minimum(took, max_days).astype(np.float64), np.ones(obs.size, dtype=bool)
    arrived = ~np.isnan(obs.delivered) & (obs.delivered <= case.records_end)
    end = np.where(arrived, obs.delivered, case.records_end)
    took = whole_days((end - obs.shipped) / DAY_SECONDS, arrived).astype(np.float64)
    # Travelling for longer than the estimator looks: as good as lost, and late for every estimate.
    known = arrived | (took >= max_days)
    return np.minimum(took, max_days), known


def _outcomes(lane: IntArray, days: FloatArray, known: BoolArray, *, n_lanes: int, max_days: int) -> Outcomes:
    if known.all():
        empty = np.zeros((days.size, 1), dtype=np.float64)
        return Outcomes(days, known, empty, np.zeros(days.size, dtype=np.int64))
    counts = daily_counts(lane, days.astype(np.int64), known, np.ones(days.size), n_groups=n_lanes, max_days=max_days)
    curves = survival_curves(counts)
    seen = counts.at_risk > 0
    last = np.where(seen.any(axis=1), max_days - np.argmax(seen[:, ::-1], axis=1), 0).astype(np.int64)
    return Outcomes(days, known, curves[lane], last[lane])


def _period(origin_day: int, case: BacktestCase) -> str:
    """ "before": the next month's parcels run into a slowdown nothing has shown yet; "during": it is under way;
    "after": it has ended but the parcels caught in it are still arriving."""
    starts = case.slowdown_starts
    ends = starts + case.slowdown_days if case.slowdown_days is not None else None
    if starts - HORIZON_DAYS <= origin_day < starts:
        return "before"
    if origin_day >= starts and (ends is None or origin_day <= ends):
        return "during"
    if ends is not None and ends < origin_day <= ends + HORIZON_DAYS:
        return "after"
    return "calm"


def synthetic_case(data: SyntheticShipments, scenario: SlowdownScenario) -> BacktestCase:
    return BacktestCase(
        name="synthetic",
        observations=data.observations,
        first_day=scenario.first_day,
        first_origin=FIRST_ORIGIN_DAY,
        last_origin=scenario.days - HORIZON_DAYS - max(40, HORIZON_DAYS),
        slowdown_starts=scenario.slowdown_starts,
        slowdown_days=scenario.slowdown_days,
        records_end=None,
        description=(
            f"synthetic (seed {scenario.seed}, scale {scenario.scale:g}): ePacket flights cut from day "
            f"{scenario.slowdown_starts} for {scenario.slowdown_days} days"
        ),
    )


def backtest(
    data: SyntheticShipments,
    scenario: SlowdownScenario,
    estimators: dict[str, Estimator],
    *,
    step: int,
    max_days: int,
) -> dict[str, dict[str, dict[str, float]]]:
    """The rolling-origin backtest on synthetic shipments."""
    return rolling_origin(synthetic_case(data, scenario), estimators, step=step, max_days=max_days)


def demo_case(*, seed: int = DEMO_SEED, scale: int = 1, today: date = DEMO_TODAY) -> BacktestCase:
    """Build the demo shop in an in-memory database and read its shipments, register and promises back."""
    from sqlalchemy import func, select

    from tradewind.db.migrate import upgrade
    from tradewind.db.session import make_engine, make_sessionmaker
    from tradewind.demo import build_demo_shop
    from tradewind.logistics.models import Disruption
    from tradewind.logistics.service import shipment_observations
    from tradewind.orders.models import Order
    from tradewind.shops.models import Shop

    engine = make_engine("sqlite://")
    try:
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            summary = build_demo_shop(session, seed=seed, today=today, scale=scale)
            shop = session.get(Shop, summary.shop_id)
            assert shop is not None
            since = datetime.combine(today - timedelta(days=400), datetime.min.time(), tzinfo=UTC)
            observations = shipment_observations(session, shop=shop, since=since)
            earliest = session.scalar(select(func.min(Disruption.starts_on)).where(Disruption.shop_id == shop.id))
            promised: dict[tuple[str, str], list[int]] = {}
            for destination, method, placed, promise in session.execute(
                select(Order.destination_country, Order.shipping_method, Order.placed_at, Order.promised_delivery_on)
                .where(Order.shop_id == shop.id, Order.promised_delivery_on.is_not(None))
                .order_by(Order.id)
            ):
                if destination and method and promise is not None:
                    promised.setdefault((destination, method), []).append((promise - placed.date()).days)
    finally:
        engine.dispose()
    first_day = datetime.fromtimestamp(float(np.min(observations.shipped)), UTC).date()
    slowdown = earliest or today
    promise_days = {
        lane: int(statistics.median(promised[lane.destination, lane.method]))
        for lane in observations.lanes()
        if (lane.destination, lane.method) in promised
    }
    return BacktestCase(
        name="demo",
        observations=observations,
        first_day=first_day,
        first_origin=FIRST_ORIGIN_DAY,
        last_origin=(today - first_day).days - HORIZON_DAYS,
        slowdown_starts=(slowdown - first_day).days,
        slowdown_days=None,
        records_end=datetime.combine(today, datetime.min.time(), tzinfo=UTC).timestamp(),
        description=(
            f"demo shop (seed {seed}, scale {scale}, today {today}): register from {slowdown} "
            f"(ePacket slower, then rail to RU suspended, IL import ban), still under way"
        ),
        promise=promise_days,
    )


def run_case(
    case: BacktestCase,
    settings: TransitSettings,
    *,
    step: int,
    promise: Estimator | None = None,
    variants: Mapping[str, TransitSettings] | None = None,
) -> dict[str, dict[str, dict[str, float]]]:
    default = max(case.promise.values(), default=30)
    estimators: dict[str, Estimator] = {"tradewind_censored_km": censored_km(settings)}
    for name, variant in (variants or {}).items():
        estimators[name] = censored_km(variant)
    estimators["naive_delivered_only"] = delivered_only(settings)
    estimators["fixed_marketplace_promise"] = promise or promise_of(case.promise, default)
    return rolling_origin(case, estimators, step=step, max_days=settings.max_days)
