"""Builders for logistics tests: shipping methods, parcels with their tracking events, orders that promise a date."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.logistics.models import Shipment, ShippingMethod, TrackingEvent, TrackingStatus
from tradewind.logistics.tracking.normalize import shared_normalizer
from tradewind.logistics.tracking.store import refresh_shipment
from tradewind.logistics.tracking.timeline import fingerprint
from tradewind.orders.models import Order, OrderStatus
from tradewind.shops.models import Shop


def method(session: Session, shop: Shop, code: str, carrier: str = "China Post") -> ShippingMethod:
    found = session.query(ShippingMethod).filter_by(shop_id=shop.id, code=code).one_or_none()
    if found is not None:
        return found
    row = ShippingMethod(shop_id=shop.id, code=code, name=code, carrier=carrier)
    session.add(row)
    session.flush()
    return row


_numbers = iter(range(1, 10**9))


def parcel(
    session: Session,
    shop: Shop,
    *,
    destination: str,
    method_code: str,
    shipped_at: datetime,
    delivered_at: datetime | None = None,
    order: Order | None = None,
    cost: str | None = "2.50",
    events: list[tuple[datetime, str]] | None = None,
    now: datetime | None = None,
) -> Shipment:
    row = Shipment(
        shop_id=shop.id,
        order_id=order.id if order else None,
        method_id=method(session, shop, method_code).id,
        tracking_number=f"LP{next(_numbers):09d}CN",
        origin_country="CN",
        destination_country=destination,
        shipped_at=shipped_at,
        delivered_at=delivered_at,
        status=TrackingStatus.DELIVERED if delivered_at else TrackingStatus.PENDING,
        cost=Decimal(cost) if cost else None,
        currency="USD",
    )
    session.add(row)
    session.flush()
    if events:
        stored = []
        for when, text in events:
            reading = shared_normalizer().read(text)
            event = TrackingEvent(
                shop_id=shop.id,
                shipment_id=row.id,
                occurred_at=when,
                raw_text=text,
                location=text.split(", ")[-1] if ", " in text else None,
                status=reading.status,
                substatus=reading.substatus,
                fingerprint=fingerprint(when, None, text),
            )
            session.add(event)
            stored.append(event)
        session.flush()
        refresh_shipment(row, stored, now=now or shipped_at + timedelta(days=60))
        session.flush()
        session.refresh(row)
    return row


def shipped_order(
    session: Session,
    shop: Shop,
    *,
    placed_at: datetime,
    destination: str = "RU",
    method_code: str | None = "epacket",
    promised_days: int | None = 30,
    status: OrderStatus = OrderStatus.SHIPPED,
    total: str = "30.00",
) -> Order:
    the_sku = f.sku(session, shop)
    buyer = f.buyer(session, shop, country=destination, language="ru" if destination == "RU" else "en")
    row = f.order(session, shop, [(the_sku, 1)], placed_at=placed_at, the_buyer=buyer, status=status, total=total)
    row.destination_country = destination
    row.shipping_method = method_code
    row.shipped_at = placed_at + timedelta(days=2) if status == OrderStatus.SHIPPED else None
    if promised_days is not None:
        row.promised_delivery_on = (placed_at + timedelta(days=promised_days)).date()
    session.flush()
    return row


def history(
    session: Session,
    shop: Shop,
    *,
    destination: str,
    method_code: str,
    days: list[int],
    end: datetime,
    cost: str = "2.50",
) -> None:
    """Delivered parcels with the given transit days, handed over one a day up to a month before `end`."""
    for i, transit in enumerate(days):
        shipped = end - timedelta(days=30 + transit + i % 20)
        parcel(
            session,
            shop,
            destination=destination,
            method_code=method_code,
            shipped_at=shipped,
            delivered_at=shipped + timedelta(days=transit, hours=-2),
            cost=cost,
        )
