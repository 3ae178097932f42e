"""Orders: a filtered, paginated list (newest first) and one order with its lines, buyer and parcels."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from starlette.responses import Response

from tradewind.logistics.service import tracking_numbers_of_order
from tradewind.orders.models import Order, OrderStatus, PaymentState
from tradewind.orders.service import OrderQuery, order_detail, orders_page
from tradewind.server.deps import DbSession, ReadShop, State
from tradewind.server.errors import ERRORS
from tradewind.server.inline import on_the_loop
from tradewind.server.orders import order_filter
from tradewind.server.pages import Cursor, JsonObject, Limit, Page, cursor_value, keyset_page, page_response

router = APIRouter(prefix="/shops/{shop}", tags=["orders"], responses=ERRORS)
Country = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO country code")]


class OrderOut(BaseModel):
    number: str
    channel: str
    placed_at: datetime
    paid_at: datetime | None
    payment_state: str
    status: str
    currency: str
    total: str
    destination_country: str | None
    shipping_method: str | None
    promised_delivery_on: date | None
    protection_ends_on: date | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_by: str | None
    cancel_reason: str | None


def order_json(o: Order) -> JsonObject:
    return {
        "number": o.number,
        "channel": o.channel,
        "placed_at": o.placed_at,
        "paid_at": o.paid_at,
        "payment_state": o.payment_state.value,
        "status": o.status.value,
        "currency": o.currency,
        "total": str(o.total),
        "destination_country": o.destination_country,
        "shipping_method": o.shipping_method,
        "promised_delivery_on": o.promised_delivery_on,
        "protection_ends_on": o.protection_ends_on,
        "shipped_at": o.shipped_at,
        "delivered_at": o.delivered_at,
        "cancelled_by": o.cancelled_by.value if o.cancelled_by else None,
        "cancel_reason": o.cancel_reason,
    }


class OrderLineOut(BaseModel):
    line_no: int
    sku: str
    quantity: int
    unit_price: str


class BuyerOut(BaseModel):
    name: str | None
    country: str | None
    language: str


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]
    buyer: BuyerOut | None
    tracking_numbers: list[str]


@router.get("/orders", response_model=Page[OrderOut], summary="Orders, newest first, with filters")
@on_the_loop
def list_orders(
    access: ReadShop,
    session: DbSession,
    state: State,
    limit: Limit = 50,
    cursor: Cursor = None,
    q: Annotated[str, Query(max_length=100, description="A part of the order number, buyer or tracking number")] = "",
    status: OrderStatus | None = None,
    payment_state: PaymentState | None = None,
    destination: Country = None,
    placed_from: date | None = None,
    placed_to: Annotated[date | None, Query(description="Placed before the end of this day")] = None,
    at_risk: Annotated[bool, Query(description="Only the orders that may miss their promised date")] = False,
) -> Response:
    query = OrderQuery(
        search=q,
        status=status,
        payment_state=payment_state,
        destination=destination,
        placed_from=placed_from,
        placed_to=placed_to,
        at_risk=at_risk,
    )
    rows = orders_page(
        session,
        shop_id=access.shop.id,
        limit=limit + 1,
        before_id=cursor_value(cursor),
        filters=order_filter(session, state, access.shop, query),
    )
    page, next_cursor = keyset_page(rows, limit, lambda row: row.id)
    return page_response([order_json(o) for o in page], next_cursor, limit)


@router.get("/orders/{number}", response_model=OrderDetailOut, summary="One order with lines, buyer and parcels")
@on_the_loop
def read_order(number: Annotated[str, Path(max_length=64)], access: ReadShop, session: DbSession) -> OrderDetailOut:
    detail = order_detail(session, shop_id=access.shop.id, number=number)
    order = detail.order
    buyer = order.buyer
    return OrderDetailOut(
        **order_json(order),
        lines=[
            OrderLineOut(
                line_no=line.line_no,
                sku=code,
                quantity=line.quantity,
                unit_price=str(line.unit_price),
            )
            for line, code in detail.lines
        ],
        buyer=BuyerOut(name=buyer.name, country=buyer.country, language=buyer.language) if buyer else None,
        tracking_numbers=tracking_numbers_of_order(session, shop_id=access.shop.id, order_id=order.id),
    )
