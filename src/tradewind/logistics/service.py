"""The logistics domain's public surface. Its own: a parcel's timeline (`parcel_timeline`) and the orders found by
a parcel (`orders_by_tracking`, `latest_parcels`). Re-exported by name from the inner modules, for the other domains
and the faces: the lane statistics, promises, methods and follow-ups (`shipping`), the open orders' outlooks and
those at risk (`watch`), the disruption register (`disruptions`), the shipping rules (`rules`), a parcel's
substatus and timeline (`tracking`), a destination's region (`transit.regions`) and the stores of lane samples and
open orders' outlook inputs (`lane_store`, `outlook_store`). Services take a session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tradewind.errors import NotFoundError

# `from x import name as name`: re-exported by name, what other domains and the faces use of the inner modules.
from tradewind.logistics.disruptions import covers as covers
from tradewind.logistics.disruptions import list_disruptions as list_disruptions
from tradewind.logistics.lane_store import LANE_SAMPLES as LANE_SAMPLES
from tradewind.logistics.models import Shipment, ShippingMethod, TrackingStatus
from tradewind.logistics.outlook_store import OUTLOOK_INPUTS as OUTLOOK_INPUTS
from tradewind.logistics.rules import LogisticsRules as LogisticsRules
from tradewind.logistics.schemas import parcel_figures
from tradewind.logistics.shipping import LaneStatistics as LaneStatistics
from tradewind.logistics.shipping import default_method as default_method
from tradewind.logistics.shipping import default_methods as default_methods
from tradewind.logistics.shipping import follow_ups_by_shipment as follow_ups_by_shipment
from tradewind.logistics.shipping import handling_days as handling_days
from tradewind.logistics.shipping import lane_statistics as lane_statistics
from tradewind.logistics.shipping import promise_days as promise_days
from tradewind.logistics.shipping import promise_days_by_destination as promise_days_by_destination
from tradewind.logistics.shipping import record_follow_up as record_follow_up
from tradewind.logistics.shipping import set_preferred_method as set_preferred_method
from tradewind.logistics.shipping import shipment_observations as shipment_observations
from tradewind.logistics.tracking.codes import Substatus as Substatus
from tradewind.logistics.tracking.codes import plain_words
from tradewind.logistics.tracking.timeline import build_timeline as build_timeline
from tradewind.logistics.tracking.timeline import stored_event as stored_event
from tradewind.logistics.transit.regions import region_of as region_of
from tradewind.logistics.watch import OrderAtRisk as OrderAtRisk
from tradewind.logistics.watch import expected_deliveries as expected_deliveries
from tradewind.logistics.watch import order_outlooks as order_outlooks
from tradewind.logistics.watch import orders_at_risk as orders_at_risk

TRACKING_SEARCH_LIMIT = 500  # a part of a tracking number common to more parcels than this is not a search


def orders_by_tracking(session: Session, *, shop_id: int, search: str) -> list[int]:
    """The ids of the orders whose parcels' tracking numbers contain `search` (any case): the order list's search
    finds an order by its parcel too."""
    text = search.strip()
    if not text:
        return []
    found = session.scalars(
        select(Shipment.order_id)
        .where(
            Shipment.shop_id == shop_id,
            Shipment.order_id.is_not(None),
            Shipment.tracking_number.icontains(text, autoescape=True),
        )
        .limit(TRACKING_SEARCH_LIMIT)
    )
    return sorted({int(order_id) for order_id in found if order_id is not None})


def shipments_page(
    session: Session,
    *,
    shop_id: int,
    limit: int,
    before_id: int | None = None,
    status: TrackingStatus | None = None,
    destination: str | None = None,
    undelivered: bool = False,
) -> list[Shipment]:
    """Up to `limit` of the shop's parcels, newest first (by id), with id below `before_id` when given (a keyset
    page): only those in tracking `status`, to the `destination` country (an ISO code, any case) or not yet
    delivered, when asked."""
    query = select(Shipment).where(Shipment.shop_id == shop_id)
    if status is not None:
        query = query.where(Shipment.status == status)
    if destination:
        query = query.where(Shipment.destination_country == destination.upper())
    if undelivered:
        query = query.where(Shipment.delivered_at.is_(None))
    if before_id is not None:
        query = query.where(Shipment.id < before_id)
    return list(session.scalars(query.order_by(Shipment.id.desc()).limit(limit)))


def tracking_numbers_of_order(session: Session, *, shop_id: int, order_id: int) -> list[str]:
    """The tracking numbers of the order's parcels, in the order they were handed over (earliest first)."""
    query = (
        select(Shipment.tracking_number)
        .where(Shipment.shop_id == shop_id, Shipment.order_id == order_id)
        .order_by(Shipment.shipped_at, Shipment.id)
    )
    return list(session.scalars(query))


