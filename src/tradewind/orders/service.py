"""Reading orders: sales per SKU, unpaid orders, cancellations, stale orders, pages of the order list (filtered,
searched) and their count."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from tradewind.catalog.service import sku_codes
from tradewind.clock import start_of_day
from tradewind.db.changes import mark_shop_changed, note_edited
from tradewind.errors import NotFoundError
from tradewind.orders.models import Buyer, CancelledBy, Order, OrderLine, OrderStatus, PaymentState

NOT_SALES = (OrderStatus.CANCELLED, OrderStatus.CLOSED)
OPEN = (OrderStatus.PLACED, OrderStatus.AWAITING_SHIPMENT, OrderStatus.SHIPPED)
# The `stale_order_days` default of Settings, for the readers that are not given the settings.
STALE_ORDER_DAYS = 60
STALE_CLOSE_REASON = "open far past the platform's order life: closed by the seller"


def stale_cutoff(today: date, stale_days: int = STALE_ORDER_DAYS) -> date:
    """Orders due to ship before this day and still open are stale."""
    return today - timedelta(days=stale_days)


def stale(cutoff: date) -> ColumnElement[bool]:
    """An open order whose ship-by day (its placing day when it has none) is before `cutoff`: the platform's life of
    an order is long over, so it is a record to close, not a buyer to write to or demand to serve."""
    return and_(
        Order.status.in_(OPEN),
        # Spelled out for SQL's NULLs: `~stale(...)` must keep an order without a ship-by day that is not stale.
        or_(
            and_(Order.ship_by.is_not(None), Order.ship_by < cutoff),
            and_(Order.ship_by.is_(None), Order.placed_at < start_of_day(cutoff)),
        ),
    )


def stale_orders(session: Session, *, shop_id: int, cutoff: date) -> list[Order]:
    """The shop's stale orders (see `stale`), oldest first."""
    return list(
        session.scalars(
            select(Order)
            .options(selectinload(Order.buyer))
            .where(Order.shop_id == shop_id, stale(cutoff))
            .order_by(Order.placed_at, Order.number)
        )
    )


def close_stale_orders(session: Session, *, shop_id: int, numbers: list[str], cutoff: date, now: datetime) -> list[str]:
    """Mark closed those of `numbers` that are still stale (compare-and-set: an order shipped, paid or closed since
    is left alone); the numbers closed."""
    if not numbers:
        return []
    mark_shop_changed(session, shop_id)
    closed = session.execute(
        update(Order)
        .where(Order.shop_id == shop_id, Order.number.in_(numbers), stale(cutoff))
        .values(status=OrderStatus.CLOSED, cancelled_at=now, cancel_reason=STALE_CLOSE_REASON)
        .returning(Order.id, Order.number)
        .execution_options(synchronize_session=False)
    ).all()
    columns = ("status", "cancelled_at", "cancel_reason")
    note_edited(session, shop_id=shop_id, table="orders", ids=[row[0] for row in closed], columns=columns)
    return sorted(row[1] for row in closed)


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


@dataclass(frozen=True)
class OrderFilter:
    """Which of a shop's orders a list shows: every field that is set must hold. The API's order list, the
    dashboard's Orders page and its export all filter through it."""

    status: OrderStatus | None = None
    payment_state: PaymentState | None = None
    destination: str | None = None  # ISO country code, any case
    placed_from: date | None = None  # from the start of this day
    placed_to: date | None = None  # to the end of this day
    # A part of the order number, or of the buyer's name or e-mail address, in any case.
    search: str = ""
    # Orders the search found through records above this domain (a parcel's tracking number: logistics).
    search_ids: Collection[int] = ()
    # Only these orders (by number): the orders at risk, which logistics works out.
    numbers: Collection[str] | None = None

    def conditions(self, shop_id: int) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [Order.shop_id == shop_id]
        if self.status is not None:
            found.append(Order.status == self.status)
        if self.payment_state is not None:
            found.append(Order.payment_state == self.payment_state)
        if self.destination:
            found.append(Order.destination_country == self.destination.upper())
        if self.placed_from is not None:
            found.append(Order.placed_at >= start_of_day(self.placed_from))
        if self.placed_to is not None and self.placed_to < date.max:
            found.append(Order.placed_at < start_of_day(self.placed_to + timedelta(days=1)))
        text = self.search.strip()
        if text:
            buyers = select(Buyer.id).where(
                Buyer.shop_id == shop_id,
                or_(Buyer.name.icontains(text, autoescape=True), Buyer.email.icontains(text, autoescape=True)),
            )
            matches = [Order.number.icontains(text, autoescape=True), Order.buyer_id.in_(buyers)]
            if self.search_ids:
                matches.append(Order.id.in_(list(self.search_ids)))
            found.append(or_(*matches))
        if self.numbers is not None:
            found.append(Order.number.in_(list(self.numbers)))
        return found


