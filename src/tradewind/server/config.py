"""What the server is told from outside, read when the app is created (never at import): cookie and session
settings, the login rate limit, and the shared secret of the tracking webhook."""

from __future__ import annotations

from datetime import date

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from tradewind.accounts.service import AccountRules


class ServerSettings(BaseSettings):
    """`TRADEWIND_*` variables for `tradewind serve` (the same prefix as `Settings`, which ignores these)."""

    model_config = SettingsConfigDict(env_prefix="TRADEWIND_", env_file=None, extra="ignore")

    session_cookie: str = Field(default="tradewind_session", pattern=r"^[A-Za-z0-9_\-]{1,64}$")
    # Send the cookie over HTTPS only: set it true whenever the server sits behind TLS.
    cookie_secure: bool = False
    session_hours: int = Field(default=24 * 14, ge=1, le=24 * 90)
    session_idle_hours: int = Field(default=24 * 3, ge=1, le=24 * 90)
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # HMAC-SHA256 key shared with the tracking provider; without it every webhook call is refused.
    tracking_webhook_secret: SecretStr | None = None
    # Act as if today were this day (the demo shop, `tradewind serve --today`); unset: the real date.
    today: date | None = None
    default_locale: str = Field(default="en", pattern=r"^(en|zh|ru)$")
    # Compute the slow per-day figures (lanes, orders at risk, growth) of every shop when the server starts, in the
    # background, so that the first visit of the day does not wait for them.
    warm_caches: bool = True
    # Run the outbox worker in the server: it sends queued e-mail every `outbox_poll_seconds` and queues each shop's
    # morning digest at its `digest_at` time.
    outbox_worker: bool = True
    outbox_poll_seconds: float = Field(default=30.0, ge=0.05, le=3600)
    # The dashboard's address as users reach it (links in the digest) when a shop's mail settings give none.
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s?#]+$")
    page_size: int = Field(default=50, ge=1, le=200)
    # Password hashing cost (argon2id); lower only for tests and benchmarks.
    hash_time_cost: int = Field(default=3, ge=1, le=20)
    hash_memory_kib: int = Field(default=65536, ge=8, le=1 << 21)

    def account_rules(self) -> AccountRules:
        return AccountRules(
            session_hours=self.session_hours,
            idle_hours=self.session_idle_hours,
            login_max_failures=self.login_max_failures,
            login_window_minutes=self.login_window_minutes,
            hash_time_cost=self.hash_time_cost,
            hash_memory_kib=self.hash_memory_kib,
            hash_parallelism=1 if self.hash_memory_kib < 1024 else 4,
        )
