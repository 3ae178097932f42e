"""KPIs and service metrics, computed from a shop's facts with no database: GMV (shop currency and USD at the
seller's rates), orders, buyers and repeat-buyer rate for a period; each service metric over its window with its
limit; and the projection of what open orders and live tracking will do to it in the coming days.

Windows are whole days in the shop's time zone ending today: a 60-day window on 2024-03-31 runs from 2024-02-01
00:00 to 2024-04-01 00:00 local time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, Inexact, localcontext
from typing import Literal

import numpy as np

from tradewind.growth.facts import OrderFacts, ShopFacts, day_number, day_start, microseconds
from tradewind.growth.settings import GrowthSettings
from tradewind.money import convert


@dataclass(frozen=True)
class Kpis:
    start: date
    end: date  # inclusive
    currency: str
    gmv: Decimal
    gmv_usd: Decimal
    orders: int
    buyers: int
    repeat_buyers: int

    @property
    def repeat_buyer_rate(self) -> float | None:
        return self.repeat_buyers / self.buyers if self.buyers else None


def kpis(facts: ShopFacts, *, start: date, end: date, currency: str, usd_per_unit: dict[str, Decimal]) -> Kpis:
    """Sales (paid, not cancelled) placed on days start..end (inclusive, shop time zone)."""
    orders = facts.orders
    sales = orders.sale & _in(orders.placed_on, start, end)
    buyers = orders.buyer[sales]
    _, per_buyer = np.unique(buyers[buyers != _NONE], return_counts=True)
    return Kpis(
        start=start,
        end=end,
        currency=currency,
        gmv=money(orders, np.flatnonzero(sales), currency, usd_per_unit).quantize(Decimal("0.01")),
        gmv_usd=money(orders, np.flatnonzero(sales), "USD", usd_per_unit).quantize(Decimal("0.01")),
        orders=int(sales.sum()),
        buyers=len(per_buyer),
        repeat_buyers=int((per_buyer >= 2).sum()),
    )


def money(orders: OrderFacts, positions: np.ndarray, target: str, usd_per_unit: dict[str, Decimal]) -> Decimal:
    """The totals of the orders at `positions` in `target`, each converted at the seller's rates and added up in
    that order. Summed as integers per currency when that is the same exact sum: a currency that is the target, or
    one converted exactly to a target worth 1 USD (the orders' totals are not negative). Otherwise one by one."""
    codes = np.unique(orders.currency[positions]).tolist()
    units = orders.total_units
    if units is not None and not (units[positions] < 0).any():
        whole = Decimal(0)
        with localcontext() as context:
            context.traps[Inexact] = True
            try:
                for code in codes:
                    name = orders.currencies[code]
                    amount = Decimal(int(units[positions[orders.currency[positions] == code]].sum())).scaleb(-4)
                    if name != target and usd_per_unit.get(target) != 1:
                        break
                    whole += convert(amount, name, target, usd_per_unit)
                else:
                    return whole
            except Inexact:
                pass
    return sum(
        (
            convert(orders.total(i), orders.currencies[orders.currency[i]], target, usd_per_unit)
            for i in positions.tolist()
        ),
        Decimal(0),
    )


# A missing value in the facts' integer columns (facts.MISSING).
_NONE = np.int64(-(2**62))


@dataclass(frozen=True)
class Projection:
    """What the metric becomes if the items at risk (open orders, parcels without a scan) go wrong."""

    horizon_days: int
    at_risk: tuple[str, ...]
    # The fewest of them that, going wrong, take the metric past its limit (None: even all of them would not; 0:
    # the certain ones alone do).
    to_cross: int | None
    worst_value: float | None
    # Those of `at_risk` already gone wrong, only not counted yet (an open order past its ship-by day will ship
    # late): counted as certain, not as "if they go wrong".
    certain: tuple[str, ...] = ()
    # The metric's value once the fewest of them have gone wrong (the certain ones first).
    crossing_value: float | None = None


@dataclass(frozen=True)
class ServiceMetric:
    code: str
    title: str
    bound: Literal["below", "at_least"]
    limit: float
    window_days: int
    start: date
    end: date
    numerator: int
    denominator: int
    counted: tuple[str, ...] = ()
    projection: Projection | None = None
    unit: str = "orders"
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def within_limit(self) -> bool:
        return passes(self.value, self.bound, self.limit)

    @property
    def state(self) -> str:
        if self.value is None:
            return "no data"
        if not self.within_limit:
            return "over limit"
        if self.projection is not None and self.projection.to_cross is not None:
            return "at risk"
        return "ok"


def passes(value: float | None, bound: str, limit: float) -> bool:
    if value is None:
        return True
    return value < limit if bound == "below" else value >= limit


def _window(today: date, days: int) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today


def _in(days: np.ndarray, start: date, end: date) -> np.ndarray:
    """Which of the facts' local days (day numbers; MISSING: not happened) are within start..end."""
    return (days >= day_number(start)) & (days <= day_number(end))


def _numbers(values: np.ndarray, chosen: np.ndarray) -> tuple[str, ...]:
    return tuple(values[chosen].tolist())


def _fewest(
    numerator: int,
    denominator: int,
    items: int,
    bound: str,
    limit: float,
    *,
    bad: Callable[[int, int, int], tuple[int, int]],
) -> tuple[int | None, float | None, float | None]:
    """The fewest of `items` going wrong that break the limit, the value if all of them do, and the value when the
    fewest have."""
    if items == 0:
        return None, None, None
    worst: float | None = None
    found: int | None = None
    crossing: float | None = None
    for count in range(1, items + 1):
        top, bottom = bad(numerator, denominator, count)
        value = top / bottom if bottom else None
        worst = value
        if found is None and not passes(value, bound, limit):
            found, crossing = count, value
    return found, worst, crossing


def order_defect_rate(facts: ShopFacts, today: date, s: GrowthSettings) -> ServiceMetric:
    """Orders with a dispute, negative feedback or a seller-caused cancellation, over paid orders placed in the
    window. At risk: shipped orders whose buyer protection ends within the horizon with the parcel undelivered
    (a dispute is likely)."""
    start, end = _window(today, s.order_defect_window_days)
    o = facts.orders
    orders = o.paid & _in(o.placed_on, start, end)
    defect = o.defect
    defects = _numbers(o.numbers, orders & defect)
    horizon = day_number(today + timedelta(days=s.projection_days))
    risky = np.flatnonzero(
        orders
        & ~defect
        & o.shipped
        & ~o.stale
        & ~o.delivered
        & (o.protection_ends_on != _NONE)
        & (o.protection_ends_on <= horizon)
    )
    at_risk = tuple(
        n for _, n in sorted(zip(o.protection_ends_on[risky].tolist(), o.numbers[risky].tolist(), strict=True))
    )
    to_cross, worst, crossing = _fewest(
        len(defects), int(orders.sum()), len(at_risk), "below", s.order_defect_limit, bad=lambda n, d, k: (n + k, d)
    )
    return ServiceMetric(
        "order_defect_rate",
        "Order defect rate",
        "below",
        s.order_defect_limit,
        s.order_defect_window_days,
        start,
        end,
        len(defects),
        int(orders.sum()),
        defects,
        Projection(s.projection_days, at_risk, to_cross, worst, crossing_value=crossing) if at_risk else None,
    )


def cancellation_rate(facts: ShopFacts, today: date, s: GrowthSettings) -> ServiceMetric:
    """Seller-caused cancellations over paid orders placed in the window."""
    start, end = _window(today, s.cancellation_window_days)
    o = facts.orders
    orders = o.paid & _in(o.placed_on, start, end)
    cancelled = _numbers(o.numbers, orders & o.seller_cancelled)
    return ServiceMetric(
        "cancellation_rate",
        "Cancellation rate (seller-caused)",
        "below",
        s.cancellation_limit,
        s.cancellation_window_days,
        start,
        end,
        len(cancelled),
        int(orders.sum()),
        cancelled,
    )


def late_shipment_rate(facts: ShopFacts, today: date, s: GrowthSettings) -> ServiceMetric:
    """Orders shipped after their handling deadline (shipped on a later day than `ship_by`, shop time zone), over
    the orders with a deadline shipped in the window. At risk: open orders whose deadline falls within the horizon
    or has passed (not stale ones); each one that ships late joins both counts, and those already past their
    deadline will, for certain."""
    start, end = _window(today, s.late_shipment_window_days)
    o = facts.orders
    with_deadline = o.ship_by != _NONE
    shipped = with_deadline & _in(o.shipped_on, start, end)
    shipped_count = int(shipped.sum())
    late = _numbers(o.numbers, shipped & (o.shipped_on > o.ship_by))
    horizon = day_number(today + timedelta(days=s.projection_days))
    waiting = np.flatnonzero(o.awaiting & with_deadline & (o.ship_by <= horizon) & ~o.stale)
    ordered = sorted(zip(o.ship_by[waiting].tolist(), o.numbers[waiting].tolist(), strict=True))
    at_risk = tuple(n for _, n in ordered)
    certain = tuple(n for day, n in ordered if day < day_number(today))
    sure = len(certain)
    to_cross, worst, crossing = _fewest(
        len(late) + sure,
        shipped_count + sure,
        len(at_risk) - sure,
        "below",
        s.late_shipment_limit,
        bad=lambda n, d, k: (n + k, d + k),
    )
    if sure:
        already = (len(late) + sure) / (shipped_count + sure)
        worst = already if worst is None else worst
        if not passes(already, "below", s.late_shipment_limit):
            to_cross, crossing = 0, already
    return ServiceMetric(
        "late_shipment_rate",
        "Late shipment rate",
        "below",
        s.late_shipment_limit,
        s.late_shipment_window_days,
        start,
        end,
        len(late),
        shipped_count,
        late,
        Projection(s.projection_days, at_risk, to_cross, worst, certain, crossing) if at_risk else None,
    )


def first_scan_rate(facts: ShopFacts, today: date, s: GrowthSettings) -> ServiceMetric:
    """Parcels the carrier scanned within `first_scan_days` of shipping, over the parcels shipped in the window
    whose deadline has passed or that were scanned. At risk: unscanned parcels whose deadline falls within the
    horizon."""
    start, end = _window(today, s.first_scan_window_days)
    p = facts.shipments
    now = microseconds(day_start(today + timedelta(days=1), facts.zone))
    window = _in(p.shipped_on, start, end)
    deadline = p.shipped_us + s.first_scan_days * _DAY_US
    scanned = p.first_scan_us != _NONE
    in_time = scanned & (p.first_scan_us <= deadline)
    failed = window & ~in_time & (scanned | (deadline <= now))
    counted = int((window & in_time).sum()) + int(failed.sum())
    waiting = np.flatnonzero(window & ~in_time & ~failed & (deadline <= now + s.projection_days * _DAY_US))
    pending = sorted(
        zip(
            p.shipped_us[waiting].tolist(),
            p.tracking_numbers[waiting].tolist(),
            p.labels[waiting].tolist(),
            strict=True,
        ),
        key=lambda parcel: (parcel[0], parcel[1]),
    )
    at_risk = tuple(label for _, _, label in pending)
    good = counted - int(failed.sum())
    to_cross, worst, crossing = _fewest(
        good, counted, len(at_risk), "at_least", s.first_scan_minimum, bad=lambda n, d, k: (n, d + k)
    )
    return ServiceMetric(
        "first_scan_rate",
        f"First carrier scan within {s.first_scan_days} days",
        "at_least",
        s.first_scan_minimum,
        s.first_scan_window_days,
        start,
        end,
        good,
        counted,
        _numbers(p.labels, failed),
        Projection(s.projection_days, at_risk, to_cross, worst, crossing_value=crossing) if at_risk else None,
        unit="parcels",
    )


_DAY_US = 86_400_000_000


def valid_tracking_rate(facts: ShopFacts, today: date, s: GrowthSettings) -> ServiceMetric:
    """Parcels shipped in the window whose tracking number the carrier knows (any carrier event), over all parcels
    shipped in the window; a parcel shipped in the last two days is not judged yet."""
    start, end = _window(today, s.valid_tracking_window_days)
    p = facts.shipments
    grace = day_number(today - timedelta(days=2))
    judged = _in(p.shipped_on, start, end) & (p.carrier_seen | (p.shipped_on <= grace))
    invalid = _numbers(p.labels, judged & ~p.carrier_seen)
    return ServiceMetric(
        "valid_tracking_rate",
        "Valid tracking rate",
        "at_least",
        s.valid_tracking_minimum,
        s.valid_tracking_window_days,
        start,
        end,
        int(judged.sum()) - len(invalid),
        int(judged.sum()),
        invalid,
        unit="parcels",
    )


def reply_rate(facts: ShopFacts, today: date, s: GrowthSettings) -> ServiceMetric:
    """Buyer messages received in the window answered within `reply_hours`, over those answered or already past
    that time; the average reply time (hours) goes with it."""
    start, end = _window(today, s.reply_window_days)
    limit = timedelta(hours=s.reply_hours)
    now = day_start(today + timedelta(days=1), facts.zone)
    judged = []
    late = []
    hours: list[float] = []
    for message in facts.messages:
        if not start <= message.received_on <= end:
            continue
        if message.answered_at is not None:
            hours.append((message.answered_at - message.received_at).total_seconds() / 3600)
        answered_in_time = message.answered_at is not None and message.answered_at - message.received_at <= limit
        if answered_in_time or message.answered_at is not None or message.received_at + limit <= now:
            judged.append(message)
            if not answered_in_time:
                late.append(message.order_number or message.received_at.isoformat())
    extra = {"average_reply_hours": round(sum(hours) / len(hours), 1)} if hours else {}
    return ServiceMetric(
        "reply_rate",
        f"Buyer messages answered within {s.reply_hours} h",
        "at_least",
        s.reply_minimum,
        s.reply_window_days,
        start,
        end,
        len(judged) - len(late),
        len(judged),
        tuple(late),
        unit="messages",
        extra=extra,
    )


def breach_depth(value: float | None, bound: str, limit: float) -> float:
    """How far past its limit a value is, as a share of the limit: 0.5 for a 1.5% defect rate against 1%, 1 for no
    reply in time against 90%; at least a tenth once past (being past at all brings the platform's warning), at
    most 1."""
    if value is None or passes(value, bound, limit):
        return 0.0
    shortfall = (value - limit) / limit if bound == "below" else (limit - value) / limit
    return min(1.0, max(0.1, shortfall))


@dataclass(frozen=True)
class Penalty:
    """The expected cost of a metric's breach: `sales` × `cost_share` (what the platform does) × `depth` (how far
    past the limit) × `chance` (how sure the breach is)."""

    amount: Decimal
    cost_share: float
    depth: float
    chance: float


def expected_penalty(metric: ServiceMetric, sales: Decimal, s: GrowthSettings) -> Penalty:
    """Over the limit: certain, as deep as the value is. At risk: as deep as the value once the fewest items at risk
    have gone wrong; certain when the certain ones alone cross (orders already past their ship-by day), else the
    rough chance that k of the n uncertain ones go wrong, (n - k + 1) / (n + 1) (1 of 10: 0.91, 3 of 3: 0.25)."""
    share = s.breach_cost_share.get(metric.code, 0.0)
    projection = metric.projection
    if metric.state == "over limit":
        depth, chance = breach_depth(metric.value, metric.bound, metric.limit), 1.0
    elif metric.state == "at risk" and projection is not None and projection.to_cross is not None:
        depth = breach_depth(projection.crossing_value, metric.bound, metric.limit)
        uncertain = len(projection.at_risk) - len(projection.certain)
        k = projection.to_cross
        chance = 1.0 if k == 0 else (uncertain - k + 1) / (uncertain + 1)
    else:
        return Penalty(Decimal(0), share, 0.0, 0.0)
    depth, chance = round(depth, 4), round(chance, 4)
    amount = sales * Decimal(str(share)) * Decimal(str(depth)) * Decimal(str(chance))
    return Penalty(amount.quantize(Decimal("0.01")), share, depth, chance)


METRICS: tuple[Callable[[ShopFacts, date, GrowthSettings], ServiceMetric], ...] = (
    order_defect_rate,
    cancellation_rate,
    late_shipment_rate,
    first_scan_rate,
    valid_tracking_rate,
    reply_rate,
)


def service_metrics(facts: ShopFacts, today: date, s: GrowthSettings) -> list[ServiceMetric]:
    return [metric(facts, today, s) for metric in METRICS]


def longest_window(s: GrowthSettings) -> int:
    windows: Iterable[int] = (
        s.order_defect_window_days,
        s.cancellation_window_days,
        s.late_shipment_window_days,
        s.first_scan_window_days + s.first_scan_days,
        s.valid_tracking_window_days,
        s.reply_window_days,
    )
    return max(windows)
