"""Rolling-origin backtest of transit-time p90s on shipments with a slowdown: a synthetic generator and the demo shop.

At each origin day T (every `--step` days) each estimator sees only what was known at the end of T (parcels handed
over later ignored, deliveries after T still in transit); its p50/p90 per lane are then scored on the parcels handed
over in the 30 days after T:

- coverage: the share of those parcels delivered within the p90 (calibrated: about 0.90) and within the p50;
- pinball loss (quantile loss) at 0.9 and 0.5, in days: lower is better, and it punishes both misses and slack;
- width: the mean p90 in days (a promise nobody can keep is useless, and so is one of 90 days).

Estimators: Tradewind's censored, recency-weighted Kaplan–Meier with borrowing (`estimate_lanes` with its default
settings — the same for both sets of shipments); the same estimator fed only the parcels already delivered (the naive
"delivered-only" estimate, which ignores parcels in transit); and a marketplace's fixed promise per method (p50: half
of it). `--plain` adds Tradewind with the plain Kaplan–Meier quantile instead of the predictive one, and
`--no-pace` with lanes borrowing their wider group's days as they are (the settings before calibration).

Two sets of shipments:

- synthetic (`tradewind.logistics.synthetic`, deterministic): ePacket flights cut from day 150 for 45 days, parcels
  already in flight slowed too; every parcel's delivery is known (lost parcels count as arriving after every
  estimate, at `max_days`);
- the demo shop (`tradewind.demo.build_demo_shop` on an in-memory SQLite database, read back from the Shipment
  table the way `lane_statistics` reads it: hand-over `shipped_at`, method `ShippingMethod.code`): a year of parcels,
  ePacket slower from today−40 (flight cuts), rail to Russia suspended from today−25, Israel's import ban from
  today−15; the promise is the one the shop's orders carry. The records end today, so the last origin is today−30
  and the parcels of a window still travelling today are right-censored: where a parcel's outcome is not yet known,
  it is drawn from the Kaplan–Meier curve of its window's parcels on the same lane (what eventually happened to them,
  as far as the records show). Beyond the longest time any of them has been observed nothing is known: that share
  (`unresolved`) counts as late in the p90 coverage (a lower bound; the upper is coverage + unresolved) and at its
  most favourable place in the pinball loss (a lower bound). In calm weeks it is nil; during the slowdown it is not.

Periods (by origin day): "before" — the next month's parcels run into a slowdown nothing has shown yet (only the
disruption register's extra days can cover it); "during" — it is under way; "after" — it has ended but parcels
caught in it are still arriving; "calm" — the rest.

    python benchmarks/transit_backtest.py                    # full run: synthetic (~31k parcels) and demo scale 1
    python benchmarks/transit_backtest.py --demo-scale 10    # the demo at ≈76k parcels
    python benchmarks/transit_backtest.py --small            # CI smoke size
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from tradewind.logistics.synthetic import SlowdownScenario, SyntheticShipments, generate_shipments
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


def print_table(results: Mapping[str, Mapping[str, Mapping[str, float]]]) -> None:
    header = f"{'estimator':28} {'period':9} {'parcels':>8} {'cov p90':>8} {'cov p50':>8} {'pinball90':>10} "
    print(header + f"{'pinball50':>10} {'mean p90':>9} {'unresolved':>11}")
    for name, buckets in results.items():
        for bucket, s in buckets.items():
            print(
                f"{name:28} {bucket:9} {s['parcels']:>8,} {s['coverage_p90']:>8.3f} {s['coverage_p50']:>8.3f} "
                f"{s['pinball_p90']:>10.3f} {s['pinball_p50']:>10.3f} {s['mean_p90_days']:>9.1f} "
                f"{s['unresolved_p90']:>11.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="CI smoke size")
    parser.add_argument("--step", type=int, default=None, help="days between origins (synthetic)")
    parser.add_argument("--demo-step", type=int, default=None, help="days between origins (demo)")
    parser.add_argument("--demo-scale", type=int, default=1, help="demo shop scale (1: ≈7,600 parcels)")
    parser.add_argument("--demo-seed", type=int, default=DEMO_SEED)
    parser.add_argument("--demo-today", type=date.fromisoformat, default=DEMO_TODAY)
    parser.add_argument("--synthetic-seed", type=int, default=SlowdownScenario().seed)
    parser.add_argument("--no-demo", action="store_true", help="the synthetic shipments only")
    parser.add_argument("--no-synthetic", action="store_true", help="the demo shop only")
    parser.add_argument("--half-life", type=float, default=TransitSettings().half_life_days)
    parser.add_argument("--prior", type=float, default=TransitSettings().prior_strength)
    parser.add_argument("--min-delivered", type=float, default=TransitSettings().min_delivered)
    parser.add_argument("--plain", action="store_true", help="also Tradewind with the plain KM quantile")
    parser.add_argument("--no-pace", action="store_true", help="also Tradewind borrowing days as they are")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    settings = TransitSettings(
        half_life_days=args.half_life, prior_strength=args.prior, min_delivered=args.min_delivered
    )
    variants: dict[str, TransitSettings] = {}
    if args.plain:
        variants["tradewind_plain_quantile"] = replace(settings, predictive=False)
    if args.no_pace:
        variants["tradewind_days_as_they_are"] = replace(settings, pace_strength=-1.0)
    report: dict[str, Any] = {}
    if not args.no_synthetic:
        scenario = (
            SlowdownScenario(scale=0.25, days=260, slowdown_starts=130, seed=args.synthetic_seed)
            if args.small
            else SlowdownScenario(scale=3, seed=args.synthetic_seed)
        )
        step = args.step or (14 if args.small else 3)
        began = time.perf_counter()
        case = synthetic_case(generate_shipments(scenario), scenario)
        results = run_case(case, settings, step=step, promise=fixed_promise, variants=variants)
        report["synthetic"] = _section(case, step, results, began)
    if not args.no_demo:
        step = args.demo_step or (14 if args.small else 1)
        began = time.perf_counter()
        case = demo_case(seed=args.demo_seed, scale=args.demo_scale, today=args.demo_today)
        results = run_case(case, settings, step=step, variants=variants)
        report["demo"] = _section(case, step, results, began)
    if args.json:
        print(json.dumps(report))
        return
    for section in report.values():
        print(
            f"Rolling-origin backtest, {section['description']}: {section['parcels']:,} parcels, "
            f"{section['lanes']} lanes, origins every {section['step']} days, horizon {HORIZON_DAYS} days; "
            f"{section['seconds']:.1f} s"
        )
        print_table(section["results"])
        print()


def _section(
    case: BacktestCase, step: int, results: dict[str, dict[str, dict[str, float]]], began: float
) -> dict[str, Any]:
    return {
        "description": case.description,
        "parcels": case.observations.size,
        "lanes": len(case.observations.lanes()),
        "step": step,
        "seconds": round(time.perf_counter() - began, 2),
        "results": results,
    }


if __name__ == "__main__":
    main()
