"""`tradewind import orders FILE --format …`: orders from the exports sellers' platforms really write (FORMATS.md),
all or nothing, idempotent by the platform's order number.

The service never commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from tradewind.brief.stores import bring_stores_up_to_date
from tradewind.clock import Clock, SystemClock
from tradewind.errors import InputFileError, RowError, ValidationError
from tradewind.importers import aliexpress, invoice_lines, orders_csv, shopify, woocommerce
from tradewind.importers.job import ImportJob, Progress, ProgressCallback
from tradewind.importers.mapping import load_mapping
from tradewind.importers.platform_orders import PARCEL_TABLES, TABLES, OrderDraft, write_orders
from tradewind.importers.reading import (
    ColumnMapping,
    CsvTable,
    Layout,
    ReadLimits,
    RecordSource,
    header_key,
    open_records,
)
from tradewind.importers.sources import PlatformRead
from tradewind.importers.summary import ImportSummary
from tradewind.planning.estimate_store import prepare_after_fold_in
from tradewind.shops.models import Shop


@dataclass(frozen=True)
class PlatformFormat:
    layout: Layout
    channel: str
    read: Callable[[PlatformRead, RecordSource], dict[str, OrderDraft]]
    tables: tuple[str, ...] = TABLES  # what an import may write, as its summary lists them


_FORMATS = {
    "shopify": PlatformFormat(shopify.LAYOUT, "shopify", shopify.read),
    "woocommerce": PlatformFormat(woocommerce.LAYOUT, "woocommerce", woocommerce.read),
    "aliexpress": PlatformFormat(aliexpress.LAYOUT, "aliexpress", aliexpress.read, TABLES + PARCEL_TABLES),
    "invoice-lines": PlatformFormat(invoice_lines.LAYOUT, "invoice", invoice_lines.read),
}


# What a header must name for a file to be recognised as a platform's export (the columns no other format has).
_SIGNATURES: dict[str, tuple[frozenset[str], ...]] = {
    "shopify": (frozenset({"order", "placed_at", "quantity", "item", "unit_price", "financial_status"}),),
    "woocommerce": (
        frozenset({"order", "item", "item_cost"}),
        frozenset({"order_id", "line_items"}),
        frozenset({"order_id", "line_item_1"}),
    ),
    "aliexpress": (frozenset({"order", "placed_at", "items"}),),
    "invoice-lines": (frozenset(column.name for column in invoice_lines.LAYOUT.columns if column.required),),
}


_INVOICE_NUMBER = frozenset(header_key(name) for name in ("InvoiceNo", "Invoice", "invoice_number"))


def recognise_format(path: Path, limits: ReadLimits | None = None) -> str | None:
    """The platform whose export `path` is, from its header row: the format whose distinctive columns the header
    names (the most of its columns when several would do), or None for a Tradewind CSV or a file no format fits.
    A file that cannot be read is None too: the import that follows reports why."""
    try:
        header = open_records(path, Layout("header", (), strict=False), None, limits).header
    except InputFileError:
        return None
    if all(orders_csv.LAYOUT.find(cell) is not None for cell in header if cell.strip()):
        return None  # Tradewind's own orders CSV
    keys = {header_key(cell) for cell in header}
    best: tuple[int, str] | None = None
    tied = False
    for name, signatures in _SIGNATURES.items():
        layout = _FORMATS[name].layout
        found = {column.name for cell in header if (column := layout.find(cell)) is not None}
        if not any(signature <= found for signature in signatures):
            continue
        if name == "invoice-lines" and not keys & _INVOICE_NUMBER:
            continue  # Tradewind's own columns (order, sku, …) with a stray one: not an invoice export
        if best is None or len(found) > best[0]:
            best, tied = (len(found), name), False
        elif len(found) == best[0]:
            tied = True
    return None if best is None or tied else best[1]


def order_formats() -> list[str]:
    return list(_FORMATS)


def failed_orders_summary(errors: list[RowError], format: str) -> ImportSummary:
    """The summary to print for an orders import in `format` that stopped on `errors` (`InputFileError.errors`)."""
    selected = _FORMATS.get(format.strip().lower())
    return ImportSummary.failed(selected.tables if selected else TABLES, errors)


def import_orders(
    session: Session,
    *,
    shop: Shop,
    path: Path,
    format: str,
    mapping: Path | ColumnMapping | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    clock: Clock | None = None,
    limits: ReadLimits | None = None,
) -> ImportSummary:
    """Import the orders in the platform export `path` (written by `format`) into `shop`.

    Raises `InputFileError` with every problem in the file before writing anything; with `dry_run` nothing is
    written and the summary says what the import would do.
    """
    selected = _FORMATS.get(format.strip().lower())
    if selected is None:
        raise ValidationError(
            f"unknown format {format!r}: choose one of {', '.join(_FORMATS)}", details={"formats": list(_FORMATS)}
        )
    the_mapping = load_mapping(mapping) if isinstance(mapping, Path) else mapping or ColumnMapping()
    zone_name = the_mapping.defaults.get("timezone") or shop.timezone
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"the shop's time zone {zone_name!r} is unknown") from None
    source = open_records(path, selected.layout, the_mapping, limits)
    source.table.raise_if_errors()
    session.flush()
    summary = ImportSummary.for_tables(selected.tables, dry_run=dry_run)
    job = ImportJob(
        session=session,
        shop=shop,
        table=source.table,
        dry_run=dry_run,
        summary=summary,
        now=(clock or SystemClock()).now(),
        progress=Progress(progress, 2 * max(source.estimated_rows, 1), step=5000),
    )
    context = PlatformRead(
        table=source.table,
        zone=zone,
        currency=the_mapping.defaults.get("currency", shop.currency).upper(),
        summary=summary,
        progress_advance=job.progress.advance,
        statuses=the_mapping.statuses,
        default_country=the_mapping.defaults.get("country"),
        stated_currency=(the_mapping.defaults.get("currency") or "").upper() or None,
    )
    drafts = selected.read(context, source)
    _require_placed_at(job.table, drafts)
    job.table.raise_if_errors()
    write_orders(job, drafts, channel=the_mapping.defaults.get("channel", selected.channel))
    if not dry_run:
        session.flush()
        session.expire_all()
        # The shop's stores of derived figures take the new records in within the import's transaction.
        bring_stores_up_to_date(session, shop_id=job.shop_id, touched=job.summary.written())
        # And the plan's demand estimate for today, so that the morning brief reads it instead of computing it.
        prepare_after_fold_in(session, shop=job.shop, clock=clock or SystemClock(), touched=job.summary.written())
    job.progress.finish()
    return summary


def _require_placed_at(table: CsvTable, drafts: Mapping[str, OrderDraft]) -> None:
    """Every order needs the moment it was placed; one whose file gives none (no date column, or a date that could
    not be read) is an error on its first line, unless that line already says so."""
    said = {error.line for error in table.errors if error.column == "placed_at"}
    for draft in drafts.values():
        if draft.placed_at is None and draft.line not in said:
            table.error(
                draft.line,
                "placed_at",
                f"order {draft.number!r} has no date it was placed: the file needs its order date column",
            )