def latest_parcels(session: Session, *, shop_id: int, order_ids: list[int]) -> dict[int, Shipment]:
    """The latest parcel of each of these orders (by hand-over), without its tracking events; orders without a
    parcel are left out."""
    found: dict[int, Shipment] = {}
    for start in range(0, len(order_ids), 500):
        for shipment in session.scalars(
            select(Shipment)
            .where(Shipment.shop_id == shop_id, Shipment.order_id.in_(order_ids[start : start + 500]))
            .order_by(Shipment.shipped_at, Shipment.id)
        ):
            assert shipment.order_id is not None
            found[shipment.order_id] = shipment
    return found


@dataclass(frozen=True)
class ParcelEvent:
    """One tracking event of a parcel: the carrier's words and what they mean."""

    occurred_at: datetime
    code: str | None
    status: str
    substatus: str | None
    words: str  # the status in plain words
    text: str  # the carrier's own words
    location: str | None
    counted: bool  # False for an event that went backwards and does not change the status


@dataclass(frozen=True)
class ParcelTimeline:
    """A parcel as its tracking events tell it now. The status and dates are the timeline's (`build_timeline` at
    `now`, as `tracking.refresh_shipment` stores them); `events` are NEWEST FIRST, the order the API has always
    documented and the CLI prints."""

    tracking_number: str
    origin_country: str
    destination_country: str
    method: str | None
    shipped_at: datetime
    first_scan_at: datetime | None
    delivered_at: datetime | None
    last_event_at: datetime | None
    status: str
    substatus: str | None
    status_words: str
    events: list[ParcelEvent]

    def to_dict(self) -> dict[str, Any]:
        """As JSON (`schemas.PARCEL`: times in ISO 8601 UTC ending in "Z", as the API writes them), so the CLI's
        `--json` and the API's answer are the same text."""
        return parcel_figures(self)


def parcel_timeline(session: Session, *, shop_id: int, tracking_number: str, now: datetime) -> ParcelTimeline:
    """One parcel of the shop with its events, newest first; `NotFoundError` when the shop has no such parcel."""
    shipment = session.scalar(
        select(Shipment)
        .options(selectinload(Shipment.events))
        .where(Shipment.shop_id == shop_id, Shipment.tracking_number == tracking_number)
    )
    if shipment is None:
        raise NotFoundError(f"no parcel {tracking_number!r} in this shop", details={"tracking_number": tracking_number})
    timeline = build_timeline((stored_event(e) for e in shipment.events), now=now)
    method = session.scalar(select(ShippingMethod.code).where(ShippingMethod.id == shipment.method_id))
    return ParcelTimeline(
        tracking_number=shipment.tracking_number,
        origin_country=shipment.origin_country,
        destination_country=shipment.destination_country,
        method=method,
        shipped_at=shipment.shipped_at,
        first_scan_at=timeline.first_scan_at or shipment.first_scan_at,
        delivered_at=timeline.delivered_at,
        last_event_at=timeline.last_event_at,
        status=timeline.status.value,
        substatus=timeline.substatus,
        status_words=plain_words(timeline.status, timeline.substatus),
        events=[
            ParcelEvent(
                occurred_at=e.occurred_at,
                code=e.code,
                status=e.status.value,
                substatus=e.substatus,
                words=plain_words(e.status, e.substatus),
                text=e.text,
                location=e.location,
                counted=e not in timeline.went_backwards,
            )
            for e in reversed(timeline.events)
        ],
    )
