"""The REST API under /api/v1: its routers, and the API alone as an app (`tradewind.app` serves it beside the
dashboard)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

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
from tradewind.server.deps import no_nul_characters
from tradewind.server.errors import install_error_handlers
from tradewind.server.inline import GreenRequests
from tradewind.server.state import AppState

API_PREFIX = "/api/v1"


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
