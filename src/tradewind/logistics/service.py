"""Logistics services over the shop's records: lane statistics from the Shipment table (for the brief, the method
choice and the API), the default method and the promise per destination, and the seller's follow-ups and shipping
preferences. Services take a session and never commit.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tradewind.clock import start_of_day
from tradewind.db.session import memoized
from tradewind.errors import NotFoundError
from tradewind.logistics.disruptions import list_disruptions, restrictions_for
from tradewind.logistics.lane_store import UNSPECIFIED_METHOD, lane_samples
from tradewind.logistics.models import (
    FollowUpKind,
    Shipment,
    ShipmentFollowUp,
    ShippingMethod,
    ShippingPreference,
    TrackingStatus,
)
from tradewind.logistics.rules import LogisticsRules
from tradewind.logistics.schemas import lane_figures, parcel_figures
from tradewind.logistics.tracking.codes import plain_words
from tradewind.logistics.tracking.timeline import build_timeline, stored_event
from tradewind.logistics.transit.lanes import (
    Lane,
    LaneEstimate,
    TransitObservations,
    estimate_lanes,
    with_restrictions,
)
from tradewind.orders.models import Order, OrderStatus
from tradewind.shops.models import Shop

COST_WINDOW_DAYS = 90


@dataclass(frozen=True)
class LaneStatistics:
    """A lane's transit estimate with its cost per parcel (mean over recent parcels, in the shop's currency)."""

    estimate: LaneEstimate
    mean_cost: Decimal | None
    currency: str
    n_costed: int

    @property
    def lane(self) -> Lane:
        return self.estimate.lane

    def to_dict(self) -> dict[str, Any]:
        """As every face publishes it (`schemas.LANE`)."""
        return lane_figures(self)


def _destination(by_region: bool) -> Any:
    """A parcel's lane destination: its country, or (`by_region`) its state or province where it has one."""
    if by_region:
        return func.coalesce(Shipment.destination_region, Shipment.destination_country)
    return Shipment.destination_country


def shipment_observations(
    session: Session, *, shop: Shop, since: datetime, by_region: bool = False
) -> TransitObservations:
    """The shop's parcels handed over since `since`, as transit observations, with each one's last carrier news
    (a parcel silent for long is probably lost: `estimate_lanes` censors it there). `by_region`: a parcel to a
    state or province (ISO 3166-2) is on the lane to it, which borrows from its country's. Read from the lane
    samples store, brought up to date with the shipments first (`lane_store`)."""
    return lane_samples(session, shop_id=shop.id, since=since, by_region=by_region)


def lane_costs(
    session: Session, *, shop: Shop, since: datetime, by_region: bool = False
) -> dict[Lane, tuple[Decimal, int]]:
    """Mean cost and number of costed parcels per lane (parcels priced in the shop's currency)."""
    destination = _destination(by_region)
    rows = session.execute(
        select(
            Shipment.origin_country,
            destination,
            ShippingMethod.code,
            func.avg(Shipment.cost),
            func.count(Shipment.cost),
        )
        .outerjoin(ShippingMethod, ShippingMethod.id == Shipment.method_id)
        .where(
            Shipment.shop_id == shop.id,
            Shipment.shipped_at >= since,
            Shipment.cost.is_not(None),
            Shipment.currency == shop.currency,
        )
        .group_by(Shipment.origin_country, destination, ShippingMethod.code)
    ).all()
    return {
        Lane(origin, destination, code or UNSPECIFIED_METHOD): (Decimal(str(mean)).quantize(Decimal("0.01")), int(n))
        for origin, destination, code, mean, n in rows
        if mean is not None
    }


