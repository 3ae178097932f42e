"""Building the app's shared state, and the API under /api/v1 (the dashboard adds its pages on top)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tradewind.api.config import ServerSettings
from tradewind.api.deps import no_nul_characters
from tradewind.api.errors import install_error_handlers
from tradewind.api.inline import GreenRequests
from tradewind.api.routers import (
    accounts,
    brief,
    catalog,
    growth,
    logistics,
    messaging,
    orders,
    planning,
    shops,
    suppliers,
)
from tradewind.api.state import AppState, FigureCache
from tradewind.clock import Clock, SystemClock
from tradewind.config import Settings
from tradewind.db.changes import on_commit_forget
from tradewind.db.session import make_engine, make_sessionmaker

API_PREFIX = "/api/v1"
POOL_SIZE = 20


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


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(no_nul_characters)])
    router.include_router(accounts.router)
    for module in (brief, planning, catalog, suppliers, orders, logistics, messaging, growth, shops):
        router.include_router(module.router)
    router.include_router(logistics.webhooks)
    return router


def create_api(state: AppState) -> FastAPI:
    """The API alone (no dashboard), e.g. for tests and for serving the API on its own."""
    app = FastAPI(title="Tradewind", version="1", docs_url="/docs", openapi_url="/openapi.json")
    app.state.tradewind = state
    install_error_handlers(app)
    app.include_router(api_router())
    app.add_middleware(GreenRequests, slots=state.green_slots, engine=state.engine)
    return app