@dataclass(frozen=True)
class OrderQuery:
    """What the seller asked the order list for."""

    search: str = ""  # a part of the order number, the buyer's name or e-mail, or a parcel's tracking number
    status: OrderStatus | None = None
    payment_state: PaymentState | None = None
    destination: str | None = None
    placed_from: date | None = None
    placed_to: date | None = None
    at_risk: bool = False  # only the open orders that may miss their promised date

    def order_filter(self, *, search_ids: Collection[int], numbers: Collection[str] | None) -> OrderFilter:
        """The filter for this query, given the orders a parcel's tracking number found (`search_ids`) and, when
        `at_risk` is asked for, the numbers of the orders at risk (both worked out by logistics)."""
        return OrderFilter(
            status=self.status,
            payment_state=self.payment_state,
            destination=self.destination,
            placed_from=self.placed_from,
            placed_to=self.placed_to,
            search=self.search,
            search_ids=search_ids,
            numbers=numbers,
        )


def orders_page(
    session: Session,
    *,
    shop_id: int,
    limit: int,
    before_id: int | None = None,
    offset: int = 0,
    filters: OrderFilter | None = None,
    with_buyers: bool = False,
) -> list[Order]:
    """Up to `limit` of the shop's orders that pass `filters`, newest first: with id below `before_id` (keyset
    pages, the API's) or after the first `offset` (numbered pages, the dashboard's)."""
    query = select(Order.id).where(*(filters or OrderFilter()).conditions(shop_id))
    if before_id is not None:
        query = query.where(Order.id < before_id)
    # The page's ids first, then their orders: asked for whole rows at once, PostgreSQL walks the primary key
    # backwards and filters (it expects 80 % of orders delivered to come early; the newest are still on their
    # way), 14,000 rows read for 51; for ids alone the (shop, status, id) index answers by itself.
    ids = query.order_by(Order.id.desc()).offset(offset).limit(limit).scalar_subquery()
    rows = select(Order).where(Order.id.in_(ids)).order_by(Order.id.desc())
    if with_buyers:
        rows = rows.options(selectinload(Order.buyer))
    return list(session.scalars(rows))


def count_orders(session: Session, *, shop_id: int, filters: OrderFilter | None = None) -> int:
    """How many of the shop's orders pass `filters` (every page of the list)."""
    query = select(func.count()).select_from(Order).where(*(filters or OrderFilter()).conditions(shop_id))
    return int(session.scalar(query) or 0)


def get_order(session: Session, *, shop_id: int, number: str) -> Order:
    order = session.scalar(
        select(Order)
        .options(selectinload(Order.buyer), selectinload(Order.lines))
        .where(Order.shop_id == shop_id, Order.number == number)
    )
    if order is None:
        raise NotFoundError(f"no order {number!r} in this shop", details={"order": number})
    return order


@dataclass(frozen=True)
class OrderDetail:
    """One order as its page shows it: the order (its buyer and lines loaded) and its lines, each with its SKU's
    code, in line order."""

    order: Order
    lines: list[tuple[OrderLine, str]]


def order_detail(session: Session, *, shop_id: int, number: str) -> OrderDetail:
    """The order `number` of the shop with its buyer and its lines, each line with its SKU's code ("?" for a SKU
    the shop no longer has); `NotFoundError` when there is no such order."""
    order = get_order(session, shop_id=shop_id, number=number)
    codes = sku_codes(session, shop_id=shop_id, sku_ids=[line.sku_id for line in order.lines])
    lines = sorted(order.lines, key=lambda line: line.line_no)
    return OrderDetail(order=order, lines=[(line, codes.get(line.sku_id, "?")) for line in lines])


def counts_as_demand() -> ColumnElement[bool]:
    """An order whose lines were real demand: all orders except unpaid ones the platform closed and those the buyer
    cancelled (a seller's out-of-stock cancellation is demand that went unserved)."""
    return and_(
        Order.status != OrderStatus.CLOSED,
        or_(Order.status != OrderStatus.CANCELLED, Order.cancelled_by != CancelledBy.BUYER),
    )


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
            counts_as_demand(),
        )
    )
    rows = session.execute(query if sku_id is None else query.where(OrderLine.sku_id == sku_id))
    return [(int(sku_id), placed_at, int(units)) for sku_id, placed_at, units in rows]


def open_order_units(
    session: Session, *, shop_id: int, stale_before: date | None = None
) -> dict[int, list[tuple[str, int]]]:
    """Per SKU id, the (order number, units) of paid orders not yet shipped, oldest first; with `stale_before`, not
    the stale ones (no buyer is offered an exchange or refund for an order the platform's life left behind)."""
    query = (
        select(OrderLine.sku_id, Order.number, OrderLine.quantity)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.shop_id == shop_id, Order.status == OrderStatus.AWAITING_SHIPMENT)
        .order_by(Order.placed_at, Order.number)
    )
    rows = session.execute(query if stale_before is None else query.where(~stale(stale_before)))
    found: dict[int, list[tuple[str, int]]] = {}
    for sku_id, number, units in rows:
        found.setdefault(int(sku_id), []).append((number, int(units)))
    return found
