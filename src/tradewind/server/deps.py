"""Request plumbing as `Annotated` dependencies: one transaction per request (committed when the handler
succeeds, rolled back when it raises), who is asking (a session cookie or a bearer token), the shop they asked
for (only their own), and whether they may change it. Cookie-authenticated writes must carry the form token."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tradewind.accounts.models import Role, User, WebSession
from tradewind.accounts.service import (
    AuthenticationError,
    PermissionDeniedError,
    matches_masked,
    require_owner,
    require_write,
    shop_for,
    touch_session,
    touch_token,
    user_for_session,
    user_for_token,
)
from tradewind.db.session import transaction, without_waiting
from tradewind.errors import BusyError, ValidationError
from tradewind.server.state import AppState
from tradewind.shops.models import Shop
from tradewind.wording import SOURCE_LOCALE, accepted_languages, negotiated_locale

log = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


async def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.tradewind
    return state


State = Annotated[AppState, Depends(app_state)]


async def db_session(request: Request, state: State) -> AsyncIterator[Session]:
    """One transaction per request: committed when the handler succeeds, rolled back when it raises.

    A reading request's transaction is opened and closed on the event loop: a new session does no I/O, the
    request's first reads (who is asking, which shop) run there anyway, and ending a read-only transaction is
    next to free, while each hop to the thread pool and back costs more than the rest of a small request. A
    changing request ends its transaction in the pool: a commit may wait for the disk or for another writer.

    The transaction ends before the response is sent (`scope="function"`; FastAPI's default for a dependency with
    `yield` runs its end after the response): a client that follows the 303 of a sign-in or an apply at once must
    find the change committed, and a commit that fails must answer with the error, not with a success already
    sent."""
    if request.method in SAFE_METHODS:
        with transaction(state.sessions) as session:
            yield session
        return
    session = state.sessions()
    try:
        yield session
        await run_in_threadpool(session.commit)
    except BaseException:
        await run_in_threadpool(session.rollback)
        raise
    finally:
        await run_in_threadpool(session.close)


DbSession = Annotated[Session, Depends(db_session, scope="function")]


@dataclass(frozen=True)
class Principal:
    """The signed-in user, and how they proved it (`web_session` is None for an API token)."""

    user: User
    web_session: WebSession | None

    @property
    def actor(self) -> str:
        return self.user.email


class CsrfError(PermissionDeniedError):
    code = "csrf"


async def _submitted_csrf(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


TOUCH_EVERY = timedelta(minutes=5)


def identify(request: Request, session: Session, state: AppState) -> Principal | None:
    """The user behind the request's bearer token or session cookie, or None."""
    now = state.security_clock.now()
    authorization = request.headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        by_token = user_for_token(session, secret=authorization[7:].strip(), now=now)
        if by_token is None:
            return None
        user, token = by_token
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            state.touches.add(("token", token.id))
        return Principal(user, None)
    cookie = request.cookies.get(state.server.session_cookie)
    if cookie:
        found = user_for_session(session, token=cookie, now=now, rules=state.rules)
        if found is not None:
            if now - found[1].last_seen_at > TOUCH_EVERY:
                state.touches.add(("session", found[1].id))
            return Principal(found[0], found[1])
    return None


def record_touches(state: AppState) -> None:
    """Note when tokens and sessions were last used, in a short transaction of its own, off the request's."""
    pending = list(state.touches)
    state.touches.difference_update(pending)
    now = state.security_clock.now()
    try:
        with transaction(state.sessions) as session, without_waiting(session):
            for kind, number in pending:
                if kind == "token":
                    touch_token(session, token_id=number, now=now)
                else:
                    touch_session(session, session_id=number, now=now)
    except (BusyError, OperationalError):
        # Another writer holds the lock: noting a last use never waits for it (a read must not); a later request
        # notes it.
        state.touches.update(pending)
        log.info("did not wait to note the last use of %d tokens or sessions (database busy)", len(pending))


async def current_principal(request: Request, session: DbSession, state: State) -> Principal:
    # Two indexed reads: done here on the event loop, cheaper than a hop to the thread pool and back.
    principal = identify(request, session, state)
    if principal is None:
        raise AuthenticationError("sign in first: a session cookie or an API token (Authorization: Bearer …)")
    if principal.web_session is not None and request.method not in SAFE_METHODS:
        given = await _submitted_csrf(request)
        if not given or not matches_masked(given, principal.web_session.csrf_token):
            raise CsrfError("the form token is missing or stale: reload the page and try again")
    if state.touches:
        await run_in_threadpool(record_touches, state)
    request.state.locale = principal.user.locale  # plain data: error pages render after a rollback
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


@dataclass(frozen=True)
class ShopAccess:
    shop: Shop
    role: Role
    principal: Principal

    @property
    def actor(self) -> str:
        return self.principal.actor

    @property
    def can_write(self) -> bool:
        return self.role in (Role.OWNER, Role.STAFF)


async def shop_access(
    shop: Annotated[str, Path(description="The shop's code", max_length=64)],
    principal: CurrentUser,
    session: DbSession,
) -> ShopAccess:
    found, role = shop_for(session, user_id=principal.user.id, shop_code=shop)
    return ShopAccess(found, role, principal)


ReadShop = Annotated[ShopAccess, Depends(shop_access)]


async def writable_shop(access: ReadShop) -> ShopAccess:
    require_write(access.role)
    return access


WriteShop = Annotated[ShopAccess, Depends(writable_shop)]


async def owned_shop(access: ReadShop) -> ShopAccess:
    require_owner(access.role)
    return access


OwnerShop = Annotated[ShopAccess, Depends(owned_shop)]


async def no_nul_characters(request: Request) -> None:
    """Text with a NUL character can be stored by no database (PostgreSQL refuses it): the request is invalid."""
    if "\x00" in request.url.path or "%00" in request.url.query or "\x00" in request.url.query:
        raise ValidationError("the request contains a NUL character")
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        if any(isinstance(value, str) and "\x00" in value for value in form.values()):
            raise ValidationError("the form contains a NUL character")


# A language tag (BCP 47 as browsers write it, or with underscores as gettext does); empty is no language asked.
LOCALE_TAG = r"^([A-Za-z]{1,8}([-_][A-Za-z0-9]{1,8})*)?$"


async def caller_locale(
    locale: Annotated[
        str | None,
        Query(
            max_length=35,
            pattern=LOCALE_TAG,
            description="The language of the actions' `title` and `why`: en, zh or ru (a tag such as ru-RU is "
            "read as ru); any other falls back to English. Takes precedence over Accept-Language.",
        ),
    ] = None,
    accept_language: Annotated[
        str | None,
        Header(
            description="Without `?locale=`, the first language of the header (by quality) among en, zh and ru; "
            "English when it names none of them, or when it is absent."
        ),
    ] = None,
) -> str:
    """The language a caller reads the brief's titles and reasons in: `?locale=`, else the Accept-Language header,
    negotiated over the brief's languages (English when neither names one of them)."""
    if locale:
        return negotiated_locale([locale]) or SOURCE_LOCALE
    return negotiated_locale(accepted_languages(accept_language or "")) or SOURCE_LOCALE


CallerLocale = Annotated[str, Depends(caller_locale)]
