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

    # Replenishment planning (issue: replenishment planning).
    history_days: int = Field(default=365, ge=28, le=3650)
    planning_horizon_days: int = Field(default=120, ge=14, le=730)
    service_level_a: float = Field(default=0.97, gt=0.5, lt=1.0, description="best-sellers (top 20% of revenue)")
    service_level_b: float = Field(default=0.95, gt=0.5, lt=1.0, description="the next 30% of revenue")
    service_level_c: float = Field(default=0.90, gt=0.5, lt=1.0, description="the tail")
    # Days between two looks at the same supplier's orders: the seed's "about a week of sales" per order, so an
    # order covers lead time + this review period + safety stock (issue 17).
    review_period_days: int = Field(default=7, ge=1, le=90)
    max_cover_days: int = Field(default=90, ge=7, description="never order more than this many days of demand")
    overstock_cover_days: int = Field(default=120, ge=14, description="stock covering more than this is overstock")
    overstock_min_value: Decimal = Field(default=Decimal("50"), ge=0)
    purchasing_pause_days: int = Field(default=30, ge=1)
    # Suppliers: silence for this long makes a supplier uncertain, not available.
    supplier_silence_hours: int = Field(default=48, ge=1)
    uncertain_extra_days: int = Field(default=7, ge=0)
    closed_without_date_days: int = Field(default=30, ge=1)
    # Chinese factories close well beyond the official Spring Festival holiday.
    spring_festival_close_before_days: int = Field(default=7, ge=0)
    spring_festival_reopen_after_days: int = Field(default=15, ge=0)

    # Exchange rates the seller sets: units of USD per one unit of each currency.
    usd_per_unit: dict[str, Decimal] = Field(
        default_factory=lambda: {
            "USD": Decimal("1"),
            "CNY": Decimal("0.14"),
            "EUR": Decimal("1.08"),
            "GBP": Decimal("1.27"),
            "RUB": Decimal("0.011"),
            "UAH": Decimal("0.024"),
            "BRL": Decimal("0.18"),
            "PLN": Decimal("0.25"),
            "AUD": Decimal("0.66"),
            "KZT": Decimal("0.0021"),
            "TRY": Decimal("0.029"),
        }
    )

    # Costs used when combining purchase orders and weighing overstock (shop currency).
    shipment_cost: Decimal = Field(default=Decimal("25"), ge=0)
    holding_cost_rate_per_year: Decimal = Field(default=Decimal("0.25"), ge=0)

    # Stale orders: an order still open (unpaid, awaiting shipment or shipped) this many days past its ship-by day
    # (its placing day when it has none) is stale, listed for the seller to close and never written to. 60 days is
    # the longest an AliExpress order lives before the platform confirms or closes it (ordinary post "one to two
    # months", seeds/000; buyer protection up to 60 days); WooCommerce never closes a 'processing' order itself.
    stale_order_days: int = Field(default=60, ge=1)
    # The shop banner (messaging.banner): a destination's delivery range is shown only from a lane with at least this
    # many delivered parcels. The default is the transit model's own `min_delivered` (logistics.transit.lanes, 10): from
    # that many deliveries a lane's estimate stands on its own parcels rather than on its wider group's.
    banner_min_delivered_parcels: int = Field(default=10, ge=1)
    # Order quantities and supplier switches (issue 17). A SKU with no sale for this many days is dormant: never in
    # a stockout playbook, never restocked, and its stock is overstock (the 90 days).
    dormant_after_days: int = Field(default=90, ge=14, le=365)
    # Delivery outlooks (issue 17; read by logistics.rules.LogisticsRules.from_settings).
    # A parcel with no carrier news for this many days is Expired, probably lost: a carrier inquiry and a refund or
    # resend, not a date (AfterShip's "expired" is 30 days without news).
    logistics_expired_after_days: int = Field(default=30, ge=7, le=180)
    # Days a pickup point keeps a parcel before it goes back: a waiting parcel is expected by arrival + this
    # (Russian Post keeps parcels 30 days, 15 for some; Correos 15; the shorter is the one a buyer can count on).
    logistics_pickup_hold_days: int = Field(default=15, ge=1, le=90)
    # Days within which a parcel out for delivery arrives: expected the day after that event (p50) and by this many
    # days after it (p90). The default, 2, is the carriers' "out for delivery" promise of delivery within 1–2 days.
    logistics_out_for_delivery_days: int = Field(default=2, ge=1, le=14)
    # Import limits (issue 18, point 5): a file beyond one is refused with one clear error, before it can use up memory
    # or time. The defaults leave room for the largest real export we know, the UCI Online Retail invoice lines
    # (541,909 rows, 8 columns, 48 MB as CSV, 7.6 MB gzipped): twice its size and rows, and the widest platform export
    # (Shopify's 80 columns, WooCommerce's with meta columns) many times over.
    import_max_file_bytes: int = Field(default=100 * 1024 * 1024, ge=1024, description="the file as it is on disk")
    import_max_unpacked_bytes: int = Field(
        default=128 * 1024 * 1024, ge=1024, description="a .csv.gz or .xlsx once decompressed (read as a stream)"
    )
    import_max_rows: int = Field(default=1_100_000, ge=1, description="records of a CSV, rows of a sheet")
    import_max_columns: int = Field(default=1000, ge=8, description="cells of a header or a row")
    # Busy database: how long a statement waits for another writer's lock (SQLite's busy_timeout, PostgreSQL's
    # lock_timeout) before the command or request answers "the database is busy; try again". The default, 10 s, is
    # the busy_timeout Tradewind has always set on SQLite (db.session.BUSY_TIMEOUT_SECONDS).
    database_busy_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    # Snoozing an action (brief.service.snooze_action): at most this many days past its due day, or past today when
    # it is overdue. The default, 7, is the weekly review most small sellers keep: a snooze never hides a deadline
    # longer than one review cycle.
    snooze_grace_days: int = Field(default=7, ge=1, le=365)

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
