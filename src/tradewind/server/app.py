"""What a server process runs besides the faces' routes: its shared state (settings, database, clock, figure cache),
the security headers of every response, the start-up warm-up of the slow figures, the outbox worker's lifespan and
the garbage collector's tuning. `tradewind.app` puts the API and the dashboard on top of it."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradewind.clock import Clock, SystemClock
from tradewind.config import Settings
from tradewind.db.changes import on_commit_forget
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.server.config import ServerSettings
from tradewind.server.figures import at_risk_today, growth_today, lane_trend, lanes_today, suppliers_today
from tradewind.server.mail_worker import MailWorker
from tradewind.server.state import AppState, FigureCache
from tradewind.shops.service import all_shops

log = logging.getLogger(__name__)
POOL_SIZE = 20
# Pages run only the app's own scripts; Chart.js and htmx set element styles, hence 'unsafe-inline' for styles.
CONTENT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


def build_state(
    settings: Settings | None = None,
    *,
    server: ServerSettings | None = None,
    engine: Engine | None = None,
    clock: Clock | None = None,
    sessions: sessionmaker[Session] | None = None,
    security_clock: Clock | None = None,
) -> AppState:
    """Settings are read here, when the app is made, and never at import time. `sessions` replaces the session
    factory (tests bind it to one connection whose transaction they roll back)."""
    the_settings = settings or Settings()
    the_server = server or ServerSettings()
    the_engine = engine or make_engine(
        the_settings.database_url,
        busy_timeout_seconds=the_settings.database_busy_timeout_seconds,
        pool_size=POOL_SIZE,
        max_overflow=POOL_SIZE,
    )
    factory = sessions or make_sessionmaker(the_engine)
    # On PostgreSQL requests wait for it on the event loop, as many at once as the pool holds connections for
    # certain; one at a time when the given sessions all share a connection.
    green_slots = 0
    if the_engine.dialect.name == "postgresql":
        green_slots = POOL_SIZE if sessions is None else 1
    cache = FigureCache(factory)
    # The one place the figures learn of a change: after the commit of any of this app's transactions.
    on_commit_forget(factory, cache.forget_shops)
    return AppState(
        settings=the_settings,
        server=the_server,
        engine=the_engine,
        sessions=factory,
        clock=clock or SystemClock(),
        rules=the_server.account_rules(),
        cache=cache,
        green_slots=green_slots,
        security_clock=security_clock or SystemClock(),
    )


def background_work(state: AppState) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """The app's lifespan: the warm-up of the slow figures (when the settings ask for it) and the outbox worker,
    stopped when the server shuts down."""

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        if state.server.warm_caches:
            state.caches = "warming"
            threading.Thread(target=warm_caches, args=(state,), name="tradewind-warm-up", daemon=True).start()
        worker = None
        if state.server.outbox_worker:
            worker = MailWorker(state, poll_seconds=state.server.outbox_poll_seconds)
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    return lifespan


class SecurityHeaders:
    """Security and caching headers on every response (a plain ASGI wrapper: no per-request task or copy)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]
        if path.startswith("/static/"):
            extra.append((b"cache-control", b"public, max-age=86400"))
        elif not path.startswith(("/docs", "/openapi.json")):
            extra += [(b"content-security-policy", CONTENT_POLICY.encode()), (b"cache-control", b"no-store")]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in extra if h[0] not in present]
            await send(message)

        await self.app(scope, receive, with_headers)


def warm_caches(state: AppState) -> None:
    """Compute every shop's slow figures once, one after the other (a request that needs one meanwhile waits for
    that one only); then put them out of the garbage collector's sight (`settle_heap`) and say the caches are ready."""
    try:
        _warm(state)
    finally:
        settle_heap()
        state.caches = "ready"


def _warm(state: AppState) -> None:
    with transaction(state.sessions) as session:
        shops = all_shops(session)
    for shop in shops:
        for name, compute in (
            ("suppliers", lambda shop=shop: suppliers_today(state, shop)),
            ("lanes", lambda shop=shop: lanes_today(state, shop)),
            ("orders at risk", lambda shop=shop: at_risk_today(state, shop)),
            ("lane trend", lambda shop=shop: lane_trend(state, shop)),
            ("growth", lambda shop=shop: growth_today(state, shop)),
        ):
            started = time.perf_counter()
            try:
                compute()  # the figure store opens its own transaction
            except Exception:
                log.exception("warming %s of shop %s failed", name, shop.code)
                continue
            log.info("warmed %s of shop %s in %.1f s", name, shop.code, time.perf_counter() - started)


def tune_garbage_collector() -> None:
    """For a server process: move what exists at start-up (modules, the app) out of the collector's sight and
    collect the young generation less often. A request allocates thousands of short-lived objects; with the
    defaults the full collections that follow walk the whole heap, and the per-day caches make it large: pauses of
    a hundred milliseconds and more in the middle of requests."""
    settle_heap()
    gc.set_threshold(50_000, 20, 100)


def settle_heap() -> None:
    """Collect once, then freeze what is left: the long-lived objects (modules at start-up; the figures of a large
    shop after the warm-up, millions of objects) are no longer walked by every collection. Without it, on a --scale
    100 shop the collections that follow the warm-up stall every request for a quarter of a second at a time."""
    gc.collect()
    gc.freeze()
