"""`tradewind stores …`: the per-shop stores of derived figures (lane samples, daily demand, the open orders'
outlook inputs), rebuilt from the records. They are brought up to date by the day's brief; a rebuild is for a store
in doubt."""

from __future__ import annotations

import typer

import tradewind.models  # noqa: F401 - every table, so that the stores' bulk inserts resolve their foreign keys
from tradewind.cli.runtime import DbOption, JsonOption, ShopOption, console, friendly_errors, open_runtime, print_json
from tradewind.logistics.lane_store import rebuild_lane_samples
from tradewind.logistics.outlook_store import rebuild_outlook_inputs
from tradewind.planning.demand_store import rebuild_daily_demand
from tradewind.shops.service import all_shops, get_shop

stores_app = typer.Typer(help="The per-shop stores of derived figures, rebuilt from the records.", no_args_is_help=True)


@stores_app.command("rebuild")
@friendly_errors
def rebuild_command(db: DbOption = None, shop: ShopOption = None, as_json: JsonOption = False) -> None:
    """Rebuild the stores from the records: one shop's with --shop, else every shop's."""
    runtime = open_runtime(db, None)
    rebuilt: list[dict[str, object]] = []
    with runtime.transaction() as session:
        shops = [get_shop(session, code=shop)] if shop else all_shops(session)
        for the_shop in shops:
            rebuilt.append(
                {
                    "shop": the_shop.code,
                    "lane_samples": rebuild_lane_samples(session, shop_id=the_shop.id),
                    "daily_demand": rebuild_daily_demand(session, shop_id=the_shop.id),
                    "order_outlooks": rebuild_outlook_inputs(session, shop_id=the_shop.id),
                }
            )
    if as_json:
        print_json(rebuilt)
        return
    for row in rebuilt:
        console.print(
            f"{row['shop']}: lane samples {row['lane_samples']} parcels, daily demand {row['daily_demand']} SKU-days, "
            f"order outlooks {row['order_outlooks']} open orders",
            highlight=False,
        )
