"""Warehouses (own, overseas, supplier-direct for dropshipping), stock on hand, every movement, and the purchase
orders on their way in."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradewind.db.base import Base, ShopOwned, str_enum, utcnow


class WarehouseKind(enum.StrEnum):
    OWN = "own"
    OVERSEAS = "overseas"
    SUPPLIER_DIRECT = "supplier_direct"


class Warehouse(ShopOwned, Base):
    __tablename__ = "warehouses"
    __table_args__ = (UniqueConstraint("shop_id", "code"),)

    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[WarehouseKind] = mapped_column(str_enum(WarehouseKind), default=WarehouseKind.OWN)
    country: Mapped[str] = mapped_column(String(2), default="CN")


class StockLevel(ShopOwned, Base):
    """Units on hand of one SKU in one warehouse, as last counted plus movements since."""

    __tablename__ = "stock_levels"
    __table_args__ = (UniqueConstraint("warehouse_id", "sku_id"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"), index=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    counted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MovementReason(enum.StrEnum):
    SALE = "sale"
    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"
    STOCKTAKE = "stocktake"
    RETURN = "return"
    TRANSFER = "transfer"


class StockMovement(ShopOwned, Base):
    """A signed change of stock, with the reason and the record that caused it."""

    __tablename__ = "stock_movements"

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[datetime]
    quantity: Mapped[int]
    reason: Mapped[MovementReason] = mapped_column(str_enum(MovementReason))
    reference: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)


class PurchaseOrderState(enum.StrEnum):
    DRAFT = "draft"
    PLACED = "placed"
    SHIPPED = "shipped"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class PurchaseOrder(ShopOwned, Base):
    """An order to a supplier; placed and shipped ones count as stock on order."""

    __tablename__ = "purchase_orders"
    __table_args__ = (UniqueConstraint("shop_id", "code"),)

    code: Mapped[str] = mapped_column(String(64))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="RESTRICT"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="RESTRICT"), index=True)
    state: Mapped[PurchaseOrderState] = mapped_column(str_enum(PurchaseOrderState), default=PurchaseOrderState.PLACED)
    ordered_on: Mapped[date]
    expected_on: Mapped[date | None]
    received_on: Mapped[date | None]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    note: Mapped[str | None] = mapped_column(Text)

    lines: Mapped[list[PurchaseOrderLine]] = relationship(back_populates="purchase_order", cascade="all, delete-orphan")


class PurchaseOrderLine(ShopOwned, Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (UniqueConstraint("purchase_order_id", "sku_id"),)

    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="RESTRICT"), index=True)
    quantity: Mapped[int]
    received_quantity: Mapped[int] = mapped_column(default=0)
    unit_cost: Mapped[Decimal | None]

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
