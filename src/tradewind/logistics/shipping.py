"""The shop's shipping as the rest of logistics stands on it: lane statistics from the Shipment table (transit
estimates with the disruption register applied, and the cost per parcel), the promise and handling days per
destination, the default and the seller's preferred methods, and the seller's follow-ups on parcels. The shipment
watch, the method choice, overseas stock and rerouting read them here; other domains and the faces read them
through `service`, which re-exports them. Functions take a session and never commit.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradewind.clock import start_of_day
from tradewind.db.session import memoized
from tradewind.db.stores import epoch_microseconds, epoch_seconds
from tradewind.logistics.disruptions import list_disruptions, restrictions_for
from tradewind.logistics.lane_store import UNSPECIFIED_METHOD, lane_samples
from tradewind.logistics.models import (
    FollowUpKind,
    Shipment,
    ShipmentFollowUp,
    ShippingMethod,
    ShippingPreference,
)
from tradewind.logistics.rules import LogisticsRules
from tradewind.logistics.schemas import lane_figures
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
    """`promise_days` for every destination at once (one query): destinations without orders are absent.

    The database counts the orders per destination and number of days (the promised day's number less the UTC day
    number of the order), so that a large shop's quarter of orders is a few hundred rows, not a datetime each."""
    days = epoch_seconds(Order.promised_delivery_on) // 86_400 - epoch_seconds(Order.placed_at) // 86_400
    rows = session.execute(
        select(Order.destination_country, days, func.count())
        .where(
            Order.shop_id == shop.id,
            Order.destination_country.is_not(None),
            Order.promised_delivery_on.is_not(None),
            Order.placed_at >= start_of_day(today - timedelta(days=90)),
        )
        .group_by(Order.destination_country, days)
    ).all()
    found: dict[str, list[int]] = {}
    for destination, value, count in rows:
        if destination is not None:
            found.setdefault(destination, []).extend([int(value)] * int(count))
    return {destination: int(statistics.median(values)) for destination, values in found.items()}


def handling_days(session: Session, *, shop: Shop, today: date, rules: LogisticsRules) -> int:
    """Days from order to hand-over: the median over the last 90 days of shipped orders.

    Each order's time to hand-over is read as whole microseconds (the database subtracts the instants), then in
    days as `timedelta.total_seconds() / 86400` gives them: no datetime per order."""
    taken = epoch_microseconds(Order.shipped_at) - epoch_microseconds(Order.placed_at)
    micros = session.scalars(
        select(taken).where(
            Order.shop_id == shop.id,
            Order.shipped_at.is_not(None),
            Order.placed_at >= start_of_day(today - timedelta(days=90)),
        )
    ).all()
    if not micros:
        return rules.default_handling_days
    # An exact integer over 10⁶ (a double holds it exactly), as timedelta.total_seconds divides, then by 86,400.
    days = np.maximum(0.0, np.array(micros, dtype=np.int64).astype(np.float64) / 1e6 / 86400)
    middle: float = statistics.median(np.sort(days).tolist())
    return round(middle)


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
    return default_methods(session, shop=shop, origin=origin, destinations=[destination], today=today, rules=rules)[
        destination
    ]


def default_methods(
    session: Session,
    *,
    shop: Shop,
    origin: str,
    destinations: Sequence[str],
    today: date,
    rules: LogisticsRules,
) -> dict[str, tuple[str | None, str]]:
    """`default_method` of each of `destinations`, with one query per table (not per destination): the seller's
    preference, else the method most parcels from `origin` went by over the last `method_window_days` (an overseas
    warehouse's local service is another lane), else (no parcels yet) the one most of the orders were placed with,
    else the setting. A tie goes to the method whose code sorts last."""
    wanted = sorted(set(destinations))
    preferences = preferred_methods(session, shop=shop)
    since = start_of_day(today - timedelta(days=rules.method_window_days))
    shipped: dict[str | None, dict[str | None, int]] = {}
    for to, code, count in session.execute(
        select(Shipment.destination_country, ShippingMethod.code, func.count())
        .join(Shipment, Shipment.method_id == ShippingMethod.id)
        .where(
            Shipment.shop_id == shop.id,
            Shipment.origin_country == origin,
            Shipment.destination_country.in_(wanted),
            Shipment.shipped_at >= since,
        )
        .group_by(Shipment.destination_country, ShippingMethod.code)
    ):
        shipped.setdefault(to, {})[code] = int(count)
    unshipped = [d for d in wanted if (origin, d) not in preferences and d not in shipped]
    ordered: dict[str | None, dict[str | None, int]] = {}
    if unshipped:
        for country, placed_with, count in session.execute(
            select(Order.destination_country, Order.shipping_method, func.count())
            .where(
                Order.shop_id == shop.id,
                Order.destination_country.in_(unshipped),
                Order.shipping_method.is_not(None),
                Order.placed_at >= since,
                Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.CLOSED)),
            )
            .group_by(Order.destination_country, Order.shipping_method)
        ):
            ordered.setdefault(country, {})[placed_with] = int(count)
    found: dict[str, tuple[str | None, str]] = {}
    for destination in wanted:
        preference = preferences.get((origin, destination))
        used = shipped.get(destination) or ordered.get(destination)
        if preference is not None:
            found[destination] = (preference.method_code, "preference")
        elif used:
            method, _ = max(used.items(), key=lambda item: (item[1], item[0] or ""))
            found[destination] = (method, "orders")
        elif destination in rules.default_methods:
            found[destination] = (rules.default_methods[destination], "setting")
        else:
            found[destination] = (None, "none")
    return found


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
