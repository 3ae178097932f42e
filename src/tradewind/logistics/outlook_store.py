"""The outlook inputs store: each open order as its delivery outlook reads it, kept per shop in
`order_outlook_inputs`.

Every brief judges every open order (`watch.order_outlooks`): read from the records that was each order, its
buyer, its parcels and all their tracking events as records, for a handful of values per order that change only
when those records do. The store keeps them as one row per open order (paid, awaiting shipment or shipped, not
settled: `order_settled`): the order's promise and lane, its latest parcel (by hand-over, then id) and what
the parcel's events add up to (its latest event of a known status, its latest out-for-delivery event, since when
it waits at a pickup point), instants as seconds since 1970. What today makes of them (stale, late, lost,
expected when) is computed per brief.

It is brought up to date (`refresh_outlook_inputs`) by the day's brief before its producers run (and built by the
demo and `tradewind stores rebuild`): the orders past the `orders` watermark, those with a parcel past the
`shipments` one and those whose parcel has tracking events past the `tracking_events` one are projected again. An
order changes below the watermarks all the time (shipped, delivered, refunded, its dispute closed): each refresh
therefore compares, in one SQL query each way (EXCEPT), every open order's key values in the records (its promise,
its lane, its latest parcel's id, status and instants to the microsecond) with the store's, and projects again only
the orders that differ (an order no longer open leaves the store). Events edited below their watermark without
their parcel's status or instants changing are not seen; `tradewind stores rebuild` is for a store in doubt. A
reader never writes: it reads the store when it is up to date (`is_up_to_date`: nothing past a watermark, no
order differs) and projects the records otherwise, so the inputs are the records' either way.
`rebuild_outlook_inputs` makes it from scratch, and a test holds the two equal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from tradewind.db.session import memoized
from tradewind.db.stores import (
    ShopStore,
    as_int,
    epoch_microseconds,
    lock_store,
    set_watermarks,
    watermarks,
    whole_microseconds,
)
from tradewind.logistics.models import OutlookInput, Shipment, TrackingEvent, TrackingStatus
from tradewind.logistics.tracking.timeline import TimelineEvent, build_timeline
from tradewind.orders.models import Dispute, DisputeState, Order, OrderStatus, PaymentState

STORE = "order_outlooks"
SOURCES = frozenset({"orders", "shipments", "tracking_events"})
_CHUNK = 500
S = TrackingStatus

logger = logging.getLogger(__name__)


class OutlookRow(NamedTuple):
    """One open order's outlook inputs (see the module's docstring); instants as seconds since 1970."""

    order_id: int
    number: str
    placed: float
    ship_by: date | None
    promised_delivery_on: date | None
    protection_ends_on: date | None
    destination: str | None
    order_method: str | None
    shipment_id: int | None
    tracking_number: str | None
    origin_country: str | None
    method_id: int | None
    status: str | None
    shipped: float | None
    first_scan: float | None
    last_event: float | None
    latest_substatus: str | None
    latest_text: str | None
    latest_location: str | None
    out_for_delivery_at: float | None
    waiting_since: float | None


COLUMNS = tuple(OutlookRow._fields)


def order_settled() -> ColumnElement[bool]:
    """Orders the platform has settled with the buyer, whatever their parcel does: refunded in full, or with a
    dispute closed (won by either side). They are no longer at risk (DESIGN §7) and leave every outlook."""
    closed_dispute = exists().where(
        Dispute.order_id == Order.id, or_(Dispute.state != DisputeState.OPEN, Dispute.closed_at.is_not(None))
    )
    return or_(Order.payment_state == PaymentState.REFUNDED, closed_dispute)


def open_order() -> ColumnElement[bool]:
    """An order an outlook is about, as far as the records alone say (staleness depends on the day)."""
    return (
        Order.status.in_((OrderStatus.AWAITING_SHIPMENT, OrderStatus.SHIPPED))
        & (Order.payment_state != PaymentState.UNPAID)
        & ~order_settled()
    )


def _with_parcels(shop_id: int, where: ColumnElement[bool]) -> Any:
    """Each chosen open order's id and its latest parcel's (by hand-over, then id; None before it is handed over),
    as a subquery: one index lookup per order."""
    latest = (
        select(Shipment.id)
        .where(Shipment.order_id == Order.id)
        .order_by(Shipment.shipped_at.desc(), Shipment.id.desc())
        .limit(1)
        .correlate(Order)
        .scalar_subquery()
    )
    chosen = (Order.shop_id == shop_id) & open_order() & where
    return select(Order.id.label("order_id"), latest.label("shipment_id")).where(chosen).subquery()


def _joined(chosen: Any, *columns: Any) -> Select[*tuple[Any, ...]]:
    return (
        select(*columns)
        .select_from(chosen)
        .join(Order, Order.id == chosen.c.order_id)
        .outerjoin(Shipment, Shipment.id == chosen.c.shipment_id)
    )


def _order_columns(instant: Callable[[Any], Any]) -> tuple[Any, ...]:
    """What the store keeps of an open order and its latest parcel, in the records, in the store's column order:
    the instants through `instant` (as they are for a projection; in whole microseconds for the edit check)."""
    return (
        Order.id,
        Order.number,
        instant(Order.placed_at),
        Order.ship_by,
        Order.promised_delivery_on,
        Order.protection_ends_on,
        func.coalesce(Shipment.destination_country, Order.destination_country),
        Order.shipping_method,
        Shipment.id,
        Shipment.tracking_number,
        Shipment.origin_country,
        Shipment.method_id,
        Shipment.status,
        instant(Shipment.shipped_at),
        instant(Shipment.first_scan_at),
        instant(Shipment.last_event_at),
    )


def _record_keys(shop_id: int) -> Select[*tuple[Any, ...]]:
    """Every open order's key values in the records, comparable with `_store_keys` (dates as dates, instants in
    whole microseconds)."""
    return _joined(_with_parcels(shop_id, Order.id.is_not(None)), *_order_columns(epoch_microseconds))


def _store_keys(shop_id: int) -> Select[*tuple[Any, ...]]:
    s = OutlookInput
    return select(
        s.order_id,
        s.number,
        whole_microseconds(s.placed),
        s.ship_by,
        s.promised_delivery_on,
        s.protection_ends_on,
        s.destination,
        s.order_method,
        s.shipment_id,
        s.tracking_number,
        s.origin_country,
        s.method_id,
        s.status,
        whole_microseconds(s.shipped),
        whole_microseconds(s.first_scan),
        whole_microseconds(s.last_event),
    ).where(s.shop_id == shop_id)


def _differing(session: Session, shop_id: int) -> set[int]:
    """The orders whose key values differ between the records and the store (new, changed, or no longer open): one
    query, each side computed once (a CTE used twice is materialised on SQLite and PostgreSQL)."""
    records = _labelled(_record_keys(shop_id)).cte("record_keys")
    stored = _labelled(_store_keys(shop_id)).cte("store_keys")
    only_records = select(records).except_(select(stored)).subquery()
    only_stored = select(stored).except_(select(records)).subquery()
    found = select(only_records.c.k0).union(select(only_stored.c.k0))
    return {int(order_id) for order_id in session.scalars(found)}


def _labelled(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    """The key columns named by position (k0 the order's id), the same on both sides."""
    return query.with_only_columns(
        *(column.label(f"k{n}") for n, column in enumerate(query.selected_columns)), maintain_column_froms=True
    )


def _seconds(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def project(session: Session, *, shop_id: int, where: ColumnElement[bool]) -> list[OutlookRow]:
    """The outlook inputs of the shop's open orders `where` selects (a condition on Order), in the order the
    outlooks list them (placed, then number)."""
    rows = session.execute(
        _joined(_with_parcels(shop_id, where), *_order_columns(lambda instant: instant)).order_by(
            Order.placed_at, Order.number
        )
    ).all()
    news = _event_news(session, [(r[8], r[12]) for r in rows if r[8] is not None])
    found = []
    for (order_id, number, placed, ship_by, promised, protection, destination, method, shipment_id, tracking,
         origin, method_id, status, shipped, first_scan, last_event) in rows:  # fmt: skip
        latest = news.get(shipment_id, (None, None, None, None, None)) if shipment_id is not None else (None,) * 5
        found.append(
            OutlookRow(
                int(order_id),
                number,
                placed.timestamp(),
                ship_by,
                promised,
                protection,
                destination,
                method,
                shipment_id,
                tracking,
                origin,
                method_id,
                None if status is None else str(S(status).value),
                _seconds(shipped),
                _seconds(first_scan),
                _seconds(last_event),
                *latest,
            )
        )
    return found


Event = tuple[Any, ...]


def _event_news(
    session: Session, parcels: Sequence[tuple[int, Any]]
) -> dict[int, tuple[str | None, str | None, str | None, float | None, float | None]]:
    """Per parcel: its latest event of a known status (substatus, text, location), its latest out-for-delivery
    event and, while its status says it waits at a pickup point, since when (the timeline's)."""
    waiting = {int(shipment_id) for shipment_id, status in parcels if status == S.AVAILABLE_FOR_PICKUP}
    ids = sorted({int(shipment_id) for shipment_id, _ in parcels})
    events: dict[int, list[Event]] = {}
    for start in range(0, len(ids), _CHUNK):
        for row in session.execute(
            select(
                TrackingEvent.shipment_id,
                TrackingEvent.id,
                TrackingEvent.occurred_at,
                TrackingEvent.status,
                TrackingEvent.substatus,
                TrackingEvent.raw_text,
                TrackingEvent.location,
                TrackingEvent.code,
                TrackingEvent.fingerprint,
            ).where(TrackingEvent.shipment_id.in_(ids[start : start + _CHUNK]))
        ):
            events.setdefault(int(row[0]), []).append(tuple(row))
    found = {}
    for shipment_id, own in events.items():
        known = [e for e in own if e[3] != S.UNKNOWN]
        latest = max(known, key=lambda e: (e[2], e[1])) if known else None
        out = [e[2] for e in own if e[3] == S.OUT_FOR_DELIVERY]
        since = _waiting_since(own) if shipment_id in waiting else None
        found[shipment_id] = (
            latest[4] if latest else None,
            latest[5] if latest else None,
            latest[6] if latest else None,
            max(out).timestamp() if out else None,
            _seconds(since),
        )
    return found


def _waiting_since(events: list[Event]) -> datetime | None:
    timeline = build_timeline(
        TimelineEvent(
            occurred_at=e[2],
            text=e[5],
            code=e[7],
            location=e[6],
            status=e[3],
            substatus=e[4],
            confidence=1.0,
            fingerprint=e[8],
        )
        for e in events
    )
    return timeline.waiting_since


def _insert(session: Session, shop_id: int, rows: Iterable[OutlookRow]) -> int:
    batch = [{"shop_id": shop_id, **row._asdict()} for row in rows]
    for start in range(0, len(batch), 5000):
        session.execute(insert(OutlookInput), batch[start : start + 5000])
    return len(batch)


def _highest(session: Session, *, shop_id: int) -> dict[str, int]:
    return {
        name: as_int(session.scalar(select(func.max(model.id)).where(model.shop_id == shop_id)))
        for name, model in (("orders", Order), ("shipments", Shipment), ("tracking_events", TrackingEvent))
    }


def rebuild_outlook_inputs(session: Session, *, shop_id: int) -> int:
    """The shop's outlook inputs made afresh from its records; the number of open orders."""
    lock_store(session, shop_id=shop_id, store=STORE)
    marks = _highest(session, shop_id=shop_id)
    session.execute(delete(OutlookInput).where(OutlookInput.shop_id == shop_id))
    count = _insert(session, shop_id, project(session, shop_id=shop_id, where=Order.id <= marks["orders"]))
    set_watermarks(session, shop_id=shop_id, store=STORE, marks=marks)
    return count


def refresh_outlook_inputs(session: Session, *, shop_id: int) -> int:
    """Bring the shop's outlook inputs up to date with its records (see the module's docstring); the number of
    orders projected again (every open one when the store was rebuilt)."""
    lock_store(session, shop_id=shop_id, store=STORE)
    marks = watermarks(session, shop_id=shop_id, store=STORE)
    if set(marks) != SOURCES:
        return rebuild_outlook_inputs(session, shop_id=shop_id)
    highest = _highest(session, shop_id=shop_id)
    touched: set[int] = set()
    if highest != marks:
        parcels = (Shipment.shop_id == shop_id) & (
            (Shipment.id > marks["shipments"])
            | Shipment.id.in_(
                select(TrackingEvent.shipment_id).where(
                    TrackingEvent.shop_id == shop_id, TrackingEvent.id > marks["tracking_events"]
                )
            )
        )
        touched.update(session.scalars(select(Order.id).where(Order.shop_id == shop_id, Order.id > marks["orders"])))
        touched.update(session.scalars(select(Shipment.order_id).where(parcels, Shipment.order_id.is_not(None))))
    touched |= _differing(session, shop_id)
    ids = sorted(touched)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(delete(OutlookInput).where(OutlookInput.order_id.in_(chunk)))
        _insert(session, shop_id, project(session, shop_id=shop_id, where=Order.id.in_(chunk)))
    if highest != marks:
        set_watermarks(session, shop_id=shop_id, store=STORE, marks=highest)
    if ids:
        logger.info("outlook inputs of shop %s: %s orders projected again", shop_id, len(ids))
    memoized(session, (STORE, shop_id), lambda: True)  # the brief's readers need not check again
    return len(ids)


def is_up_to_date(session: Session, *, shop_id: int) -> bool:
    """Whether the shop's outlook inputs say what its records say now (no record past a watermark, no open order
    differs). Checked once per `read_memo`."""

    def check() -> bool:
        marks = watermarks(session, shop_id=shop_id, store=STORE)
        if set(marks) != SOURCES or _highest(session, shop_id=shop_id) != marks:
            return False
        return not _differing(session, shop_id)

    return memoized(session, (STORE, shop_id), check)


def outlook_inputs(session: Session, *, shop_id: int) -> list[OutlookRow]:
    """Every open order's outlook inputs (placed, then number): from the store when it is up to date, else
    projected from the records. Never writes (a reader may run beside the brief's transaction that folds the
    records in)."""
    if not is_up_to_date(session, shop_id=shop_id):
        return project(session, shop_id=shop_id, where=Order.id.is_not(None))
    columns = [getattr(OutlookInput, name) for name in COLUMNS]
    rows = session.execute(
        select(*columns).where(OutlookInput.shop_id == shop_id).order_by(OutlookInput.placed, OutlookInput.number)
    )
    return [OutlookRow(*row) for row in rows]


OUTLOOK_INPUTS = ShopStore(
    STORE,
    sources=SOURCES,
    refresh=refresh_outlook_inputs,
    rebuild=rebuild_outlook_inputs,
)
