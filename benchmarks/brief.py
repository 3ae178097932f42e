"""The brief's speed by shop size: `tradewind brief --json`, the dashboard's refresh, each producer's share.

On the demo shop at scale 1, 10 and 100 (≈10k, 100k and 1M order lines):

    python benchmarks/brief.py                      # scales 1, 10 and 100
    python benchmarks/brief.py --sizes 1            # CI smoke: the scale-1 demo (--small says the same)
    python benchmarks/brief.py --sizes 1 10 --rebuild

Each demo shop (seed 7, --today 2025-02-20: the scale-1 one is the shop of tests/demo/golden/demo_brief.json) is built
once with `tradewind demo --scale N` and kept in benchmarks/.cache (or --cache DIR), named by scale and schema
revision; it is rebuilt only when missing or with --rebuild (scale 100 takes a good while to build). The measurements
run on fresh copies of the kept database, so that a run never sees the actions a previous run stored.

Per size, each in a process of its own whose peak RSS is measured (wait4's rusage of that child):
  - `tradewind brief --json` on a copy, end to end (interpreter start, imports, the day's first brief made and
    stored, the JSON written): wall time;
  - the dashboard's refresh on that copy (the day's brief exists by then, as when a seller presses "Refresh the
    brief"): the function the web route calls (`server.briefing.refresh_now`) in a transaction of its own, timed
    in-process;
  - the day's first brief on a second copy (`refresh_brief` with the default producers, as the CLI runs it), each
    producer timed, for its share: a producer wrapped with buyer drafts (`with_buyer_messages`) is split into the
    inner producer and its drafting; the rest is storing the actions, one voice per buyer and the ranking. A figure
    the producers share through the brief's memo (lane statistics, order outlooks) is paid for by the first one
    that asks, as in the brief itself.
The in-process measurements set the cyclic collector's thresholds as the process they stand for does (the CLI's
`run()`, a `tradewind serve` worker): with Python's defaults the producers' shares at scale 100 came out a third
above the CLI's own time.
Wall and CPU (user + system) time are both printed: on a machine busy with other work the wall time runs long and
the CPU time is the steadier figure; the goals are for the wall time on an idle machine.
The goals are issue 22's: under 1 s and 300 MB at scale 1, under 5 s and 1.5 GB at scale 100 (the refresh: under
1 s at scale 1).
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# Run as `python benchmarks/brief.py`: the checkout's root on the path, for the shared helpers of benchmarks/.
sys.path.insert(0, str(HERE.parent))

from benchmarks._processes import run_measured, tradewind_command  # noqa: E402

TODAY = date(2025, 2, 20)
SEED = 7
# Issue 22's goals: scale → (seconds, MB) for `tradewind brief` end to end; the dashboard's refresh: seconds.
GOALS = {1: (1.0, 300.0), 100: (5.0, 1536.0)}
REFRESH_GOALS = {1: 1.0}


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
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        target = copy.with_name(copy.name + suffix)
        target.unlink(missing_ok=True)
        source = kept.with_name(kept.name + suffix)
        if source.exists():
            shutil.copyfile(source, target)
    return copy


def dashboard_refresh(database: Path) -> dict[str, Any]:
    """In this (child) process: the dashboard's "Refresh the brief", as the route calls it, in its own transaction."""
    from tradewind.clock import FixedClock
    from tradewind.config import Settings, database_url_for_path
    from tradewind.db.session import transaction
    from tradewind.server.app import build_state, tune_garbage_collector
    from tradewind.server.briefing import refresh_now
    from tradewind.shops.service import get_shop

    tune_garbage_collector()  # as a `tradewind serve` worker does at start
    state = build_state(Settings(database_url=database_url_for_path(database)), clock=FixedClock.on(TODAY))
    started, cpu = time.perf_counter(), time.process_time()
    with transaction(state.sessions) as session:
        actions = len(refresh_now(session, state, get_shop(session, code=None)).actions)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    state.engine.dispose()
    return {"seconds": seconds, "cpu_seconds": cpu, "actions": actions}


