"""The year of orders, simulated as arrays before anything is written: lines grouped into orders, buyers'
countries, shipping methods, payment, cancellations, shipping dates, the parcel's journey stage by stage (slower
ePacket after the flight cuts, rail stopped at the suspension, parcels held by the import ban, stalled and lost
parcels, pickup points), disputes and feedback."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tradewind.demo.carriers import (
    ACCEPT,
    AE_STANDARD,
    ARRIVE,
    CAINIAO,
    CORREOS,
    CP_REG_AIR,
    CUSTOMS,
    DELIVERED,
    DEPART,
    EPACKET,
    HANDOVER,
    HELD,
    METHODS,
    OFFICE,
    OUT,
    PICKUP,
    RAIL,
    STAGES,
)
from tradewind.demo.catalog import Catalog
from tradewind.demo.demand import DemandLines
from tradewind.demo.geography import COUNTRY_INDEX, DESTINATIONS
from tradewind.demo.story import DemoStory

DAY = 86_400.0
# Order status and payment codes (see STATUS_VALUES / PAYMENT_VALUES in the writer).
PLACED, AWAITING, SHIPPED, DELIVERED_ORDER, CANCELLED, CLOSED = range(6)
UNPAID, PAID, PARTIALLY_REFUNDED, REFUNDED = range(4)
CANCEL_REASONS = (
    ("buyer", "buyer changed mind"),
    ("buyer", "ordered the wrong size"),
    ("buyer", "shipping too slow"),
    ("seller", "out of stock"),
    ("seller", "address problem"),
    ("platform", "payment risk check failed"),
    ("platform", "did not pay"),
    ("platform", "import restriction in the destination country"),
)
CHANGED_MIND, WRONG_SIZE, TOO_SLOW, OUT_OF_STOCK, ADDRESS, RISK_CHECK, DID_NOT_PAY, IMPORT_RESTRICTION = range(8)
USUAL_CANCELS = np.array([0.4, 0.17, 0.12, 0.12, 0.12, 0.07])
RECENT_CANCELS = np.array([0.25, 0.1, 0.4, 0.1, 0.1, 0.05])
DISPUTE_REASONS = (
    "Item not received",
    "Package stuck in transit",
    "Size does not match the description",
    "Item not as described",
    "Poor quality: sole came off",
)
DISPUTE_OPEN, DISPUTE_BUYER, DISPUTE_SELLER = range(3)
ORDER_SIZES = np.array([1, 2, 3])


@dataclass(frozen=True)
class OrderSkeleton:
    """Orders before their fate is known: when placed (seconds from the history start) and their lines."""

    placed: NDArray[np.float64]
    line_start: NDArray[np.int64]
    line_count: NDArray[np.int64]
    line_sku: NDArray[np.int64]
    line_quantity: NDArray[np.int64]

    @property
    def size(self) -> int:
        return len(self.placed)

    def line_order(self) -> NDArray[np.int64]:
        return np.repeat(np.arange(self.size, dtype=np.int64), self.line_count)


@dataclass
class OrderBook:
    """Every order's fate as arrays (NaN where a moment did not happen); times in seconds from the history start."""

    skeleton: OrderSkeleton
    country: NDArray[np.int64]
    buyer: NDArray[np.int64]
    buyer_count: int
    method: NDArray[np.int64]
    overseas: NDArray[np.bool_]
    handling_days: NDArray[np.int64]
    paid: NDArray[np.float64]
    shipped: NDArray[np.float64]
    delivered: NDArray[np.float64]
    cancelled: NDArray[np.float64]
    cancel_reason: NDArray[np.int64]
    status: NDArray[np.int64]
    payment: NDArray[np.int64]
    timeline: NDArray[np.float64]
    shipping_fee: NDArray[np.float64]
    number: NDArray[np.int64]
    dispute_reason: NDArray[np.int64]
    dispute_opened: NDArray[np.float64]
    dispute_closed: NDArray[np.float64]
    dispute_state: NDArray[np.int64]
    rating: NDArray[np.int64]
    rated_at: NDArray[np.float64]

    @property
    def size(self) -> int:
        return self.skeleton.size


