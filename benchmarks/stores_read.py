"""The stores' read check and the lane samples' read on a demo database, in-process, best of five.

    python benchmarks/stores_read.py PATH/TO/demo.db    # e.g. a shop `tradewind demo --scale 10` built
    python benchmarks/stores_read.py --small            # CI smoke: the scale-1 demo built into a temporary folder

Prints wall and CPU (user + system) time of each store's `is_up_to_date` (what every reader pays before reading a
store), of `lane_samples` over the year before 2025-02-20 (the check and the column select), and of each store's
refresh with nothing new. Everything runs in one transaction that is rolled back: the database is left as it was.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tradewind.db.session import make_engine, make_sessionmaker
from tradewind.logistics import lane_store
from tradewind.planning import demand_store
from tradewind.shops.models import Shop

SINCE = datetime(2025, 2, 20, tzinfo=UTC) - timedelta(days=365)


def timed(name: str, work: Callable[[], Any], times: int = 5) -> None:
    walls, cpus = [], []
    for _ in range(times):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    print(f"{name}: wall {min(walls) * 1000:.1f} ms, CPU {min(cpus) * 1000:.1f} ms (best of {times}) -> {result}")


def measure(database: Path) -> None:
    sessions = make_sessionmaker(make_engine(f"sqlite:///{database}"))
    with sessions() as session:
        shop_id = session.scalars(select(Shop.id).order_by(Shop.id)).first()
        assert shop_id is not None
        timed("lane samples is_up_to_date", lambda: lane_store.is_up_to_date(session, shop_id=shop_id))
        timed("daily demand is_up_to_date", lambda: demand_store.is_up_to_date(session, shop_id=shop_id))
        timed(
            "lane_samples (check + select)",
            lambda: len(lane_store.lane_samples(session, shop_id=shop_id, since=SINCE).shipped),
        )
        timed("refresh_lane_samples, nothing new", lambda: lane_store.refresh_lane_samples(session, shop_id=shop_id))
        timed("refresh_daily_demand, nothing new", lambda: demand_store.refresh_daily_demand(session, shop_id=shop_id))
        session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", type=Path, nargs="?", help="A demo shop's SQLite file")
    parser.add_argument("--small", action="store_true", help="Build the scale-1 demo into a temporary folder")
    args = parser.parse_args()
    if args.database is not None:
        measure(args.database)
        return
    if not args.small:
        parser.error("give a database, or --small")
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "demo.db"
        command = [sys.executable, "-c", "from tradewind.cli.main import run; run()", "demo", "--db", str(database)]
        subprocess.run([*command, "--seed", "7", "--today", "2025-02-20", "--json"], check=True, capture_output=True)
        measure(database)


if __name__ == "__main__":
    main()
