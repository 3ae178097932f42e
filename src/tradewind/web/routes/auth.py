"""Signing in and out, the start page, switching shop and the interface language."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from tradewind.accounts.service import (
    TooManyAttemptsError,
    authenticate,
    end_session,
    masked,
    matches_masked,
    set_locale,
    shop_for,
    shops_of,
    start_session,
)
from tradewind.server.deps import CurrentUser, DbSession, State, identify
from tradewind.web.deps import PagesDep
from tradewind.web.rendering import LANGUAGES, pick_language

router = APIRouter()
LOGIN_COOKIE = "tradewind_login"  # the login form's own token (double submit): no session exists yet


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/")
def start(request: Request, session: DbSession, state: State) -> Response:
    principal = identify(request, session, state)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    shops = shops_of(session, user_id=principal.user.id)
    if not shops:
        return RedirectResponse("/login?error=no_shop", status_code=303)
    return RedirectResponse(f"/shops/{shops[0][0].code}/today", status_code=303)


def _login_page(
    request: Request,
    pages: PagesDep,
    state: State,
    *,
    next_path: str,
    language: str,
    error: str | None = None,
    email: str | None = None,
    status: int = 200,
) -> Response:
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = pages.render(
        request,
        "login.html",
        {"login_csrf": masked(token), "next": next_path, "error": error, "email": email},
        language=language,
        status=status,
    )
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=state.server.cookie_secure, max_age=3600
    )
    return response


@router.get("/login")
def login_form(
    request: Request,
    session: DbSession,
    state: State,
    pages: PagesDep,
    next_path: Annotated[str | None, Query(alias="next", max_length=500)] = None,
    lang: Annotated[str | None, Query(max_length=5)] = None,
    error: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    if identify(request, session, state) is not None and error is None:
        return RedirectResponse(safe_next(next_path), status_code=303)
    language = pick_language(request, lang, state.server.default_locale)
    message = None
    if error == "no_shop":
        message = pages.translate(language, "Your account has no shop yet: ask the shop's owner to add you.")
    response = _login_page(request, pages, state, next_path=safe_next(next_path), language=language, error=message)
    if lang in LANGUAGES:
        response.set_cookie("tradewind_lang", lang, samesite="lax", max_age=3600 * 24 * 365)
    return response


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    state: State,
    pages: PagesDep,
    email: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=500)] = "/",
) -> Response:
    language = pick_language(request, request.cookies.get("tradewind_lang"), state.server.default_locale)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not matches_masked(csrf_token, expected):
        message = pages.translate(language, "The sign-in form expired: please try again.")
        return _login_page(
            request,
            pages,
            state,
            next_path=safe_next(next_path),
            language=language,
            error=message,
            email=email,
            status=403,
        )
    client = request.client.host if request.client else "unknown"
    now = state.security_clock.now()  # the real time, whatever `--today` says
    try:
        user = authenticate(session, email=email, password=password, client=client, now=now, rules=state.rules)
    except TooManyAttemptsError as exc:
        message = pages.translate(language, "Too many failed sign-ins: try again in %(minutes)s minutes.") % {
            "minutes": exc.retry_after // 60 + 1
        }
        response = _login_page(
            request,
            pages,
            state,
            next_path=safe_next(next_path),
            language=language,
            error=message,
            email=email,
            status=429,
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if user is None:
        message = pages.translate(language, "Wrong e-mail or password.")
        return _login_page(
            request,
            pages,
            state,
            next_path=safe_next(next_path),
            language=language,
            error=message,
            email=email,
            status=401,
        )
    token, _ = start_session(session, user=user, now=now, rules=state.rules)
    response = RedirectResponse(safe_next(next_path), status_code=303)
    response.set_cookie(
        state.server.session_cookie,
        token,
        httponly=True,
        samesite="lax",
        secure=state.server.cookie_secure,
        max_age=state.rules.session_hours * 3600,
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, principal: CurrentUser, session: DbSession, state: State) -> Response:
    cookie = request.cookies.get(state.server.session_cookie)
    if cookie:
        end_session(session, token=cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(state.server.session_cookie, path="/")
    return response


@router.get("/switch")
def switch_shop(principal: CurrentUser, session: DbSession, shop: Annotated[str, Query(max_length=64)]) -> Response:
    found, _ = shop_for(session, user_id=principal.user.id, shop_code=shop)
    return RedirectResponse(f"/shops/{found.code}/today", status_code=303)


@router.post("/settings/language")
def choose_language(
    principal: CurrentUser,
    session: DbSession,
    locale: Annotated[str, Form(max_length=5)],
    next_path: Annotated[str, Form(alias="next", max_length=500)] = "/",
) -> Response:
    set_locale(session, user=principal.user, locale=locale)
    return RedirectResponse(safe_next(next_path), status_code=303)