def group_into_orders(rng: np.random.Generator, lines: DemandLines) -> OrderSkeleton:
    """Most orders hold one line, some two or three; placed mostly in European and Russian evenings."""
    boundaries = np.searchsorted(lines.day, np.arange(int(lines.day.max(initial=0)) + 2))
    order_of_line = np.empty(len(lines.day), dtype=np.int64)
    permuted = np.empty(len(lines.day), dtype=np.int64)
    order_day: list[NDArray[np.int64]] = []
    orders = 0
    for day in range(len(boundaries) - 1):
        start, stop = int(boundaries[day]), int(boundaries[day + 1])
        n = stop - start
        if n == 0:
            continue
        permuted[start:stop] = start + rng.permutation(n)
        sizes = rng.choice(ORDER_SIZES, size=n, p=[0.86, 0.11, 0.03])
        ends = np.cumsum(sizes)
        count = int(np.searchsorted(ends, n)) + 1
        order_of_line[start:stop] = orders + np.searchsorted(ends[:count], np.arange(n), side="right")
        order_day.append(np.full(count, day, dtype=np.int64))
        orders += count
    days = np.concatenate(order_day) if order_day else np.zeros(0, dtype=np.int64)
    hours = np.mod(rng.normal(16.5, 4.5, size=orders), 24.0)
    placed = days * DAY + np.floor(hours * 3600.0)
    order_rank = np.argsort(placed, kind="stable")
    new_id = np.empty(orders, dtype=np.int64)
    new_id[order_rank] = np.arange(orders)
    line_order = new_id[order_of_line[permuted]]
    sku = lines.sku[permuted]
    quantity = lines.quantity[permuted]
    by_order = np.argsort(line_order, kind="stable")
    line_count = np.bincount(line_order, minlength=orders).astype(np.int64)
    line_start = np.concatenate(([0], np.cumsum(line_count)[:-1])).astype(np.int64)
    return OrderSkeleton(
        placed[order_rank].astype(np.float64), line_start, line_count, sku[by_order], quantity[by_order]
    )


def _method_weights() -> NDArray[np.float64]:
    weights = np.tile(np.array([0.2, 0.45, 0.15, 0.2, 0.0, 0.0]), (len(DESTINATIONS), 1))
    weights[COUNTRY_INDEX["RU"]] = [0.22, 0.38, 0.08, 0.2, 0.12, 0.0]
    weights[COUNTRY_INDEX["US"]] = [0.4, 0.35, 0.1, 0.15, 0.0, 0.0]
    return weights


def _choose(rng: np.random.Generator, weights: NDArray[np.float64]) -> NDArray[np.int64]:
    """One column per row of `weights`, drawn with those weights."""
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    chosen: NDArray[np.int64] = (rng.random(len(weights))[:, None] > cumulative[:, :-1]).sum(axis=1).astype(np.int64)
    return chosen


def _buyers(rng: np.random.Generator, country: NDArray[np.int64]) -> tuple[NDArray[np.int64], int]:
    """Buyers per country drawn from a pool 2.5 times the orders: about one order in five is a repeat."""
    pool = np.maximum(1, (np.bincount(country, minlength=len(DESTINATIONS)) * 2.5).astype(np.int64))
    keys = country * 10_000_000 + rng.integers(0, pool[country])
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse], len(first)


