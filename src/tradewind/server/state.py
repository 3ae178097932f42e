"""What every request shares: the settings, the database, the clock, and the few per-process caches."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tradewind.accounts.service import AccountRules
from tradewind.action import BriefContext
from tradewind.clock import Clock, SystemClock, local_today
from tradewind.config import Settings
from tradewind.db.session import transaction
from tradewind.server.config import ServerSettings
from tradewind.server.inline import may_block
from tradewind.shops.models import Shop
from tradewind.shops.service import shop_zone

log = logging.getLogger(__name__)
T = TypeVar("T")
# What `GET /health` says of the per-process caches (see `AppState.caches`).
CacheState = Literal["on demand", "warming", "ready"]


class FigureCache:
    """Figures that are expensive to compute and change slowly (lane statistics over a year of parcels, orders at
    risk, the growth report, the ranking of the open actions), kept per shop.

    Each entry is computed in a transaction of its own. Once it is older than its time-to-live the stale value is
    still served while a background thread computes the new one, so no request waits for a recomputation; only
    the very first request for an entry waits (and one computation serves every request that came meanwhile).

    A transaction of the server's sessions that changed a shop's records drops the shop's entries once it has
    committed (`forget_shops`, called by the `db.changes.on_commit_forget` hook that `build_state` registers), and
    moves the shop's generation on: a computation that started before that commit read the records before the
    change, so its result is handed to the request that asked for it but not kept. The computations only read.

    A recomputation shares the server's interpreter (and its lock) with the requests, so an entry is refreshed no
    more often than `COST_FACTOR` times what it took to compute: lane statistics that take ten seconds over a
    large shop's year of parcels are refreshed every quarter of an hour or so, and the background work stays about
    one per cent of the server's time. One refresh runs at a time.
    """

    COST_FACTOR = 100.0

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        # key → (computed at, seconds it took, value)
        self._entries: dict[tuple[Any, ...], tuple[float, float, Any]] = {}
        self._lock = threading.Lock()
        self._gates: dict[tuple[Any, ...], threading.Lock] = {}
        self._refreshing: set[tuple[Any, ...]] = set()
        self._one_refresh = threading.Lock()
        # shop id → how many committed changes of the shop this cache has been told of
        self._generations: dict[Any, int] = {}

    def get(self, key: tuple[Any, ...], compute: Callable[[Session], T], ttl_seconds: float = 300.0) -> T:
        found = self._entries.get(key)
        if found is not None:
            computed_at, cost, value = found
            if time.monotonic() - computed_at >= max(ttl_seconds, cost * self.COST_FACTOR):
                self._refresh_in_background(key, compute)
            return value  # type: ignore[no-any-return]
        may_block()  # the first computation: not on the event loop
        with self._lock:
            gate = self._gates.setdefault(key, threading.Lock())
        with gate:
            found = self._entries.get(key)
            if found is not None:
                return found[2]  # type: ignore[no-any-return]
            return self._compute(key, compute)

    def _compute(self, key: tuple[Any, ...], compute: Callable[[Session], T]) -> T:
        # Read before the transaction starts: a change committed after this read moves the generation on, and one
        # committed before it is in what the transaction reads.
        generation = self.generation(key[0])
        started = time.monotonic()
        with transaction(self._sessions) as session:
            value = compute(session)
        finished = time.monotonic()
        with self._lock:
            if self._generations.get(key[0], 0) == generation:
                self._entries[key] = (finished, finished - started, value)
            else:
                log.info("not keeping %s: the shop changed while it was computed", key)
        return value

    def _refresh_in_background(self, key: tuple[Any, ...], compute: Callable[[Session], Any]) -> None:
        with self._lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)

        def run() -> None:
            try:
                with self._one_refresh:
                    self._compute(key, compute)
            except Exception:
                log.exception("recomputing %s failed; the previous figures stay", key)
            finally:
                with self._lock:
                    self._refreshing.discard(key)

        threading.Thread(target=run, name=f"tradewind-cache-{key[-1]}", daemon=True).start()

    def generation(self, shop_id: Any) -> int:
        """How many committed changes of the shop this cache has been told of."""
        with self._lock:
            return self._generations.get(shop_id, 0)

    def forget_shops(self, shop_ids: Iterable[int]) -> None:
        """The shops' records changed (a transaction has committed): drop their entries, and do not keep what a
        computation already running finds."""
        wanted = set(shop_ids)
        with self._lock:
            for shop_id in wanted:
                self._generations[shop_id] = self._generations.get(shop_id, 0) + 1
            for key in [k for k in self._entries if k and k[0] in wanted]:
                self._entries.pop(key, None)


@dataclass
class ShopMailCounts:
    """What the worker did for one shop since the process started (a shop's page shows its own only: another
    shop's errors name its buyers' addresses)."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    digests_queued: int = 0
    last_error: str | None = None
    last_error_at: datetime | None = None


@dataclass
class MailWorkerStatus:
    """What the outbox worker of this process is doing (the Messages page shows it): it sends the queued e-mail and
    queues each morning's digest. Counts run from the process's start, per shop."""

    running: bool = False
    poll_seconds: float = 0.0
    started_at: datetime | None = None
    last_run_at: datetime | None = None
    runs: int = 0
    shops: dict[int, ShopMailCounts] = field(default_factory=dict)
    waiting_shops: list[int] = field(default_factory=list)  # shops whose e-mail waits for a mail server
    # A pass that failed as a whole (the database unreachable, a bug): not about any one shop's mail.
    last_error: str | None = None
    last_error_at: datetime | None = None

    def of(self, shop_id: int) -> ShopMailCounts:
        return self.shops.setdefault(shop_id, ShopMailCounts())


@dataclass
class AppState:
    settings: Settings
    server: ServerSettings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    rules: AccountRules
    cache: FigureCache
    # Sign-in, sessions and API tokens always run on the real time, whatever `clock` says (`serve --today` pins
    # only the shop's day): a lockout then ends and a session expires on time.
    security_clock: Clock = field(default_factory=SystemClock)
    brief_lock: threading.Lock = field(default_factory=threading.Lock)
    # Shops whose brief is known to exist for a day: (shop id, day) → True, so the check costs nothing after once.
    briefs_ready: set[tuple[int, Any]] = field(default_factory=set)
    briefs_making: dict[tuple[int, Any], threading.Event] = field(default_factory=dict)
    # Tokens and sessions whose last use is due to be noted (by `deps.record_touches`, off the request's transaction).
    touches: set[tuple[str, int]] = field(default_factory=set)
    # "on demand" (each figure computed at its first request), "warming" (a start-up thread is computing every
    # shop's slow figures) or "ready"; `GET /health` reports it, so a load balancer or a benchmark can wait.
    caches: CacheState = "on demand"
    # How many requests may wait for PostgreSQL on the event loop at once (`inline.GreenRequests`; 0: none do).
    green_slots: int = 0
    mail_worker: MailWorkerStatus = field(default_factory=MailWorkerStatus)

    def context(self, shop: Shop | None = None) -> BriefContext:
        """The brief's day and instant; with a shop, its day is the shop's local day."""
        today = self.today_of(shop) if shop is not None else self.clock.today()
        return BriefContext(today=today, now=self.clock.now(), settings=self.settings)

    def today_of(self, shop: Shop) -> date:
        """Today on the shop's wall (its time zone), which is the day its brief, windows and KPIs are about."""
        return local_today(self.clock, shop_zone(shop))
