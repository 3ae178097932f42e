"""What the seller decided about the shop's growth and health: a milestone plan taken on, a reached milestone
acknowledged, orders to put first so that a service metric stays within its limit. One row per brief action."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradewind.db.base import Base, ShopOwned, str_enum


class GrowthEventKind(enum.StrEnum):
    MILESTONE_PLAN = "milestone_plan"
    MILESTONE_REACHED = "milestone_reached"
    METRIC_PLAN = "metric_plan"


class GrowthEvent(ShopOwned, Base):
    __tablename__ = "growth_events"
    __table_args__ = (UniqueConstraint("shop_id", "key"),)

    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[GrowthEventKind] = mapped_column(str_enum(GrowthEventKind))
    subject: Mapped[str] = mapped_column(String(64))
    # The brief action that asked for it (no foreign key: the brief sits above growth).
    action_id: Mapped[int | None]
    recorded_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
