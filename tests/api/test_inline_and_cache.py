"""The per-process figure cache (served stale while one refresh runs, refreshed no more often than its cost
allows), reading endpoints on the event loop (moved to the thread pool when they would wait), and requests that
wait for PostgreSQL on the loop (as many at once as the pool has connections)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Receive, Scope, Send

from tradewind.app import create_app
from tradewind.config import Settings
from tradewind.db.green import await_, in_green, run_green
from tradewind.server.app import POOL_SIZE, build_state
from tradewind.server.inline import GreenRequests, may_block, on_the_loop
from tradewind.server.state import FigureCache


def cache() -> FigureCache:
    return FigureCache(sessionmaker(create_engine("sqlite://")))


def test_a_stale_figure_is_served_while_it_is_refreshed_and_costly_ones_wait_longer() -> None:
    figures = cache()
    calls: list[int] = []

    def slow(_: Session) -> int:
        calls.append(1)
        time.sleep(0.05)
        return len(calls)

    assert figures.get((1, "slow"), slow, ttl_seconds=0.0) == 1
    # Stale at once (ttl 0), but it took 50 ms: no refresh before 30 × 50 ms.
    assert figures.get((1, "slow"), slow, ttl_seconds=0.0) == 1
    assert calls == [1]
    figures.COST_FACTOR = 0.0
    assert figures.get((1, "slow"), slow, ttl_seconds=0.0) == 1  # served stale; the refresh runs behind
    deadline = time.monotonic() + 5
    while figures.get((1, "slow"), slow, ttl_seconds=1000.0) != 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert figures.get((1, "slow"), slow, ttl_seconds=1000.0) == 2
    figures.forget_shops([1])
    assert figures.get((1, "slow"), slow, ttl_seconds=1000.0) == 3


def test_an_endpoint_runs_on_the_loop_and_moves_to_the_pool_when_a_figure_is_missing() -> None:
    figures = cache()
    seen: list[tuple[str, Any]] = []

    @on_the_loop
    def endpoint(key: str) -> int:
        seen.append((key, threading.current_thread().name))
        value: int = figures.get((1, key), lambda _: 42)
        return value

    async def main() -> tuple[int, int, str]:
        loop_thread = threading.current_thread().name
        first = await endpoint("answer")  # missing: computed in the pool
        second = await endpoint("answer")  # cached: on the loop
        return first, second, loop_thread

    first, second, loop_thread = asyncio.run(main())
    assert first == second == 42
    threads = [name for _, name in seen]
    # The first try stops on the loop, runs again in the pool; the second runs on the loop only.
    assert threads[0] == loop_thread and threads[1] != loop_thread and threads[2] == loop_thread
    assert len(seen) == 3


def test_requests_wait_on_the_loop_no_more_at_once_than_there_are_slots() -> None:
    running: list[int] = []
    peak = 0

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal peak
        running.append(1)
        peak = max(peak, len(running))
        await_(asyncio.sleep(0.01))  # what a PostgreSQL connection does within a request
        running.pop()

    async def five(app: GreenRequests) -> None:
        async def receive() -> Any:
            return {}

        async def send(_: Any) -> None:
            return None

        await asyncio.gather(*(app({"type": "http"}, receive, send) for _ in range(5)))

    asyncio.run(five(GreenRequests(endpoint, slots=2)))
    assert peak == 2

    async def plain(scope: Scope, receive: Receive, send: Send) -> None:
        assert not in_green()

    asyncio.run(five(GreenRequests(plain, slots=0)))  # SQLite: requests run as they are


def test_only_postgresql_requests_wait_on_the_loop(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    own = build_state(Settings(database_url=url))
    try:
        if engine.dialect.name == "postgresql":
            assert own.green_slots == POOL_SIZE
            # Sessions that share one connection (the tests' harness): one request at a time.
            shared = build_state(Settings(database_url=url), engine=engine, sessions=sessionmaker(engine))
            assert shared.green_slots == 1
        else:
            assert own.green_slots == 0
    finally:
        own.engine.dispose()


@pytest.mark.postgres
def test_the_server_waits_for_postgresql_on_the_loop(postgres_engine: Engine) -> None:
    """Through the whole app: while one request waits for PostgreSQL, another is answered."""
    url = postgres_engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url))
    state = app.state.tradewind
    finished: list[str] = []

    async def wait_in_postgresql() -> None:
        # A request whose handler waits 0.3 s for PostgreSQL, as a slow query would.
        with state.engine.connect() as connection:
            connection.execute(text("SELECT pg_sleep(0.3)"))
        finished.append("slow")

    @app.get("/slow-for-test")
    async def slow() -> dict[str, str]:
        await wait_in_postgresql()
        return {}

    async def both() -> None:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
            slow_request = asyncio.ensure_future(client.get("/slow-for-test"))
            await asyncio.sleep(0.05)
            assert (await client.get("/api/v1/health")).status_code == 200
            finished.append("health")
            assert (await slow_request).status_code == 200

    try:
        asyncio.run(both())
    finally:
        state.engine.dispose()
    assert finished == ["health", "slow"]


def test_a_long_wait_on_the_loop_outside_on_the_loop_is_refused() -> None:
    """Within a request that waits for PostgreSQL on the loop, code that may wait for long (a first computation, a
    brief being made) must be in an `on_the_loop` endpoint, which moves it to the thread pool."""

    async def undeclared() -> None:
        may_block()

    with pytest.raises(RuntimeError, match="declare the endpoint with on_the_loop"):
        asyncio.run(run_green(undeclared()))

    @on_the_loop
    def declared() -> bool:
        may_block()
        return in_green()

    assert asyncio.run(run_green(declared())) is False  # it ran again, whole, in the thread pool
