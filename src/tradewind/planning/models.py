"""Stored plans: the latest replenishment plan per SKU, as `tradewind plan` and the brief computed it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradewind.db.base import Base, ShopOwned, utcnow


class SkuPlan(ShopOwned, Base):
    """One SKU's plan on one day (the latest plan per SKU is kept; re-planning the same day replaces it)."""

    __tablename__ = "sku_plans"
    __table_args__ = (UniqueConstraint("shop_id", "sku_id"),)

    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"))
    planned_on: Mapped[date]
    method: Mapped[str] = mapped_column(String(32))
    demand_per_day: Mapped[float]
    demand_sigma: Mapped[float]
    lead_time_mean_days: Mapped[float | None]
    lead_time_p90_days: Mapped[float | None]
    service_level: Mapped[float]
    safety_stock: Mapped[float]
    reorder_point: Mapped[float]
    order_up_to: Mapped[float]
    on_hand: Mapped[int]
    on_order: Mapped[int]
    days_of_cover: Mapped[float | None]
    stockout_on: Mapped[date | None]
    order_by: Mapped[date | None]
    suggested_quantity: Mapped[int]
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailyDemand(ShopOwned, Base):
    """Units of real demand of one SKU on one UTC day (`planning/demand_store.py`): the daily demand matrix the plan
    reads, kept in step with the order lines."""

    __tablename__ = "daily_demand"
    __table_args__ = (UniqueConstraint("shop_id", "sku_id", "day"),)

    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"))
    day: Mapped[int]  # days since 1970-01-01 (UTC)
    units: Mapped[int]


class StoredDemandEstimate(ShopOwned, Base):
    """The latest demand estimate of one shop for one purpose (`planning/estimate_store.py`): the kernel's arrays as
    NumPy `.npz` bytes, under the digest of everything they were computed from; replaced when that changes."""

    __tablename__ = "demand_estimates"
    __table_args__ = (UniqueConstraint("shop_id", "purpose"),)

    purpose: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(64))
    arrays: Mapped[bytes] = mapped_column(LargeBinary)
