"""Invoice-line files such as the UCI "Online Retail" data: one row per invoice line, the invoice number the order's
key. Cancellations are invoices of their own (`C…`, negative quantities): a credit note is no order, it nets against
the invoice it cancels (the one it names in an `original` column, else the latest earlier invoice of the same buyer
with that stock code, then the one before), so the invoice keeps only the units that were really sold, and an
invoice whose every unit was credited becomes a buyer-cancelled order; credit lines that find no such invoice in the
file are skipped (and counted). Postage, fees and vouchers are stock codes, not products, so they become the order's
shipping or other money; a negative quantity outside a cancellation invoice is a stock adjustment, not a sale, and
is skipped (and counted).

Built for files of a million lines: the rows are walked as plain lists, and each distinct date, price and country is
parsed once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tradewind.errors import ValidationError
from tradewind.importers import platform_values as pv
from tradewind.importers import values
from tradewind.importers.platform_orders import BuyerDraft, LineDraft, OrderDraft
from tradewind.importers.reading import Column, Layout, RecordSource, RepeatedRows
from tradewind.importers.sources import PlatformRead
from tradewind.orders.models import CancelledBy, OrderStatus

LAYOUT = Layout(
    "invoice lines",
    (
        Column("order", required=True, aliases=("InvoiceNo", "Invoice", "invoice_number")),
        Column("sku", required=True, aliases=("StockCode", "stock_code", "product_code")),
        Column("title", aliases=("Description",)),
        Column("quantity", required=True, aliases=("Qty",)),
        Column("placed_at", required=True, aliases=("InvoiceDate", "invoice_date", "date")),
        Column("unit_price", required=True, aliases=("UnitPrice", "Price")),
        Column("buyer", aliases=("CustomerID", "Customer ID", "customer")),
        Column("country", aliases=("Country",)),
        Column("currency"),
        # The invoice a credit note cancels, when the file says (the Online Retail data does not).
        Column("original", aliases=("OriginalInvoice", "original_invoice", "credit_for")),
    ),
    strict=False,
)
# Stock codes that are no product: what the money of such a line is.
SHIPPING_CODES = frozenset({"POST", "DOT", "C2"})
OTHER_MONEY_CODES = frozenset({"D", "M", "BANK CHARGES", "AMAZONFEE", "CRUK", "S", "B", "ADJUST", "ADJUST2"})
VOUCHER_PREFIX = "GIFT_"
CREDIT_NOTE = "cancellation invoice"
SKIPPED_ADJUSTMENT = "stock adjustment rows (negative quantity outside a cancellation invoice)"
SKIPPED_NO_PRODUCT = "invoices with no product line (fees or adjustments only)"
NETTED = "credit notes netted against the invoices they cancel"
SKIPPED_UNMATCHED = "credit-note lines with no invoice of that buyer and stock code in the file to net against"
# Invoice-line exports repeat some rows word for word (the UCI file holds 5,268 such rows): the same line of the same
# invoice, which would count it twice.
SKIPPED_REPEATED = "rows repeating an earlier row word for word (counted once)"


def read(context: PlatformRead, source: RecordSource) -> dict[str, OrderDraft]:
    table = source.table
    pos = source.positions
    width = source.width
    at = {name: pos.get(name, -1) for name in ("order", "sku", "title", "quantity", "placed_at", "unit_price")}
    i_order, i_sku, i_title, i_quantity, i_placed, i_price = at.values()
    i_buyer, i_country, i_currency, i_original = (
        pos.get(name, -1) for name in ("buyer", "country", "currency", "original")
    )
    moment = pv.moment_in(context.zone)
    default_currency = context.currency
    prices: dict[str, Decimal] = {}
    countries: dict[str, str | None] = {}
    drafts: dict[str, OrderDraft] = {}
    # The invoice each credit note names, when the file has the column.
    originals: dict[str, str] = {}
    advance = context.progress_advance
    skipped = 0
    repeated = RepeatedRows()
    repeats = 0
    for count, (line, cells) in enumerate(source.records, start=1):
        if not count % 2000:
            advance(2000)
        if repeated.first_line(line, cells) is not None:
            repeats += 1
            continue
        if len(cells) < width:
            table.error(line, "", f"the row has {len(cells)} values but the header has {width} (is it cut short?)")
            continue
        number = cells[i_order].strip()
        code = cells[i_sku].strip()
        if not number or not code:
            if not number:
                table.error(line, "order", "order is required")
            if not code:
                table.error(line, "sku", "sku is required")
            continue
        raw_quantity = cells[i_quantity]
        try:
            quantity = int(raw_quantity)
        except ValueError:
            try:
                quantity = pv.quantity(raw_quantity)
            except ValidationError as problem:
                table.error(line, "quantity", problem.message)
                continue
        raw_price = cells[i_price]
        price = prices.get(raw_price)
        if price is None:
            try:
                price = prices[raw_price] = pv.money(raw_price)
            except ValidationError as problem:
                table.error(line, "unit_price", problem.message)
                continue
        try:
            placed_at = moment(cells[i_placed])
        except ValidationError as problem:
            table.error(line, "placed_at", problem.message)
            continue
        cancellation = number[0] in "Cc"
        if quantity < 0 and not cancellation:
            skipped += 1
            continue
        draft = drafts.get(number)
        if draft is None:
            draft = drafts[number] = _new_draft(number, line, placed_at, cancellation)
            if cancellation and i_original >= 0 and cells[i_original].strip():
                originals[number] = cells[i_original].strip()
            draft.currency = (cells[i_currency].strip().upper() if i_currency >= 0 else "") or default_currency
            if i_buyer >= 0 and cells[i_buyer].strip():
                country = None
                if i_country >= 0:
                    name = cells[i_country]
                    if name not in countries:
                        try:
                            countries[name] = pv.country_code(name) if name.strip() else None
                        except ValidationError as problem:
                            table.error(line, "country", problem.message)
                            countries[name] = None
                    country = countries[name]
                draft.buyer = BuyerDraft(
                    _customer_id(cells[i_buyer]), country=country, language=pv.likely_language(country)
                )
                draft.destination_country = country
        quantity = abs(quantity)
        upper = code.upper()
        if upper in SHIPPING_CODES:
            draft.shipping_total += price * quantity
        elif upper in OTHER_MONEY_CODES or upper.startswith(VOUCHER_PREFIX):
            sign = -1 if upper == "D" else 1
            draft.other_money += sign * price * quantity
        else:
            title = cells[i_title].strip() if i_title >= 0 else ""
            draft.lines.append(LineDraft(line, code, title, quantity, price))
    if skipped:
        context.skip(SKIPPED_ADJUSTMENT, skipped)
    _net_credit_notes(context, drafts, originals)
    if repeats:
        context.skip(SKIPPED_REPEATED, repeats)
    for number in [n for n, d in drafts.items() if not d.lines]:
        context.skip(SKIPPED_NO_PRODUCT)
        del drafts[number]
    for draft in drafts.values():
        if draft.currency is not None:
            try:
                draft.currency = values.currency(draft.currency)
            except ValidationError as problem:
                table.error(draft.line, "currency", problem.message)
    return drafts


def _net_credit_notes(context: PlatformRead, drafts: dict[str, OrderDraft], originals: dict[str, str]) -> None:
    """Take every credit note's units off the invoice lines they cancel and drop the credit notes: a return or a
    cancellation is not a sale, and the invoice's day is the day the demand was not real (the shared file's
    80,995-unit line and its credit note twelve minutes later net to nothing)."""
    credits = sorted(
        (d for d in drafts.values() if d.cancel_reason == CREDIT_NOTE and d.lines),
        key=lambda d: (d.placed_at or datetime.min.replace(tzinfo=UTC), d.number),
    )
    if not credits:
        return
    # (buyer, stock code) -> the invoice lines that can take a credit, latest last.
    sold: dict[tuple[str, str], list[tuple[datetime, str, LineDraft]]] = {}
    for draft in drafts.values():
        if draft.cancel_reason == CREDIT_NOTE or draft.buyer is None or draft.placed_at is None:
            continue
        for item in draft.lines:
            sold.setdefault((draft.buyer.external_id, item.sku), []).append((draft.placed_at, draft.number, item))
    for candidates in sold.values():
        candidates.sort(key=lambda c: (c[0], c[1]))
    invoiced = {item.line: item.quantity for d in drafts.values() if d.cancel_reason != CREDIT_NOTE for item in d.lines}
    credited: dict[str, datetime | None] = {}
    unmatched = netted = 0
    for credit in credits:
        took = False
        named = drafts.get(originals.get(credit.number, ""))
        for item in credit.lines:
            left = item.quantity
            if named is not None and named.cancel_reason != CREDIT_NOTE:
                left = _take(left, [line for line in named.lines if line.sku == item.sku])
                if left < item.quantity:
                    credited[named.number] = credit.placed_at  # None: the file does not say when
            if left and credit.buyer is not None and credit.placed_at is not None:
                earlier = [c for c in sold.get((credit.buyer.external_id, item.sku), ()) if c[0] <= credit.placed_at]
                for _, number, line in reversed(earlier):
                    if not left:
                        break
                    if line.quantity:
                        left = _take(left, [line])
                        credited[number] = credit.placed_at
            took = took or left < item.quantity
            if left:
                unmatched += 1
        netted += took
        del drafts[credit.number]
    if netted:
        context.skip(NETTED, netted)
    if unmatched:
        context.skip(SKIPPED_UNMATCHED, unmatched)
    for number, when in credited.items():
        draft = drafts[number]
        kept = [line for line in draft.lines if line.quantity]
        if kept:
            draft.lines = kept
            continue
        # Every unit credited: the order stands as cancelled, its lines as they were invoiced.
        draft.lines = [LineDraft(x.line, x.sku, x.title, invoiced.get(x.line, 0), x.unit_price) for x in draft.lines]
        draft.status = OrderStatus.CANCELLED
        draft.cancelled_at = when
        draft.cancelled_by = CancelledBy.BUYER
        draft.cancel_reason = "every unit credited by a credit note"


def _take(units: int, lines: list[LineDraft]) -> int:
    """Take up to `units` off `lines` (first first); what is left to take."""
    for line in lines:
        taken = min(units, line.quantity)
        line.quantity -= taken
        units -= taken
    return units


def _new_draft(number: str, line: int, placed_at: datetime, cancellation: bool) -> OrderDraft:
    extra: dict[str, Any] = {}
    if cancellation:
        extra = {
            "status": OrderStatus.CANCELLED,
            "cancelled_at": placed_at,
            "cancelled_by": CancelledBy.BUYER,
            "cancel_reason": CREDIT_NOTE,
        }
    else:
        extra = {"status": OrderStatus.DELIVERED}
    return OrderDraft(number, line, placed_at=placed_at, paid_at=placed_at, **extra)


def _customer_id(text: str) -> str:
    """'17850.0' (a spreadsheet's float) is customer 17850."""
    cleaned = text.strip()
    return cleaned[:-2] if cleaned.endswith(".0") else cleaned
