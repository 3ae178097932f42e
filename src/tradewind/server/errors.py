"""Every error as JSON `{"code", "message", "details"}` with the status its class names; the dashboard turns the
same errors into a page (or, for a request that needs a session, a redirect to the login page)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tradewind.accounts.service import TooManyAttemptsError
from tradewind.db.session import busy_error
from tradewind.errors import BusyError, TradewindError

log = logging.getLogger(__name__)

HtmlRenderer = Callable[[Request, int, str, str], Response]


class ErrorOut(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": words}
    for status, words in (
        (401, "Not signed in (no or a bad session cookie or token)"),
        (403, "Not allowed: a viewer writing, or a form without its token"),
        (404, "Not found, or not one of your shops"),
        (422, "Invalid input"),
        (503, "The database is busy (another import or brief is running): try again after Retry-After seconds"),
    )
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = ERRORS | {409: {"model": ErrorOut, "description": "Conflict"}}

_HTTP_CODES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    503: "busy",
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def error_json(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "details": details or {}}, status_code=status)


def install_error_handlers(app: FastAPI, html: HtmlRenderer | None = None) -> None:
    def respond(request: Request, status: int, code: str, message: str, details: dict[str, Any]) -> Response:
        if html is not None and not wants_json(request):
            return html(request, status, code, message)
        response = error_json(status, code, message, details)
        return response

    @app.exception_handler(TradewindError)
    async def tradewind_error(request: Request, exc: TradewindError) -> Response:
        response = respond(request, exc.http_status, exc.code, exc.message, exc.details)
        if isinstance(exc, TooManyAttemptsError | BusyError):
            response.headers["Retry-After"] = str(exc.retry_after)
        if exc.http_status >= 500:
            log.error("server error %s: %s", exc.code, exc.message)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"where": ".".join(str(part) for part in error.get("loc", ())), "message": str(error.get("msg", ""))}
            for error in exc.errors()
        ]
        first = problems[0] if problems else {"where": "", "message": "invalid request"}
        message = f"{first['where']}: {first['message']}" if first["where"] else first["message"]
        return respond(request, 422, "invalid", message, {"errors": problems})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        response = respond(request, exc.status_code, code, message, {})
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return respond(request, 500, "internal", "something went wrong on the server; it has been logged", {})

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> Response:
        busy = busy_error(exc)
        if busy is None:
            return await unexpected(request, exc)
        log.warning("answered busy on %s %s: %s", request.method, request.url.path, exc.orig)
        return await tradewind_error(request, busy)