def producer_shares(database: Path) -> dict[str, Any]:
    """In this (child) process: the day's first brief (`refresh_brief` with the default producers, as the CLI runs
    it), each producer's `actions` timed; a producer wrapped with buyer drafts is timed inside and out."""
    from sqlalchemy.orm import Session

    from tradewind.action import ActionProducer, BriefContext
    from tradewind.brief.producers import default_producers
    from tradewind.brief.service import refresh_brief
    from tradewind.cli.main import COLLECT_EVERY
    from tradewind.clock import FixedClock
    from tradewind.config import Settings, database_url_for_path
    from tradewind.db.session import make_engine, make_sessionmaker, transaction
    from tradewind.messaging.producers import WithBuyerMessages
    from tradewind.shops.service import get_shop

    gc.set_threshold(*COLLECT_EVERY)  # as `tradewind brief` does (cli.main.run)

    spent: dict[str, float] = {}
    spent_cpu: dict[str, float] = {}

    class Timed:
        """A producer whose `actions` is timed into `spent`; everything else is the producer's own."""

        def __init__(self, inner: ActionProducer, name: str) -> None:
            self.inner, self.name, self.kinds = inner, name, tuple(inner.kinds)

        def actions(self, session: Session, *, shop: Any, context: BriefContext) -> list[Any]:
            began, cpu = time.perf_counter(), time.process_time()
            try:
                return self.inner.actions(session, shop=shop, context=context)
            finally:
                spent[self.name] = spent.get(self.name, 0.0) + time.perf_counter() - began
                spent_cpu[self.name] = spent_cpu.get(self.name, 0.0) + time.process_time() - cpu

        def apply(self, *args: Any, **kwargs: Any) -> list[str]:
            return self.inner.apply(*args, **kwargs)

    timed: list[Any] = []
    inner_of: dict[str, str] = {}  # a wrapper's name → its inner producer's
    for producer in default_producers():
        name = type(producer).__name__
        if isinstance(producer, WithBuyerMessages):
            name = type(producer.inner).__name__
            producer.inner = Timed(producer.inner, name)
            inner_of[f"{name} + buyer drafts"] = name
            name = f"{name} + buyer drafts"
        timed.append(Timed(producer, name))
    settings = Settings(database_url=database_url_for_path(database))
    engine = make_engine(settings.database_url)
    clock = FixedClock.on(TODAY)
    with transaction(make_sessionmaker(engine)) as session:
        shop = get_shop(session, code=None)
        context = BriefContext(today=TODAY, now=clock.now(), settings=settings)
        started, cpu = time.perf_counter(), time.process_time()
        brief = refresh_brief(session, shop=shop, context=context, producers=timed)
        total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    shares: list[tuple[str, float, float]] = []  # (name, wall seconds, CPU seconds)
    for name, seconds in spent.items():
        if name in inner_of.values():
            continue  # counted with its wrapper, below
        inner = inner_of.get(name)
        if inner is None:
            shares.append((name, seconds, spent_cpu[name]))
        else:
            shares.append((inner, spent[inner], spent_cpu[inner]))
            shares.append((f"{inner}: buyer drafts", seconds - spent[inner], spent_cpu[name] - spent_cpu[inner]))
    rest_wall, rest_cpu = total - sum(share[1] for share in shares), total_cpu - sum(share[2] for share in shares)
    shares.append(("storing, one voice per buyer, ranking", rest_wall, rest_cpu))
    return {"seconds": total, "cpu_seconds": total_cpu, "actions": len(brief.actions), "shares": shares}


def verdict(value: float, goal: float | None, unit: str) -> str:
    if goal is None:
        return ""
    return f" ({value / goal:.2f}× the {goal:g} {unit} goal{': met' if value <= goal else ''})"


def measure(scale: int, kept: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="tradewind-bench-brief-") as folder:
        first, second = fresh_copy(kept, Path(folder) / "cli"), fresh_copy(kept, Path(folder) / "shares")
        command = [*tradewind_command(), "brief", "--db", str(first), "--today", TODAY.isoformat(), "--json"]
        cli = run_measured(command)
        actions = len(json.loads(cli.stdout)["actions"])
        refresh = run_measured([sys.executable, __file__, "--refresh", str(first)])
        refreshed = json.loads(refresh.stdout.strip().splitlines()[-1])
        timed = run_measured([sys.executable, __file__, "--shares", str(second)])
        shares = json.loads(timed.stdout.strip().splitlines()[-1])
    seconds_goal, mb_goal = GOALS.get(scale, (None, None))
    print(f"scale {scale}:")
    print(
        f"  tradewind brief --json, end to end: {cli.seconds:.2f} s{verdict(cli.seconds, seconds_goal, 's')}, "
        f"CPU {cli.cpu_seconds:.2f} s, peak RSS {cli.peak_mb:,.0f} MB{verdict(cli.peak_mb, mb_goal, 'MB')}; "
        f"{actions} actions"
    )
    print(
        f"  dashboard refresh (refresh_now, in-process, the day's brief made): {refreshed['seconds']:.2f} s"
        f"{verdict(refreshed['seconds'], REFRESH_GOALS.get(scale), 's')}, CPU {refreshed['cpu_seconds']:.2f} s; "
        f"its process's peak RSS {refresh.peak_mb:,.0f} MB; {refreshed['actions']} actions"
    )
    total, total_cpu = shares["seconds"], shares["cpu_seconds"]
    print(
        f"  producers' shares of a brief of {total:.2f} s, CPU {total_cpu:.2f} s (the day's first, on another copy, "
        f"in-process; the CLI's other {cli.cpu_seconds - total_cpu:.2f} s of CPU are start-up, imports and the "
        f"JSON); its process's peak RSS {timed.peak_mb:,.0f} MB; {shares['actions']} actions"
    )
    print(f"    {'':<44} {'wall':>9} {'':>7} {'CPU':>9} {'':>7}")
    for name, seconds, cpu in sorted(shares["shares"], key=lambda item: -item[1]):
        cpu_share = 100 * cpu / total_cpu if total_cpu else 0.0
        print(f"    {name:<44} {seconds:7.2f} s {100 * seconds / total:5.1f} % {cpu:7.2f} s {cpu_share:5.1f} %")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100], help="Demo scales (default 1 10 100)")
    parser.add_argument("--small", action="store_true", help="The scale-1 demo only (--sizes 1)")
    parser.add_argument("--cache", type=Path, default=HERE / ".cache", help="Where the demo databases are kept")
    parser.add_argument("--rebuild", action="store_true", help="Build the demo databases afresh")
    # The in-process measurements, each run as a child of its own (its peak RSS its own).
    parser.add_argument("--refresh", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--shares", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.refresh:
        print(json.dumps(dashboard_refresh(args.refresh)))
        return
    if args.shares:
        print(json.dumps(producer_shares(args.shares)))
        return
    for scale in [1] if args.small else args.sizes:
        measure(scale, kept_demo(args.cache, scale, args.rebuild))


if __name__ == "__main__":
    main()
