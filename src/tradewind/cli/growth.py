"""`tradewind growth`: the shop's KPIs, service metrics against their limits, new-merchant milestones and level."""

from __future__ import annotations

from typing import Annotated

import typer
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
from tradewind.growth.service import growth_report


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@friendly_errors
def growth_command(
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="KPI period: the last N days")] = 30,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """KPIs, service metrics with their limits, milestones and level, as the platform would judge the shop."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        report = growth_report(
            session, shop=the_shop, today=runtime.today_of(the_shop), settings=runtime.settings, period_days=days
        )
        payload = report.to_json()
        session.rollback()
    if as_json:
        print_json(payload)
        return
    k = payload["kpis"]
    console.print(
        f"[bold]{report.shop_code}[/] {k['start']} to {k['end']}: GMV {k['currency']} {float(k['gmv']):,.2f} "
        f"(USD {float(k['gmv_usd']):,.2f}), {k['orders']} orders, {k['buyers']} buyers, "
        f"repeat buyers {_percent(k['repeat_buyer_rate'])}",
        highlight=False,
    )
    if report.level is not None:
        after = f" — next: {report.level.next_code} ({report.level.next_needs})" if report.level.next_code else ""
        console.print(f"Level: [bold]{report.level.title}[/]{after}", highlight=False)
    metrics = Table(title="Service metrics")
    for column in ("metric", "value", "limit", "counted", "window", "state", "at risk"):
        metrics.add_column(column, justify="right" if column in ("value", "limit", "counted") else "left")
    for m in payload["metrics"]:
        projection = m["projection"]
        at_risk = f"{projection['to_cross']} of {len(projection['at_risk'])}" if projection else ""
        bound = "<" if m["bound"] == "below" else "≥"
        metrics.add_row(
            m["title"],
            _percent(m["value"]),
            f"{bound} {_percent(m['limit'])}",
            f"{m['numerator']}/{m['denominator']}",
            f"{m['window_days']} d",
            m["state"],
            at_risk,
        )
    print_table(metrics)
    if not payload["milestones"]:
        console.print("Milestones: the shop's opening day is not set: `tradewind shop set --opened-on YYYY-MM-DD`.")
        return
    tasks = Table(title="New-merchant milestones")
    for column in ("milestone", "progress", "day", "state", "pace"):
        tasks.add_column(column)
    for t in payload["milestones"]:
        tasks.add_row(
            t["title"],
            f"{float(t['progress']):,.0f} / {float(t['target']):,.0f}",
            f"{min(t['day'], t['days'])} / {t['days']}",
            t["state"],
            t["pace"],
        )
    print_table(tasks)
