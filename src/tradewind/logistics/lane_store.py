"""The lane samples store: each parcel as the transit estimates read it, kept per shop in `lane_samples`.

The lane statistics (the method choice, the orders' outlooks, the banner, the API's lanes) read a year of parcels
every brief; read from the shipments that is a join and four instants parsed per parcel (SQLite keeps them as
text). The store keeps each parcel's lane and instants as seconds since 1970, read with one column select.

It is brought up to date (`refresh_lane_samples`) where records arrive (imports, the tracking webhook, `track
import`) and by the day's brief before its producers run (and built by the demo and `tradewind stores rebuild`):
the shipments past the `shipments` watermark are folded in, and so are those with tracking events past the
`tracking_events` watermark (a new event moves a parcel's delivery and last news). An edit below both watermarks
(a shipments file imported again, a method corrected) is noted by the editing session (`db/changes.py`): the
parcels edited in the refreshing transaction are folded in again; an edit another transaction committed (the
shipments' edit count moved) is found by comparing per lane the count, the ids and the whole seconds of each
instant of the shipments with the same sums of the store, one SQL query each, and the shop's samples are then
rebuilt. A reader never writes: it reads the store when it is up to date (`is_up_to_date`: the watermarks and edit
counts, a few one-row queries) and the shipments otherwise, so that the figures are the records' either way.
`rebuild_lane_samples` makes the store from scratch, and a test holds the two equal.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.orm import Session

from tradewind.db.session import memoized
from tradewind.db.stores import (
    ShopStore,
    as_int,
    edits_to_take_in,
    epoch_seconds,
    lock_store,
    set_watermarks,
    took_in,
    watermarks,
    whole_seconds,
)
from tradewind.logistics.models import LaneSample, Shipment, ShippingMethod, TrackingEvent
from tradewind.logistics.transit.lanes import TransitObservations

STORE = "lane_samples"
SOURCES = frozenset({"shipments", "tracking_events"})
# The samples read the shipments' own columns only (a new event reaches them through its parcel's columns): an edit
# of a shipment is what can leave them behind.
EDITED = ("shipments",)
UNSPECIFIED_METHOD = "unspecified"
_CHUNK = 500

logger = logging.getLogger(__name__)


def _seconds(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def _projections(session: Session, *, shop_id: int, where: ColumnElement[bool]) -> Iterable[dict[str, Any]]:
    """The samples of the shop's shipments `where` selects, as rows to insert."""
    rows = session.execute(
        select(
            Shipment.id,
            Shipment.origin_country,
            Shipment.destination_country,
            Shipment.destination_region,
            Shipment.method_id,
            Shipment.shipped_at,
            Shipment.delivered_at,
            func.coalesce(Shipment.last_event_at, Shipment.first_scan_at),
        ).where(Shipment.shop_id == shop_id, where)
    )
    for shipment_id, origin, destination, region, method_id, shipped, delivered, news in rows:
        yield {
            "shop_id": shop_id,
            "shipment_id": shipment_id,
            "origin_country": origin,
            "destination_country": destination,
            "destination_region": region,
            "method_id": method_id,
            "shipped": shipped.timestamp(),
            "delivered": _seconds(delivered),
            "last_news": _seconds(news),
        }


