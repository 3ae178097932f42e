"""The `tradewind` command."""

from __future__ import annotations

import typer

from tradewind.cli.brief import action_app, brief_command
from tradewind.cli.db import db_app, init_command
from tradewind.cli.demo import demo_command
from tradewind.cli.growth import growth_command
from tradewind.cli.imports import import_command
from tradewind.cli.logistics import disruption_app, logistics_app, track_app, transit_app
from tradewind.cli.messages import messages_app, supplier_app, triage_command
from tradewind.cli.planning import backtest_command, plan_command
from tradewind.cli.serve import serve_command
from tradewind.cli.shop import shop_app, sku_app
from tradewind.cli.users import user_app

app = typer.Typer(
    name="tradewind",
    help="Tradewind: every morning, what a cross-border shop must do today.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("brief")(brief_command)
app.command("init")(init_command)
app.command("demo")(demo_command)
app.command("import")(import_command)
app.command("plan")(plan_command)
app.command("backtest")(backtest_command)
app.command("growth")(growth_command)
app.command("triage")(triage_command)
app.command("serve")(serve_command)
app.add_typer(action_app, name="action")
app.add_typer(db_app, name="db")
app.add_typer(track_app, name="track")
app.add_typer(transit_app, name="transit")
app.add_typer(disruption_app, name="disruption")
app.add_typer(logistics_app, name="logistics")
app.add_typer(messages_app, name="messages")
app.add_typer(supplier_app, name="supplier")
app.add_typer(user_app, name="user")
app.add_typer(shop_app, name="shop")
app.add_typer(sku_app, name="sku")


def run() -> None:
    app()


if __name__ == "__main__":
    run()
