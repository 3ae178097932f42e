"""The shipment watch: parcels with no first carrier scan within the platforms' days, parcels whose tracking has
gone quiet, parcels waiting at a pickup point, buyer-protection deadlines close without delivery; and, for every
open order, whether it will arrive by its promised date (`orders_at_risk`, which the notify_delay producer uses).

Expected delivery is honest about time already spent: a parcel 20 days on its way is judged by the transit times
of parcels that took more than 20 days (the conditional quantile of its lane's survival curve).

A missing first scan is news only when tracking reaches the shop: parcels can come from an order export (AliExpress
names them) before any tracking feed is set up, and without one no parcel is ever scanned as far as Tradewind knows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from tradewind.clock import start_of_day
from tradewind.db.session import memoized
from tradewind.logistics.lane_store import UNSPECIFIED_METHOD
from tradewind.logistics.models import Shipment, ShippingMethod, TrackingEvent, TrackingStatus
from tradewind.logistics.outlook_store import OutlookRow, order_settled, outlook_inputs
from tradewind.logistics.rules import LogisticsRules
from tradewind.logistics.schemas import at_risk_figures
from tradewind.logistics.shipping import LaneStatistics, default_method, lane_statistics
from tradewind.logistics.tracking.codes import Substatus, plain_words
from tradewind.logistics.tracking.timeline import build_timeline, stored_event
from tradewind.logistics.transit.lanes import Lane, LaneEstimate
from tradewind.orders.models import Order, OrderStatus
from tradewind.orders.service import stale_cutoff
from tradewind.shops.models import Shop
from tradewind.wording import Day, Phrase, nphrase, phrase

S = TrackingStatus
DAY = 86400.0
CLOSED_ORDERS = (OrderStatus.CANCELLED, OrderStatus.CLOSED, OrderStatus.DELIVERED)
# A parcel's trouble, as the reasons say it.
TROUBLE = {
    Substatus.CUSTOMS_HOLD: phrase("the parcel is held by customs"),
    Substatus.AWAITING_DUTIES: phrase("the parcel is waiting for the buyer to pay import duties"),
    Substatus.RETURNING_TO_SENDER: phrase("the parcel is on its way back to the sender"),
    Substatus.RETURNED_TO_SENDER: phrase("the parcel is returned to the sender"),
    Substatus.LOST: phrase("the parcel is reported lost"),
    Substatus.DAMAGED: phrase("the parcel is reported damaged"),
    Substatus.ADDRESS_PROBLEM: phrase("the parcel is stuck on an address problem"),
}
# A parcel in these states is not coming to the buyer: no delivery date to give.
NOT_COMING = frozenset({Substatus.RETURNING_TO_SENDER, Substatus.LOST})
# An outlook with no reason (most open orders): one phrase for all of them.
ON_TIME = phrase("expected in time")
# A stored status as its member, by value: a dict lookup per open parcel rather than Enum's call.
STATUSES = {status.value: status for status in S}


def _settled_among(session: Session, ids: list[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found.update(session.scalars(select(Order.id).where(Order.id.in_(ids[start : start + 500]), order_settled())))
    return found


@dataclass(frozen=True)
class ParcelFacts:
    """What a message to the buyer about a parcel needs, in plain words."""

    tracking_number: str
    carrier_method: str
    status: str
    status_words: str
    substatus: str | None
    last_event: str | None
    last_event_at: datetime | None
    location: str | None
    shipped_on: date
    days_since_shipping: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "tracking_number": self.tracking_number,
            "method": self.carrier_method,
            "status": self.status,
            "status_words": self.status_words,
            "substatus": self.substatus,
            "last_event": self.last_event,
            "last_event_at": self.last_event_at.isoformat() if self.last_event_at else None,
            "location": self.location,
            "shipped_on": self.shipped_on.isoformat(),
            "days_since_shipping": self.days_since_shipping,
        }


@dataclass(frozen=True)
class WatchFinding:
    """One parcel that needs the seller: `situation` is no_first_scan, stalled, probably_lost (no carrier news for
    `expired_after_days`), waiting_at_pickup or protection_expiring."""

    situation: str
    shipment: Shipment
    order: Order | None
    facts: ParcelFacts
    days: int  # days without a scan / without news / waiting / left before the deadline
    deadline: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def open_shipments(
    session: Session, *, shop: Shop, since: datetime | None = None, only: ColumnElement[bool] | None = None
) -> list[Shipment]:
    """Parcels handed over since `since`, not yet delivered (nor back with the sender), whose order is still open
    and not settled (refunded, or its dispute closed), with their events; `only` narrows them further (a condition
    on Shipment and Order)."""
    return _open_shipments(session, shop=shop, since=since, only=only)[0]


def _open_shipments(
    session: Session, *, shop: Shop, since: datetime | None = None, only: ColumnElement[bool] | None = None
) -> tuple[list[Shipment], dict[int, Order]]:
    """`open_shipments`, with their orders (and buyers) by id, read once."""
    query = (
        select(Shipment)
        .options(selectinload(Shipment.events))
        .where(Shipment.shop_id == shop.id, Shipment.delivered_at.is_(None), Shipment.status != S.DELIVERED)
        .order_by(Shipment.shipped_at, Shipment.id)
    )
    if since is not None:
        query = query.where(Shipment.shipped_at >= since)
    if only is not None:
        query = query.outerjoin(Order, Order.id == Shipment.order_id).where(only)
    shipments = session.scalars(query).all()
    orders = _orders_of(session, [s.order_id for s in shipments if s.order_id is not None])
    settled = _settled_among(session, list(orders))
    found = []
    for shipment in shipments:
        order = orders.get(shipment.order_id) if shipment.order_id is not None else None
        if order is not None and (order.status in CLOSED_ORDERS or order.id in settled):
            continue
        latest = _latest_event(shipment.events)
        if latest is not None and latest.substatus == Substatus.RETURNED_TO_SENDER:
            continue
        found.append(shipment)
    return found, orders


def _orders_of(session: Session, ids: list[int]) -> dict[int, Order]:
    found: dict[int, Order] = {}
    for start in range(0, len(ids), 500):
        for order in session.scalars(
            select(Order).options(selectinload(Order.buyer)).where(Order.id.in_(ids[start : start + 500]))
        ):
            found[order.id] = order
    return found


def _latest_event(events: list[TrackingEvent]) -> TrackingEvent | None:
    known = [e for e in events if e.status != S.UNKNOWN]
    return max(known, key=lambda e: (e.occurred_at, e.id)) if known else None


def _methods_by_id(session: Session, shop: Shop) -> dict[int, str]:
    rows = session.execute(select(ShippingMethod.id, ShippingMethod.code).where(ShippingMethod.shop_id == shop.id))
    return {int(method_id): str(code) for method_id, code in rows}


def parcel_facts(shipment: Shipment, method: str, now: datetime) -> ParcelFacts:
    latest = _latest_event(shipment.events)
    substatus = latest.substatus if latest is not None else None
    return ParcelFacts(
        tracking_number=shipment.tracking_number,
        carrier_method=method,
        status=shipment.status.value,
        status_words=plain_words(shipment.status, substatus),
        substatus=substatus,
        last_event=latest.raw_text if latest is not None else None,
        last_event_at=shipment.last_event_at,
        location=latest.location if latest is not None else None,
        shipped_on=shipment.shipped_at.date(),
        days_since_shipping=int((now - shipment.shipped_at).total_seconds() // DAY),
    )


def watch_shipments(
    session: Session, *, shop: Shop, now: datetime, rules: LogisticsRules | None = None
) -> list[WatchFinding]:
    """Every open parcel that needs the seller today, with the facts a message to the buyer needs."""
    config = rules or LogisticsRules()
    methods = _methods_by_id(session, shop)
    since = now - timedelta(days=config.watch_window_days)
    scans = tracking_reaches(session, shop=shop, since=since)
    shipments, orders = _open_shipments(session, shop=shop, since=since, only=_may_need_a_look(now, config, scans))
    findings: list[WatchFinding] = []
    for shipment in shipments:
        order = orders.get(shipment.order_id) if shipment.order_id is not None else None
        facts = parcel_facts(shipment, methods.get(shipment.method_id or 0, UNSPECIFIED_METHOD), now)
        findings.extend(_parcel_findings(shipment, order, facts, now, config, scans))
    return findings


def tracking_reaches(session: Session, *, shop: Shop, since: datetime) -> bool:
    """Whether tracking news of the shop's parcels has come in since `since` (see the module's note): asked of the
    newest parcels with any news, which the primary key finds without reading the shop's whole history."""
    latest = session.scalars(
        select(Shipment.last_event_at)
        .where(Shipment.shop_id == shop.id, Shipment.last_event_at.is_not(None))
        .order_by(Shipment.id.desc())
        .limit(50)
    ).all()
    return any(moment is not None and moment >= since for moment in latest)


