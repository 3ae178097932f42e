"""`tradewind init` and `tradewind db …`: create and migrate the database."""

from __future__ import annotations

from typing import Annotated

import typer

from tradewind.cli.runtime import DbOption, console, friendly_errors, open_runtime, parse_optional_day
from tradewind.cli.shop import CurrencyOption, LanguageOption, OpenedOption, PlatformOption, TimezoneOption
from tradewind.db.migrate import current_revision, schema_drift, upgrade
from tradewind.shops.service import create_shop, settings_for_country

db_app = typer.Typer(help="Create and migrate the database.", no_args_is_help=True)


@db_app.command("upgrade")
@friendly_errors
def upgrade_command(db: DbOption = None) -> None:
    """Bring the database schema up to date (creates the SQLite file if needed)."""
    runtime = open_runtime(db, None, must_exist=False)
    upgrade(runtime.engine)
    console.print(f"database at revision {current_revision(runtime.engine)}: {runtime.engine.url!r}")


@db_app.command("check")
@friendly_errors
def check_command(db: DbOption = None) -> None:
    """Compare the database schema with the models (exit 1 on drift)."""
    runtime = open_runtime(db, None)
    drift = schema_drift(runtime.engine)
    if drift:
        for difference in drift:
            console.print(f"drift: {difference}", highlight=False)
        raise typer.Exit(1)
    console.print("schema matches the models")


# Without --country: Tradewind's first seller, a shop in China selling on AliExpress and pricing in US dollars.
_NO_COUNTRY = {"country": "CN", "timezone": "Asia/Shanghai", "currency": "USD", "language": "en"}


@friendly_errors
def init_command(
    shop: Annotated[str, typer.Option("--shop", help="A short code for the shop")],
    name: Annotated[str, typer.Option("--name", help="The shop's name as buyers see it")],
    country: Annotated[
        str | None,
        typer.Option(
            "--country",
            help="ISO 3166 code of where the shop ships from; gives the time zone, currency and language not given "
            "(default: CN, Asia/Shanghai, USD, en)",
        ),
    ] = None,
    timezone: TimezoneOption = None,
    currency: CurrencyOption = None,
    language: LanguageOption = None,
    platform: PlatformOption = None,
    opened_on: OpenedOption = None,
    db: DbOption = None,
) -> None:
    """Create the database (if needed) and a shop in it. Change its settings later with `tradewind shop set`."""
    opened = parse_optional_day(opened_on, "--opened-on")
    if country is None:
        chosen = settings_for_country(
            _NO_COUNTRY["country"],
            timezone=timezone or _NO_COUNTRY["timezone"],
            currency=currency or _NO_COUNTRY["currency"],
            language=language or _NO_COUNTRY["language"],
        )
    else:
        chosen = settings_for_country(country, timezone=timezone, currency=currency, language=language)
    runtime = open_runtime(db, None, must_exist=False)
    upgrade(runtime.engine)
    with runtime.transaction() as session:
        created = create_shop(
            session,
            code=shop,
            name=name,
            currency=chosen.currency,
            country=chosen.country,
            timezone=chosen.timezone,
            language=chosen.language,
            platform=platform or "aliexpress",
            opened_on=opened,
        )
        console.print(
            f"created shop {created.code!r} ({created.name}, {created.country}, {created.currency}, "
            f"{created.timezone}, {created.language}, {created.platform})",
            highlight=False,
        )
    if timezone is None and chosen.zones_in_country > 1:
        console.print(
            f"{chosen.country} has {chosen.zones_in_country} time zones: the shop's days are counted in "
            f"{chosen.timezone}; change it with `tradewind shop set --timezone ZONE`",
            highlight=False,
        )