def simulate_orders(
    rng: np.random.Generator,
    skeleton: OrderSkeleton,
    catalog: Catalog,
    story: DemoStory,
    *,
    overseas_skus: NDArray[np.bool_],
    stockout_at: NDArray[np.float64],
    scale: int,
) -> OrderBook:
    """Decide every order's fate; `stockout_at` is when each SKU ran out (inf if it did not)."""
    n = skeleton.size
    placed = skeleton.placed
    cutoff = (story.cutoff - story.history_start).total_seconds()
    at = {
        name: (getattr(story, name) - story.first_day).days * DAY
        for name in ("epacket_cut_on", "rail_suspended_on", "import_ban_on")
    }
    country = rng.choice(len(DESTINATIONS), size=n, p=_weights()).astype(np.int64)
    buyer, buyer_count = _buyers(rng, country)

    starts = skeleton.line_start
    all_overseas = np.minimum.reduceat(overseas_skus[skeleton.line_sku], starts) if n else np.zeros(0, bool)
    iberian = np.isin(country, [COUNTRY_INDEX["ES"], COUNTRY_INDEX["PT"]])
    overseas = all_overseas & iberian & (rng.random(n) < 0.75)
    weights = _method_weights()[country]
    weights[placed >= at["rail_suspended_on"], RAIL] = 0.0
    method = _choose(rng, weights)
    method[overseas] = CORREOS

    # Payment: recent unpaid orders are still open; older ones were closed by the platform after 5 days.
    recent = placed >= cutoff - 5 * DAY
    paid = placed + np.minimum(rng.lognormal(np.log(240.0), 1.3, n), 2 * DAY)
    unpaid = np.where(recent, rng.random(n) < 0.16, rng.random(n) < 0.07) | (paid >= cutoff)
    paid[unpaid] = np.nan

    first_model = catalog.sku_model[skeleton.line_sku[starts]] if n else np.zeros(0, np.int64)
    handling = np.array([m.handling_days for m in catalog.models], dtype=np.int64)[first_model]
    delay = np.where(overseas, rng.lognormal(np.log(0.5 * DAY), 0.5, n), rng.lognormal(np.log(1.3 * DAY), 0.5, n))
    late = rng.random(n) < 0.03
    delay[late] = handling[late] * DAY + rng.uniform(0.5, 4.0, late.sum()) * DAY
    would_ship = paid + delay
    ran_out = np.minimum.reduceat(stockout_at[skeleton.line_sku], starts) if n else np.zeros(0)
    banned = country == COUNTRY_INDEX[story.banned_country]
    blocked = (
        (banned & (would_ship >= at["import_ban_on"]))
        | ((method == RAIL) & (would_ship >= at["rail_suspended_on"]))
        | (would_ship >= ran_out)
    )
    # Cancellations before shipping: more in the last two weeks (slow lanes), many where stock ran out.
    recent_weeks = placed >= cutoff - 14 * DAY
    p_cancel = np.where(recent_weeks, 0.04, 0.025)
    p_cancel = np.where(banned & blocked, 0.3, p_cancel)
    p_cancel = np.where(would_ship >= ran_out, 0.45, p_cancel)
    cancel = ~unpaid & (rng.random(n) < p_cancel)
    until = np.where(blocked, paid + rng.uniform(0.3, 4.0, n) * DAY, paid + rng.uniform(0.05, 0.9, n) * delay)
    cancel &= until < cutoff
    reason = np.where(
        recent_weeks, _choose(rng, np.tile(RECENT_CANCELS, (n, 1))), _choose(rng, np.tile(USUAL_CANCELS, (n, 1)))
    )
    reason = np.where(banned & blocked, np.where(rng.random(n) < 0.5, IMPORT_RESTRICTION, TOO_SLOW), reason)
    reason = np.where(would_ship >= ran_out, OUT_OF_STOCK, reason)
    cancelled = np.where(cancel, until, np.nan)
    closed = unpaid & ~recent
    cancelled[closed] = placed[closed] + 5 * DAY
    reason = np.where(closed, DID_NOT_PAY, np.where(cancel, reason, -1))

    shipping = ~unpaid & ~cancel & ~blocked & (would_ship < cutoff)
    shipped = np.where(shipping, would_ship, np.nan)
    at["banned_country"] = COUNTRY_INDEX[story.banned_country]
    timeline = _journeys(rng, country, method, shipped, cutoff, at, scale)
    delivered = timeline[:, DELIVERED].copy()

    status = np.full(n, AWAITING, dtype=np.int64)
    status[shipping] = SHIPPED
    status[~np.isnan(delivered)] = DELIVERED_ORDER
    status[cancel] = CANCELLED
    status[unpaid & recent] = PLACED
    status[closed] = CLOSED
    payment = np.where(unpaid, UNPAID, PAID)
    payment[cancel] = REFUNDED

    book = OrderBook(
        skeleton=skeleton,
        country=country,
        buyer=buyer,
        buyer_count=buyer_count,
        method=method,
        overseas=overseas,
        handling_days=handling,
        paid=paid,
        shipped=shipped,
        delivered=delivered,
        cancelled=cancelled,
        cancel_reason=reason.astype(np.int64),
        status=status,
        payment=payment,
        timeline=timeline,
        shipping_fee=np.where(rng.random(n) < 0.2, rng.choice(np.array([1.99, 2.99, 3.99]), n), 0.0),
        number=8_012_000_000_000_000 + np.arange(n, dtype=np.int64) * 1_000 + rng.integers(0, 1_000, n),
        dispute_reason=np.full(n, -1, dtype=np.int64),
        dispute_opened=np.full(n, np.nan),
        dispute_closed=np.full(n, np.nan),
        dispute_state=np.zeros(n, dtype=np.int64),
        rating=np.zeros(n, dtype=np.int64),
        rated_at=np.full(n, np.nan),
    )
    _disputes_and_feedback(rng, book, cutoff)
    return book


