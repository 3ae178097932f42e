"""The whole app: the REST API under /api/v1 and the dashboard's pages side by side (neither face imports the
other), over the server's state, with security headers on every response. `tradewind serve` runs it."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tradewind.api.app import api_router
from tradewind.clock import Clock, FixedClock
from tradewind.config import Settings
from tradewind.server.app import SecurityHeaders, background_work, build_state, tune_garbage_collector
from tradewind.server.config import ServerSettings
from tradewind.server.errors import install_error_handlers
from tradewind.server.inline import GreenRequests
from tradewind.web.app import add_dashboard, error_page


def create_app(
    settings: Settings | None = None,
    *,
    server: ServerSettings | None = None,
    engine: Engine | None = None,
    clock: Clock | None = None,
    sessions: sessionmaker[Session] | None = None,
    security_clock: Clock | None = None,
) -> FastAPI:
    the_server = server or ServerSettings()
    if clock is None and the_server.today is not None:
        clock = FixedClock.on(the_server.today)
    state = build_state(
        settings, server=the_server, engine=engine, clock=clock, sessions=sessions, security_clock=security_clock
    )
    app = FastAPI(
        lifespan=background_work(state),
        title="Tradewind",
        version="1",
        description="The daily operations brief for small cross-border sellers: the brief and its actions, plans, "
        "SKUs, suppliers, orders, shipments, lanes and disruptions, messages. Sign in with a session cookie "
        "(the dashboard) or an API token: `Authorization: Bearer tw_…` (`tradewind user token`).",
        docs_url=None,
        redoc_url=None,
    )
    app.state.tradewind = state
    install_error_handlers(app, html=error_page)
    app.include_router(api_router())
    add_dashboard(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(GreenRequests, slots=state.green_slots, engine=state.engine)
    return app


def app_from_environment() -> FastAPI:
    """For uvicorn's worker processes (`tradewind serve --workers N`): settings from the environment, read now."""
    app = create_app()
    tune_garbage_collector()
    return app
