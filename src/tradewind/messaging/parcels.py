"""What a buyer is told about their order's parcel: the normalised tracking status reduced to the few states a
buyer needs explained (`situations.PARCEL_STATES`), with the facts the `order_status` template uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tradewind.db.session import memoized
from tradewind.logistics.models import Shipment, ShippingMethod, TrackingEvent, TrackingStatus
from tradewind.logistics.service import LogisticsRules, Substatus, build_timeline, stored_event
from tradewind.orders.models import Order, OrderStatus

S = TrackingStatus
CUSTOMS = {Substatus.CUSTOMS_HOLD, Substatus.AWAITING_DUTIES}


@dataclass(frozen=True)
class ParcelView:
    parcel_state: str
    tracking_number: str
    carrier: str
    location: str
    back_to_sender_from: date | None

    def facts(self) -> dict[str, Any]:
        return {
            "parcel_state": self.parcel_state,
            "tracking_number": self.tracking_number,
            "carrier": self.carrier,
            "location": self.location,
            "back_to_sender_from": self.back_to_sender_from,
        }


def latest_shipments(session: Session, *, order_ids: list[int], with_events: bool = True) -> dict[int, Shipment]:
    """The latest parcel of each order, with its events (what `parcel_view` reads); `with_events` False for a caller
    that reads only the parcel's own columns (its tracking number)."""
    found: dict[int, Shipment] = {}
    for start in range(0, len(order_ids), 500):
        query = select(Shipment).where(Shipment.order_id.in_(order_ids[start : start + 500]))
        if with_events:
            query = query.options(selectinload(Shipment.events))
        for shipment in session.scalars(query.order_by(Shipment.shipped_at, Shipment.id)):
            assert shipment.order_id is not None
            found[shipment.order_id] = shipment
    return found


def method_names(session: Session, *, shop_id: int) -> dict[int, str]:
    """The shop's shipping method names by id (read once per `read_memo`: the brief's replies and buyer notices
    each name a parcel's carrier)."""

    def read() -> dict[int, str]:
        rows = session.execute(select(ShippingMethod.id, ShippingMethod.name).where(ShippingMethod.shop_id == shop_id))
        return {row.id: row.name for row in rows}

    return memoized(session, ("method_names", shop_id), read)


def _latest(events: list[TrackingEvent]) -> TrackingEvent | None:
    known = [e for e in events if e.status != S.UNKNOWN]
    return max(known, key=lambda e: (e.occurred_at, e.id)) if known else None


def parcel_view(
    order: Order,
    shipment: Shipment | None,
    *,
    now: datetime,
    methods: dict[int, str],
    rules: LogisticsRules | None = None,
) -> ParcelView:
    """The parcel of `order` as a buyer should hear it."""
    config = rules or LogisticsRules()
    if shipment is None:
        state = "delivered" if order.status == OrderStatus.DELIVERED else "not_shipped"
        if order.status == OrderStatus.SHIPPED:
            state = "in_transit"
        return ParcelView(state, "", order.shipping_method or "", "", None)
    latest = _latest(shipment.events)
    substatus = latest.substatus if latest is not None else None
    location = (latest.location if latest is not None else None) or ""
    carrier = methods.get(shipment.method_id or 0, "")
    back: date | None = None
    status = shipment.status
    if status == S.DELIVERED or shipment.delivered_at is not None:
        state = "delivered"
    elif status in (S.PENDING, S.INFO_RECEIVED):
        state = "label_created"
    elif status == S.OUT_FOR_DELIVERY:
        state = "out_for_delivery"
    elif status == S.AVAILABLE_FOR_PICKUP:
        state = "pickup"
        waiting = build_timeline(stored_event(e) for e in shipment.events).waiting_since
        back = (waiting.date() if waiting else now.date()) + timedelta(days=config.pickup_hold_days)
    elif status == S.ATTEMPT_FAIL:
        state = "failed_attempt"
    elif status == S.EXCEPTION:
        state = "customs" if substatus in CUSTOMS else "problem"
    elif substatus in CUSTOMS:
        state = "customs"
    else:
        last = shipment.last_event_at or shipment.first_scan_at or shipment.shipped_at
        quiet_days = (now - last).total_seconds() / 86400
        state = "stalled" if status == S.EXPIRED or quiet_days > config.stalled_after_days else "in_transit"
    return ParcelView(state, shipment.tracking_number, carrier, location, back)
