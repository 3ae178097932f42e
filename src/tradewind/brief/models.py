"""Actions and their event history. An action's `key` is its natural identity (kind + subject), so producing the
brief again updates the same row instead of adding another."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradewind.db.base import Base, ShopOwned, str_enum, utcnow


class ActionState(enum.StrEnum):
    OPEN = "open"
    APPLIED = "applied"
    DISMISSED = "dismissed"
    SNOOZED = "snoozed"
    EXPIRED = "expired"  # the situation no longer holds; kept for the history


class ActionRecord(ShopOwned, Base):
    __tablename__ = "actions"
    __table_args__ = (
        UniqueConstraint("shop_id", "key"),
        Index("ix_actions_shop_state_priority", "shop_id", "state", "priority"),
    )

    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    priority: Mapped[float]
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    due: Mapped[date]
    title: Mapped[str] = mapped_column(String(500))
    # The title as a message id and its arguments (`tradewind.wording.Phrase.to_json`), for the reader's language;
    # None for an action whose producer gave English only.
    title_msg: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), default=None)
    why: Mapped[str] = mapped_column(Text)
    why_msg: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), default=None)  # `why` the same way
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    steps: Mapped[list[Any]] = mapped_column(default=list)
    state: Mapped[ActionState] = mapped_column(str_enum(ActionState), default=ActionState.OPEN)
    snoozed_until: Mapped[date | None]
    first_seen_on: Mapped[date]
    last_seen_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    events: Mapped[list[ActionEvent]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionEvent.id"
    )


class ActionEvent(ShopOwned, Base):
    """One change of an action's state (or what applying it did), for the timeline."""

    __tablename__ = "action_events"

    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100), default="system")
    note: Mapped[str | None] = mapped_column(Text)

    action: Mapped[ActionRecord] = relationship(back_populates="events")
