"""The growth facts as they were read before the columns (growth/facts.py), kept as the oracle of
tests/growth/test_columns.py. One change: the rows are read in the order of their ids (SQLite's order for these
queries, which had none; PostgreSQL's could differ), the order the columns keep.

The records growth judges a shop by, read once per report: orders (with disputes and negative feedback),
shipments and their first carrier scan, buyer messages and their replies, listings. Read only; times in UTC."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any, NamedTuple, overload

import numpy as np
from sqlalchemy import DateTime, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from tradewind.catalog.models import Listing, Sku
from tradewind.logistics.models import Shipment, TrackingStatus
from tradewind.messaging.models import InboundMessage
from tradewind.orders.models import CancelledBy, Dispute, Feedback, Order, OrderStatus, PaymentState
from tradewind.orders.service import OPEN, STALE_ORDER_DAYS, stale_cutoff
from tradewind.shops.models import Shop
from tradewind.shops.service import shop_zone


# The facts are named tuples: immutable like a frozen dataclass, made several times faster (a frozen dataclass sets
# each field through object.__setattr__: 24 ms for the 5,368 orders of the demo shop, 6 ms as tuples).
class OrderFact(NamedTuple):
    number: str
    placed_at: datetime
    paid: bool
    status: OrderStatus
    currency: str
    total: Decimal
    buyer_id: int | None
    ship_by: date | None
    delivered: bool
    protection_ends_on: date | None
    seller_cancelled: bool
    disputed: bool
    negative_feedback: bool
    # The days (shop time zone) it was placed and shipped on (local_day of placed_at and of the shipping instant),
    # worked out once per report in load_facts (local_days), not in every window that asks.
    placed_on: date
    shipped_on: date | None
    # A paid order that was neither cancelled nor refunded in full: what counts as a sale and as GMV (set once in
    # load_facts; the KPIs and milestones ask it of every order several times).
    is_sale: bool
    # Open far past the platform's life of an order: a record to close, not an order that can still go wrong.
    stale: bool = False
    # Its money went back to the buyer in full (a return, a lost parcel refunded): no sale.
    refunded: bool = False

    @property
    def defect(self) -> bool:
        return self.disputed or self.negative_feedback or self.seller_cancelled


class ShipmentFact(NamedTuple):
    tracking_number: str
    order_number: str | None
    shipped_at: datetime
    first_scan_at: datetime | None
    carrier_seen: bool
    shipped_on: date  # local_day(shipped_at)


class MessageFact(NamedTuple):
    order_number: str | None
    received_at: datetime
    answered_at: datetime | None
    received_on: date  # local_day(received_at)


@dataclass(frozen=True)
class ShopFacts:
    zone: tzinfo
    opened_on: date | None
    orders: list[OrderFact]
    shipments: list[ShipmentFact]
    messages: list[MessageFact]
    listings: int
    first_listed_on: date | None


def day_start(day: date, zone: tzinfo) -> datetime:
    """Midnight at the start of `day` in the shop's time zone, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY = 86400