def _weights() -> NDArray[np.float64]:
    weights = np.array([d.weight for d in DESTINATIONS], dtype=np.float64)
    shares: NDArray[np.float64] = weights / weights.sum()
    return shares


def _journeys(
    rng: np.random.Generator,
    country: NDArray[np.int64],
    method: NDArray[np.int64],
    shipped: NDArray[np.float64],
    cutoff: float,
    at: dict[str, float],
    scale: int,
) -> NDArray[np.float64]:
    """When each parcel reaches each stage (NaN: never, or not yet by the cutoff)."""
    n = len(shipped)
    base = np.array([d.transit_days for d in DESTINATIONS])[country]
    factor = np.array([m.transit_factor for m in METHODS])[method]
    transit = base * factor * rng.lognormal(0.0, 0.22, n) * DAY
    after_cut = shipped >= at["epacket_cut_on"]
    transit[(method == EPACKET) & after_cut] *= 1.9
    other_air = np.isin(method, [AE_STANDARD, CP_REG_AIR, CAINIAO]) & after_cut
    transit[other_air] *= 1.12
    local = method == CORREOS
    transit[local] = rng.uniform(1.5, 4.5, int(local.sum())) * DAY
    scan_delay = np.where(local, rng.uniform(2, 8, n), rng.uniform(2, 30, n)) * 3600.0
    first_scan = shipped + scan_delay

    fractions = np.array([m.fractions for m in METHODS])[method]
    # Small noise (under the gap between two stages, so their order holds).
    jitter = rng.uniform(-0.01, 0.01, (n, DELIVERED)) * transit[:, None]
    times = np.full((n, STAGES), np.nan)
    times[:, :DELIVERED] = first_scan[:, None] + fractions * transit[:, None] + jitter
    times[:, ACCEPT] = first_scan
    pickup_share = np.array([d.pickup_share for d in DESTINATIONS])[country]
    pickup_share[local] = 0.2
    pickup = rng.random(n) < pickup_share
    wait = np.minimum(rng.lognormal(np.log(2.5 * DAY), 0.8, n), 20 * DAY)
    times[:, DELIVERED] = np.where(pickup, times[:, PICKUP] + wait, first_scan + transit)
    times[pickup, OUT] = np.nan
    times[~pickup, PICKUP] = np.nan
    times[:, HELD] = np.nan
    _clear(times, local, (HANDOVER, DEPART, ARRIVE, CUSTOMS))

    # The import ban: parcels reaching the banned country after it began are held by customs.
    banned = (country == at["banned_country"]) & (times[:, ARRIVE] >= at["import_ban_on"])
    times[banned, HELD] = times[banned, CUSTOMS] + 0.8 * DAY
    _clear(times, banned, (OFFICE, PICKUP, OUT, DELIVERED))
    # The rail suspension: trains stopped, parcels stay where they were.
    rail = method == RAIL
    _cut_after(times, rail & (times[:, ARRIVE] >= at["rail_suspended_on"]), DEPART)
    _cut_after(times, rail & (times[:, DEPART] >= at["rail_suspended_on"]), HANDOVER)
    # Lost parcels, long ago; stalled ones now; a few never scanned.
    lost = (shipped < cutoff - 90 * DAY) & (rng.random(n) < 0.008)
    stages = rng.choice(np.array([DEPART, ARRIVE, CUSTOMS, OFFICE]), n)
    for stage in (DEPART, ARRIVE, CUSTOMS, OFFICE):
        _cut_after(times, lost & (stages == stage), stage)
    pending = ~(times[:, DELIVERED] < cutoff) & ~np.isnan(shipped)
    stall = pending & (rng.random(n) < 0.05) & ~banned & ~rail
    quiet = np.where(times <= cutoff - 10.5 * DAY, times, np.nan)
    last_quiet = np.where(np.isnan(quiet).all(axis=1), -1, np.nanargmax(np.nan_to_num(quiet, nan=-np.inf), axis=1))
    for stage in range(DELIVERED):
        _cut_after(times, stall & (last_quiet == stage), stage)
    no_scan = (shipped >= cutoff - 12 * DAY) & (shipped < cutoff - 4 * DAY) & (rng.random(n) < 0.03)
    times[no_scan] = np.nan
    if scale > 1:
        # Old, delivered parcels keep only their first, arrival and last lines: the volume stays sane.
        old = times[:, DELIVERED] < cutoff - 90 * DAY
        _clear(times, old, (HANDOVER, DEPART, CUSTOMS, OFFICE, OUT))
    times[times >= cutoff] = np.nan
    return times


