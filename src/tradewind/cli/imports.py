"""`tradewind import KIND FILE`: bring the shop's records in, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradewind.cli.progress import counted_progress
from tradewind.cli.runtime import (
    DbOption,
    JsonOption,
    ShopOption,
    console,
    friendly_errors,
    open_runtime,
    print_json,
    print_table,
    resolve_shop,
)
from tradewind.errors import InputFileError, ValidationError
from tradewind.importers.tradewind_csv import failed_summary, import_file, import_kinds


@friendly_errors
def import_command(
    kind: Annotated[str, typer.Argument(help="What the file holds: " + ", ".join(import_kinds()))],
    file: Annotated[Path, typer.Argument(help="The CSV file")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count, write nothing")] = False,
    db: DbOption = None,
    shop: ShopOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a Tradewind CSV file: every error at once (file, line, column), nothing written unless all is well."""
    if kind not in import_kinds():
        raise ValidationError(f"unknown import kind {kind!r}: choose one of {', '.join(import_kinds())}")
    runtime = open_runtime(db, None)
    session = runtime.sessions()
    try:
        the_shop = resolve_shop(session, runtime, shop)
        try:
            with counted_progress(f"importing {file.name}") as report:
                summary = import_file(session, shop=the_shop, kind=kind, path=file, dry_run=dry_run, progress=report)
        except InputFileError as exc:
            if not as_json:
                raise
            session.rollback()
            print_json(failed_summary(kind, exc.errors).to_json())
            raise typer.Exit(exc.exit_code) from None
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    payload = summary.to_json()
    if as_json:
        print_json(payload)
        return
    verb = "would change" if dry_run else "imported"
    table = Table(title=f"{verb}: {file}")
    table.add_column("records")
    for column in ("created", "updated", "unchanged"):
        table.add_column(column, justify="right")
    tables = sorted(set(payload["created"]) | set(payload["updated"]) | set(payload["unchanged"]))
    for name in tables:
        table.add_row(name, *(str(payload[c].get(name, 0)) for c in ("created", "updated", "unchanged")))
    print_table(table)
    if dry_run:
        console.print("dry run: nothing was written")
