"""Validated settings, built once at the edge (CLI command, API app, test) and passed in.

Nothing reads the environment at import time: `Settings()` reads `TRADEWIND_*` variables when it is called.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    """A SQLite file in the current directory: the embedded default."""
    return f"sqlite:///{Path.cwd() / 'tradewind.db'}"


class Settings(BaseSettings):
    """Everything Tradewind can be told from outside, with the platforms' defaults."""

    model_config = SettingsConfigDict(env_prefix="TRADEWIND_", env_file=None, extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    shop: str | None = Field(default=None, description="Shop code to act on when a database holds several")

    # Replenishment, the sellers' rule (foundation): average daily sales over a window × days of cover.
    sales_window_days: int = Field(default=28, ge=1, le=365)
    days_of_cover: int = Field(default=7, ge=1, le=365)
    # Orders placed but unpaid for this many hours get a reminder.
    unpaid_reminder_after_hours: int = Field(default=12, ge=1)
    # Unpaid orders older than this are closed by the platform and no longer worth a reminder.
    unpaid_expires_after_days: int = Field(default=20, ge=1)
    # A cancellation is followed up within this many days.
    cancellation_followup_days: int = Field(default=14, ge=1)

    # Costs used when combining purchase orders and weighing overstock.
    shipment_cost: Decimal = Field(default=Decimal("25"), ge=0)
    holding_cost_rate_per_year: Decimal = Field(default=Decimal("0.25"), ge=0)

    def with_database(self, url: str | None) -> Settings:
        """A copy pointing at another database (the CLI's --db option)."""
        if url is None:
            return self
        return self.model_copy(update={"database_url": url})


def database_url_for_path(path: str | Path) -> str:
    """SQLAlchemy URL for a path or an URL the user typed after --db."""
    text = str(path)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"