def lane_statistics(
    session: Session,
    *,
    shop: Shop,
    now: datetime,
    rules: LogisticsRules | None = None,
    lanes: list[Lane] | None = None,
    by_region: bool = False,
) -> list[LaneStatistics]:
    """Transit estimates of every lane the shop has shipped on (or of `lanes`), with the disruption register
    applied (blocked lanes flagged, slowed lanes slower) and each lane's cost. Computed once per `read_memo`.

    Lanes go to countries; `by_region` (`transit lanes --by-region`) splits them by the state or province parcels
    were imported with, each borrowing from its country. The shop's other figures (order outlooks, method choice,
    the brief) stay per country."""
    config = rules or LogisticsRules()
    key = ("lane_statistics", shop.id, now, repr(config), tuple(lanes) if lanes is not None else None, by_region)
    return memoized(
        session,
        key,
        lambda: _lane_statistics(session, shop=shop, now=now, config=config, lanes=lanes, by_region=by_region),
    )


def _lane_statistics(
    session: Session,
    *,
    shop: Shop,
    now: datetime,
    config: LogisticsRules,
    lanes: list[Lane] | None,
    by_region: bool = False,
) -> list[LaneStatistics]:
    since = now - timedelta(days=config.transit.lookback_days)
    observations = shipment_observations(session, shop=shop, since=since, by_region=by_region)
    wanted = lanes if lanes is not None else observations.lanes()
    estimates = estimate_lanes(observations, as_of=now, settings=config.transit, lanes=wanted)
    disruptions = list_disruptions(session, shop=shop, on=now.date())
    restrictions = restrictions_for(wanted, disruptions, now.date())
    if restrictions:
        estimates = with_restrictions(estimates, observations, restrictions, settings=config.transit)
    costs = lane_costs(session, shop=shop, since=now - timedelta(days=COST_WINDOW_DAYS), by_region=by_region)
    return [
        LaneStatistics(
            estimate=estimate,
            mean_cost=costs.get(estimate.lane, (None, 0))[0],
            currency=shop.currency,
            n_costed=costs.get(estimate.lane, (None, 0))[1],
        )
        for estimate in estimates
    ]


def promise_days(session: Session, *, shop: Shop, destination: str, today: date, rules: LogisticsRules) -> int:
    """Days from order to promised delivery for a destination: the median over the last 90 days of orders."""
    rows = session.execute(
        select(Order.placed_at, Order.promised_delivery_on).where(
            Order.shop_id == shop.id,
            Order.destination_country == destination,
            Order.promised_delivery_on.is_not(None),
            Order.placed_at >= start_of_day(today - timedelta(days=90)),
        )
    ).all()
    days = [(promised - placed.date()).days for placed, promised in rows if promised is not None]
    return int(statistics.median(days)) if days else rules.default_promise_days


def promise_days_by_destination(session: Session, *, shop: Shop, today: date) -> dict[str, int]:
    """`promise_days` for every destination at once (one query): destinations without orders are absent."""
    rows = session.execute(
        select(Order.destination_country, Order.placed_at, Order.promised_delivery_on).where(
            Order.shop_id == shop.id,
            Order.destination_country.is_not(None),
            Order.promised_delivery_on.is_not(None),
            Order.placed_at >= start_of_day(today - timedelta(days=90)),
        )
    ).all()
    days: dict[str, list[int]] = {}
    for destination, placed, promised in rows:
        if destination is not None and promised is not None:
            days.setdefault(destination, []).append((promised - placed.date()).days)
    return {destination: int(statistics.median(values)) for destination, values in days.items()}


def handling_days(session: Session, *, shop: Shop, today: date, rules: LogisticsRules) -> int:
    """Days from order to hand-over: the median over the last 90 days of shipped orders."""
    rows = session.execute(
        select(Order.placed_at, Order.shipped_at).where(
            Order.shop_id == shop.id,
            Order.shipped_at.is_not(None),
            Order.placed_at >= start_of_day(today - timedelta(days=90)),
        )
    ).all()
    days = [max(0.0, (shipped - placed).total_seconds() / 86400) for placed, shipped in rows if shipped]
    return round(statistics.median(days)) if days else rules.default_handling_days


