"""`tradewind init` and `tradewind db …`: create and migrate the database."""

from __future__ import annotations

from typing import Annotated

import typer

from tradewind.cli.runtime import DbOption, console, friendly_errors, open_runtime
from tradewind.db.migrate import current_revision, schema_drift, upgrade
from tradewind.shops.service import create_shop

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


@friendly_errors
def init_command(
    shop: Annotated[str, typer.Option("--shop", help="A short code for the shop")],
    name: Annotated[str, typer.Option("--name", help="The shop's name as buyers see it")],
    currency: Annotated[str, typer.Option("--currency", help="ISO 4217 code of the shop's currency")] = "USD",
    country: Annotated[str, typer.Option("--country", help="ISO 3166 code of where the shop ships from")] = "CN",
    db: DbOption = None,
) -> None:
    """Create the database (if needed) and a shop in it."""
    runtime = open_runtime(db, None, must_exist=False)
    upgrade(runtime.engine)
    with runtime.transaction() as session:
        created = create_shop(session, code=shop, name=name, currency=currency, country=country)
        console.print(f"created shop {created.code!r} ({created.name}, {created.currency})")