def _may_need_a_look(now: datetime, rules: LogisticsRules, scans: bool) -> ColumnElement[bool]:
    """The parcels `_parcel_findings` can say something about, as SQL, so that only those are loaded with their
    events: a first scan overdue (when tracking reaches the shop), quiet for too long (stalled, or expired: probably
    lost), waiting at a pickup point, or a protection deadline within the warning days and not yet passed."""
    last_news = func.coalesce(Shipment.last_event_at, Shipment.first_scan_at)
    deadline = func.coalesce(Order.protection_ends_on, Order.promised_delivery_on)
    return or_(
        and_(
            Shipment.first_scan_at.is_(None),
            Shipment.shipped_at < now - timedelta(days=rules.first_scan_within_days),
            true() if scans else false(),
        ),
        and_(Shipment.first_scan_at.is_not(None), last_news < now - timedelta(days=rules.stalled_after_days)),
        Shipment.status == S.AVAILABLE_FOR_PICKUP,
        and_(deadline >= now.date(), deadline <= (now + timedelta(days=rules.protection_warning_days)).date()),
    )


def scan_news(
    *,
    shipped_at: datetime,
    first_scan_at: datetime | None,
    last_event_at: datetime | None,
    status: str,
    now: datetime,
    rules: LogisticsRules,
    scans: bool,
) -> tuple[str, int] | None:
    """What a parcel's scans say by now: no_first_scan (when tracking reaches the shop), stalled, or probably_lost
    (no carrier news for `expired_after_days`), with the days; None when nothing (a parcel waiting at a pickup point
    is judged by its waiting)."""
    since_shipping = (now - shipped_at).total_seconds() / DAY
    if first_scan_at is None and since_shipping > rules.first_scan_within_days:
        if not scans:
            return None
        # Later it is Expired: probably lost, an inquiry and a refund or resend rather than a chase.
        return "no_first_scan" if since_shipping <= rules.expired_after_days else "probably_lost", int(since_shipping)
    if status == S.AVAILABLE_FOR_PICKUP or first_scan_at is None:
        return None
    quiet = (now - (last_event_at or first_scan_at)).total_seconds() / DAY
    if rules.stalled_after_days < quiet <= rules.expired_after_days:
        return "stalled", int(quiet)
    if quiet > rules.expired_after_days:
        return "probably_lost", int(quiet)
    return None


