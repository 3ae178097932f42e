"""What every command needs: settings, a database, the day, one transaction; and errors turned into one red line."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tradewind.action import BriefContext
from tradewind.clock import Clock, FixedClock, SystemClock, local_today, parse_day
from tradewind.config import Settings, database_url_for_path
from tradewind.db.migrate import current_revision, head_revision
from tradewind.db.session import busy_error, make_engine, make_sessionmaker, transaction
from tradewind.errors import ConfigurationError, TradewindError
from tradewind.shops.models import Shop
from tradewind.shops.service import get_shop, shop_zone

console = Console()
error_console = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLite file or database URL (default: $TRADEWIND_DATABASE_URL or ./tradewind.db)"),
]
ShopOption = Annotated[str | None, typer.Option("--shop", help="Shop code, when the database holds several")]
TodayOption = Annotated[
    str | None, typer.Option("--today", help="Act as if today were this day (YYYY-MM-DD); default: today")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]

P = ParamSpec("P")
R = TypeVar("R")


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """A TradewindError becomes one red line on stderr and its exit code, never a traceback; so does a database
    lock another writer held too long (exit 1: try again)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except DBAPIError as exc:
            busy = busy_error(exc)
            if busy is None:
                raise
            error_console.print(f"[bold red]error:[/] {escape(busy.message)}", highlight=False, soft_wrap=True)
            raise typer.Exit(busy.exit_code) from None
        except TradewindError as exc:
            error_console.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False, soft_wrap=True)
            extra = exc.details.get("errors") if isinstance(exc.details, dict) else None
            if isinstance(extra, list) and len(extra) > 1:
                for item in extra[1:50]:
                    where = f"{item['file']}:{item['line']}" + (f" [{item['column']}]" if item.get("column") else "")
                    error_console.print(escape(f"  {where}: {item['message']}"), highlight=False, soft_wrap=True)
                if len(extra) > 50:
                    error_console.print(f"  … and {len(extra) - 50} more", highlight=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock

    def context(self, shop: Shop | None = None) -> BriefContext:
        """The brief's day and instant; with a shop, its day is the shop's local day."""
        today = self.today_of(shop) if shop is not None else self.clock.today()
        return BriefContext(today=today, now=self.clock.now(), settings=self.settings)

    def today_of(self, shop: Shop) -> date:
        """Today on the shop's wall (its time zone): `--today`, or the date in the shop's zone right now."""
        return local_today(self.clock, shop_zone(shop))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with transaction(self.sessions) as session:
            yield session


def clock_for(today: str | None) -> Clock:
    return FixedClock.on(parse_day(today, what="--today")) if today else SystemClock()


def settings_for(db: str | None) -> Settings:
    settings = Settings()
    return settings.with_database(database_url_for_path(db) if db else None)


def open_runtime(db: str | None, today: str | None, *, must_exist: bool = True) -> Runtime:
    settings = settings_for(db)
    url = settings.database_url
    if must_exist and url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise ConfigurationError(
            f"no database at {url.removeprefix('sqlite:///')}: run `tradewind demo` or `tradewind init` first"
        )
    engine = make_engine(url, busy_timeout_seconds=settings.database_busy_timeout_seconds)
    if must_exist:
        try:
            revision = current_revision(engine)
        except OperationalError as exc:
            raise ConfigurationError(f"cannot open the database {engine.url!r}: {exc.orig}") from None
        if revision is None:
            raise ConfigurationError(
                f"{engine.url!r} has no Tradewind tables: run `tradewind db upgrade` (or `tradewind demo`)"
            )
        if revision != head_revision():
            raise ConfigurationError(
                f"the database is at schema revision {revision} and this Tradewind needs {head_revision()}: "
                f"run `tradewind db upgrade --db {engine.url.database or engine.url}` first"
            )
    return Runtime(settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock_for(today))


def resolve_shop(session: Session, runtime: Runtime, code: str | None) -> Shop:
    return get_shop(session, code=code or runtime.settings.shop)


def print_table(renderable: Any) -> None:
    """A table as wide as the terminal, or 160 columns when the output goes to a file or a pipe."""
    if console.is_terminal:
        console.print(renderable)
    else:
        Console(file=console.file, width=160, color_system=None).print(renderable)


def print_json(payload: Any) -> None:
    """JSON on stdout, unstyled, so that it pipes into jq."""
    sys.stdout.write(_json_text(payload) + "\n")


def print_json_items(head: dict[str, Any], name: str, items: Iterable[Any]) -> None:
    """`print_json(head | {name: list(items)})` byte for byte, written one item at a time: a large list (the
    brief of a large shop runs to a hundred megabytes) is never whole in memory, as objects or as text."""
    opening = _json_text(head | {name: []})
    out = sys.stdout
    out.write(opening.removesuffix("[]\n}"))  # everything up to the list, which is last
    separator = "[\n"
    for item in items:
        out.write(separator + _INDENT + _json_text(item).replace("\n", "\n" + _INDENT))
        separator = ",\n"
    out.write("[]\n}\n" if separator == "[\n" else "\n  ]\n}\n")


_INDENT = "    "  # an item of a list that is a member of the top object, as `print_json` indents it


def _json_text(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)


def parse_optional_day(text: str | None, what: str) -> date | None:
    return parse_day(text, what=what) if text else None
