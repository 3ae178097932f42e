"""The brief's speed by shop size: `tradewind brief --json` end to end and the dashboard's "Refresh the brief", with
each producer's share, on the demo shop at scale 1, 10 and 100 (≈10k, 100k and 1M order lines).

    python benchmarks/brief.py                      # scales 1, 10 and 100
    python benchmarks/brief.py --sizes 1            # CI smoke: the scale-1 demo
    python benchmarks/brief.py --sizes 1 10 --rebuild

Each demo shop (seed 7, --today 2025-02-20) is built once with `tradewind demo --scale N` and kept in
benchmarks/.cache (or --cache DIR), named by scale and schema revision; it is rebuilt only when missing or with
--rebuild (scale 100 takes a good while to build). Every measurement runs on a fresh copy of the kept database, so a
run never sees the actions a previous run stored.

Per size, in this order on the copy:
  - `tradewind brief --json` in a subprocess, end to end (interpreter start, imports, the brief made and stored, the
    JSON written): wall time and the child's peak RSS (wait4's rusage);
  - in a second process (its peak RSS measured the same way), the dashboard's refresh: the function the web's
    "Refresh the brief" route calls (`api.briefing.refresh_now`) in a transaction of its own, timed in-process
    (the day's brief exists by then, as when a seller refreshes it); then the brief once more with every producer
    timed (`refresh_brief` with each producer wrapped in a timer, rolled back), for each producer's share: a
    producer that wraps another with buyer drafts (`with_buyer_messages`) is split into the inner producer and
    its drafting. A producer that computes a figure shared through the brief's memo (lane statistics, order
    outlooks) pays for it in the share of the first one that asks, as in the brief itself.
The goals are issue 22's: under 1 s and 300 MB at scale 1, under 5 s and 1.5 GB at scale 100 (the refresh: under
1 s at scale 1).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TODAY = date(2025, 2, 20)
SEED = 7
# Issue 22's goals: scale → (seconds, MB) for `tradewind brief` end to end; the dashboard's refresh: seconds.
GOALS = {1: (1.0, 300.0), 100: (5.0, 1536.0)}
REFRESH_GOALS = {1: 1.0}


def tradewind_command() -> list[str]:
    """The installed `tradewind` script next to this interpreter, else the same entry point through it."""
    script = Path(sys.executable).with_name("tradewind")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from tradewind.cli.main import run; run()"]


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    stdout: str


def run_measured(command: list[str], *, timeout: float = 7200.0) -> Run:
    """Run a child to its end: wall time from spawn to reaped, and its own peak RSS (wait4, not RUSAGE_CHILDREN,
    which would be the largest of every child this process ever reaped). Its output goes to files (a pipe nobody
    reads while waiting could fill and stall it)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        while True:  # wait4 with WNOHANG, so that a stuck child is killed at the timeout
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                process.kill()
                process.wait()
                raise RuntimeError(f"{' '.join(command)} ran past {timeout:.0f} s")
            time.sleep(0.002)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, stdout)  # ru_maxrss is in kB on Linux


def kept_demo(cache: Path, scale: int, rebuild: bool) -> Path:
    """The demo shop at this scale, built once into the cache (named by its schema revision: a new migration builds
    it anew)."""
    from tradewind.db.migrate import head_revision

    path = cache / f"demo-scale{scale}-seed{SEED}-{TODAY}-{head_revision()}.db"
    if path.exists() and not rebuild:
        return path
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".building")
    for leftover in (partial, partial.with_name(partial.name + "-wal"), partial.with_name(partial.name + "-shm")):
        leftover.unlink(missing_ok=True)
    print(f"building the scale-{scale} demo shop into {path} …", flush=True)
    command = [*tradewind_command(), "demo", "--db", str(partial), "--scale", str(scale), "--seed", str(SEED)]
    built = run_measured([*command, "--today", TODAY.isoformat(), "--json"])
    print(f"built in {built.seconds:.0f} s: {json.loads(built.stdout)['counts']}", flush=True)
    partial.replace(path)
    return path


def fresh_copy(kept: Path, folder: Path) -> Path:
    copy = folder / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        target = copy.with_name(copy.name + suffix)
        target.unlink(missing_ok=True)
        source = kept.with_name(kept.name + suffix)
        if source.exists():
            shutil.copyfile(source, target)
    return copy