@overload
def local_days(moments: Sequence[datetime], zone: tzinfo) -> Sequence[date]: ...
@overload
def local_days(moments: Sequence[datetime | None], zone: tzinfo) -> Sequence[date | None]: ...
def local_days(moments: Sequence[datetime | None], zone: tzinfo) -> Sequence[date | None]:
    """`local_day` of each instant (None stays None), converted over arrays: the zone's UTC offset is looked up once
    per distinct UTC day, at its first and last second; where the two differ (a day on which the zone changes its
    offset) that day's instants are converted one by one. A date object is made once per distinct local day."""
    present = [i for i, moment in enumerate(moments) if moment is not None]
    days: list[date | None] = [None] * len(moments)
    if not present:
        return days
    stamps = (
        moment.timestamp() if moment.tzinfo is not None else moment.replace(tzinfo=UTC).timestamp()  # type: ignore[union-attr]
        for moment in (moments[i] for i in present)
    )
    seconds = np.floor(np.fromiter(stamps, dtype=np.float64, count=len(present))).astype(np.int64)
    utc_days, utc_day_of = np.unique(np.floor_divide(seconds, _DAY), return_inverse=True)
    offsets = np.empty(len(utc_days), dtype=np.int64)
    steady = np.ones(len(utc_days), dtype=bool)
    for k, utc_day in enumerate(utc_days.tolist()):
        first, last = _offset(utc_day * _DAY, zone), _offset(utc_day * _DAY + _DAY - 1, zone)
        offsets[k] = first
        steady[k] = first == last
    day_numbers = np.floor_divide(seconds + offsets[utc_day_of], _DAY)
    distinct, day_of = np.unique(day_numbers, return_inverse=True)
    as_dates = [date.fromordinal(_EPOCH_ORDINAL + number) for number in distinct.tolist()]
    changing = ~steady[utc_day_of]
    for index, day in zip(present, day_of.tolist(), strict=True):
        days[index] = as_dates[day]
    for position in np.flatnonzero(changing).tolist():
        index = present[position]
        days[index] = local_day(_aware(moments[index]), zone)  # type: ignore[arg-type]
    return days


@overload
def utc_instants(moments: Sequence[datetime]) -> Sequence[datetime]: ...
@overload
def utc_instants(moments: Sequence[datetime | None]) -> Sequence[datetime | None]: ...
def utc_instants(moments: Sequence[datetime | None]) -> Sequence[datetime | None]:
    """UTCDateTime's reading of a column read past it (`type_coerce(column, DateTime(timezone=True))`), one list
    pass instead of three Python calls per value: naive (SQLite) is UTC, aware is put in UTC, None stays None."""
    return [
        moment if moment is None else moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        for moment in moments
    ]


def _raw(column: Any) -> Any:
    """A datetime column as the database hands it (naive UTC from SQLite), for utc_instants or local_days."""
    return type_coerce(column, DateTime(timezone=True))


