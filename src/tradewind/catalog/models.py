"""Products and their SKUs (size × colour), the listings that show them on each channel, and paid promotions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradewind.db.base import Base, ShopOwned, str_enum, utcnow


class Product(ShopOwned, Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("shop_id", "code"),)

    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(100))

    skus: Mapped[list[Sku]] = relationship(back_populates="product")


class Sku(ShopOwned, Base):
    """A stock-keeping unit: one size of one colour of one model."""

    __tablename__ = "skus"
    __table_args__ = (UniqueConstraint("shop_id", "code"),)

    code: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    price: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    unit: Mapped[str] = mapped_column(String(16), default="piece")
    active: Mapped[bool] = mapped_column(default=True)
    # Set by an applied `overstock` action: no purchase suggestions for this SKU until that day.
    purchasing_paused_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product | None] = relationship(back_populates="skus")


class ListingState(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    DELISTED = "delisted"


class Listing(ShopOwned, Base):
    """A SKU as a channel shows it: its state and the stock the buyers see."""

    __tablename__ = "listings"
    __table_args__ = (UniqueConstraint("shop_id", "channel", "sku_id"),)

    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[ListingState] = mapped_column(str_enum(ListingState), default=ListingState.ACTIVE)
    stock_shown: Mapped[int | None]
    price: Mapped[Decimal | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PromotionState(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class Promotion(ShopOwned, Base):
    """Paid promotion of a listing (ads, affiliate boosts): spend to pause when the SKU cannot be sold."""

    __tablename__ = "promotions"

    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    state: Mapped[PromotionState] = mapped_column(str_enum(PromotionState), default=PromotionState.ACTIVE)
    daily_budget: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
