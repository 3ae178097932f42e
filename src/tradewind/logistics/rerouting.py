"""Moving orders between lanes: the open orders with the lane each goes by, re-routing unshipped orders to another
method and holding them while a route is closed — each recorded once as a follow-up of the brief action that asked."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.action import BriefContext, StoredAction
from tradewind.db.session import memoized
from tradewind.logistics.choice import DestinationChoice
from tradewind.logistics.models import FollowUpKind, Shipment, ShipmentFollowUp, ShippingMethod, TrackingStatus
from tradewind.logistics.shipping import record_follow_up
from tradewind.logistics.transit.lanes import Lane
from tradewind.logistics.watch import CLOSED_ORDERS
from tradewind.orders.models import Order, OrderStatus
from tradewind.shops.models import Shop


class OpenOrder(NamedTuple):
    """An order awaiting shipment (or on its way), as the shipping choice reads it: a column select, no ORM object
    (the brief reads thousands of them on a large shop)."""

    number: str
    total: Decimal
    destination_country: str | None
    shipping_method: str | None


def awaiting_shipment(session: Session, shop: Shop) -> list[OpenOrder]:
    """The shop's orders awaiting shipment, by number: one query, shared by `open_order_lanes` and
    `unshipped_orders` within a `read_memo` (the brief asks per destination)."""

    def read() -> list[OpenOrder]:
        rows = session.execute(
            select(Order.number, Order.total, Order.destination_country, Order.shipping_method)
            .where(Order.shop_id == shop.id, Order.status == OrderStatus.AWAITING_SHIPMENT)
            .order_by(Order.number)
        )
        return [OpenOrder(*row) for row in rows]

    return memoized(session, ("awaiting_shipment", shop.id), read, scoped=True)  # the shipping choice's alone


def open_order_lanes(
    session: Session, shop: Shop, choices: list[DestinationChoice], *, since: datetime
) -> list[tuple[OpenOrder, Lane, bool]]:
    """Open orders with the lane they go (or will go) by; True when the parcel (handed over since `since`) is
    already on its way."""
    defaults = {c.destination: c.default_method for c in choices}
    found: list[tuple[OpenOrder, Lane, bool]] = []
    for order in awaiting_shipment(session, shop):
        if order.destination_country is None:
            continue
        method = order.shipping_method or defaults.get(order.destination_country) or "unspecified"
        found.append((order, Lane(shop.country, order.destination_country, method), False))
    on_the_way = session.execute(
        select(
            Order.number,
            Order.total,
            Order.destination_country,
            Order.shipping_method,
            Shipment.origin_country,
            Shipment.destination_country,
            ShippingMethod.code,
        )
        .join(Shipment, Shipment.order_id == Order.id)
        .outerjoin(ShippingMethod, ShippingMethod.id == Shipment.method_id)
        .where(
            Shipment.shop_id == shop.id,
            Shipment.delivered_at.is_(None),
            Shipment.status != TrackingStatus.DELIVERED,
            Shipment.shipped_at >= since,
            Order.status.not_in(CLOSED_ORDERS),
        )
        .order_by(Shipment.shipped_at, Shipment.id)
    )
    for number, total, country, order_method, origin, destination, code in on_the_way:
        method = code or order_method or "unspecified"
        found.append((OpenOrder(number, total, country, order_method), Lane(origin, destination, method), True))
    return found


def unshipped_orders(session: Session, shop: Shop, destination: str, method: str) -> list[OpenOrder]:
    """The orders awaiting shipment to `destination` by `method` (or by no method yet), by number."""
    return [
        order
        for order in awaiting_shipment(session, shop)
        if order.destination_country == destination and (order.shipping_method in (method, None))
    ]


def orders_by_number(session: Session, shop: Shop, numbers: list[str]) -> list[Order]:
    if not numbers:
        return []
    return list(
        session.scalars(select(Order).where(Order.shop_id == shop.id, Order.number.in_(numbers)).order_by(Order.number))
    )


def reroute_orders(
    session: Session, shop: Shop, action: StoredAction, step: dict[str, Any], context: BriefContext
) -> list[str]:
    moved, kept = [], []
    for order in orders_by_number(session, shop, list(step.get("orders", []))):
        if order.status != OrderStatus.AWAITING_SHIPMENT:
            kept.append(order.number)
            continue
        if order.shipping_method == step["to_method"]:
            continue
        previous = order.shipping_method
        order.shipping_method = step["to_method"]
        record_follow_up(
            session,
            shop=shop,
            key=f"{action.key}@{action.id}:{order.number}",
            kind=FollowUpKind.REROUTED,
            note=f"re-routed from {previous or 'no method'} to {step['to_method']} (brief action #{action.id})",
            now=context.now,
            order_id=order.id,
            action_id=action.id,
        )
        moved.append(order.number)
    done = [f"re-routed {len(moved)} orders to {step['to_method']}" + (f": {', '.join(moved)}" if moved else "")]
    if kept:
        done.append(f"left {len(kept)} orders that have shipped meanwhile: {', '.join(kept)}")
    return done


REROUTED_FROM = re.compile(r"^re-routed from (.+?) to ")


def route_back(session: Session, shop: Shop, action: StoredAction, step: dict[str, Any]) -> list[str]:
    """Undo `reroute_orders`: each order it moved that still awaits shipment on the method it was moved to goes
    back to the method its follow-up note says it had; the ones shipped meanwhile stay as they went."""
    back, kept = [], []
    for order in orders_by_number(session, shop, list(step.get("orders", []))):
        note = session.scalar(
            select(ShipmentFollowUp.note).where(
                ShipmentFollowUp.shop_id == shop.id,
                ShipmentFollowUp.action_id == action.id,
                ShipmentFollowUp.order_id == order.id,
                ShipmentFollowUp.kind == FollowUpKind.REROUTED,
            )
        )
        found = REROUTED_FROM.match(note or "")
        if found is None or order.shipping_method != step["to_method"]:
            continue  # not moved by this action, or moved again since
        if order.status != OrderStatus.AWAITING_SHIPMENT:
            kept.append(order.number)
            continue
        previous = found.group(1)
        order.shipping_method = None if previous == "no method" else previous
        back.append(f"{order.number} to {previous}")
    done = [f"routed {len(back)} orders back" + (f": {', '.join(back)}" if back else "")]
    if kept:
        done.append(f"left {len(kept)} orders that have shipped meanwhile: {', '.join(kept)}")
    return done


def hold_orders(
    session: Session, shop: Shop, action: StoredAction, step: dict[str, Any], context: BriefContext
) -> list[str]:
    held = []
    for order in orders_by_number(session, shop, list(step.get("orders", []))):
        _, created = record_follow_up(
            session,
            shop=shop,
            key=f"{action.key}@{action.id}:{order.number}",
            kind=FollowUpKind.HELD,
            note=f"held: {step.get('until', 'until the route reopens')} (brief action #{action.id})",
            now=context.now,
            order_id=order.id,
            action_id=action.id,
        )
        if created:
            held.append(order.number)
    return [f"held {len(held)} orders until the route reopens" + (f": {', '.join(held)}" if held else "")]