def _offset(second: int, zone: tzinfo) -> int:
    offset = datetime.fromtimestamp(second, zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


def load_facts(
    session: Session,
    *,
    shop: Shop,
    today: date,
    lookback_days: int,
    milestone_days: int,
    negative_rating: int = 2,
    stale_days: int = STALE_ORDER_DAYS,
) -> ShopFacts:
    """The shop's records for the metrics' windows (`lookback_days` before today) and for its first
    `milestone_days` after opening; open orders `stale_days` past their ship-by day are marked stale."""
    zone = shop_zone(shop)
    recent = day_start(today - timedelta(days=lookback_days), zone)
    end = day_start(today + timedelta(days=1), zone)
    placed = Order.placed_at >= recent
    if shop.opened_on is not None:
        opened = day_start(shop.opened_on, zone)
        placed = or_(placed, and_(Order.placed_at >= opened, Order.placed_at < opened + timedelta(days=milestone_days)))
    # Open orders count whenever placed: they are what the projections are about.
    open_now = Order.status.in_((OrderStatus.AWAITING_SHIPMENT, OrderStatus.SHIPPED))
    stale_before = stale_cutoff(today, stale_days)
    chosen = (Order.shop_id == shop.id, Order.placed_at < end, or_(placed, open_now))
    # Columns, not records: at a million orders, building ORM objects was most of the growth report's time. Read on
    # the session's connection (Core rows, no ORM loading step per row), after the flush the session would do.
    session.flush()
    db = session.connection()
    orders = db.execute(
        select(
            Order.id,
            Order.number,
            _raw(Order.placed_at),
            Order.paid_at.is_not(None),
            Order.payment_state,
            Order.status,
            Order.currency,
            Order.total,
            Order.buyer_id,
            Order.ship_by,
            # Read for its local day only: as the database hands it (naive UTC from SQLite), not through UTCDateTime.
            _raw(Order.shipped_at),
            Order.delivered_at.is_not(None),
            Order.protection_ends_on,
            Order.cancelled_by,
        )
        .where(*chosen)
        .order_by(Order.id)
    ).all()
    disputed = set(
        db.scalars(
            select(Dispute.order_id)
            .join(Order, Order.id == Dispute.order_id)
            .where(Dispute.shop_id == shop.id, *chosen)
        )
    )
    negative = set(
        db.scalars(
            select(Feedback.order_id)
            .join(Order, Order.id == Feedback.order_id)
            .where(Feedback.shop_id == shop.id, Feedback.rating <= negative_rating, *chosen)
        )
    )
    placed_instants = utc_instants([o[2] for o in orders])
    placed_on = local_days(placed_instants, zone)
    shipped_on = local_days([o[10] for o in orders], zone)
    facts = [
        OrderFact(
            number=number,
            placed_at=placed_at,
            paid=(paid := paid_at_known or payment_state != PaymentState.UNPAID),
            status=status,
            currency=currency,
            total=total,
            buyer_id=buyer_id,
            ship_by=ship_by,
            delivered=delivered,
            protection_ends_on=protection_ends_on,
            seller_cancelled=status == OrderStatus.CANCELLED and cancelled_by == CancelledBy.SELLER,
            disputed=order_id in disputed,
            negative_feedback=order_id in negative,
            refunded=(refunded := payment_state == PaymentState.REFUNDED),
            is_sale=paid and not refunded and status not in (OrderStatus.CANCELLED, OrderStatus.CLOSED),
            stale=status in OPEN and (ship_by or placed) < stale_before,
            placed_on=placed,
            shipped_on=shipped,
        )
        for (
            order_id,
            number,
            _placed_raw,
            paid_at_known,
            payment_state,
            status,
            currency,
            total,
            buyer_id,
            ship_by,
            _shipped_at,
            delivered,
            protection_ends_on,
            cancelled_by,
        ), placed_at, placed, shipped in zip(orders, placed_instants, placed_on, shipped_on, strict=True)
    ]
    numbers = {o[0]: o[1] for o in orders}
    parcels = db.execute(
        select(
            Shipment.tracking_number,
            Shipment.order_id,
            _raw(Shipment.shipped_at),
            _raw(Shipment.first_scan_at),
            Shipment.last_event_at.is_not(None),
            Shipment.status,
        )
        .where(Shipment.shop_id == shop.id, Shipment.shipped_at >= recent, Shipment.shipped_at < end)
        .order_by(Shipment.id)
    ).all()
    shipped_instants = utc_instants([p[2] for p in parcels])
    unscanned = (TrackingStatus.PENDING, TrackingStatus.UNKNOWN, TrackingStatus.EXPIRED)
    shipments = [
        ShipmentFact(
            tracking_number=tracking_number,
            order_number=numbers.get(order_id) if order_id else None,
            shipped_at=shipped_at,
            first_scan_at=first_scan_at,
            carrier_seen=first_scan_at is not None or any_event or status not in unscanned,
            shipped_on=day,
        )
        for (
            tracking_number,
            order_id,
            _shipped_raw,
            _scanned_raw,
            any_event,
            status,
        ), shipped_at, first_scan_at, day in zip(
            parcels,
            shipped_instants,
            utc_instants([p[3] for p in parcels]),
            local_days(shipped_instants, zone),
            strict=True,
        )
    ]
    received = db.execute(
        select(InboundMessage.order_id, InboundMessage.received_at, InboundMessage.answered_at)
        .where(
            InboundMessage.shop_id == shop.id,
            InboundMessage.received_at >= recent,
            InboundMessage.received_at < end,
        )
        .order_by(InboundMessage.id)
    ).all()
    messages = [
        MessageFact(numbers.get(m.order_id) if m.order_id else None, m.received_at, m.answered_at, day)
        for m, day in zip(received, local_days([m.received_at for m in received], zone), strict=True)
    ]
    listings, first_listed = db.execute(
        select(func.count(Listing.id), func.min(Sku.created_at))
        .join(Sku, Sku.id == Listing.sku_id)
        .where(Listing.shop_id == shop.id)
    ).one()
    first_listed_on = local_day(_aware(first_listed), zone) if first_listed is not None else None
    return ShopFacts(zone, shop.opened_on, facts, shipments, messages, int(listings or 0), first_listed_on)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
