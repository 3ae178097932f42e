"""Buyers (country, language), orders and their lines, payment state, cancellations with their reason, the promised
delivery date and buyer-protection deadline, disputes and feedback."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradewind.db.base import Base, ShopOwned, str_enum, utcnow


class Buyer(ShopOwned, Base):
    __tablename__ = "buyers"
    __table_args__ = (UniqueConstraint("shop_id", "external_id"),)

    external_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(8), default="en")


class PaymentState(enum.StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class OrderStatus(enum.StrEnum):
    PLACED = "placed"  # not yet paid
    AWAITING_SHIPMENT = "awaiting_shipment"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    CLOSED = "closed"  # unpaid orders the platform closed


class CancelledBy(enum.StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    PLATFORM = "platform"


class Order(ShopOwned, Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("shop_id", "number"),
        Index("ix_orders_shop_status_id", "shop_id", "status", "id"),
    )

    number: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32), default="aliexpress")
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id", ondelete="SET NULL"), index=True)
    placed_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    payment_state: Mapped[PaymentState] = mapped_column(str_enum(PaymentState), default=PaymentState.UNPAID)
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus), default=OrderStatus.PLACED)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    shipping_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    # The state or province (ISO 3166-2, `BR-SP`) where the export names one: a domestic seller's lanes go there.
    destination_region: Mapped[str | None] = mapped_column(String(6))
    shipping_method: Mapped[str | None] = mapped_column(String(64))
    ship_by: Mapped[date | None]
    promised_delivery_on: Mapped[date | None]
    protection_ends_on: Mapped[date | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[CancelledBy | None] = mapped_column(str_enum(CancelledBy))
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    warehouse_code: Mapped[str | None] = mapped_column(String(64))

    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", cascade="all, delete-orphan")
    buyer: Mapped[Buyer | None] = relationship()


class OrderLine(ShopOwned, Base):
    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(default=1)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="RESTRICT"), index=True)
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(default=Decimal(0))

    order: Mapped[Order] = relationship(back_populates="lines")


class DisputeState(enum.StrEnum):
    OPEN = "open"
    RESOLVED_BUYER = "resolved_buyer"
    RESOLVED_SELLER = "resolved_seller"


class Dispute(ShopOwned, Base):
    __tablename__ = "disputes"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    opened_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(200))
    state: Mapped[DisputeState] = mapped_column(str_enum(DisputeState), default=DisputeState.OPEN)
    closed_at: Mapped[datetime | None]


class Feedback(ShopOwned, Base):
    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("order_id"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    left_at: Mapped[datetime]
    rating: Mapped[int]
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
