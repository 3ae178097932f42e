"""Messaging settings: the SMTP server, the channel per audience, delivery leases and retries.

Built once at the edge, like `tradewind.config.Settings`: `messaging_settings(settings)` takes the fields from the
main settings object when it has them (`smtp_host`, `smtp_port`, …) and otherwise reads `TRADEWIND_SMTP_*` /
`TRADEWIND_MESSAGING_*` variables when it is called, never at import time.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tradewind.config import Settings

FIELDS = (
    "smtp_host",
    "smtp_port",
    "smtp_username",
    "smtp_password",
    "smtp_starttls",
    "smtp_ssl",
    "smtp_from",
    "smtp_timeout_seconds",
    "buyer_channel",
    "supplier_channel",
    "delivery_lease_seconds",
    "delivery_max_attempts",
    "reply_window_days",
    "supplier_status_stale_days",
)


class MessagingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRADEWIND_", env_file=None, extra="ignore")

    smtp_host: str | None = Field(default=None, description="SMTP server; no host means e-mail is not configured")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = Field(default=False, description="upgrade the connection with STARTTLS")
    smtp_ssl: bool = Field(default=False, description="connect with implicit TLS (port 465)")
    smtp_from: str | None = Field(default=None, description="From: address of the shop's mail")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    # Buyers on a marketplace are reached through its message centre (export); suppliers by e-mail when known.
    buyer_channel: str = Field(default="export", pattern="^(export|email)$")
    supplier_channel: str = Field(default="email", pattern="^(export|email)$")
    delivery_lease_seconds: int = Field(default=120, ge=1, description="how long a worker's claim on a message lasts")
    delivery_max_attempts: int = Field(default=8, ge=1)
    reply_window_days: int = Field(default=7, ge=1, description="incoming messages older than this need no reply")
    supplier_status_stale_days: int = Field(default=14, ge=1)

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host and self.smtp_from)


def messaging_settings(settings: Settings | None = None, **overrides: Any) -> MessagingSettings:
    """The messaging settings: fields of `settings` where it has them, the environment for the rest."""
    given = {name: getattr(settings, name) for name in FIELDS if settings is not None and hasattr(settings, name)}
    return MessagingSettings(**(given | overrides))
