"""The per-process figure cache (served stale while one refresh runs, refreshed no more often than its cost
allows) and reading endpoints on the event loop (moved to the thread pool when they would wait)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from tradewind.api.inline import on_the_loop
from tradewind.api.state import FigureCache


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
    figures.forget_shop(1)
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
