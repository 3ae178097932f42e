"""Running a reading request on the event loop, and moving it to the thread pool only when it would wait.

A list or a page of a few indexed reads costs less than the hops to the thread pool and back that a plain `def`
endpoint takes (and threads contending for the interpreter lock add their own delays). Such endpoints are
declared with `on_the_loop`: they run on the event loop, and whatever may block for long — a figure computed for
the first time (lane statistics over a year of parcels take seconds), today's brief still being made — calls
`may_block()` first, which in that case stops the request there; it then runs again, whole, in the thread pool.
Only for reading (GET) endpoints: a request stopped half-way has changed nothing.

On PostgreSQL, `GreenRequests` runs each request within `db.green.run_green`, so that what runs on the loop does
not stop it while PostgreSQL answers: the loop serves other requests meanwhile."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from tradewind.db.green import in_green, run_green

P = ParamSpec("P")
T = TypeVar("T")
_ON_THE_LOOP: ContextVar[bool] = ContextVar("tradewind_on_the_loop", default=False)


class MustWait(Exception):  # noqa: N818 - a signal, not an error
    """The request is about to wait: it moves to the thread pool."""


def may_block() -> None:
    """Call before something that may take long: on the event loop, it hands the request to the thread pool."""
    if _ON_THE_LOOP.get():
        raise MustWait
    if in_green():
        # On the loop's thread, not declared `on_the_loop`: the long wait (and the thread locks around it) would
        # stop every request. A mistake in the endpoint's declaration, caught here rather than as a stalled server.
        raise RuntimeError("about to wait for long on the event loop: declare the endpoint with on_the_loop")


def on_the_loop(endpoint: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """The reading endpoint `endpoint` on the event loop, or in the thread pool when it must wait (see above)."""

    @functools.wraps(endpoint)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        token = _ON_THE_LOOP.set(True)
        try:
            return endpoint(*args, **kwargs)
        except MustWait:
            pass
        finally:
            _ON_THE_LOOP.reset(token)
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return run


class GreenRequests:
    """ASGI wrapper: each HTTP request runs within `run_green` (its waits for PostgreSQL go to the event loop).

    At most `slots` requests run at once: a request suspended in a wait holds its pooled connection, and one that
    found the pool empty would wait for a connection on the loop's own thread, stopping the loop (and with it the
    requests that would give theirs back). `slots` is the pool's size (1 when every request shares one connection);
    0 turns the wrapper off (SQLite: its waits are for the local disk).

    Nothing may wait on the loop while holding a thread lock (another request on the same thread would wait for
    it forever). SQLAlchemy holds one while it sets up its dialect on an engine's very first connection, so that
    connection is made before the first request, the ordinary blocking way (`engine`)."""

    def __init__(self, app: ASGIApp, slots: int, engine: Engine | None = None) -> None:
        self.app = app
        self._slots = asyncio.Semaphore(slots) if slots > 0 else None
        self._engine = engine
        self._first_connection_made = engine is None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._slots is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._first_connection_made:
            assert self._engine is not None
            with self._engine.connect():  # blocks, once (see above)
                self._first_connection_made = True
        async with self._slots:
            await run_green(self.app(scope, receive, send))
