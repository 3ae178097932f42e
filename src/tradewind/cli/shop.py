"""`tradewind shop show|set`: the shop's own settings (time zone, platform, opening day, currency, country,
language); and `tradewind sku list`: the SKUs with their codes, to write a stock file with."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tradewind.catalog.service import find_skus, sku_to_dict
from tradewind.cli.runtime import (
    DbOption,
    JsonOption,
    ShopOption,
    TodayOption,
    console,
    friendly_errors,
    open_runtime,
    parse_optional_day,
    print_json,
    print_table,
    resolve_shop,
)
from tradewind.shops.country import PLATFORMS
from tradewind.shops.service import shop_settings, update_shop

shop_app = typer.Typer(help="The shop's own settings.", no_args_is_help=True)
sku_app = typer.Typer(help="The shop's SKUs.", no_args_is_help=True)

TimezoneOption = Annotated[
    str | None, typer.Option("--timezone", help="IANA time zone the shop's days are counted in, e.g. Europe/London")
]
CurrencyOption = Annotated[str | None, typer.Option("--currency", help="ISO 4217 code of the shop's currency")]
LanguageOption = Annotated[
    str | None, typer.Option("--language", help="The language the seller reads (en, de, zh, pt_BR, …)")
]
PlatformOption = Annotated[str | None, typer.Option("--platform", help=f"Where the shop sells: {', '.join(PLATFORMS)}")]
OpenedOption = Annotated[
    str | None, typer.Option("--opened-on", help="The day the shop opened (YYYY-MM-DD): milestones count from it")
]

# Rows fetched per query when listing every SKU: one keyset page of the same query the API pages with.
_SKU_PAGE = 1000


def print_settings(settings: dict[str, object]) -> None:
    for field, value in settings.items():
        console.print(f"{field + ':':<11}{'—' if value is None else value}", highlight=False)


@shop_app.command("show")
@friendly_errors
def show_command(db: DbOption = None, shop: ShopOption = None, as_json: JsonOption = False) -> None:
    """The shop's settings."""
    runtime = open_runtime(db, None)
    with runtime.transaction() as session:
        settings = shop_settings(resolve_shop(session, runtime, shop))
    if as_json:
        print_json(settings)
    else:
        print_settings(settings)


@shop_app.command("set")
@friendly_errors
def set_command(
    timezone: TimezoneOption = None,
    platform: PlatformOption = None,
    opened_on: OpenedOption = None,
    currency: CurrencyOption = None,
    country: Annotated[str | None, typer.Option("--country", help="ISO 3166 code of where the shop ships from")] = None,
    language: LanguageOption = None,
    digest_at: Annotated[
        str | None, typer.Option("--digest-at", help="When the morning digest is e-mailed (HH:MM, the shop's time)")
    ] = None,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change the settings given; the others stay. An unknown value changes nothing (exit 2, naming the field)."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        changed = update_shop(
            session,
            shop=the_shop,
            timezone=timezone,
            platform=platform,
            opened_on=parse_optional_day(opened_on, "--opened-on"),
            currency=currency,
            country=country,
            language=language,
            digest_at=digest_at,
            today=runtime.today_of(the_shop),
        )
        settings = shop_settings(the_shop)
    if as_json:
        print_json({"changed": sorted(changed), "shop": settings})
        return
    if not changed:
        console.print("nothing changed")
    for field, (before, after) in changed.items():
        console.print(f"{field}: {before if before is not None else '—'} → {after}", highlight=False)


@sku_app.command("list")
@friendly_errors
def sku_list_command(
    search: Annotated[str | None, typer.Option("--search", help="Only SKUs whose code or title contains this")] = None,
    db: DbOption = None,
    shop: ShopOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every SKU with its code and title, newest first: the codes to write in a stock or offers file."""
    runtime = open_runtime(db, None)
    rows: list[dict[str, object]] = []
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        shop_code = the_shop.code
        before: int | None = None
        while True:
            page = find_skus(session, shop_id=the_shop.id, search=search, before_id=before, limit=_SKU_PAGE)
            rows.extend(sku_to_dict(sku) for sku in page)
            if len(page) < _SKU_PAGE:
                break
            before = page[-1].id
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"SKUs of {shop_code} ({len(rows)})")
    for column in ("code", "title", "price", "unit", "active"):
        table.add_column(column)
    for row in rows:
        price = f"{row['price']} {row['currency']}" if row["price"] is not None else "—"
        table.add_row(str(row["code"]), str(row["title"]), price, str(row["unit"]), "yes" if row["active"] else "no")
    print_table(table)
