"""`tradewind stores …`: the per-shop stores of derived figures (lane samples, daily demand, the open orders'
outlook inputs), rebuilt from the records. They are brought up to date where records arrive and before the day's
brief; a rebuild is for a store in doubt."""

from __future__ import annotations

import typer

import tradewind.models  # noqa: F401 - every table, so that the stores' bulk inserts resolve their foreign keys
from tradewind.brief.stores import SHOP_STORES
from tradewind.cli.runtime import (
    DbOption,
    JsonOption,
    ShopOption,
    TodayOption,
    console,
    friendly_errors,
    open_runtime,
    print_json,
)
from tradewind.shops.service import all_shops, get_shop

stores_app = typer.Typer(help="The per-shop stores of derived figures, rebuilt from the records.", no_args_is_help=True)


@stores_app.command("rebuild")
@friendly_errors
def rebuild_command(
    db: DbOption = None, shop: ShopOption = None, today: TodayOption = None, as_json: JsonOption = False
) -> None:
    """Rebuild the stores from the records: one shop's with --shop, else every shop's; and the plan's demand
    estimate for today (--today), which the day's brief then reads instead of computing it."""
    from tradewind.planning.estimate_store import prepare_after_fold_in

    runtime = open_runtime(db, today)
    rebuilt: list[dict[str, object]] = []
    with runtime.transaction() as session:
        shops = [get_shop(session, code=shop)] if shop else all_shops(session)
        for the_shop in shops:
            row: dict[str, object] = {"shop": the_shop.code}
            for store in SHOP_STORES:
                row[store.name] = store.rebuild(session, shop_id=the_shop.id)
            prepare_after_fold_in(session, shop=the_shop, clock=runtime.clock, settings=runtime.settings)
            rebuilt.append(row)
    if as_json:
        print_json(rebuilt)
        return
    for row in rebuilt:
        counts = ", ".join(f"{store.name.replace('_', ' ')} {row[store.name]} rows" for store in SHOP_STORES)
        console.print(f"{row['shop']}: {counts}", highlight=False)
