"""The records growth judges a shop by, read once per report: orders (with disputes and negative feedback),
shipments and their first carrier scan, buyer messages and their replies, listings. Read only; times in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from tradewind.catalog.models import Listing, Sku
from tradewind.logistics.models import Shipment, TrackingStatus
from tradewind.messaging.models import InboundMessage
from tradewind.orders.models import CancelledBy, Dispute, Feedback, Order, OrderStatus, PaymentState
from tradewind.orders.service import OPEN, STALE_ORDER_DAYS, stale_cutoff
from tradewind.shops.models import Shop
from tradewind.shops.service import shop_zone


@dataclass(frozen=True, slots=True)
class OrderFact:
    number: str
    placed_at: datetime
    paid: bool
    status: OrderStatus
    currency: str
    total: Decimal
    buyer_id: int | None
    ship_by: date | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    protection_ends_on: date | None
    seller_cancelled: bool
    disputed: bool
    negative_feedback: bool
    # Open far past the platform's life of an order: a record to close, not an order that can still go wrong.
    stale: bool = False
    # Its money went back to the buyer in full (a return, a lost parcel refunded): no sale.
    refunded: bool = False

    @property
    def is_sale(self) -> bool:
        """A paid order that was neither cancelled nor refunded in full: what counts as a sale and as GMV."""
        return self.paid and not self.refunded and self.status not in (OrderStatus.CANCELLED, OrderStatus.CLOSED)

    @property
    def defect(self) -> bool:
        return self.disputed or self.negative_feedback or self.seller_cancelled


@dataclass(frozen=True, slots=True)
class ShipmentFact:
    tracking_number: str
    order_number: str | None
    shipped_at: datetime
    first_scan_at: datetime | None
    carrier_seen: bool


@dataclass(frozen=True, slots=True)
class MessageFact:
    order_number: str | None
    received_at: datetime
    answered_at: datetime | None


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
    # Columns, not records: at a million orders, building ORM objects was most of the growth report's time.
    orders = session.execute(
        select(
            Order.id,
            Order.number,
            Order.placed_at,
            Order.paid_at,
            Order.payment_state,
            Order.status,
            Order.currency,
            Order.total,
            Order.buyer_id,
            Order.ship_by,
            Order.shipped_at,
            Order.delivered_at,
            Order.protection_ends_on,
            Order.cancelled_by,
        ).where(*chosen)
    ).all()
    disputed = set(
        session.scalars(
            select(Dispute.order_id)
            .join(Order, Order.id == Dispute.order_id)
            .where(Dispute.shop_id == shop.id, *chosen)
        )
    )
    negative = set(
        session.scalars(
            select(Feedback.order_id)
            .join(Order, Order.id == Feedback.order_id)
            .where(Feedback.shop_id == shop.id, Feedback.rating <= negative_rating, *chosen)
        )
    )
    facts = [
        OrderFact(
            number=o.number,
            placed_at=o.placed_at,
            paid=o.paid_at is not None or o.payment_state != PaymentState.UNPAID,
            status=o.status,
            currency=o.currency,
            total=o.total,
            buyer_id=o.buyer_id,
            ship_by=o.ship_by,
            shipped_at=o.shipped_at,
            delivered_at=o.delivered_at,
            protection_ends_on=o.protection_ends_on,
            seller_cancelled=o.status == OrderStatus.CANCELLED and o.cancelled_by == CancelledBy.SELLER,
            disputed=o.id in disputed,
            negative_feedback=o.id in negative,
            refunded=o.payment_state == PaymentState.REFUNDED,
            stale=o.status in OPEN and (o.ship_by or local_day(_aware(o.placed_at), zone)) < stale_before,
        )
        for o in orders
    ]
    numbers = {o.id: o.number for o in orders}
    shipments = [
        ShipmentFact(
            tracking_number=s.tracking_number,
            order_number=numbers.get(s.order_id) if s.order_id else None,
            shipped_at=s.shipped_at,
            first_scan_at=s.first_scan_at,
            carrier_seen=s.first_scan_at is not None
            or s.last_event_at is not None
            or s.status not in (TrackingStatus.PENDING, TrackingStatus.UNKNOWN, TrackingStatus.EXPIRED),
        )
        for s in session.execute(
            select(
                Shipment.tracking_number,
                Shipment.order_id,
                Shipment.shipped_at,
                Shipment.first_scan_at,
                Shipment.last_event_at,
                Shipment.status,
            ).where(Shipment.shop_id == shop.id, Shipment.shipped_at >= recent, Shipment.shipped_at < end)
        )
    ]
    messages = [
        MessageFact(numbers.get(m.order_id) if m.order_id else None, m.received_at, m.answered_at)
        for m in session.scalars(
            select(InboundMessage).where(
                InboundMessage.shop_id == shop.id,
                InboundMessage.received_at >= recent,
                InboundMessage.received_at < end,
            )
        )
    ]
    listings, first_listed = session.execute(
        select(func.count(Listing.id), func.min(Sku.created_at))
        .join(Sku, Sku.id == Listing.sku_id)
        .where(Listing.shop_id == shop.id)
    ).one()
    first_listed_on = local_day(_aware(first_listed), zone) if first_listed is not None else None
    return ShopFacts(zone, shop.opened_on, facts, shipments, messages, int(listings or 0), first_listed_on)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
