"""The dashboard's part of the app: its pages, their static assets (served by the app, no CDN), the API docs page
(which uses them) and the error pages; `tradewind.app` serves it beside the API."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError

from tradewind.db.session import transaction
from tradewind.server.deps import identify
from tradewind.server.state import AppState
from tradewind.web.deps import login_redirect
from tradewind.web.rendering import STATIC, Pages, pick_language
from tradewind.web.routes import router as web_router

log = logging.getLogger(__name__)
SWAGGER_JS = "/static/vendor/swagger-ui-bundle-5.35.0.js"
SWAGGER_CSS = "/static/vendor/swagger-ui-5.35.0.css"


def add_dashboard(app: FastAPI) -> None:
    """The pages, /static and /docs on `app` (whose `state.tradewind` is the `AppState`)."""
    app.state.pages = Pages()
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


def error_page(request: Request, status: int, code: str, message: str) -> Response:
    """An error as the dashboard shows it (`server.errors.install_error_handlers`' `html`): a page, or in the page's
    message area for an in-place change; a request that needs a session goes to the login page."""
    if status == 401:
        return login_redirect(request)
    state: AppState = request.app.state.tradewind
    pages: Pages = request.app.state.pages
    language = pick_language(request, reader_locale(request, state), state.server.default_locale)
    template = "error_fragment.html" if request.headers.get("hx-request") == "true" else "error.html"
    response = pages.render(
        request, template, {"status": status, "code": code, "message": message}, language=language, status=status
    )
    if template == "error_fragment.html":
        # Errors of in-place changes show in the page's message area rather than replacing the row.
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


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
