"""Shipping as the seller reads it: lanes with p50/p90 now and week by week, parcels with their timeline in
plain words, orders at risk. Lane statistics run over a year of parcels, so they are computed once per shop and
day (and again when a disruption changes) and kept in the app's cache as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tradewind.api.state import AppState
from tradewind.errors import NotFoundError
from tradewind.logistics.codes import plain_words
from tradewind.logistics.models import Shipment, ShippingMethod
from tradewind.logistics.rules import LogisticsRules
from tradewind.logistics.service import lane_statistics, shipment_observations
from tradewind.logistics.timeline import build_timeline, stored_event
from tradewind.logistics.transit import Lane, end_of, estimate_lanes
from tradewind.logistics.watch import orders_at_risk
from tradewind.orders.models import Order
from tradewind.shops.models import Shop

TREND_WEEKS = 12
TREND_LANES = 8


def lanes_today(state: AppState, shop: Shop) -> list[dict[str, Any]]:
    """Every lane's statistics today (`LaneStatistics.to_dict`), busiest first."""
    today = state.today_of(shop)

    def compute(fresh: Session) -> list[dict[str, Any]]:
        rules = LogisticsRules.from_settings(state.settings)
        the_shop = _same_shop(fresh, shop)
        rows = [s.to_dict() for s in lane_statistics(fresh, shop=the_shop, now=state.clock.now(), rules=rules)]
        return sorted(rows, key=lambda r: (-(r["n_delivered"] + r["n_in_transit"]), r["destination"], r["method"]))

    found: list[dict[str, Any]] = state.cache.get((shop.id, today, "lanes"), compute)
    return found


def _same_shop(session: Session, shop: Shop) -> Shop:
    """The shop as a record of `session` (cached figures are computed in a transaction of their own)."""
    found = session.get(Shop, shop.id)
    assert found is not None
    return found


@dataclass(frozen=True)
class LaneTrend:
    weeks: list[date]
    lanes: list[dict[str, Any]]  # {"lane": "CN→ES by X", "p50": [...], "p90": [...]}


def lane_trend(state: AppState, shop: Shop) -> LaneTrend:
    """p50 and p90 transit days of the busiest lanes as known at the end of each of the last weeks."""
    today = state.today_of(shop)

    def compute(fresh: Session) -> LaneTrend:
        rules = LogisticsRules.from_settings(state.settings)
        now = state.clock.now()
        busiest = lanes_today(state, shop)[:TREND_LANES]
        lanes = [Lane(r["origin"], r["destination"], r["method"]) for r in busiest]
        weeks = [today - timedelta(days=7 * back) for back in range(TREND_WEEKS - 1, -1, -1)]
        observations = shipment_observations(
            fresh,
            shop=_same_shop(fresh, shop),
            since=now - timedelta(days=rules.transit.lookback_days + 7 * TREND_WEEKS),
        )
        series: dict[Lane, dict[str, list[int | None]]] = {lane: {"p50": [], "p90": []} for lane in lanes}
        for week in weeks:
            if not lanes or observations.size == 0:
                break
            for estimate in estimate_lanes(observations, as_of=end_of(week), settings=rules.transit, lanes=lanes):
                series[estimate.lane]["p50"].append(estimate.p50_days)
                series[estimate.lane]["p90"].append(estimate.p90_days)
        return LaneTrend(weeks, [{"lane": lane.describe(), **values} for lane, values in series.items()])

    found: LaneTrend = state.cache.get((shop.id, today, "trend"), compute)
    return found


def at_risk_today(state: AppState, shop: Shop) -> list[dict[str, Any]]:
    """Open orders that may miss their promised date (`OrderAtRisk.to_dict`), most late first."""
    today = state.today_of(shop)

    def compute(fresh: Session) -> list[dict[str, Any]]:
        found = orders_at_risk(
            fresh,
            shop=_same_shop(fresh, shop),
            today=today,
            now=state.clock.now(),
            rules=LogisticsRules.from_settings(state.settings),
        )
        # Each row with its reason as a phrase too (`reason_msg`), for a reader in another language.
        return [
            o.to_dict() | {"reason_msg": o.reason_phrase.to_json() if o.reason_phrase is not None else None}
            for o in found
        ]

    found: list[dict[str, Any]] = state.cache.get((shop.id, today, "at_risk"), compute)
    return found


@dataclass(frozen=True)
class TimelineLine:
    occurred_at: datetime
    status: str
    words: str
    text: str
    location: str | None
    counted: bool


@dataclass(frozen=True)
class ParcelTimeline:
    shipment: Shipment
    method: str | None
    status: str
    words: str
    events: list[TimelineLine]


def parcel_timeline(session: Session, *, shop: Shop, tracking_number: str, now: datetime) -> ParcelTimeline:
    shipment = session.scalar(
        select(Shipment)
        .options(selectinload(Shipment.events))
        .where(Shipment.shop_id == shop.id, Shipment.tracking_number == tracking_number)
    )
    if shipment is None:
        raise NotFoundError(f"no parcel {tracking_number!r} in this shop", details={"tracking_number": tracking_number})
    return timeline_of(session, shipment, now)


def timeline_of(session: Session, shipment: Shipment, now: datetime) -> ParcelTimeline:
    timeline = build_timeline((stored_event(e) for e in shipment.events), now=now)
    method = session.scalar(select(ShippingMethod.code).where(ShippingMethod.id == shipment.method_id))
    return ParcelTimeline(
        shipment=shipment,
        method=method,
        status=timeline.status.value,
        words=plain_words(timeline.status, timeline.substatus),
        events=[
            TimelineLine(
                occurred_at=e.occurred_at,
                status=e.status.value,
                words=plain_words(e.status, e.substatus),
                text=e.text,
                location=e.location,
                counted=e not in timeline.went_backwards,
            )
            for e in reversed(timeline.events)
        ],
    )


def timelines_of_orders(
    session: Session, *, shop: Shop, order_numbers: list[str], now: datetime
) -> dict[str, ParcelTimeline]:
    """The latest parcel's timeline of each order (orders without a parcel are left out)."""
    if not order_numbers:
        return {}
    rows = session.execute(
        select(Order.number, Shipment)
        .join(Shipment, Shipment.order_id == Order.id)
        .options(selectinload(Shipment.events))
        .where(Order.shop_id == shop.id, Order.number.in_(order_numbers))
        .order_by(Shipment.shipped_at)
    )
    latest: dict[str, Shipment] = dict(rows.all())
    return {number: timeline_of(session, shipment, now) for number, shipment in latest.items()}
