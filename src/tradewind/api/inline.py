"""Running a reading request on the event loop, and moving it to the thread pool only when it would wait.

A list or a page of a few indexed reads costs less than the hops to the thread pool and back that a plain `def`
endpoint takes (and threads contending for the interpreter lock add their own delays). Such endpoints are
declared with `on_the_loop`: they run on the event loop, and whatever may block for long — a figure computed for
the first time (lane statistics over a year of parcels take seconds), today's brief still being made — calls
`may_block()` first, which in that case stops the request there; it then runs again, whole, in the thread pool.
Only for reading (GET) endpoints: a request stopped half-way has changed nothing."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

P = ParamSpec("P")
T = TypeVar("T")
_ON_THE_LOOP: ContextVar[bool] = ContextVar("tradewind_on_the_loop", default=False)


class MustWait(Exception):  # noqa: N818 - a signal, not an error
    """The request is about to wait: it moves to the thread pool."""


def may_block() -> None:
    """Call before something that may take long: on the event loop, it hands the request to the thread pool."""
    if _ON_THE_LOOP.get():
        raise MustWait


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
