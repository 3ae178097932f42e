"""A shop: one seller's store on one or more channels; every other record belongs to one."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tradewind.db.base import Base, IdMixin, utcnow


class Shop(IdMixin, Base):
    __tablename__ = "shops"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    country: Mapped[str] = mapped_column(String(2), default="CN")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    language: Mapped[str] = mapped_column(String(8), default="en")
    platform: Mapped[str] = mapped_column(String(32), default="aliexpress")
    opened_on: Mapped[date | None]
    # When the morning digest is e-mailed to the owners, on the shop's wall clock (its time zone).
    digest_at: Mapped[time] = mapped_column(default=time(7, 30), server_default="07:30:00")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
