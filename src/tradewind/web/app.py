"""The whole app: the REST API under /api/v1, the dashboard pages, their static assets (served by the app, no CDN)
and the API docs at /docs, with security headers on every response."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradewind.api.app import api_router, build_state
from tradewind.api.config import ServerSettings
from tradewind.api.deps import identify
from tradewind.api.errors import install_error_handlers
from tradewind.api.inline import GreenRequests
from tradewind.api.mail_worker import MailWorker
from tradewind.api.state import AppState
from tradewind.clock import Clock, FixedClock
from tradewind.config import Settings
from tradewind.db.session import transaction
from tradewind.server.figures import at_risk_today, growth_today, lane_trend, lanes_today, suppliers_today
from tradewind.shops.models import Shop
from tradewind.web.deps import login_redirect
from tradewind.web.rendering import STATIC, Pages, pick_language
from tradewind.web.routes import router as web_router

log = logging.getLogger(__name__)
SWAGGER_JS = "/static/vendor/swagger-ui-bundle-5.35.0.js"
SWAGGER_CSS = "/static/vendor/swagger-ui-5.35.0.css"
# Pages run only the app's own scripts; Chart.js and htmx set element styles, hence 'unsafe-inline' for styles.
CONTENT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


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

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if the_server.warm_caches:
            state.caches = "warming"
            threading.Thread(target=warm_caches, args=(state,), name="tradewind-warm-up", daemon=True).start()
        worker = MailWorker(state, poll_seconds=the_server.outbox_poll_seconds) if the_server.outbox_worker else None
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Tradewind",
        version="1",
        description="The daily operations brief for small cross-border sellers: the brief and its actions, plans, "
        "SKUs, suppliers, orders, shipments, lanes and disruptions, messages. Sign in with a session cookie "
        "(the dashboard) or an API token: `Authorization: Bearer tw_…` (`tradewind user token`).",
        docs_url=None,
        redoc_url=None,
    )
    app.state.tradewind = state
    app.state.pages = Pages()
    pages: Pages = app.state.pages

    def html_error(request: Request, status: int, code: str, message: str) -> Response:
        if status == 401:
            return login_redirect(request)
        language = pick_language(request, reader_locale(request, state), the_server.default_locale)
        template = "error_fragment.html" if request.headers.get("hx-request") == "true" else "error.html"
        response = pages.render(
            request, template, {"status": status, "code": code, "message": message}, language=language, status=status
        )
        if template == "error_fragment.html":
            # Errors of in-place changes show in the page's message area rather than replacing the row.
            response.headers["HX-Retarget"] = "#flash"
            response.headers["HX-Reswap"] = "innerHTML"
        return response

    install_error_handlers(app, html=html_error)
    app.include_router(api_router())
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Tradewind API",
            swagger_js_url=SWAGGER_JS,
            swagger_css_url=SWAGGER_CSS,
            swagger_favicon_url="/static/favicon.svg",
        )

    app.add_middleware(SecurityHeaders)
    app.add_middleware(GreenRequests, slots=state.green_slots, engine=state.engine)
    return app


def reader_locale(request: Request, state: AppState) -> str | None:
    """The language of the user an error page is for: the one the request's route noted, or, for an address no route
    answers (a 404 before any sign-in check), the signed-in user's own setting, read in a short transaction of its
    own (the request's may have been rolled back)."""
    noted: str | None = getattr(request.state, "locale", None)
    if noted is not None or state.server.session_cookie not in request.cookies:
        return noted
    try:
        with transaction(state.sessions) as session:
            principal = identify(request, session, state)
            return principal.user.locale if principal is not None else None
    except SQLAlchemyError:  # the page is still shown, in the browser's language
        log.warning("could not read the language of the user of an error page", exc_info=True)
        return None


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
        shops = list(session.scalars(select(Shop).order_by(Shop.id)))
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


def app_from_environment() -> FastAPI:
    """For uvicorn's worker processes (`tradewind serve --workers N`): settings from the environment, read now."""
    app = create_app()
    tune_garbage_collector()
    return app