def _parcel_findings(
    shipment: Shipment, order: Order | None, facts: ParcelFacts, now: datetime, rules: LogisticsRules, scans: bool
) -> list[WatchFinding]:
    found = []
    since_shipping = (now - shipment.shipped_at).total_seconds() / DAY
    unscanned = shipment.first_scan_at is None and since_shipping > rules.first_scan_within_days
    news = scan_news(
        shipped_at=shipment.shipped_at,
        first_scan_at=shipment.first_scan_at,
        last_event_at=shipment.last_event_at,
        status=shipment.status,
        now=now,
        rules=rules,
        scans=scans,
    )
    if news is not None:
        found.append(WatchFinding(news[0], shipment, order, facts, news[1]))
    elif not unscanned and shipment.status == S.AVAILABLE_FOR_PICKUP:
        waiting_since = _waiting_since(shipment)
        waited = (now - waiting_since).total_seconds() / DAY if waiting_since else 0.0
        if waiting_since is not None and waited >= rules.pickup_reminder_after_days:
            returns_on = waiting_since.date() + timedelta(days=rules.pickup_hold_days)
            found.append(
                WatchFinding(
                    "waiting_at_pickup",
                    shipment,
                    order,
                    facts,
                    int(waited),
                    deadline=returns_on,
                    extra={"waiting_since": waiting_since.date().isoformat(), "back_to_sender_from": returns_on},
                )
            )
    deadline = _protection_deadline(order)
    if deadline is not None:
        left = (deadline - now.date()).days
        if left <= rules.protection_warning_days:
            found.append(WatchFinding("protection_expiring", shipment, order, facts, left, deadline=deadline))
    return found