def preferred_methods(session: Session, *, shop: Shop) -> dict[tuple[str, str], ShippingPreference]:
    return {
        (p.origin_country, p.destination_country): p
        for p in session.scalars(select(ShippingPreference).where(ShippingPreference.shop_id == shop.id))
    }


def default_method(
    session: Session, *, shop: Shop, origin: str, destination: str, today: date, rules: LogisticsRules
) -> tuple[str | None, str]:
    """The method a destination's orders go by now, and why: the seller's preference, else the most used over the
    last `method_window_days` of orders, else the setting."""
    preference = preferred_methods(session, shop=shop).get((origin, destination))
    if preference is not None:
        return preference.method_code, "preference"
    # Parcels that left from `origin` (an overseas warehouse's local service is another lane).
    used = Counter(
        session.scalars(
            select(ShippingMethod.code)
            .join(Shipment, Shipment.method_id == ShippingMethod.id)
            .where(
                Shipment.shop_id == shop.id,
                Shipment.origin_country == origin,
                Shipment.destination_country == destination,
                Shipment.shipped_at >= start_of_day(today - timedelta(days=rules.method_window_days)),
            )
        )
    )
    if not used:  # no parcels yet: the methods the orders were placed with
        used = Counter(
            session.scalars(
                select(Order.shipping_method).where(
                    Order.shop_id == shop.id,
                    Order.destination_country == destination,
                    Order.shipping_method.is_not(None),
                    Order.placed_at >= start_of_day(today - timedelta(days=rules.method_window_days)),
                    Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.CLOSED)),
                )
            )
        )
    if used:
        method, _ = max(used.items(), key=lambda item: (item[1], item[0] or ""))
        return method, "orders"
    if destination in rules.default_methods:
        return rules.default_methods[destination], "setting"
    return None, "none"


def set_preferred_method(
    session: Session, *, shop: Shop, origin: str, destination: str, method: str, now: datetime, reason: str
) -> tuple[ShippingPreference, bool]:
    """Make `method` the default for a destination; False when it already was."""
    preference = preferred_methods(session, shop=shop).get((origin, destination))
    if preference is not None and preference.method_code == method:
        return preference, False
    if preference is None:
        preference = ShippingPreference(
            shop_id=shop.id,
            origin_country=origin,
            destination_country=destination,
            method_code=method,
            set_at=now,
            reason=reason,
        )
        session.add(preference)
    else:
        preference.method_code, preference.set_at, preference.reason = method, now, reason
    session.flush()
    return preference, True


def record_follow_up(
    session: Session,
    *,
    shop: Shop,
    key: str,
    kind: FollowUpKind,
    note: str,
    now: datetime,
    shipment_id: int | None = None,
    order_id: int | None = None,
    action_id: int | None = None,
) -> tuple[ShipmentFollowUp, bool]:
    """Record what the seller did, once per key; False when it was recorded already."""
    found = session.scalar(
        select(ShipmentFollowUp).where(ShipmentFollowUp.shop_id == shop.id, ShipmentFollowUp.key == key)
    )
    if found is not None:
        return found, False
    follow_up = ShipmentFollowUp(
        shop_id=shop.id,
        key=key,
        kind=kind,
        shipment_id=shipment_id,
        order_id=order_id,
        action_id=action_id,
        noted_at=now,
        note=note,
    )
    session.add(follow_up)
    session.flush()
    return follow_up, True


def follow_ups_by_shipment(session: Session, *, shop: Shop, kind: FollowUpKind) -> dict[int, list[ShipmentFollowUp]]:
    found: dict[int, list[ShipmentFollowUp]] = {}
    for follow_up in session.scalars(
        select(ShipmentFollowUp)
        .where(ShipmentFollowUp.shop_id == shop.id, ShipmentFollowUp.kind == kind)
        .order_by(ShipmentFollowUp.noted_at)
    ):
        if follow_up.shipment_id is not None:
            found.setdefault(follow_up.shipment_id, []).append(follow_up)
    return found


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