def _insert(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    batch: list[dict[str, Any]] = []
    count = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= 5000:
            session.execute(insert(LaneSample), batch)
            count, batch = count + len(batch), []
    if batch:
        session.execute(insert(LaneSample), batch)
        count += len(batch)
    return count


def _highest(session: Session, *, shop_id: int) -> dict[str, int]:
    return {
        "shipments": as_int(session.scalar(select(func.max(Shipment.id)).where(Shipment.shop_id == shop_id))),
        "tracking_events": as_int(
            session.scalar(select(func.max(TrackingEvent.id)).where(TrackingEvent.shop_id == shop_id))
        ),
    }


def rebuild_lane_samples(session: Session, *, shop_id: int) -> int:
    """The shop's samples made afresh from its shipments; the number of parcels."""
    lock_store(session, shop_id=shop_id, store=STORE)
    edits = edits_to_take_in(session, store=STORE, shop_id=shop_id, tables=EDITED, marks={})
    marks = _highest(session, shop_id=shop_id)
    session.execute(delete(LaneSample).where(LaneSample.shop_id == shop_id))
    count = _insert(session, _projections(session, shop_id=shop_id, where=Shipment.id <= marks["shipments"]))
    set_watermarks(session, shop_id=shop_id, store=STORE, marks={**marks, **edits.marks})
    took_in(session, store=STORE, shop_id=shop_id)
    return count


def refresh_lane_samples(session: Session, *, shop_id: int) -> int:
    """Bring the shop's samples up to date with its shipments (see the module's docstring); the number of parcels
    folded in (all of them when the store was rebuilt)."""
    lock_store(session, shop_id=shop_id, store=STORE)
    marks = watermarks(session, shop_id=shop_id, store=STORE)
    if not set(marks) >= SOURCES:
        return rebuild_lane_samples(session, shop_id=shop_id)
    edits = edits_to_take_in(session, store=STORE, shop_id=shop_id, tables=EDITED, marks=marks)
    highest = _highest(session, shop_id=shop_id)
    edited = edits.ids("shipments")
    folded = 0
    if highest != {source: marks[source] for source in SOURCES} or edited:
        moved = select(TrackingEvent.shipment_id).where(
            TrackingEvent.shop_id == shop_id, TrackingEvent.id > marks["tracking_events"]
        )
        touched = (Shipment.id > marks["shipments"]) | Shipment.id.in_(moved)
        touched = touched & (Shipment.id <= highest["shipments"])
        ids = set(session.scalars(select(Shipment.id).where(Shipment.shop_id == shop_id, touched)))
        # The parcels this transaction edited, folded in again (one deleted has lost its sample with it).
        ids |= edited or set()
        ordered = sorted(ids)
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            session.execute(delete(LaneSample).where(LaneSample.shipment_id.in_(chunk)))
            folded += _insert(session, _projections(session, shop_id=shop_id, where=Shipment.id.in_(chunk)))
    # Edits of parcels another transaction committed, or a statement that named no rows: only the full comparison
    # of the shipments with the samples can tell.
    if (edits.unseen or edited is None) and _shipment_sums(session, shop_id, highest["shipments"]) != _sample_sums(
        session, shop_id
    ):
        logger.info("lane samples of shop %s edited below the watermark: rebuilt", shop_id)
        folded = rebuild_lane_samples(session, shop_id=shop_id)
    else:
        new_marks = {**highest, **edits.marks}
        if new_marks != marks:
            set_watermarks(session, shop_id=shop_id, store=STORE, marks=new_marks)
        took_in(session, store=STORE, shop_id=shop_id)
    memoized(session, (STORE, shop_id), lambda: True)  # the brief's readers need not check again
    return folded


LANE_SAMPLES = ShopStore(
    STORE,
    sources=SOURCES,
    refresh=refresh_lane_samples,
    rebuild=rebuild_lane_samples,
)


def is_up_to_date(session: Session, *, shop_id: int) -> bool:
    """Whether the shop's samples say what its shipments say now: no record past a watermark, and no parcel edited
    since the samples last took the edits in (the shipments' edit count, this transaction's notes). Checked once
    per `read_memo` (the brief's readers share it)."""

    def check() -> bool:
        marks = watermarks(session, shop_id=shop_id, store=STORE)
        if not set(marks) >= SOURCES:
            return False
        edits = edits_to_take_in(session, store=STORE, shop_id=shop_id, tables=EDITED, marks=marks)
        if edits.unseen or edits.notes:
            return False
        return _highest(session, shop_id=shop_id) == {source: marks[source] for source in SOURCES}

    return memoized(session, (STORE, shop_id), check)


Sums = dict[tuple[str, str, str | None], tuple[int, ...]]


def _shipment_sums(session: Session, shop_id: int, up_to: int) -> Sums:
    """Per lane (origin, country, region): parcels, Σ ids, Σ method ids, Σ whole seconds of each instant."""
    news = func.coalesce(Shipment.last_event_at, Shipment.first_scan_at)
    rows = session.execute(
        select(
            Shipment.origin_country,
            Shipment.destination_country,
            Shipment.destination_region,
            func.count(),
            func.sum(Shipment.id),
            func.sum(func.coalesce(Shipment.method_id, 0)),
            func.sum(epoch_seconds(Shipment.shipped_at)),
            func.sum(epoch_seconds(Shipment.delivered_at)),
            func.sum(epoch_seconds(news)),
            func.count(Shipment.delivered_at),
            func.count(news),
        )
        .where(Shipment.shop_id == shop_id, Shipment.id <= up_to)
        .group_by(Shipment.origin_country, Shipment.destination_country, Shipment.destination_region)
    )
    return {(o, d, r): tuple(as_int(v) for v in values) for o, d, r, *values in rows}


def _sample_sums(session: Session, shop_id: int) -> Sums:
    rows = session.execute(
        select(
            LaneSample.origin_country,
            LaneSample.destination_country,
            LaneSample.destination_region,
            func.count(),
            func.sum(LaneSample.shipment_id),
            func.sum(func.coalesce(LaneSample.method_id, 0)),
            func.sum(whole_seconds(LaneSample.shipped)),
            func.sum(whole_seconds(LaneSample.delivered)),
            func.sum(whole_seconds(LaneSample.last_news)),
            func.count(LaneSample.delivered),
            func.count(LaneSample.last_news),
        )
        .where(LaneSample.shop_id == shop_id)
        .group_by(LaneSample.origin_country, LaneSample.destination_country, LaneSample.destination_region)
    )
    return {(o, d, r): tuple(as_int(v) for v in values) for o, d, r, *values in rows}


def lane_samples(session: Session, *, shop_id: int, since: datetime, by_region: bool = False) -> TransitObservations:
    """The shop's parcels handed over since `since` (oldest first), as transit observations with each one's last
    carrier news: from the store when it is up to date, else (records came in since the last brief, or were
    edited) from the shipments themselves. Never writes: a reader (an API request, the figure cache's own
    transaction) may run beside the brief's transaction that folds the records in. `by_region`: a parcel to a
    state or province is on the lane to it."""
    if not is_up_to_date(session, shop_id=shop_id):
        return _from_shipments(session, shop_id=shop_id, since=since, by_region=by_region)
    destination = (
        func.coalesce(LaneSample.destination_region, LaneSample.destination_country)
        if by_region
        else LaneSample.destination_country
    )
    # Plain columns of a year of parcels: executed on the session's connection, without the ORM's row handling
    # (is_up_to_date's queries above have flushed the session already).
    rows = (
        session.connection()
        .execute(
            select(
                LaneSample.origin_country,
                destination,
                ShippingMethod.code,
                LaneSample.shipped,
                LaneSample.delivered,
                LaneSample.last_news,
            )
            .outerjoin(ShippingMethod, ShippingMethod.id == LaneSample.method_id)
            .where(LaneSample.shop_id == shop_id, LaneSample.shipped >= since.timestamp())
            .order_by(LaneSample.shipped, LaneSample.shipment_id)
        )
        .all()
    )
    return _observations(rows)


def _from_shipments(session: Session, *, shop_id: int, since: datetime, by_region: bool) -> TransitObservations:
    """The same observations read from the shipments (the store is behind them)."""
    destination = (
        func.coalesce(Shipment.destination_region, Shipment.destination_country)
        if by_region
        else Shipment.destination_country
    )
    rows = session.execute(
        select(
            Shipment.origin_country,
            destination,
            ShippingMethod.code,
            Shipment.shipped_at,
            Shipment.delivered_at,
            func.coalesce(Shipment.last_event_at, Shipment.first_scan_at),
        )
        .outerjoin(ShippingMethod, ShippingMethod.id == Shipment.method_id)
        .where(Shipment.shop_id == shop_id, Shipment.shipped_at >= since)
        .order_by(Shipment.shipped_at, Shipment.id)
    ).all()
    return _observations(
        [
            (o, d, m, shipped.timestamp(), _seconds(delivered), _seconds(news))
            for o, d, m, shipped, delivered, news in rows
        ]
    )


def _observations(rows: Sequence[Any]) -> TransitObservations:
    n = len(rows)
    origins, destinations, methods, shipped, delivered, news = zip(*rows, strict=True) if n else ((),) * 6
    # NumPy reads None as NaN in a float array: a parcel not delivered, or with no news.
    return TransitObservations.from_columns(
        origins,
        destinations,
        [code or UNSPECIFIED_METHOD for code in methods],
        np.array(shipped, dtype=np.float64),
        np.array(delivered, dtype=np.float64),
        last_news=np.array(news, dtype=np.float64),
    )