def _clear(times: NDArray[np.float64], rows: NDArray[np.bool_], stages: tuple[int, ...]) -> None:
    """Forget the given stages of the given parcels (they did not, or will not, happen)."""
    times[np.ix_(np.flatnonzero(rows), np.array(stages, dtype=np.int64))] = np.nan


def _cut_after(times: NDArray[np.float64], rows: NDArray[np.bool_], stage: int) -> None:
    times[rows, stage + 1 :] = np.nan


def _disputes_and_feedback(rng: np.random.Generator, book: OrderBook, cutoff: float) -> None:
    n = book.size
    promised = promised_days(book).astype(np.float64) * DAY
    shipped = ~np.isnan(book.shipped)
    delivered = ~np.isnan(book.delivered)
    # Lost parcels long ago: the buyer won a "not received" dispute and was refunded.
    last_stage = np.where(
        np.isnan(book.timeline).all(axis=1), -1, np.nanargmax(np.nan_to_num(book.timeline, nan=-np.inf), axis=1)
    )
    lost = shipped & ~delivered & (promised < cutoff - 20 * DAY)
    opened = promised + rng.uniform(1, 10, n) * DAY
    closed = opened + rng.uniform(5, 15, n) * DAY
    late = shipped & ~delivered & ~lost & (promised < cutoff) & (rng.random(n) < 0.35)
    late_opened = np.maximum(promised, cutoff - 6 * DAY) + rng.uniform(0, 1, n) * (
        cutoff - np.maximum(promised, cutoff - 6 * DAY)
    )
    quality = delivered & (rng.random(n) < 0.01)
    quality_opened = book.delivered + rng.uniform(1, 10, n) * DAY
    quality_closed = quality_opened + rng.uniform(3, 12, n) * DAY
    quality &= quality_opened < cutoff
    book.dispute_reason[lost] = 0
    book.dispute_opened[lost] = opened[lost]
    book.dispute_closed[lost] = np.where(closed[lost] < cutoff, closed[lost], np.nan)
    book.dispute_state[lost] = np.where(closed[lost] < cutoff, DISPUTE_BUYER, DISPUTE_OPEN)
    book.payment[lost & (closed < cutoff)] = REFUNDED
    book.dispute_reason[late] = np.where(last_stage[late] >= ARRIVE, 0, 1)
    book.dispute_opened[late] = late_opened[late]
    book.dispute_state[late] = DISPUTE_OPEN
    book.dispute_reason[quality] = rng.choice(np.array([2, 3, 4]), int(quality.sum()))
    book.dispute_opened[quality] = quality_opened[quality]
    settled = quality & (quality_closed < cutoff)
    won = rng.random(n) < 0.5
    book.dispute_closed[settled] = quality_closed[settled]
    book.dispute_state[quality] = DISPUTE_OPEN
    book.dispute_state[settled & won] = DISPUTE_BUYER
    book.dispute_state[settled & ~won] = DISPUTE_SELLER
    book.payment[settled & won] = PARTIALLY_REFUNDED
    # Feedback: a third of delivered buyers rate the order, mostly 5 stars; late parcels get fewer stars.
    rated_at = book.delivered + np.minimum(rng.lognormal(np.log(3 * DAY), 0.9, n), 30 * DAY)
    rates = delivered & (rng.random(n) < 0.33) & (rated_at < cutoff)
    stars = rng.choice(np.array([5, 4, 3, 2, 1]), n, p=[0.74, 0.12, 0.05, 0.03, 0.06])
    was_late = book.delivered > promised + DAY
    stars = np.where(was_late, np.minimum(stars, rng.choice(np.array([5, 4, 3, 2, 1]), n)), stars)
    book.rating[rates] = stars[rates]
    book.rated_at[rates] = rated_at[rates]


def promised_days(book: OrderBook) -> NDArray[np.int64]:
    """Days from the history start to the promised delivery date (placing day + the method's promise)."""
    far = np.isin(book.country, [COUNTRY_INDEX[c] for c in ("BR", "CL", "MX")])
    promise = np.where(
        far,
        np.array([m.far_promise_days for m in METHODS])[book.method],
        np.array([m.promise_days for m in METHODS])[book.method],
    )
    return (np.floor(book.skeleton.placed / DAY) + promise).astype(np.int64)
