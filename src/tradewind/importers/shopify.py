"""Shopify's native "Export orders" CSV: about 79 columns, one row per line item, and only an order's first row
carries the order's own columns (totals, status, addresses). Tips are line items without a SKU named "Tip", and
like shipping, taxes and discounts they are order money, not order lines; every row's date has its own offset;
zip codes may start with an apostrophe (a spreadsheet guard); open draft orders (`#D…`) are not orders yet."""

from __future__ import annotations

from decimal import Decimal

from tradewind.errors import ValidationError
from tradewind.importers import platform_values as pv
from tradewind.importers import values
from tradewind.importers.platform_orders import BuyerDraft, LineDraft, OrderDraft, read_region
from tradewind.importers.reading import Column, Layout, RecordSource, Row, iter_rows
from tradewind.importers.sources import PlatformRead
from tradewind.orders.models import OrderStatus, PaymentState

LAYOUT = Layout(
    "Shopify orders",
    (
        Column("order", required=True, aliases=("Name",)),
        Column("email", aliases=("Email",)),
        Column("financial_status", aliases=("Financial Status",)),
        Column("paid_at", aliases=("Paid at",)),
        Column("fulfillment_status", aliases=("Fulfillment Status",)),
        Column("fulfilled_at", aliases=("Fulfilled at",)),
        Column("currency", aliases=("Currency",)),
        Column("shipping", aliases=("Shipping",)),
        Column("total", aliases=("Total",)),
        Column("discount_amount", aliases=("Discount Amount",)),
        Column("shipping_method", aliases=("Shipping Method",)),
        Column("placed_at", required=True, aliases=("Created at",)),
        Column("quantity", required=True, aliases=("Lineitem quantity",)),
        Column("item", required=True, aliases=("Lineitem name",)),
        Column("unit_price", required=True, aliases=("Lineitem price",)),
        Column("sku", aliases=("Lineitem sku",)),
        Column("requires_shipping", aliases=("Lineitem requires shipping",)),
        Column("billing_name", aliases=("Billing Name",)),
        Column("billing_country", aliases=("Billing Country",)),
        Column("shipping_name", aliases=("Shipping Name",)),
        Column("shipping_zip", aliases=("Shipping Zip",)),
        Column("shipping_country", aliases=("Shipping Country",)),
        Column("shipping_province", aliases=("Shipping Province",)),
        Column("cancelled_at", aliases=("Cancelled at",)),
        Column("refunded_amount", aliases=("Refunded Amount",)),
        Column("source", aliases=("Source",)),
    ),
    strict=False,
)
_PAYMENT = {
    "paid": PaymentState.PAID,
    "authorized": PaymentState.PAID,
    "partially_refunded": PaymentState.PARTIALLY_REFUNDED,
    "refunded": PaymentState.REFUNDED,
    "pending": PaymentState.UNPAID,
    "partially_paid": PaymentState.UNPAID,
    "voided": PaymentState.UNPAID,
    "expired": PaymentState.UNPAID,
}
TIP_NAMES = frozenset({"tip", "tips", "trinkgeld", "propina", "pourboire", "gorjeta", "mancia", "fooi"})
SKIPPED_DRAFTS = "open draft orders (#D…: not orders yet)"


def read(context: PlatformRead, source: RecordSource) -> dict[str, OrderDraft]:
    table = context.table
    moment = pv.moment_in(context.zone)
    drafts: dict[str, OrderDraft] = {}
    skipped_drafts: set[str] = set()
    for row in iter_rows(source, once=True):
        context.progress_advance(1)
        number = table.value(row, "order", values.text(64), required=True)
        if number is None:
            continue
        if number.upper().startswith("#D"):
            skipped_drafts.add(number)
            continue
        draft = drafts.get(number)
        if draft is None:
            draft = drafts[number] = OrderDraft(number, row.line)
        if row.cells.get("financial_status") or row.cells.get("total"):
            _order_columns(context, row, draft, moment)
        elif draft.placed_at is None:
            draft.placed_at = table.value(row, "placed_at", moment)
        _line(context, row, draft)
    if skipped_drafts:
        context.skip(SKIPPED_DRAFTS, len(skipped_drafts))
    for draft in drafts.values():
        if draft.placed_at is None and "placed_at" in table.present:
            table.error(draft.line, "placed_at", f"order {draft.number!r} has no Created at on its first row")
    return drafts


def _order_columns(context: PlatformRead, row: Row, draft: OrderDraft, moment: pv.MomentParser) -> None:
    """The order's own columns, from the first row of the order that carries them."""
    table = context.table
    draft.placed_at = table.value(row, "placed_at", moment, required=True)
    draft.paid_at = table.value(row, "paid_at", moment)
    draft.currency = table.value(row, "currency", values.currency) or context.currency
    draft.total = table.value(row, "total", pv.money)
    draft.shipping_total = table.value(row, "shipping", pv.money) or Decimal(0)
    draft.shipping_method = table.value(row, "shipping_method", values.text(64))
    draft.cancelled_at = table.value(row, "cancelled_at", moment)
    status = row.cells.get("financial_status", "").lower()
    if status:
        payment = _PAYMENT.get(status)
        if payment is None:
            table.error(row.line, "financial_status", f"unknown Financial Status {status!r}")
        draft.payment_state = payment
        if status == "expired":
            draft.status = OrderStatus.CLOSED
    if row.cells.get("fulfillment_status", "").lower() == "fulfilled":
        shipped = table.value(row, "fulfilled_at", moment)
        draft.shipped_at = shipped or draft.paid_at or draft.placed_at
    if draft.cancelled_at is not None:
        draft.status = OrderStatus.CANCELLED
    country_text = (
        row.cells.get("shipping_country") or row.cells.get("billing_country") or context.default_country or ""
    )
    country = _country(context, row, country_text)
    draft.destination_country = country
    if row.cells.get("shipping_country"):
        draft.destination_region = read_region(context, row, "shipping_province", country)
    email = table.value(row, "email", values.text(200))
    name = row.cells.get("billing_name") or row.cells.get("shipping_name") or None
    buyer_key = (email or name or "").strip().lower()
    if buyer_key:
        draft.buyer = BuyerDraft(
            buyer_key[:100],
            name=name[:200] if name else None,
            email=email if email and "@" in email else None,
            country=country,
            language=pv.likely_language(country),
        )


def _country(context: PlatformRead, row: Row, text: str) -> str | None:
    if not text:
        return None
    try:
        return pv.country_code(text)
    except ValidationError as problem:
        column = "shipping_country" if row.cells.get("shipping_country") else "billing_country"
        context.error(row.line, column, problem.message)
        return None


def _line(context: PlatformRead, row: Row, draft: OrderDraft) -> None:
    table = context.table
    name = row.cells.get("item", "")
    quantity = table.value(row, "quantity", pv.quantity, required=True)
    price = table.value(row, "unit_price", pv.money, required=True)
    if quantity is None or price is None:
        return
    sku = row.cells.get("sku", "").lstrip("'")
    if not sku and name.strip().lower() in TIP_NAMES:
        draft.other_money += price * quantity
        return
    if quantity <= 0:
        table.error(row.line, "quantity", f"must be at least 1, not {row.cells['quantity']!r}")
        return
    if len(sku) > 64:
        table.error(row.line, "sku", f"is {len(sku)} characters long; at most 64 fit")
        return
    draft.lines.append(LineDraft(row.line, sku or pv.derived_sku(name), name, quantity, price))
