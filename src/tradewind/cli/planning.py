"""`tradewind plan` and `tradewind backtest`: the per-SKU replenishment plan, and how its policy would have done
on a real history."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from tradewind.cli.runtime import (
    DbOption,
    JsonOption,
    ShopOption,
    TodayOption,
    console,
    friendly_errors,
    open_runtime,
    print_json,
    print_table,
    resolve_shop,
)
from tradewind.errors import ValidationError
from tradewind.planning.backtest import POLICIES, run_backtest
from tradewind.planning.history import read_history_csv
from tradewind.planning.kernels import plan
from tradewind.planning.schemas import run_figures
from tradewind.planning.service import KernelRunner, build_plan, store_plan


@friendly_errors
def plan_command(
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
    sku: Annotated[list[str] | None, typer.Option("--sku", help="Only this SKU (repeatable)")] = None,
    dask: Annotated[
        str | None, typer.Option("--dask", help="Plan on a Dask cluster: a scheduler address, or 'local'")
    ] = None,
) -> None:
    """The replenishment plan per SKU: demand, spread, lead time, safety stock, reorder point, dates, quantity."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        context = runtime.context(the_shop)
        runner_context = _runner(dask)
        with runner_context as runner:
            shop_plan = build_plan(
                session,
                shop_id=the_shop.id,
                today=context.today,
                now=context.now,
                settings=runtime.settings,
                runner=runner,
            )
        store_plan(session, shop_id=the_shop.id, shop_plan=shop_plan)
    rows = [run_figures(d) for d in shop_plan.decisions if not sku or d.sku.code in sku]
    if sku and not rows:
        raise ValidationError(f"no active SKU {', '.join(sku)} in this shop")
    if as_json:
        print_json({"shop": the_shop.code, "today": context.today.isoformat(), "skus": rows})
        return
    table = Table(title=f"{the_shop.name} — plan for {context.today:%d %b %Y}", box=box.SIMPLE_HEAD, pad_edge=False)
    widest = max((len(row["sku"]) for row in rows), default=3)
    table.add_column("SKU", no_wrap=True, min_width=widest)
    for column in ("method", "/day", "LT", "ROP", "on hand", "on order", "cover", "out on", "order by", "qty"):
        table.add_column(column, justify="left" if column == "method" else "right", no_wrap=True)
    table.add_column("supplier", overflow="fold")
    for row in sorted(rows, key=lambda r: (r["order_by"] or "9999", r["sku"])):
        table.add_row(
            row["sku"],
            row["method"],
            f"{row['demand_per_day']:.2f}±{row['demand_sigma']:.1f}",
            f"{row['lead_time_mean_days'] or 0:.0f}/{row['lead_time_p90_days'] or 0:.0f}",
            "—" if row["reorder_point"] is None else f"{row['reorder_point']:.0f}",
            str(row["on_hand"]),
            str(row["on_order"]),
            "∞" if row["days_of_cover"] is None else f"{row['days_of_cover']:.0f}d",
            _short(row["stockout_on"]),
            _short(row["order_by"]),
            str(row["suggested_quantity"] or ""),
            (row["supplier"] or "no source") + (" ⚠" if row["supplier_note"] else ""),
        )
    print_table(table)


def _short(day: str | None) -> str:
    return date.fromisoformat(day).strftime("%d %b") if day else ""


def _runner(dask: str | None) -> Any:
    if dask is None:
        runner: KernelRunner = plan
        return nullcontext(runner)
    from tradewind.planning.distributed import dask_runner

    return dask_runner(dask)


@friendly_errors
def backtest_command(
    history: Annotated[Path, typer.Option("--history", help="CSV with columns sku,date,units (.gz accepted)")],
    freq: Annotated[str, typer.Option("--freq", help="D, W or M")] = "D",
    lead_time: Annotated[int, typer.Option("--lead-time", min=1, help="Periods from order to arrival")] = 7,
    review_period: Annotated[int, typer.Option("--review-period", min=1, help="Periods between reviews")] = 1,
    service_level: Annotated[
        list[float] | None, typer.Option("--service-level", help="Target(s) for the level policies (repeatable)")
    ] = None,
    policy: Annotated[
        list[str] | None, typer.Option("--policy", help=f"Of: {', '.join(POLICIES)} (repeatable)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Replay a demand history under the pinned conventions and score each policy."""
    if freq not in ("D", "W", "M"):
        raise ValidationError(f"--freq must be D, W or M, not {freq!r}")
    levels = tuple(service_level or (0.9,))
    if any(not 0.5 <= level < 1 for level in levels):
        raise ValidationError("--service-level must be at least 0.5 and below 1")
    chosen = tuple(policy or ("seed", "tradewind", "statsforecast"))
    unknown = sorted(set(chosen) - set(POLICIES))
    if unknown:
        raise ValidationError(f"unknown policy {', '.join(unknown)}: choose from {', '.join(POLICIES)}")
    if not history.exists():
        raise ValidationError(f"no file {history}")
    report = run_backtest(read_history_csv(history), freq, lead_time, review_period, levels, chosen)  # type: ignore[arg-type]
    payload = report.to_json()
    if as_json:
        print_json(payload)
        return
    table = Table(
        title=f"Backtest of {history.name}: {payload['skus']} SKUs × {payload['periods']} periods ({freq}), "
        f"lead time {lead_time}"
    )
    for column in (
        "policy",
        "service level",
        "fill rate",
        "cycle service",
        "avg on hand",
        "days of supply",
        "stockout periods",
        "orders",
    ):
        table.add_column(column, justify="left" if column == "policy" else "right")
    for name, scores in payload["policies"].items():
        level = scores.get("service_level")
        table.add_row(
            name,
            "" if level is None else f"{level:.2f}",
            f"{scores['fill_rate']:.3f}",
            f"{scores['cycle_service_level']:.3f}",
            f"{scores['avg_on_hand_units']:,.0f}",
            f"{scores['avg_days_of_supply']:.1f}",
            str(scores["stockout_periods"]),
            str(scores["orders_placed"]),
        )
    print_table(table)
    for name, ratio in sorted(payload["inventory_ratio_at_seed_fill_rate"].items()):
        if ratio is not None:
            console.print(f"{name}: inventory at the seed rule's fill rate = {ratio:.3f} × the seed's")
