"""Suppliers, their status reports (operating / closed / unknown, restock date), supply offers per SKU and the
message thread that gives their response times."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradewind.db.base import Base, ShopOwned, str_enum, utcnow


class Supplier(ShopOwned, Base):
    __tablename__ = "suppliers"
    __table_args__ = (UniqueConstraint("shop_id", "code"),)

    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), default="CN")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    # Public-holiday calendar (a `holidays` country code, e.g. "CN") and the subdivision when it matters.
    calendar: Mapped[str | None] = mapped_column(String(8), default="CN")
    email: Mapped[str | None] = mapped_column(String(200))
    # Days from order to hand-over on a working calendar.
    processing_days: Mapped[int] = mapped_column(default=3)
    active: Mapped[bool] = mapped_column(default=True)


class SupplierStatus(enum.StrEnum):
    OPERATING = "operating"
    CLOSED = "closed"
    UNKNOWN = "unknown"


class SupplierStatusReport(ShopOwned, Base):
    """What the seller learned about a supplier on a day: e.g. closed until 20 Feb, restock on 25 Feb."""

    __tablename__ = "supplier_status_reports"

    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    reported_on: Mapped[date]
    status: Mapped[SupplierStatus] = mapped_column(str_enum(SupplierStatus))
    closed_from: Mapped[date | None]
    reopens_on: Mapped[date | None]
    restock_on: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(100), default="seller")
    note: Mapped[str | None] = mapped_column(Text)


class SupplyOffer(ShopOwned, Base):
    """A supplier's terms for one SKU; `priority` 1 is the preferred source, higher numbers the alternatives."""

    __tablename__ = "supply_offers"
    __table_args__ = (UniqueConstraint("shop_id", "supplier_id", "sku_id"),)

    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"), index=True)
    unit_cost: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    moq: Mapped[int] = mapped_column(default=1)
    pack_size: Mapped[int] = mapped_column(default=1)
    lead_time_days: Mapped[int] = mapped_column(default=7)
    lead_time_p90_days: Mapped[int | None]
    priority: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)


class MessageDirection(enum.StrEnum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"


class SupplierMessage(ShopOwned, Base):
    """One message to or from a supplier; the thread's timestamps give response-time statistics."""

    __tablename__ = "supplier_messages"

    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    direction: Mapped[MessageDirection] = mapped_column(str_enum(MessageDirection))
    sent_at: Mapped[datetime]
    language: Mapped[str | None] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
