"""Reading orders: sales per SKU, unpaid orders, cancellations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from tradewind.clock import start_of_day
from tradewind.errors import NotFoundError
from tradewind.orders.models import CancelledBy, Order, OrderLine, OrderStatus, PaymentState

NOT_SALES = (OrderStatus.CANCELLED, OrderStatus.CLOSED)


def units_sold_by_sku(session: Session, *, shop_id: int, start: date, end: date) -> dict[int, int]:
    """Units ordered per SKU id on days [start, end), leaving out cancelled and closed-unpaid orders."""
    rows = session.execute(
        select(OrderLine.sku_id, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.shop_id == shop_id,
            Order.placed_at >= start_of_day(start),
            Order.placed_at < start_of_day(end),
            Order.status.not_in(NOT_SALES),
        )
        .group_by(OrderLine.sku_id)
    )
    return {int(sku_id): int(units or 0) for sku_id, units in rows}


def unpaid_orders(session: Session, *, shop_id: int, placed_after: datetime, placed_before: datetime) -> list[Order]:
    """Orders placed in the window that are still waiting for payment, oldest first."""
    return list(
        session.scalars(
            select(Order)
            .options(selectinload(Order.buyer), selectinload(Order.lines))
            .where(
                Order.shop_id == shop_id,
                Order.payment_state == PaymentState.UNPAID,
                Order.status == OrderStatus.PLACED,
                Order.placed_at >= placed_after,
                Order.placed_at < placed_before,
            )
            .order_by(Order.placed_at, Order.number)
        )
    )


def cancelled_orders(
    session: Session, *, shop_id: int, cancelled_after: datetime, cancelled_before: datetime
) -> list[Order]:
    """Orders cancelled in the window (by anyone), most recent first."""
    return list(
        session.scalars(
            select(Order)
            .options(selectinload(Order.buyer), selectinload(Order.lines))
            .where(
                Order.shop_id == shop_id,
                Order.status == OrderStatus.CANCELLED,
                Order.cancelled_at >= cancelled_after,
                Order.cancelled_at < cancelled_before,
            )
            .order_by(Order.cancelled_at.desc(), Order.number)
        )
    )


def get_order(session: Session, *, shop_id: int, number: str) -> Order:
    order = session.scalar(
        select(Order)
        .options(selectinload(Order.buyer), selectinload(Order.lines))
        .where(Order.shop_id == shop_id, Order.number == number)
    )
    if order is None:
        raise NotFoundError(f"no order {number!r} in this shop", details={"order": number})
    return order


def demand_lines(
    session: Session, *, shop_id: int, start: date, end: date, sku_id: int | None = None
) -> list[tuple[int, datetime, int]]:
    """(sku id, placed at, units) of every order line placed on days [start, end) that was real demand: all orders
    except unpaid ones the platform closed and those the buyer cancelled (a seller's out-of-stock cancellation is
    demand that went unserved). Every SKU's, or `sku_id`'s only."""
    query = (
        select(OrderLine.sku_id, Order.placed_at, OrderLine.quantity)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.shop_id == shop_id,
            Order.placed_at >= start_of_day(start),
            Order.placed_at < start_of_day(end),
            Order.status != OrderStatus.CLOSED,
            or_(Order.status != OrderStatus.CANCELLED, Order.cancelled_by != CancelledBy.BUYER),
        )
    )
    rows = session.execute(query if sku_id is None else query.where(OrderLine.sku_id == sku_id))
    return [(int(sku_id), placed_at, int(units)) for sku_id, placed_at, units in rows]


def open_order_units(session: Session, *, shop_id: int) -> dict[int, list[tuple[str, int]]]:
    """Per SKU id, the (order number, units) of paid orders not yet shipped, oldest first."""
    rows = session.execute(
        select(OrderLine.sku_id, Order.number, OrderLine.quantity)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.shop_id == shop_id, Order.status == OrderStatus.AWAITING_SHIPMENT)
        .order_by(Order.placed_at, Order.number)
    )
    found: dict[int, list[tuple[str, int]]] = {}
    for sku_id, number, units in rows:
        found.setdefault(int(sku_id), []).append((number, int(units)))
    return found
