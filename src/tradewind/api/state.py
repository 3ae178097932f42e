"""What every request shares: the settings, the database, the clock, and the few per-process caches."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tradewind.accounts.service import AccountRules
from tradewind.action import BriefContext
from tradewind.api.config import ServerSettings
from tradewind.clock import Clock
from tradewind.config import Settings
from tradewind.db.session import transaction

log = logging.getLogger(__name__)
T = TypeVar("T")


class FigureCache:
    """Figures that are expensive to compute and change slowly (lane statistics over a year of parcels, orders at
    risk, the growth report, the ranking of the open actions), kept per shop.

    Each entry is computed in a transaction of its own. Once it is older than its time-to-live the stale value is
    still served while one background thread computes the new one, so no request waits for a recomputation; only
    the very first request for an entry waits (and one computation serves every request that came meanwhile). A
    change made through the server (a disruption, an applied action, a webhook) drops the shop's entries.
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._entries: dict[tuple[Any, ...], tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._gates: dict[tuple[Any, ...], threading.Lock] = {}
        self._refreshing: set[tuple[Any, ...]] = set()

    def get(self, key: tuple[Any, ...], compute: Callable[[Session], T], ttl_seconds: float = 300.0) -> T:
        found = self._entries.get(key)
        if found is not None:
            if time.monotonic() - found[0] >= ttl_seconds:
                self._refresh_in_background(key, compute)
            value: T = found[1]
            return value
        with self._lock:
            gate = self._gates.setdefault(key, threading.Lock())
        with gate:
            found = self._entries.get(key)
            if found is not None:
                value = found[1]
                return value
            return self._compute(key, compute)

    def _compute(self, key: tuple[Any, ...], compute: Callable[[Session], T]) -> T:
        with transaction(self._sessions) as session:
            value = compute(session)
        self._entries[key] = (time.monotonic(), value)
        return value

    def _refresh_in_background(self, key: tuple[Any, ...], compute: Callable[[Session], Any]) -> None:
        with self._lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)

        def run() -> None:
            try:
                self._compute(key, compute)
            except Exception:
                log.exception("recomputing %s failed; the previous figures stay", key)
            finally:
                with self._lock:
                    self._refreshing.discard(key)

        threading.Thread(target=run, name=f"tradewind-cache-{key[-1]}", daemon=True).start()

    def forget_shop(self, shop_id: int) -> None:
        with self._lock:
            for key in [k for k in self._entries if k and k[0] == shop_id]:
                self._entries.pop(key, None)


@dataclass
class AppState:
    settings: Settings
    server: ServerSettings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    rules: AccountRules
    cache: FigureCache
    brief_lock: threading.Lock = field(default_factory=threading.Lock)
    # Shops whose brief is known to exist for a day: (shop id, day) → True, so the check costs nothing after once.
    briefs_ready: set[tuple[int, Any]] = field(default_factory=set)
    briefs_making: dict[tuple[int, Any], threading.Event] = field(default_factory=dict)
    # Tokens and sessions whose last use is due to be noted (by `deps.record_touches`, off the request's transaction).
    touches: set[tuple[str, int]] = field(default_factory=set)

    def context(self) -> BriefContext:
        return BriefContext(today=self.clock.today(), now=self.clock.now(), settings=self.settings)
