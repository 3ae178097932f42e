"""The stores' read check and the lane samples' read on a demo database, in-process, best of five.

    python benchmarks/stores_read.py PATH/TO/demo.db    # e.g. a shop `tradewind demo --scale 10` built

Prints wall and CPU (user + system) time of each store's `is_up_to_date` (what every reader pays before reading a
store), of `lane_samples` over the year before 2025-02-20 (the check and the column select), and of each store's
refresh with nothing new. Everything runs in one transaction that is rolled back: the database is left as it was.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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


def main() -> None:
    sessions = make_sessionmaker(make_engine(f"sqlite:///{sys.argv[1]}"))
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


if __name__ == "__main__":
    main()
