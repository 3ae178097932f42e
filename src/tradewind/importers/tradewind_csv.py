"""Import of Tradewind's own CSV format (docs/csv-format.md): one file per kind of record, every error in the file
reported at once before anything is written, and natural keys so that importing the same file again changes nothing.

The service never commits: the caller owns the transaction (and rolls it back on a dry run, though a dry run writes
nothing in the first place).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from tradewind.brief.stores import bring_stores_up_to_date
from tradewind.clock import Clock, SystemClock
from tradewind.errors import RowError, ValidationError
from tradewind.importers import (
    offers_csv,
    orders_csv,
    shipments_csv,
    skus_csv,
    stock_csv,
    suppliers_csv,
)
from tradewind.importers.job import ImportJob, Progress, ProgressCallback
from tradewind.importers.reading import ColumnMapping, Layout, ReadLimits, read_table
from tradewind.importers.summary import ImportSummary
from tradewind.planning.estimate_store import prepare_after_fold_in
from tradewind.shops.models import Shop


@dataclass(frozen=True)
class Kind:
    layout: Layout
    tables: tuple[str, ...]
    run: Callable[[ImportJob], None]


_KINDS = {
    "skus": Kind(skus_csv.LAYOUT, skus_csv.TABLES, skus_csv.run),
    "suppliers": Kind(suppliers_csv.LAYOUT, suppliers_csv.TABLES, suppliers_csv.run),
    "offers": Kind(offers_csv.LAYOUT, offers_csv.TABLES, offers_csv.run),
    "stock": Kind(stock_csv.LAYOUT, stock_csv.TABLES, stock_csv.run),
    "orders": Kind(orders_csv.LAYOUT, orders_csv.TABLES, orders_csv.run),
    "shipments": Kind(shipments_csv.LAYOUT, shipments_csv.TABLES, shipments_csv.run),
}


def import_kinds() -> list[str]:
    """The kinds of file `tradewind import KIND FILE` reads, in the order a new shop imports them."""
    return list(_KINDS)


def kind_tables(kind: str) -> tuple[str, ...]:
    """The tables an import of `kind` can write (the keys of its summary)."""
    return _kind(kind).tables


def failed_summary(kind: str, errors: list[RowError]) -> ImportSummary:
    """The summary to print for an import that stopped on `errors` (from `InputFileError.errors`)."""
    return ImportSummary.failed(_kind(kind).tables, errors)


def import_file(
    session: Session,
    *,
    shop: Shop,
    kind: str,
    path: Path,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    clock: Clock | None = None,
    mapping: ColumnMapping | None = None,
    limits: ReadLimits | None = None,
) -> ImportSummary:
    """Import the Tradewind CSV file `path` (or an .xlsx workbook's first sheet, e.g. a stock list) of `kind` into
    `shop`; `mapping` names columns the file calls differently.

    Raises `InputFileError` with every problem in the file (file, line, column, reason) before writing anything.
    With `dry_run` nothing is written, and the summary says what the import would do. `progress(done, total)` is
    called as rows are checked and then written (each row counts once for each).
    """
    selected = _kind(kind)
    table = read_table(path, selected.layout, mapping, limits)
    session.flush()
    job = ImportJob(
        session=session,
        shop=shop,
        table=table,
        dry_run=dry_run,
        summary=ImportSummary.for_tables(selected.tables, dry_run=dry_run),
        now=(clock or SystemClock()).now(),
        progress=Progress(progress, 2 * len(table.rows)),
    )
    selected.run(job)
    job.table.raise_if_errors()
    if not dry_run:
        session.flush()
        # The rows were written with set-based statements behind the identity map's back.
        session.expire_all()
        # The shop's stores of derived figures take the new records in within the import's transaction.
        bring_stores_up_to_date(session, shop_id=job.shop_id, touched=job.summary.written())
        # And the plan's demand estimate for today, so that the morning brief reads it instead of computing it.
        prepare_after_fold_in(session, shop=job.shop, clock=clock or SystemClock(), touched=job.summary.written())
    job.progress.finish()
    return job.summary


def _kind(kind: str) -> Kind:
    selected = _KINDS.get(kind.strip().lower())
    if selected is None:
        raise ValidationError(
            f"unknown kind of file {kind!r}: choose one of {', '.join(_KINDS)}",
            details={"kinds": list(_KINDS)},
        )
    return selected
