"""`tradewind demo`: build the demo shoe shop into a database."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradewind.cli.progress import staged_progress
from tradewind.cli.runtime import (
    DbOption,
    JsonOption,
    TodayOption,
    console,
    friendly_errors,
    open_runtime,
    print_json,
    print_table,
)
from tradewind.db.migrate import upgrade
from tradewind.demo import build_demo_shop


@friendly_errors
def demo_command(
    db: DbOption = None,
    seed: Annotated[int, typer.Option("--seed", help="The same seed and day always build the same shop")] = 7,
    today: TodayOption = None,
    scale: Annotated[int, typer.Option("--scale", min=1, max=1000, help="K times larger (100: ≈1M order lines)")] = 1,
    replace: Annotated[
        bool, typer.Option("--replace", help="Start afresh: delete the SQLite file, or the demo shop's rows")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Build a realistic AliExpress shoe shop (orders, stock, suppliers, shipments, tracking, messages)."""
    runtime = open_runtime(db, today, must_exist=False)
    url = runtime.settings.database_url
    if replace and url.startswith("sqlite:///"):
        runtime.engine.dispose()
        path = Path(url.removeprefix("sqlite:///"))
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        runtime = open_runtime(db, today, must_exist=False)
    started = time.perf_counter()
    upgrade(runtime.engine)
    with staged_progress() as report, runtime.transaction() as session:
        summary = build_demo_shop(
            session, seed=seed, today=runtime.clock.today(), scale=scale, progress=report, replace=replace
        )
    seconds = time.perf_counter() - started
    if as_json:
        print_json({"shop": summary.shop_code, "seconds": round(seconds, 2), "counts": summary.counts})
        return
    table = Table(title=f"Demo shop {summary.shop_code!r} built in {seconds:.1f} s (seed {seed}, scale {scale})")
    table.add_column("records")
    table.add_column("count", justify="right")
    for name, count in summary.counts.items():
        table.add_row(name, f"{count:,}")
    print_table(table)
    for line in summary.story:
        console.print(f"• {line}", highlight=False)
