"""The `tradewind` command.

Every command's module is imported only when that command runs (`LazyGroup`): `tradewind --help` lists the commands
from the names and help texts below without importing any domain, and `tradewind shop show` imports the shop's
commands, not the planning kernels or the language detector. tests/cli/test_cli_startup.py keeps the help texts here
equal to the commands' own.
"""

from __future__ import annotations

import gc
import importlib
from typing import Any

import typer
from typer import _click as click  # the click that Typer ships and builds its commands with
from typer.core import TyperCommand, TyperGroup

# name: (module, attribute, help). The attribute is a command function or a Typer of subcommands.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "brief": (
        "tradewind.cli.brief",
        "brief_command",
        "Today's brief: one ranked list of what to do, each with the figures behind it.",
    ),
    "init": (
        "tradewind.cli.db",
        "init_command",
        "Create the database (if needed) and a shop in it. Change its settings later with `tradewind shop set`.",
    ),
    "demo": (
        "tradewind.cli.demo",
        "demo_command",
        "Build a realistic AliExpress shoe shop (orders, stock, suppliers, shipments, tracking, messages).",
    ),
    "import": (
        "tradewind.cli.imports",
        "import_command",
        "Import a file: every error at once (file, line, column), nothing written unless all is well.",
    ),
    "plan": (
        "tradewind.cli.planning",
        "plan_command",
        "The replenishment plan per SKU: demand, spread, lead time, safety stock, reorder point, dates, quantity.",
    ),
    "backtest": (
        "tradewind.cli.planning",
        "backtest_command",
        "Replay a demand history under the pinned conventions and score each policy.",
    ),
    "growth": (
        "tradewind.cli.growth",
        "growth_command",
        "KPIs, service metrics with their limits, milestones and level, as the platform would judge the shop.",
    ),
    "triage": (
        "tradewind.cli.messages",
        "triage_command",
        "Language, intent, order and a suggested reply for buyer messages. With --file: one JSON object per line.",
    ),
    "serve": (
        "tradewind.cli.serve",
        "serve_command",
        "Serve the dashboard (/) and the REST API (/api/v1, OpenAPI at /docs). Add users with `tradewind user add`.\n"
        "--today sets the shop's day only: sign-in limits, sessions and tokens always run on the real time.",
    ),
    "digest": (
        "tradewind.cli.digest",
        "digest_command",
        "E-mail today's digest of the brief to each owner of the shop, through the outbox (once a day: safe to rerun).",
    ),
    "action": ("tradewind.cli.brief", "action_app", "Look at one action, apply it, dismiss it or snooze it."),
    "db": ("tradewind.cli.db", "db_app", "Create and migrate the database."),
    "stores": (
        "tradewind.cli.stores",
        "stores_app",
        "The per-shop stores of derived figures, rebuilt from the records.",
    ),
    "track": (
        "tradewind.cli.logistics",
        "track_app",
        "Tracking: read carriers' events in any language, import them, show a parcel.",
    ),
    "transit": (
        "tradewind.cli.logistics",
        "transit_app",
        "Transit times per lane that stay honest when a route slows down.",
    ),
    "disruption": (
        "tradewind.cli.logistics",
        "disruption_app",
        "The register of import bans, suspended routes, capacity cuts, customs delays.",
    ),
    "logistics": (
        "tradewind.cli.logistics",
        "logistics_app",
        "The method per destination, and overseas stock or direct shipping.",
    ),
    "messages": (
        "tradewind.cli.messages",
        "messages_app",
        "The outbox: drafts, queued and sent messages; send, export, edit.",
    ),
    "supplier": (
        "tradewind.cli.messages",
        "supplier_app",
        "Suppliers today, their status reports, message threads and response times.",
    ),
    "user": ("tradewind.cli.users", "user_app", "Users, their role in each shop, and API tokens."),
    "shop": ("tradewind.cli.shop", "shop_app", "The shop's own settings."),
    "sku": ("tradewind.cli.shop", "sku_app", "The shop's SKUs."),
}


def load_command(name: str) -> click.Command:
    """The click command `name` runs, built from its module (imported now) as `app.command`/`app.add_typer` would."""
    module, attribute, _ = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer()
    holder.callback()(_nothing)  # a callback makes the holder a group, whatever it holds
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    command = group.commands[name]
    return command


def _nothing() -> None:
    pass


class LazyGroup(TyperGroup):
    """The top-level group: lists the commands from `COMMANDS`, imports a command's module only to run it (or to
    show that command's own help)."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        if self._listing and cmd_name not in self.commands:
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][2])
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands[cmd_name]

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in COMMANDS:
            return args[0], self.get_command(ctx, args[0]), args[1:]
        stubs = {name: TyperCommand(name) for name in COMMANDS if name not in self.commands}
        self.commands.update(stubs)  # only so that a typo is answered "did you mean …"
        try:
            return super().resolve_command(ctx, args)
        finally:
            for name in stubs:
                del self.commands[name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def shell_complete(self, ctx: click.Context, incomplete: str) -> Any:
        self._listing = True
        try:
            return super().shell_complete(ctx, incomplete)
        finally:
            self._listing = False


app = typer.Typer(
    name="tradewind",
    help="Tradewind: every morning, what a cross-border shop must do today.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,
    rich_markup_mode=None,
)


@app.callback()
def _main() -> None:
    """Tradewind: every morning, what a cross-border shop must do today."""


# The cyclic collector's thresholds for a command's process: the young generation collected every 50,000 net
# allocations instead of 700. A command is one short run that imports some thousand modules and builds tens of
# thousands of rows, figures and drafts, nearly all alive until it ends: with the defaults the collector walks them
# again and again (about a fifth of `tradewind brief`'s CPU time on the demo shop) and finds little garbage. Garbage
# cycles are still collected, every 50,000 allocations. `tradewind serve` sets the same for its workers
# (server.app.tune_garbage_collector).
COLLECT_EVERY = (50_000, 20, 100)


def run() -> None:
    gc.set_threshold(*COLLECT_EVERY)
    app()


if __name__ == "__main__":
    run()
