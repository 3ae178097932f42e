"""The lane samples store: folded in step by step it equals a rebuild from scratch and the shipments it is made of
(SQLite and PostgreSQL), an edit below the watermarks rebuilds the shop's part, and the estimates read from it are
those read from the shipments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tests.logistics.parcels import parcel
from tradewind.db.stores import count_edits, watermarks
from tradewind.logistics.lane_store import (
    STORE,
    is_up_to_date,
    lane_samples,
    rebuild_lane_samples,
    refresh_lane_samples,
)
from tradewind.logistics.models import LaneSample, Shipment, ShippingMethod, TrackingEvent
from tradewind.logistics.tracking.store import refresh_shipment
from tradewind.logistics.transit.lanes import TransitObservations, estimate_lanes
from tradewind.shops.models import Shop

START = datetime(2025, 1, 6, 9, 30, 15, 123456, tzinfo=UTC)
SINCE = START - timedelta(days=365)


def samples(session: Session, shop: Shop) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in session.execute(
            select(
                LaneSample.shipment_id,
                LaneSample.origin_country,
                LaneSample.destination_country,
                LaneSample.destination_region,
                LaneSample.method_id,
                LaneSample.shipped,
                LaneSample.delivered,
                LaneSample.last_news,
            )
            .where(LaneSample.shop_id == shop.id)
            .order_by(LaneSample.shipment_id)
        )
    ]


def from_shipments(session: Session, shop: Shop, *, by_region: bool = False) -> TransitObservations:
    """The observations as they were read before the store: straight from the shipments."""
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
        .where(Shipment.shop_id == shop.id, Shipment.shipped_at >= SINCE)
        .order_by(Shipment.shipped_at, Shipment.id)
    ).all()
    return TransitObservations.from_shipments(
        [(o, d, m or "unspecified", s, delivered) for o, d, m, s, delivered, _ in rows],
        last_news=[news for *_, news in rows],
    )


def same(a: TransitObservations, b: TransitObservations) -> None:
    assert a.lanes() == b.lanes()
    for name in ("shipped", "delivered", "last_news"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name


def travelling(session: Session, shop: Shop, day: int, destination: str, method_code: str = "epacket") -> Shipment:
    shipped = START + timedelta(days=day, hours=day % 5, microseconds=day * 7)
    return parcel(
        session,
        shop,
        destination=destination,
        method_code=method_code,
        shipped_at=shipped,
        events=[(shipped + timedelta(days=1, minutes=13), "Accepted by the carrier, Shenzhen")],
        now=shipped + timedelta(days=2),
    )


def delivered(session: Session, shop: Shop, shipment: Shipment, days: float) -> None:
    """A carrier's new event: the parcel is delivered (a tracking feed's event, past the watermark)."""
    when = shipment.shipped_at + timedelta(days=days)
    event = TrackingEvent(
        shop_id=shop.id,
        shipment_id=shipment.id,
        occurred_at=when,
        raw_text="Delivered, Moscow",
        status="Delivered",
        fingerprint=f"delivered-{shipment.id}",
    )
    session.add(event)
    session.flush()
    refresh_shipment(shipment, [*shipment.events, event], now=when + timedelta(hours=1))
    session.flush()


def test_folded_in_step_by_step_the_store_equals_a_rebuild_and_the_shipments(session: Session, shop: Shop) -> None:
    first = [travelling(session, shop, day, ("RU", "ES", "BR")[day % 3]) for day in range(12)]
    for shipment, days in zip(first[:8], (14, 9.5, 31, 15, 10, 28, 16.25, 11), strict=True):
        delivered(session, shop, shipment, days)
    assert not is_up_to_date(session, shop_id=shop.id)
    assert refresh_lane_samples(session, shop_id=shop.id) == 12  # the first refresh builds it
    assert is_up_to_date(session, shop_id=shop.id)
    same(lane_samples(session, shop_id=shop.id, since=SINCE), from_shipments(session, shop))

    # A reader while records are past the watermarks reads the shipments, and writes nothing.
    late = travelling(session, shop, 30, "RU")
    assert not is_up_to_date(session, shop_id=shop.id)
    before = samples(session, shop)
    same(lane_samples(session, shop_id=shop.id, since=SINCE), from_shipments(session, shop))
    assert samples(session, shop) == before and late.id not in {row[0] for row in before}

    # Step one: new parcels, and news of parcels already folded in (past the events' watermark).
    second = [travelling(session, shop, day, ("RU", "PL")[day % 2], "cainiao") for day in range(12, 20)]
    delivered(session, shop, first[9], 20)
    delivered(session, shop, second[0], 8)
    assert refresh_lane_samples(session, shop_id=shop.id) == 10  # 9 new parcels and the one delivered since
    # Step two: more of both, and a parcel to a state (lanes by region).
    third = [travelling(session, shop, day, "US") for day in range(20, 24)]
    third[0].destination_region = "US-CA"
    session.flush()
    delivered(session, shop, first[10], 33)
    delivered(session, shop, third[1], 12)
    assert refresh_lane_samples(session, shop_id=shop.id) == 5
    assert refresh_lane_samples(session, shop_id=shop.id) == 0  # nothing new: nothing written

    folded, marks = samples(session, shop), watermarks(session, shop_id=shop.id, store=STORE)
    assert rebuild_lane_samples(session, shop_id=shop.id) == 25
    assert samples(session, shop) == folded
    assert watermarks(session, shop_id=shop.id, store=STORE) == marks
    assert is_up_to_date(session, shop_id=shop.id)
    for by_region in (False, True):
        stored = lane_samples(session, shop_id=shop.id, since=SINCE, by_region=by_region)
        same(stored, from_shipments(session, shop, by_region=by_region))
    as_of = START + timedelta(days=40)
    assert estimate_lanes(stored, as_of=as_of) == estimate_lanes(
        from_shipments(session, shop, by_region=True), as_of=as_of
    )


def test_an_edit_below_the_watermarks_rebuilds_the_shops_part(session: Session, shop: Shop) -> None:
    """A shipment corrected without a new event (a shipments file imported again): the watermarks do not see it,
    the edit notes do. Edited in the refreshing transaction, the parcels are folded in again; edited by another
    (committed: the shipments' edit count moved), the sums find it and the shop's samples are rebuilt."""
    parcels = [travelling(session, shop, day, "RU") for day in range(6)]
    delivered(session, shop, parcels[0], 12)
    refresh_lane_samples(session, shop_id=shop.id)
    parcels[1].destination_country = "BY"
    parcels[0].delivered_at = parcels[0].shipped_at + timedelta(days=13, seconds=1)
    parcels[2].method_id = None
    session.flush()
    assert not is_up_to_date(session, shop_id=shop.id)
    assert refresh_lane_samples(session, shop_id=shop.id) == 3  # the three parcels edited, folded in again
    assert is_up_to_date(session, shop_id=shop.id)
    same(lane_samples(session, shop_id=shop.id, since=SINCE), from_shipments(session, shop))
    # A shipment deleted goes with its sample (the foreign key), and the sums still agree.
    session.delete(parcels[3])
    session.flush()
    session.expire_all()
    assert refresh_lane_samples(session, shop_id=shop.id) == 0
    same(lane_samples(session, shop_id=shop.id, since=SINCE), from_shipments(session, shop))
    # An edit another transaction committed: a statement this session does not note, and the edit count its
    # commit moves on (the test's session never commits); the sums differ and the samples are rebuilt.
    session.execute(update(Shipment).where(Shipment.id == parcels[4].id).values(destination_country="KZ"))
    count_edits(session, [((shop.id, "shipments"), 1)])
    assert not is_up_to_date(session, shop_id=shop.id)
    assert refresh_lane_samples(session, shop_id=shop.id) == 5  # rebuilt
    assert is_up_to_date(session, shop_id=shop.id)
    same(lane_samples(session, shop_id=shop.id, since=SINCE), from_shipments(session, shop))
