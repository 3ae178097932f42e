"""Waiting for PostgreSQL without stopping the event loop, in code that is written synchronously.

The services are synchronous (a `Session`, plain function calls), and the server runs a reading request's few
indexed reads on the event loop: a hop to the thread pool and back costs more than the reads. But a blocking
driver stops the whole loop for every round trip to PostgreSQL (≈ 0.2–0.8 ms each, four to ten per page), time in
which the loop could have parsed, rendered and sent other requests while the database works on its own core.

`run_green(coroutine)` runs a coroutine (a request) inside a greenlet of its own. When synchronous code within it
waits for PostgreSQL, `GreenConnection.wait` hands the wait to the event loop as an awaitable (psycopg's own
asynchronous wait on the socket) and switches to the loop; the loop serves other requests and switches back when
the answer has come. The same connection class waits the ordinary blocking way everywhere else: in threads (the
thread pool, background refreshes), in the command line, outside `run_green`.

This is the technique SQLAlchemy's asyncio extension uses to run its synchronous core over asynchronous drivers
(`greenlet_spawn`/`await_only`); here it is applied to a whole request so that the services stay synchronous.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Coroutine, Generator
from typing import Any, TypeVar

import psycopg
from greenlet import getcurrent, greenlet
from psycopg import pq, waiting
from psycopg.abc import PQGen

log = logging.getLogger(__name__)
T = TypeVar("T")
RV = TypeVar("RV")


class _RequestGreenlet(greenlet):
    """The greenlet a coroutine runs in under `run_green`: code in it may `await_` by switching to its parent."""

    def to_loop(self, message: _Yielded | _Awaiting) -> Any:
        """Hand `message` to the bridge on the event loop; what comes back is the answer (or is raised here)."""
        parent = self.parent
        assert parent is not None  # made by the bridge, on the loop's greenlet
        return parent.switch(message)


class _Yielded:
    """The coroutine yielded to the event loop (a future it waits for, or None for one turn of the loop)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Returned:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Awaiting:
    """Synchronous code in the greenlet asked to await this."""

    __slots__ = ("awaitable",)

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self.awaitable = awaitable


def in_green() -> bool:
    """True when the running code may `await_` (it runs within `run_green`, on the event loop's thread)."""
    return isinstance(getcurrent(), _RequestGreenlet)


def await_(awaitable: Awaitable[T]) -> T:
    """From synchronous code running within `run_green`: wait for `awaitable` on the event loop and return its
    result (or raise its exception). Other requests run meanwhile."""
    current = getcurrent()
    if not isinstance(current, _RequestGreenlet):
        raise RuntimeError("await_() outside run_green()")
    return current.to_loop(_Awaiting(awaitable))  # type: ignore[no-any-return]


class _Bridge:
    """Awaitable that steps a coroutine inside a `_RequestGreenlet` and carries both kinds of suspension to the
    event loop: the coroutine's own (its `await`s, passed through unchanged) and the greenlet's (`await_`)."""

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self._coroutine = awaitable if isinstance(awaitable, Coroutine) else _awaiting(awaitable)
        self._child = _RequestGreenlet(self._step)

    def _step(self) -> _Returned:
        coroutine = self._coroutine
        sent: Any = None
        thrown: BaseException | None = None
        while True:
            try:
                yielded = coroutine.send(sent) if thrown is None else coroutine.throw(thrown)
            except StopIteration as stop:
                return _Returned(stop.value)
            sent, thrown = None, None
            try:
                sent = self._child.to_loop(_Yielded(yielded))
            except BaseException as exc:  # thrown in by the event loop (a cancellation): the coroutine gets it
                thrown = exc

    def __await__(self) -> Generator[Any, Any, Any]:
        child = self._child
        child.gr_context = getcurrent().gr_context  # the request's context variables, not an empty context
        message = child.switch()
        while not isinstance(message, _Returned):
            try:
                if isinstance(message, _Yielded):
                    result = yield message.value
                else:
                    result = yield from message.awaitable.__await__()
            except BaseException as exc:
                message = child.throw(exc)
            else:
                message = child.switch(result)
        return message.value


async def _awaiting(awaitable: Awaitable[T]) -> T:
    return await awaitable


async def run_green(awaitable: Awaitable[T]) -> T:
    """Await `awaitable` (a request) so that synchronous code within it waits for PostgreSQL without blocking the
    event loop."""
    result: T = await _Bridge(awaitable)
    return result


class GreenConnection(psycopg.Connection[Any]):
    """A psycopg connection whose waits go to the event loop when it is used within `run_green`."""

    def wait(self, gen: PQGen[RV], interval: float = 0.1, timeout: float | None = None) -> RV:
        if not in_green():
            return super().wait(gen, interval=interval, timeout=timeout)
        try:
            return await_(waiting.wait_async(gen, self.pgconn.socket, interval=interval, timeout=timeout))
        except BaseException:
            if self.pgconn.transaction_status == pq.TransactionStatus.ACTIVE:
                # Interrupted with a query in flight (the request was cancelled): the connection is in an unknown
                # state, so it is closed and the pool replaces it.
                log.warning("a request was interrupted while PostgreSQL was answering: closing its connection")
                self.pgconn.finish()
            raise
