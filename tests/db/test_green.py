"""Synchronous code waiting on the event loop (`db.green`): the bridge on its own, then PostgreSQL connections
that let the loop serve other requests while they wait, and block as before everywhere else."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest
from sqlalchemy import Engine, text

from tradewind.db.green import GreenConnection, await_, in_green, run_green

REQUEST = contextvars.ContextVar("request", default="none")


def test_synchronous_code_awaits_and_the_coroutine_keeps_its_own_awaits() -> None:
    def sync_part(x: int) -> int:
        assert in_green()
        return await_(asyncio.sleep(0.01, result=x * 2))

    async def request() -> int:
        await asyncio.sleep(0)
        doubled = sync_part(21)
        await asyncio.sleep(0)
        return doubled + sync_part(0)

    assert asyncio.run(run_green(request())) == 42
    assert not in_green()


def test_exceptions_cross_the_bridge_both_ways() -> None:
    async def fails() -> None:
        raise ValueError("no")

    def sync_part() -> str:
        try:
            await_(fails())
        except ValueError as exc:
            return f"caught {exc}"
        return "not raised"

    async def request() -> str:
        return sync_part()

    assert asyncio.run(run_green(request())) == "caught no"

    async def raises() -> None:
        await asyncio.sleep(0)
        raise KeyError("out")

    with pytest.raises(KeyError, match="out"):
        asyncio.run(run_green(raises()))


def test_await_outside_the_bridge_is_an_error() -> None:
    waiting = asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="outside run_green"):
        await_(waiting)
    waiting.close()


def test_waiting_requests_let_the_others_run_and_keep_their_context() -> None:
    order: list[str] = []

    def sync_wait(name: str, seconds: float) -> str:
        order.append(f"{name} waits")
        await_(asyncio.sleep(seconds))
        order.append(f"{name} done")
        return REQUEST.get()

    async def request(name: str, seconds: float) -> str:
        REQUEST.set(name)
        return sync_wait(name, seconds)

    async def both() -> list[str]:
        return list(await asyncio.gather(run_green(request("a", 0.05)), run_green(request("b", 0.01))))

    assert asyncio.run(both()) == ["a", "b"]  # each request sees its own context variables
    assert order == ["a waits", "b waits", "b done", "a done"]  # b ran while a waited


def test_a_cancelled_request_is_cancelled_where_it_waits() -> None:
    reached: list[str] = []

    def sync_wait() -> None:
        try:
            await_(asyncio.sleep(10))
        except asyncio.CancelledError:
            reached.append("cancelled in the wait")
            raise

    async def request() -> None:
        sync_wait()

    async def cancel_it() -> None:
        task = asyncio.ensure_future(run_green(request()))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_it())
    assert reached == ["cancelled in the wait"]


@pytest.mark.postgres
def test_postgresql_waits_go_to_the_loop_within_the_bridge(postgres_engine: Engine) -> None:
    """Two requests each waiting 0.3 s for PostgreSQL take 0.3 s together, not 0.6: the loop was not stopped."""

    def query(seconds: float) -> int:
        with postgres_engine.connect() as connection:
            assert isinstance(connection.connection.dbapi_connection, GreenConnection)
            return int(connection.execute(text("SELECT 1 FROM pg_sleep(:s)"), {"s": seconds}).scalar_one())

    async def request() -> int:
        return query(0.3)

    async def both() -> list[int]:
        return list(await asyncio.gather(run_green(request()), run_green(request())))

    started = time.monotonic()
    assert asyncio.run(both()) == [1, 1]
    assert time.monotonic() - started < 0.55

    # Outside the bridge (the command line, a thread) the same connections wait the ordinary way.
    started = time.monotonic()
    assert query(0.1) == 1
    results: list[int] = []
    worker = threading.Thread(target=lambda: results.append(query(0.1)))
    worker.start()
    worker.join()
    assert results == [1]
    assert time.monotonic() - started >= 0.2


@pytest.mark.postgres
def test_a_postgresql_error_inside_the_bridge_leaves_the_connection_usable(postgres_engine: Engine) -> None:
    async def request() -> int:
        with postgres_engine.connect() as connection:
            with pytest.raises(Exception, match="division by zero"):
                connection.execute(text("SELECT 1 / 0"))
            connection.rollback()
            return int(connection.execute(text("SELECT 2")).scalar_one())

    assert asyncio.run(run_green(request())) == 2


@pytest.mark.postgres
def test_a_request_cancelled_while_postgresql_works_gives_up_its_connection(postgres_engine: Engine) -> None:
    """The connection is left mid-query: it is closed (not returned to the pool as if it were idle)."""

    async def request() -> None:
        with postgres_engine.connect() as connection:
            connection.execute(text("SELECT pg_sleep(5)"))

    async def cancel_it() -> float:
        task = asyncio.ensure_future(run_green(request()))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    assert asyncio.run(cancel_it()) < 2.0  # not after the five seconds
    with postgres_engine.connect() as connection:  # the pool gives a working connection
        assert connection.execute(text("SELECT 3")).scalar_one() == 3
