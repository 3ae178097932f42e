"""A small shop for the API and dashboard tests: SKUs selling daily with a supplier, stock running out, an unpaid
order (a message draft), a cancelled one, a parcel with tracking; its users (owner, staff, viewer) and a second
shop with its own owner, to check that nobody sees another shop's records."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.accounts.models import Role, User
from tradewind.accounts.service import AccountRules, create_user, grant, issue_token
from tradewind.logistics.models import Shipment, ShippingMethod, TrackingEvent, TrackingStatus
from tradewind.logistics.tracking.timeline import fingerprint
from tradewind.messaging.models import InboundMessage
from tradewind.orders.models import CancelledBy, OrderStatus
from tradewind.shops.models import Shop
from tradewind.shops.service import create_shop

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
PASSWORD = "correct horse battery"
CHEAP = AccountRules(hash_time_cost=1, hash_memory_kib=8, hash_parallelism=1)
WEBHOOK_SECRET = "webhook-secret-for-tests"


@dataclass
class ShopWorld:
    shop: Shop
    other: Shop
    owner: User
    staff: User
    viewer: User
    stranger: User  # the other shop's owner
    tokens: dict[str, str]
    sku_code: str
    other_sku_code: str
    tracking_number: str


def _user(session: Session, email: str, shop: Shop, role: Role, locale: str = "en") -> User:
    user = create_user(session, email=email, password=PASSWORD, name=email.split("@")[0], locale=locale, rules=CHEAP)
    grant(session, user=user, shop=shop, role=role)
    return user


def build_world(session: Session, suffix: str) -> ShopWorld:
    shop = create_shop(session, code=f"shoes-{suffix}", name="Test shoe shop", currency="USD")
    other = create_shop(session, code=f"other-{suffix}", name="Another shop", currency="USD")
    warehouse = f.warehouse(session, shop)
    supplier = f.supplier(session, shop, f"SUP-{suffix}")
    backup = f.supplier(session, shop, f"ALT-{suffix}", name="Putian Backup")
    skus = []
    for n, (per_day, on_hand) in enumerate([(3, 4), (2, 40), (1, 200)]):
        sku = f.sku(session, shop, f"BOOT-{suffix}-{n}")
        f.offer(session, shop, supplier, sku, lead_time_days=12)
        f.offer(session, shop, backup, sku, lead_time_days=20, priority=2, unit_cost="50.00")
        f.stock(session, shop, warehouse, sku, on_hand)
        f.daily_sales(session, shop, sku, today=TODAY, per_day=per_day)
        skus.append(sku)
    f.supplier_message(session, shop, supplier, sent_at=NOW - timedelta(days=3))
    f.supplier_message(session, shop, supplier, sent_at=NOW - timedelta(days=2, hours=20), incoming=True)
    russian = f.buyer(session, shop)
    f.order(session, shop, [(skus[0], 1)], placed_at=NOW - timedelta(days=2), the_buyer=russian, paid=False)
    f.order(
        session,
        shop,
        [(skus[1], 1)],
        placed_at=NOW - timedelta(days=4),
        the_buyer=russian,
        status=OrderStatus.CANCELLED,
        cancelled_at=NOW - timedelta(days=1),
        cancelled_by=CancelledBy.SELLER,
        cancel_reason="out of stock",
    )
    shipped = f.order(session, shop, [(skus[2], 1)], placed_at=NOW - timedelta(days=10), the_buyer=russian)
    shipped.status = OrderStatus.SHIPPED
    method = ShippingMethod(shop_id=shop.id, code="CAINIAO_STD", name="Cainiao Standard", carrier="Cainiao")
    session.add(method)
    session.flush()
    tracking = f"LP{suffix.upper()}00001CN"
    parcel = Shipment(
        shop_id=shop.id,
        order_id=shipped.id,
        method_id=method.id,
        tracking_number=tracking,
        destination_country="RU",
        shipped_at=NOW - timedelta(days=8),
        first_scan_at=NOW - timedelta(days=7),
        status=TrackingStatus.IN_TRANSIT,
        last_event_at=NOW - timedelta(days=5),
    )
    session.add(parcel)
    session.flush()
    events = ((7, "Accepted by carrier"), (5, "Departed from sorting center"))
    for days, text in events:
        at = NOW - timedelta(days=days)
        session.add(
            TrackingEvent(
                shop_id=shop.id,
                shipment_id=parcel.id,
                occurred_at=at,
                raw_text=text,
                status=TrackingStatus.IN_TRANSIT,
                fingerprint=fingerprint(at, None, text),
            )
        )
    session.add(
        InboundMessage(
            shop_id=shop.id,
            external_id=f"MSG-{suffix}",
            buyer_id=russian.id,
            order_id=shipped.id,
            received_at=NOW - timedelta(hours=5),
            text="Здравствуйте! Где моя посылка? Заказ ещё не пришёл.",
        )
    )
    other_sku = f.sku(session, other, f"OTHER-{suffix}")
    owner = _user(session, f"owner-{suffix}@example.com", shop, Role.OWNER)
    staff = _user(session, f"staff-{suffix}@example.com", shop, Role.STAFF, locale="zh")
    viewer = _user(session, f"viewer-{suffix}@example.com", shop, Role.VIEWER)
    stranger = _user(session, f"stranger-{suffix}@example.com", other, Role.OWNER)
    tokens = {
        name: issue_token(session, user=user, name="tests", now=NOW)[0]
        for name, user in (("owner", owner), ("staff", staff), ("viewer", viewer), ("stranger", stranger))
    }
    session.flush()
    return ShopWorld(shop, other, owner, staff, viewer, stranger, tokens, skus[0].code, other_sku.code, tracking)


def sign(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