def measure_inside(database: Path) -> dict[str, Any]:
    """In this (child) process: the dashboard's refresh, then the brief with each producer timed (rolled back)."""
    from tradewind.action import ActionProducer, BriefContext
    from tradewind.api.app import build_state
    from tradewind.api.briefing import refresh_now
    from tradewind.brief.producers import default_producers
    from tradewind.brief.service import refresh_brief
    from tradewind.clock import FixedClock
    from tradewind.config import Settings, database_url_for_path
    from tradewind.db.session import transaction
    from tradewind.messaging.producers import WithBuyerMessages
    from tradewind.shops.service import get_shop

    state = build_state(Settings(database_url=database_url_for_path(database)), clock=FixedClock.on(TODAY))
    started = time.perf_counter()
    with transaction(state.sessions) as session:
        brief = refresh_now(session, state, get_shop(session, code=None))
        actions = len(brief.actions)
    refresh_seconds = time.perf_counter() - started

    spent: dict[str, float] = {}

    class Timed:
        """A producer whose `actions` is timed into `spent`; everything else is the producer's own."""

        def __init__(self, inner: ActionProducer, name: str) -> None:
            self.inner, self.name, self.kinds = inner, name, tuple(inner.kinds)

        def actions(self, session: Any, *, shop: Any, context: BriefContext) -> list[Any]:
            began = time.perf_counter()
            try:
                return self.inner.actions(session, shop=shop, context=context)
            finally:
                spent[self.name] = spent.get(self.name, 0.0) + time.perf_counter() - began

        def apply(self, *args: Any, **kwargs: Any) -> list[str]:
            return self.inner.apply(*args, **kwargs)

    timed: list[Any] = []
    wrapped: list[tuple[str, str]] = []  # (the whole wrapper's name, its inner producer's name)
    for producer in default_producers():
        if isinstance(producer, WithBuyerMessages):
            inner_name = type(producer.inner).__name__
            producer.inner = Timed(producer.inner, inner_name)
            outer_name = f"{inner_name} + buyer drafts"
            wrapped.append((outer_name, inner_name))
            timed.append(Timed(producer, outer_name))
        else:
            timed.append(Timed(producer, type(producer).__name__))
    connection = state.engine.connect()
    outer = connection.begin()
    from sqlalchemy.orm import Session

    session = Session(bind=connection, expire_on_commit=False)
    try:
        shop = get_shop(session, code=None)
        context = BriefContext(today=TODAY, now=state.clock.now(), settings=state.settings)
        started = time.perf_counter()
        refresh_brief(session, shop=shop, context=context, producers=timed)
        total = time.perf_counter() - started
    finally:
        session.close()
        outer.rollback()
        connection.close()
    inner_of = dict(wrapped)
    shares: list[tuple[str, float]] = []
    for name, seconds in spent.items():
        if name in inner_of.values():
            continue  # counted with its wrapper, below
        inner = inner_of.get(name)
        if inner is None:
            shares.append((name, seconds))
        else:
            shares += [(inner, spent[inner]), (f"{inner}: buyer drafts", seconds - spent[inner])]
    shares.append(("storing, one voice per buyer, ranking", total - sum(seconds for _, seconds in shares)))
    state.engine.dispose()
    return {"refresh_seconds": refresh_seconds, "actions": actions, "timed_total": total, "shares": shares}


def verdict(value: float, goal: float | None, unit: str) -> str:
    if goal is None:
        return ""
    return f" ({value / goal:.2f}× the {goal:g} {unit} goal{': met' if value <= goal else ''})"


def measure(scale: int, kept: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="tradewind-bench-brief-") as folder:
        copy = fresh_copy(kept, Path(folder))
        command = [*tradewind_command(), "brief", "--db", str(copy), "--today", TODAY.isoformat(), "--json"]
        cli = run_measured(command)
        actions = len(json.loads(cli.stdout)["actions"])
        inside = run_measured([sys.executable, __file__, "--inside", str(copy)])
        figures = json.loads(inside.stdout.strip().splitlines()[-1])
    seconds_goal, mb_goal = GOALS.get(scale, (None, None))
    print(f"scale {scale}:")
    print(
        f"  tradewind brief --json, end to end: {cli.seconds:.2f} s{verdict(cli.seconds, seconds_goal, 's')}, "
        f"peak RSS {cli.peak_mb:,.0f} MB{verdict(cli.peak_mb, mb_goal, 'MB')}; {actions} actions"
    )
    refresh = figures["refresh_seconds"]
    print(
        f"  dashboard refresh (refresh_now, in-process): {refresh:.2f} s"
        f"{verdict(refresh, REFRESH_GOALS.get(scale), 's')}; its process's peak RSS {inside.peak_mb:,.0f} MB"
    )
    total = figures["timed_total"]
    print(f"  producers' shares of a brief of {total:.2f} s (refresh_brief, each producer timed):")
    for name, seconds in sorted(figures["shares"], key=lambda item: -item[1]):
        print(f"    {name:<44} {seconds:7.2f} s {100 * seconds / total:5.1f} %")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100], help="Demo scales (default 1 10 100)")
    parser.add_argument("--cache", type=Path, default=HERE / ".cache", help="Where the demo databases are kept")
    parser.add_argument("--rebuild", action="store_true", help="Build the demo databases afresh")
    parser.add_argument("--inside", type=Path, help=argparse.SUPPRESS)  # the in-process half, run as a child
    args = parser.parse_args()
    if args.inside:
        print(json.dumps(measure_inside(args.inside)))
        return
    for scale in args.sizes:
        measure(scale, kept_demo(args.cache, scale, args.rebuild))


if __name__ == "__main__":
    main()