def _waiting_since(shipment: Shipment) -> datetime | None:
    return build_timeline(stored_event(e) for e in shipment.events).waiting_since


def _protection_deadline(order: Order | None) -> date | None:
    if order is None or order.status in CLOSED_ORDERS:
        return None
    return order.protection_ends_on or order.promised_delivery_on


# --- orders at risk -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderAtRisk:
    """An open order that may not arrive by its promised date: why, and when it is expected (p50, p90).

    No date where none is honest: a parcel probably lost (no carrier news for `expired_after_days`) or going back
    to the sender has `steps` instead (ask the carrier; refund or resend by `act_by`), and a parcel the lane's
    transit times cannot place says so (`no_estimate`) rather than give the curve's horizon.
    """

    order: Order
    reason: str
    reason_words: str
    reasons: tuple[str, ...]
    promised_on: date | None
    expected_p50_on: date | None
    expected_p90_on: date | None
    days_late: int
    lane: Lane | None
    estimate_source: str | None
    parcel: ParcelFacts | None
    restrictions: tuple[str, ...]
    # What to do instead of waiting for a date, and by when (the buyer-protection deadline).
    steps: tuple[dict[str, Any], ...] = ()
    act_by: date | None = None
    reason_phrase: Phrase | None = None  # `reason_words` in the reader's language

    @property
    def at_risk(self) -> bool:
        return bool(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        """As every face publishes it (`schemas.ORDER_AT_RISK`)."""
        return at_risk_figures(self)


# A lane curve's answers for the day (`LaneEstimate.days_to_delivery` by estimate, quantile and days on the way):
# the open orders of a lane ask the same few hundred questions thousands of times.
Curves = dict[tuple[int, float, int], int | None]
# The day's reasons in English by phrase: the late orders of a lane share a few hundred reasons ("expected by ...,
# 12 days after the promised ...") among thousands of orders.
Words = dict[Phrase, str]


@dataclass(frozen=True)
class _Parcel:
    """An order's latest parcel as its outlook reads it (from the outlook inputs: `outlook_store.OutlookRow`)."""

    tracking_number: str
    status: TrackingStatus
    shipped_at: datetime
    first_scan_at: datetime | None
    last_event_at: datetime | None
    substatus: str | None
    latest_text: str | None
    latest_location: str | None
    out_for_delivery_at: datetime | None
    waiting_since: datetime | None


def _instant(seconds: float | None) -> datetime | None:
    """An instant kept as seconds since 1970, as the record has it (to the microsecond)."""
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _parcel_of(row: OutlookRow) -> _Parcel | None:
    if row.shipment_id is None or row.shipped is None or row.status is None:
        return None
    return _Parcel(
        tracking_number=row.tracking_number or "",
        status=STATUSES[row.status],
        shipped_at=datetime.fromtimestamp(row.shipped, UTC),
        first_scan_at=_instant(row.first_scan),
        last_event_at=_instant(row.last_event),
        substatus=row.latest_substatus,
        latest_text=row.latest_text,
        latest_location=row.latest_location,
        out_for_delivery_at=_instant(row.out_for_delivery_at),
        waiting_since=_instant(row.waiting_since),
    )


def order_outlooks(
    session: Session, *, shop: Shop, today: date, now: datetime | None = None, rules: LogisticsRules | None = None
) -> list[OrderAtRisk]:
    """Every open order (paid, not delivered, not settled: see `order_settled`) with its expected delivery and,
    when it is at risk, why. An order whose parcel is back with the sender is not open. Computed once per
    `read_memo`."""
    config = rules or LogisticsRules()
    moment = _moment(today, now)
    key = ("order_outlooks", shop.id, today, moment, repr(config))

    def compute() -> list[OrderAtRisk]:
        found = _outlook_figures(session, shop=shop, today=today, moment=moment, config=config)
        return _with_orders(session, found)

    return memoized(session, key, compute)


def _moment(today: date, now: datetime | None) -> datetime:
    return now or datetime.combine(today, time(12, 0), tzinfo=start_of_day(today).tzinfo)


def _with_orders(session: Session, found: list[tuple[int, dict[str, Any]]]) -> list[OrderAtRisk]:
    """The outlooks with their orders (and buyers) as records, read only for these."""
    orders = _orders_of(session, [order_id for order_id, _ in found])
    return [OrderAtRisk(order=orders[order_id], **figures) for order_id, figures in found]


def expected_deliveries(
    session: Session, *, shop: Shop, today: date, now: datetime | None = None, rules: LogisticsRules | None = None
) -> dict[int, date | None]:
    """Every open order's expected delivery (p90) by order id, None where the outlook gives no date (the same
    outlooks as `order_outlooks`, without reading the orders as records)."""
    config = rules or LogisticsRules()
    moment = _moment(today, now)
    return memoized(
        session,
        _expected_key(shop, today, moment, config),
        lambda: _expected_of(_outlook_figures(session, shop=shop, today=today, moment=moment, config=config)),
    )


def _expected_key(shop: Shop, today: date, moment: datetime, config: LogisticsRules) -> tuple[Any, ...]:
    return ("expected_deliveries", shop.id, today, moment, repr(config))


def _expected_of(found: list[tuple[int, dict[str, Any]]]) -> dict[int, date | None]:
    return {order_id: figures["expected_p90_on"] for order_id, figures in found}


def _outlook_figures(
    session: Session, *, shop: Shop, today: date, moment: datetime, config: LogisticsRules
) -> list[tuple[int, dict[str, Any]]]:
    """Each open order's id and its outlook's figures (`OrderAtRisk` but the order). Computed once per
    `memo_scope` (the brief's producer that asks, notify_delay): a large shop's run to a hundred megabytes. The
    expected deliveries (p90) that others ask for later (the replies about where an order is) are kept from them
    for the whole `read_memo`, a date per order."""
    key = ("order_outlook_figures", shop.id, today, moment, repr(config))

    def compute() -> list[tuple[int, dict[str, Any]]]:
        found = _order_outlooks(session, shop=shop, today=today, moment=moment, config=config)
        memoized(session, _expected_key(shop, today, moment, config), lambda: _expected_of(found))
        return found

    return memoized(session, key, compute, scoped=True)


def _order_outlooks(
    session: Session, *, shop: Shop, today: date, moment: datetime, config: LogisticsRules
) -> list[tuple[int, dict[str, Any]]]:
    cutoff = stale_cutoff(today, config.stale_order_days)
    cutoff_start = start_of_day(cutoff).timestamp()
    # Stale orders: the stale_orders action lists them; no buyer is written to.
    rows = [
        row
        for row in outlook_inputs(session, shop_id=shop.id)
        if not (row.ship_by < cutoff if row.ship_by is not None else row.placed < cutoff_start)
    ]
    if not rows:
        return []
    scans = tracking_reaches(session, shop=shop, since=moment - timedelta(days=config.watch_window_days))
    methods = _methods_by_id(session, shop)
    statistics = {s.lane: s for s in lane_statistics(session, shop=shop, now=moment, rules=config)}
    outlooks = []
    defaults: dict[str, str | None] = {}
    curves: Curves = {}
    words: Words = {}
    for row in rows:
        parcel = _parcel_of(row)
        if parcel is not None and parcel.substatus == Substatus.RETURNED_TO_SENDER:
            continue  # back with the sender: nothing is on its way to the buyer
        origin = row.origin_country if parcel is not None and row.origin_country else shop.country
        destination = row.destination
        if parcel is not None and row.method_id is not None:
            method: str | None = methods.get(row.method_id)
        else:
            method = row.order_method
        if method is None and destination is not None:
            if destination not in defaults:
                defaults[destination] = default_method(
                    session, shop=shop, origin=origin, destination=destination, today=today, rules=config
                )[0]
            method = defaults[destination]
        lane = Lane(origin, destination, method or UNSPECIFIED_METHOD) if destination else None
        outlooks.append((row.order_id, _outlook(row, parcel, lane, statistics, moment, config, scans, curves, words)))
    return outlooks


def orders_at_risk(
    session: Session, *, shop: Shop, today: date, now: datetime | None = None, rules: LogisticsRules | None = None
) -> list[OrderAtRisk]:
    """Open orders that may miss their promised date (for notify_delay), most late first."""
    config = rules or LogisticsRules()
    figures = _outlook_figures(session, shop=shop, today=today, moment=_moment(today, now), config=config)
    found = _with_orders(session, [(order_id, f) for order_id, f in figures if f["reasons"]])
    return sorted(found, key=lambda o: (-o.days_late, o.promised_on or date.max, o.order.number))


def _parcel_facts(parcel: _Parcel, method: str, now: datetime) -> ParcelFacts:
    """`parcel_facts` of an outlook's parcel."""
    return ParcelFacts(
        tracking_number=parcel.tracking_number,
        carrier_method=method,
        status=parcel.status.value,
        status_words=plain_words(parcel.status, parcel.substatus),
        substatus=parcel.substatus,
        last_event=parcel.latest_text,
        last_event_at=parcel.last_event_at,
        location=parcel.latest_location,
        shipped_on=parcel.shipped_at.date(),
        days_since_shipping=int((now - parcel.shipped_at).total_seconds() // DAY),
    )


def silent_days(shipment: Shipment | _Parcel, now: datetime, *, scans: bool) -> float | None:
    """Days since the carrier last said anything of the parcel (since hand-over when it never did, but only when
    tracking reaches the shop: otherwise nothing is known either way, None)."""
    last = shipment.last_event_at or shipment.first_scan_at
    if last is None:
        if not scans:
            return None
        last = shipment.shipped_at
    return (now - last).total_seconds() / DAY


def probably_lost(shipment: Shipment | _Parcel, now: datetime, rules: LogisticsRules, *, scans: bool) -> bool:
    """Expired (AfterShip's word): no carrier news for `expired_after_days`. A competing risk of delivery — such a
    parcel is probably lost, not late. Measured from the parcel's last news with the shop's `expired_after_days`;
    the stored Expired status (set when tracking was last read, or by the carrier) counts only when there is none.
    A parcel waiting at a pickup point is not lost: it is collected or goes back (`_at_pickup`)."""
    if shipment.status == S.AVAILABLE_FOR_PICKUP:
        return False
    quiet = silent_days(shipment, now, scans=scans)
    if quiet is None:
        return shipment.status == S.EXPIRED
    return quiet > rules.expired_after_days


def _outlook(
    row: OutlookRow,
    parcel: _Parcel | None,
    lane: Lane | None,
    statistics: dict[Lane, LaneStatistics],
    now: datetime,
    rules: LogisticsRules,
    scans: bool,
    curves: Curves,
    words: Words,
) -> dict[str, Any]:
    """An order's outlook (`OrderAtRisk`'s fields but the order) from its inputs, today."""
    reasons: list[tuple[str, Phrase]] = []
    found = statistics.get(lane) if lane else None
    estimate: LaneEstimate | None = found.estimate if found else None
    facts = _parcel_facts(parcel, lane.method if lane else UNSPECIFIED_METHOD, now) if parcel else None
    promised = row.promised_delivery_on or row.protection_ends_on
    act_by = row.protection_ends_on or row.promised_delivery_on
    steps: tuple[dict[str, Any], ...] = ()
    if estimate is not None and estimate.blocked:
        reasons.append(("lane_blocked", phrase("the route %(lane)s is blocked", lane=estimate.lane.words())))
    lost = parcel is not None and facts is not None and probably_lost(parcel, now, rules, scans=scans)
    if parcel is not None and facts is not None and lost:
        quiet = silent_days(parcel, now, scans=scans)
        news = (
            nphrase("no carrier news for %(num)s days", "no carrier news for %(num)s days", int(quiet))
            if quiet is not None
            else phrase("no carrier news for weeks")
        )
        lost_reason = (
            phrase(
                "%(news)s: probably lost — ask the carrier, then refund or resend before buyer protection ends on "
                "%(day)s",
                news=news,
                day=Day(act_by),
            )
            if act_by
            else phrase("%(news)s: probably lost — ask the carrier, then refund or resend", news=news)
        )
        reasons.append(("probably_lost", lost_reason))
        steps = _lost_steps(row.number, facts, act_by)
    elif facts is not None and facts.substatus in TROUBLE:
        reasons.append((facts.substatus, TROUBLE[facts.substatus]))
        if facts.substatus in NOT_COMING:
            steps = _lost_steps(row.number, facts, act_by)
    if parcel is not None and facts is not None and not lost:
        scanned = scan_news(
            shipped_at=parcel.shipped_at,
            first_scan_at=parcel.first_scan_at,
            last_event_at=parcel.last_event_at,
            status=parcel.status,
            now=now,
            rules=rules,
            scans=scans,
        )
        if scanned is not None and scanned[0] == "no_first_scan":
            reasons.append(
                (
                    "no_first_scan",
                    nphrase(
                        "no carrier scan %(num)s days after shipping",
                        "no carrier scan %(num)s days after shipping",
                        scanned[1],
                    ),
                )
            )
        elif scanned is not None and scanned[0] == "stalled":
            reasons.append(
                (
                    "stalled",
                    nphrase("no tracking news for %(num)s days", "no tracking news for %(num)s days", scanned[1]),
                )
            )
    p50_on: date | None = None
    p90_on: date | None = None
    days_late = 0
    if parcel is not None and parcel.status == S.AVAILABLE_FOR_PICKUP and not steps:
        # The carrier has delivered to the pickup point: late only by the days it got there after the promise.
        arrived, p50_on, p90_on = _at_pickup(parcel, now, rules, reasons)
        if promised is not None and arrived > promised:
            days_late = (arrived - promised).days
            reasons.append(
                (
                    "late",
                    phrase(
                        "at the pickup point since %(arrived)s, %(late)s days after the promised %(promised)s; kept "
                        "there until %(until)s",
                        arrived=Day(arrived),
                        late=days_late,
                        promised=Day(promised),
                        until=Day(p90_on) if p90_on else phrase("no longer"),
                    ),
                )
            )
    elif not steps:  # a parcel lost or going back has no delivery date
        if parcel is not None and parcel.status == S.OUT_FOR_DELIVERY:
            p50_on, p90_on = _out_for_delivery(parcel, now, rules, reasons)
        else:
            p50_on, p90_on = _expected(parcel, estimate, now, rules, reasons, curves)
        latest = p90_on or p50_on
        if latest is not None and promised is not None and latest > promised:
            days_late = (latest - promised).days
            which = "p90" if p90_on else phrase("p50; the p90 is beyond what the lane's parcels say")
            reasons.append(
                (
                    "late",
                    phrase(
                        "expected by %(latest)s (%(which)s), %(late)s days after the promised %(promised)s",
                        latest=Day(latest),
                        which=which,
                        late=days_late,
                        promised=Day(promised),
                    ),
                )
            )
        elif p90_on is None and promised is not None and promised < now.date():
            days_late = (now.date() - promised).days  # already that late, and no date to promise
            reasons.append(
                (
                    "late",
                    phrase(
                        "%(late)s days past the promised %(promised)s, with no date the records give",
                        late=days_late,
                        promised=Day(promised),
                    ),
                )
            )
    return {
        "reason": reasons[0][0] if reasons else "on_time",
        "reason_words": _english(reasons[0][1], words) if reasons else "expected in time",
        "reason_phrase": reasons[0][1] if reasons else ON_TIME,
        "reasons": tuple(code for code, _ in reasons),
        "promised_on": promised,
        "expected_p50_on": p50_on,
        "expected_p90_on": p90_on,
        "days_late": days_late,
        "lane": lane,
        "estimate_source": estimate.source if estimate else None,
        "parcel": facts,
        "restrictions": estimate.restrictions if estimate else (),
        "steps": steps,
        "act_by": act_by if steps else None,
    }


def _english(reason: Phrase, words: Words) -> str:
    """`reason.english()`, rendered once per phrase of the day (`Words`)."""
    found = words.get(reason)
    if found is None:
        found = words[reason] = reason.english()
    return found


def _lost_steps(number: str, facts: ParcelFacts, act_by: date | None) -> tuple[dict[str, Any], ...]:
    """A parcel that is not coming: ask the carrier (an inquiry, with the tracking number), then refund the buyer
    or send the order again, before the buyer-protection deadline makes the platform decide."""
    return (
        {"type": "carrier_inquiry", "tracking_number": facts.tracking_number, "method": facts.carrier_method},
        {
            "type": "refund_or_resend",
            "order": number,
            "choices": ["refund", "resend"],
            "by": act_by.isoformat() if act_by else None,
        },
    )


def _at_pickup(
    parcel: _Parcel, now: datetime, rules: LogisticsRules, reasons: list[tuple[str, Phrase]]
) -> tuple[date, date | None, date | None]:
    """The day a parcel reached its pickup point, and when it is expected: collected by the end of the point's
    storage period, or it goes back — arrival + `pickup_hold_days` (both p50 and p90: when in that period the
    buyer comes, nothing says). Past that period, no date."""
    waiting_since = parcel.waiting_since or parcel.last_event_at or parcel.shipped_at
    arrived = waiting_since.date()
    back_on = arrived + timedelta(days=rules.pickup_hold_days)
    if back_on < now.date():
        reasons.append(
            (
                "pickup_uncollected",
                phrase(
                    "waiting at the pickup point since %(arrived)s: past its %(days)s-day storage period "
                    "(%(back_on)s), on its way back to the sender",
                    arrived=Day(arrived),
                    days=rules.pickup_hold_days,
                    back_on=Day(back_on),
                ),
            )
        )
        return arrived, None, None
    return arrived, back_on, back_on


def _out_for_delivery(
    parcel: _Parcel, now: datetime, rules: LogisticsRules, reasons: list[tuple[str, Phrase]]
) -> tuple[date | None, date | None]:
    """A parcel the courier has out for delivery is judged by that milestone, not by its lane's curve (which knows
    nothing of the parcel's last leg, and for a parcel long on its way may give no date at all): expected the day
    after the event (p50) and by `out_for_delivery_days` after it (p90). Once that has passed with no delivery, no
    date: the delivery failed somewhere, and the reason says so."""
    since = parcel.out_for_delivery_at or parcel.last_event_at or parcel.shipped_at
    out_on = since.date()
    p50_on = out_on + timedelta(days=1)
    p90_on = out_on + timedelta(days=rules.out_for_delivery_days)
    if p90_on < now.date():
        reasons.append(
            (
                "no_estimate",
                phrase(
                    "out for delivery since %(day)s but not delivered within %(days)s days: ask the carrier what "
                    "happened",
                    day=Day(out_on),
                    days=rules.out_for_delivery_days,
                ),
            )
        )
        return None, None
    return max(p50_on, now.date()), p90_on


def _expected(
    parcel: _Parcel | None,
    estimate: LaneEstimate | None,
    now: datetime,
    rules: LogisticsRules,
    reasons: list[tuple[str, Phrase]],
    curves: Curves,
) -> tuple[date | None, date | None]:
    """p50 and p90 delivery from the lane's curve, given the days the parcel has already spent on its way; None
    where the curve cannot answer, or answers beyond `watch_window_days` after hand-over (past every deadline the
    shop follows), and then says so in `reasons`."""
    if estimate is None:
        return None, None
    if parcel is None:
        start, elapsed = now.date(), 0  # not handed over yet: at best it leaves today
    else:
        start = parcel.shipped_at.date()
        elapsed = max(0, int((now - parcel.shipped_at).total_seconds() // DAY))
    found = []
    for q in (0.5, 0.9):
        key = (id(estimate), q, elapsed)
        if key not in curves:
            curves[key] = estimate.days_to_delivery(q, elapsed_days=elapsed)
        days = curves[key]
        found.append(start + timedelta(days=days) if days is not None and days <= rules.watch_window_days else None)
    if found[1] is None:
        reasons.append(
            (
                "no_estimate",
                phrase(
                    "on its way %(elapsed)s days: the transit times of %(lane)s cannot say when it arrives "
                    "(not within %(days)s days of hand-over)",
                    elapsed=elapsed,
                    lane=estimate.lane.words(),
                    days=rules.watch_window_days,
                ),
            )
        )
    return found[0], found[1]
