"""`tradewind import KIND FILE`: bring the shop's records in, all or nothing; `--format` reads a platform's own
order export (Shopify, WooCommerce, AliExpress, invoice lines), `--mapping` names columns a file calls differently."""

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
from tradewind.importers.mapping import load_mapping
from tradewind.importers.platforms import failed_orders_summary, import_orders, order_formats, recognise_format
from tradewind.importers.reading import ReadLimits
from tradewind.importers.summary import ImportSummary
from tradewind.importers.tradewind_csv import failed_summary, import_file, import_kinds


@friendly_errors
def import_command(
    kind: Annotated[str, typer.Argument(help="What the file holds: " + ", ".join(import_kinds()))],
    file: Annotated[Path, typer.Argument(help="The CSV file (or .xlsx workbook)")],
    format: Annotated[
        str | None,
        typer.Option("--format", help="A platform's order export: " + ", ".join(order_formats()) + " (orders only)"),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="TOML file naming unknown columns, the file's currency and time zone"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count, write nothing")] = False,
    db: DbOption = None,
    shop: ShopOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a file: every error at once (file, line, column), nothing written unless all is well."""
    if kind not in import_kinds():
        raise ValidationError(f"unknown import kind {kind!r}: choose one of {', '.join(import_kinds())}")
    if format is not None and kind != "orders":
        raise ValidationError(
            f"--format reads platforms' order exports: use `tradewind import orders FILE --format {format}`"
        )
    if format is not None and format not in order_formats():
        raise ValidationError(f"unknown format {format!r}: choose one of {', '.join(order_formats())}")
    the_mapping = load_mapping(mapping) if mapping is not None else None
    runtime = open_runtime(db, None)
    recognised = None
    if kind == "orders" and format is None:
        # A platform's export imported without --format: recognised from its header and read as that platform's.
        recognised = format = recognise_format(file, ReadLimits.from_settings(runtime.settings))
        if recognised and not as_json:
            console.print(f"this looks like a {recognised} export: read as --format {recognised}", highlight=False)
    session = runtime.sessions()
    try:
        the_shop = resolve_shop(session, runtime, shop)
        try:
            with counted_progress(f"importing {file.name}") as report:
                summary: ImportSummary
                if format is not None:
                    summary = import_orders(
                        session,
                        shop=the_shop,
                        path=file,
                        format=format,
                        mapping=the_mapping,
                        dry_run=dry_run,
                        progress=report,
                        clock=runtime.clock,
                        limits=ReadLimits.from_settings(runtime.settings),
                    )
                    summary.recognised_format = recognised
                else:
                    summary = import_file(
                        session,
                        shop=the_shop,
                        kind=kind,
                        path=file,
                        dry_run=dry_run,
                        progress=report,
                        mapping=the_mapping,
                        limits=ReadLimits.from_settings(runtime.settings),
                    )
        except InputFileError as exc:
            if not as_json:
                raise
            session.rollback()
            if format is not None:
                failed = failed_orders_summary(exc.errors, format)
                failed.recognised_format = recognised
            else:
                failed = failed_summary(kind, exc.errors)
            print_json(failed.to_json())
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
    for message, count in summary.warnings.items():
        console.print(f"warning: {count} {message}", highlight=False)
    for reason, count in summary.skipped.items():
        console.print(f"skipped {count} {reason}", highlight=False)
    if dry_run:
        console.print("dry run: nothing was written")
