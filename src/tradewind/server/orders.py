"""Orders as the faces list them: what the seller asked (`orders.service.OrderQuery`) as the orders domain's
filtered pages (`orders_page`), searched by order number, buyer or a parcel's tracking number (logistics'
`orders_by_tracking`), and narrowed to the orders at risk (logistics' outlook, kept per shop and day in the figure
cache: `at_risk_today`); each row with its latest parcel and, when at risk, why. The API's order list, the
dashboard's Orders page and its export read them here, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from tradewind.logistics.models import Shipment
from tradewind.logistics.service import latest_parcels, orders_by_tracking
from tradewind.orders.models import Order
from tradewind.orders.service import OrderFilter, OrderQuery, count_orders, orders_page
from tradewind.server.figures import at_risk_today
from tradewind.server.state import AppState
from tradewind.shops.models import Shop
from tradewind.shops.service import shop_zone
from tradewind.wording import Phrase, for_reader


def order_filter(session: Session, state: AppState, shop: Shop, query: OrderQuery) -> OrderFilter:
    """The orders domain's filter for `query`: the tracking numbers searched through logistics, the orders at
    risk taken from the day's outlook."""
    numbers = [row["order"] for row in at_risk_today(state, shop)] if query.at_risk else None
    return query.order_filter(
        search_ids=orders_by_tracking(session, shop_id=shop.id, search=query.search), numbers=numbers
    )


@dataclass(frozen=True)
class OrderRow:
    order: Order
    placed_on: date  # the shop's local day
    buyer_name: str | None
    parcel: Shipment | None  # the latest parcel
    at_risk: str | None  # why the order may miss its promised date (None: it is not at risk)
    at_risk_msg: dict[str, Any] | None = None  # `at_risk` as a stored phrase (`tradewind.wording`)

    def at_risk_in(self, locale: str) -> str | None:
        """Why the order may miss its promised date, in `locale`, as a page or a download shows it (English too with
        Babel's dates: `wording.for_reader`)."""
        if self.at_risk_msg is None:
            return self.at_risk
        return for_reader(Phrase.from_json(self.at_risk_msg), locale)


def order_rows(
    session: Session, state: AppState, shop: Shop, query: OrderQuery, *, offset: int, limit: int
) -> tuple[list[OrderRow], int]:
    """A page of the orders `query` asks for, newest first, and how many there are in all."""
    filters = order_filter(session, state, shop, query)
    orders = orders_page(session, shop_id=shop.id, limit=limit, offset=offset, filters=filters, with_buyers=True)
    total = count_orders(session, shop_id=shop.id, filters=filters)
    return _rows(session, state, shop, orders), total


EXPORT_CHUNK = 2_000


def every_order_row(
    session: Session, state: AppState, shop: Shop, query: OrderQuery, *, at_most: int
) -> Iterator[OrderRow]:
    """All the orders `query` asks for (up to `at_most`), newest first, read a chunk at a time: an export."""
    filters = order_filter(session, state, shop, query)
    before_id: int | None = None
    left = at_most
    while left > 0:
        orders = orders_page(
            session,
            shop_id=shop.id,
            limit=min(EXPORT_CHUNK, left),
            before_id=before_id,
            filters=filters,
            with_buyers=True,
        )
        yield from _rows(session, state, shop, orders)
        if len(orders) < min(EXPORT_CHUNK, left):
            return
        left -= len(orders)
        before_id = orders[-1].id


def _rows(session: Session, state: AppState, shop: Shop, orders: list[Order]) -> list[OrderRow]:
    risks = {row["order"]: (str(row["reason_words"]), row.get("reason_msg")) for row in at_risk_today(state, shop)}
    parcels = latest_parcels(session, shop_id=shop.id, order_ids=[o.id for o in orders])
    zone = shop_zone(shop)
    return [
        OrderRow(
            order=order,
            placed_on=_aware(order.placed_at).astimezone(zone).date(),
            buyer_name=order.buyer.name if order.buyer else None,
            parcel=parcels.get(order.id),
            at_risk=risks[order.number][0] if order.number in risks else None,
            at_risk_msg=risks[order.number][1] if order.number in risks else None,
        )
        for order in orders
    ]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
