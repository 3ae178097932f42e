"""WooCommerce has no order export of its own: shops use one of three plugin families (FORMATS.md), recognised from
the header row.

- Advanced Order Export (AlgolPlus): one row per item, the order's columns repeated on each row; headers in the
  shop's language; money written "150" or "150.00"; in a workbook, dates as Excel day numbers.
- Customer/Order CSV Export (SkyVerge): one row per order, items packed in `line_items` (`;` between items, `|`
  between `key:value` fields, `\\` escaping), shipping, fees and coupons packed alike (order money, not lines); an
  apostrophe guards values that could start a formula, stripped from numbers only; `order_number` may be empty.
- Order Export & Order Import (WebToffee): one row per order, each item packed in `line_item_1`, `line_item_2`, ….
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tradewind.errors import ValidationError
from tradewind.importers import platform_values as pv
from tradewind.importers import values
from tradewind.importers.platform_orders import BuyerDraft, LineDraft, OrderDraft, read_region
from tradewind.importers.reading import Column, Layout, RecordSource, Row, iter_rows
from tradewind.importers.sources import PlatformRead
from tradewind.orders.models import OrderStatus, PaymentState

WEBTOFFEE_ITEMS = 40
LAYOUT = Layout(
    "WooCommerce orders",
    (
        Column("order", aliases=("Order Number", "Número de pedido", "Numéro de commande", "Bestellnummer")),
        Column("order_id", aliases=("Order ID", "ID del pedido", "id")),
        Column("status", aliases=("Order Status", "Estado del pedido", "Statut de la commande", "Bestellstatus")),
        # SkyVerge's Customer/Order CSV Export calls the order date just `date`.
        Column("placed_at", aliases=("Order Date", "Fecha del pedido", "Date de la commande", "Bestelldatum", "date")),
        Column("paid_at", aliases=("Paid Date", "Date Paid", "Fecha de pago")),
        Column("completed_at", aliases=("Completed Date", "Date Completed", "Fecha de finalización")),
        Column("currency", aliases=("Order Currency", "Currency", "Moneda")),
        Column(
            "shipping_total",
            aliases=("Order Shipping Amount", "Order Shipping", "Importe de envío del pedido", "Envío", "Shipping"),
        ),
        Column("total", aliases=("Order Total Amount", "Order Total", "Importe total del pedido", "Total del pedido")),
        Column(
            "email", aliases=("Email (Billing)", "billing_email", "customer_email", "Correo electrónico (facturación)")
        ),
        Column("first_name", aliases=("First Name (Billing)", "billing_first_name", "Nombre (facturación)")),
        Column("last_name", aliases=("Last Name (Billing)", "billing_last_name", "Apellidos (facturación)")),
        Column("customer_id", aliases=("Customer User ID", "customer_user", "ID de usuario del cliente")),
        Column(
            "billing_country",
            aliases=("Country Code (Billing)", "Código de país (facturación)", "País (facturación)", "Billing Country"),
        ),
        Column(
            "shipping_country",
            aliases=("Country Code (Shipping)", "Código de país (envío)", "País (envío)", "Shipping Country"),
        ),
        Column("shipping_state", aliases=("State Code (Shipping)", "State (Shipping)", "Shipping State")),
        Column("shipping_method", aliases=("Shipping Method Title", "Método de envío")),
        Column("item", aliases=("Item Name", "Product Name", "Nombre del artículo", "Artículo", "Producto")),
        Column("sku", aliases=("Item SKU", "Product SKU")),
        Column("quantity", aliases=("Cantidad", "Qty", "Menge", "Quantité")),
        Column("quantity_net", aliases=("Quantity (- Refund)", "Cantidad (- reembolso)", "Qty (- Refund)")),
        Column("item_cost", aliases=("Item Cost", "Coste del artículo", "Precio del artículo", "Item Price")),
        Column("line_items"),
        Column("shipping_items"),
        Column("fee_items"),
        Column("coupon_items"),
        *(Column(f"line_item_{n}") for n in range(1, WEBTOFFEE_ITEMS + 1)),
    ),
    strict=False,
)
NO_PRICE = "items without a price (their price is 0): the file's item price is empty"
# Statuses by their slug, their English label and the Spanish one; "wc-" prefixes are dropped first.
_STATUSES: dict[str, tuple[PaymentState, OrderStatus | None]] = {
    "pending": (PaymentState.UNPAID, OrderStatus.PLACED),
    "on-hold": (PaymentState.UNPAID, OrderStatus.PLACED),
    "processing": (PaymentState.PAID, OrderStatus.AWAITING_SHIPMENT),
    "completed": (PaymentState.PAID, OrderStatus.SHIPPED),
    "cancelled": (PaymentState.UNPAID, OrderStatus.CANCELLED),
    "refunded": (PaymentState.REFUNDED, OrderStatus.CANCELLED),
    "failed": (PaymentState.UNPAID, OrderStatus.CLOSED),
}
_LABELS = {
    "pending payment": "pending",
    "pendiente de pago": "pending",
    "pendiente": "pending",
    "on hold": "on-hold",
    "en espera": "on-hold",
    "procesando": "processing",
    "completado": "completed",
    "completada": "completed",
    "cancelado": "cancelled",
    "cancelada": "cancelled",
    "canceled": "cancelled",
    "reembolsado": "refunded",
    "reembolsada": "refunded",
    "fallido": "failed",
    "fallida": "failed",
}


def read(context: PlatformRead, source: RecordSource) -> dict[str, OrderDraft]:
    table = context.table
    present = table.present
    if "order" not in present and "order_id" not in present:
        table.error(1, "order", "the required column order (or 'Order Number', 'order_id') is missing")
    if "line_items" not in present and "line_item_1" not in present and "item" not in present:
        table.error(
            1,
            "item",
            "no item columns: expected 'Item Name' and 'Quantity' (Advanced Order Export), 'line_items' "
            "(Customer/Order CSV Export) or 'line_item_1' (Order Export & Import)",
        )
    if "placed_at" not in present:
        table.error(1, "placed_at", "no order date column: expected 'Order Date', 'order_date' or 'date' (or map it)")
    if "item" in present and "line_items" not in present and "line_item_1" not in present:
        if "quantity" not in present and "quantity_net" not in present:
            table.error(1, "quantity", "no quantity column: expected 'Quantity', 'Cantidad' or 'Qty' (or map it)")
        if "item_cost" not in present:
            table.error(
                1,
                "item_cost",
                "no item price column: expected 'Item Cost', 'Coste del artículo' or 'Item Price' (or map it with "
                "--mapping): without it every price would be 0",
            )
    table.raise_if_errors()
    moment = pv.moment_in(context.zone, serial_numbers=True)
    drafts: dict[str, OrderDraft] = {}
    for row in iter_rows(source, once=True):
        context.progress_advance(1)
        number = row.cells.get("order") or row.cells.get("order_id")
        if not number:
            table.error(row.line, "order", "the order number is empty (and so is order_id)")
            continue
        number = number.lstrip("'")[:64]
        draft = drafts.get(number)
        if draft is None:
            draft = drafts[number] = OrderDraft(number, row.line)
            _order_columns(context, row, draft, moment)
        if "line_items" in present:
            _packed_lines(context, row, draft, "line_items", row.cells.get("line_items", ""))
            _packed_money(context, row, draft)
        elif "line_item_1" in present:
            for n in range(1, WEBTOFFEE_ITEMS + 1):
                cell = row.cells.get(f"line_item_{n}", "")
                if cell:
                    _packed_lines(context, row, draft, f"line_item_{n}", cell)
        else:
            _item_row(context, row, draft)
    return drafts


def _order_columns(context: PlatformRead, row: Row, draft: OrderDraft, moment: pv.MomentParser) -> None:
    table = context.table
    draft.placed_at = table.value(row, "placed_at", moment, required=True)
    draft.paid_at = table.value(row, "paid_at", moment)
    draft.currency = table.value(row, "currency", values.currency) or context.currency
    draft.total = table.value(row, "total", pv.money)
    draft.shipping_total = table.value(row, "shipping_total", pv.money) or Decimal(0)
    draft.shipping_method = table.value(row, "shipping_method", values.text(64))
    status_text = row.cells.get("status", "")
    if status_text:
        _status(context, draft, status_text, table.value(row, "completed_at", moment))
    country_text = row.cells.get("shipping_country") or row.cells.get("billing_country") or context.default_country
    country = None
    if country_text:
        try:
            country = pv.country_code(country_text)
        except ValidationError as problem:
            column = "shipping_country" if row.cells.get("shipping_country") else "billing_country"
            table.error(row.line, column, problem.message)
    draft.destination_country = country
    if row.cells.get("shipping_country") or not row.cells.get("billing_country"):
        draft.destination_region = read_region(context, row, "shipping_state", country)
    email = row.cells.get("email") or None
    customer = row.cells.get("customer_id", "").strip()
    name = " ".join(part for part in (row.cells.get("first_name"), row.cells.get("last_name")) if part) or None
    key = f"customer-{customer}" if customer and customer != "0" else (email or name or "").lower()
    if key:
        draft.buyer = BuyerDraft(
            key[:100],
            name=name[:200] if name else None,
            email=email[:200] if email and "@" in email else None,
            country=country,
            language=pv.likely_language(country),
        )


def _status(context: PlatformRead, draft: OrderDraft, text: str, completed_at: Any) -> None:
    lowered = text.strip().lower()
    custom = context.statuses.get(lowered) or context.statuses.get(lowered.removeprefix("wc-"))
    if custom is not None:
        draft.status = OrderStatus(custom)
        if draft.status not in (OrderStatus.PLACED, OrderStatus.CLOSED, OrderStatus.CANCELLED):
            draft.payment_state = PaymentState.PAID
    else:
        slug = lowered.removeprefix("wc-")
        slug = _LABELS.get(slug, slug)
        known = _STATUSES.get(slug)
        if known is None:
            # A shop's own status (e.g. "wc-enviado"): read from the dates; the mapping file can say what it means.
            return
        draft.payment_state, draft.status = known
    if draft.status == OrderStatus.SHIPPED:
        draft.shipped_at = completed_at or draft.paid_at or draft.placed_at
    elif draft.status == OrderStatus.CANCELLED:
        draft.cancel_reason = "refunded" if draft.payment_state == PaymentState.REFUNDED else None


def _item_row(context: PlatformRead, row: Row, draft: OrderDraft) -> None:
    """An Advanced Order Export row: one item; the quantity net of refunds when the export has that column."""
    table = context.table
    name = row.cells.get("item", "")
    column = "quantity_net" if row.cells.get("quantity_net") else "quantity"
    quantity = table.value(row, column, pv.quantity, required=True)
    price = table.value(row, "item_cost", pv.money)
    if quantity is None:
        return
    if quantity < 0:
        table.error(row.line, column, f"must not be negative, not {row.cells[column]!r}")
        return
    if quantity == 0:
        return  # refunded in full
    if price is None and not row.cells.get("item_cost"):
        context.warn(NO_PRICE)
    _add_line(context, row, draft, "sku", row.cells.get("sku", ""), name, quantity, price or Decimal(0))


def _add_line(
    context: PlatformRead,
    row: Row,
    draft: OrderDraft,
    column: str,
    sku: str,
    name: str,
    quantity: int,
    price: Decimal,
) -> None:
    sku = sku.lstrip("'").strip()
    if len(sku) > 64:
        context.error(row.line, column, f"the SKU {sku[:20]!r}… is {len(sku)} characters long; at most 64 fit")
        return
    draft.lines.append(LineDraft(row.line, sku or pv.derived_sku(name), name, quantity, price))


def _packed_lines(context: PlatformRead, row: Row, draft: OrderDraft, column: str, cell: str) -> None:
    for item in unpack(cell):
        try:
            quantity = pv.quantity(item.get("quantity", "1"))
            stated = item.get("subtotal") or item.get("total") or item.get("sub_total")
            if not stated:
                context.warn(NO_PRICE)
            total = pv.money(stated or "0")
        except ValidationError as problem:
            context.error(row.line, column, f"item {item.get('name', '?')!r}: {problem.message}")
            continue
        if quantity <= 0:
            continue
        refunded = item.get("refunded_qty", "").lstrip("-")
        if refunded.isdigit():
            quantity -= int(refunded)
            if quantity <= 0:
                continue
        price = (total / (quantity + int(refunded or 0))).quantize(Decimal("0.0001"))
        _add_line(context, row, draft, column, item.get("sku", ""), item.get("name", ""), quantity, price)


def _packed_money(context: PlatformRead, row: Row, draft: OrderDraft) -> None:
    """Shipping and fees packed like items: order money, kept for orders whose export has no totals."""
    for column in ("shipping_items", "fee_items"):
        for item in unpack(row.cells.get(column, "")):
            try:
                amount = pv.money(item.get("total") or item.get("amount") or "0")
            except ValidationError as problem:
                context.error(row.line, column, problem.message)
                continue
            if column == "shipping_items" and "shipping_total" not in context.table.present:
                draft.shipping_total += amount
            elif column == "fee_items":
                draft.other_money += amount


def unpack(cell: str) -> list[dict[str, str]]:
    """Items packed as `key:value|key:value;key:value|…`, where `\\` escapes a separator inside a value."""
    items: list[dict[str, str]] = []
    fields: list[str] = []
    current: list[str] = []
    escaped = False
    for char in cell:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            fields.append("".join(current))
            current = []
        elif char == ";":
            fields.append("".join(current))
            items.append(_fields(fields))
            fields, current = [], []
        else:
            current.append(char)
    if current or fields:
        fields.append("".join(current))
        items.append(_fields(fields))
    return [item for item in items if item]


def _fields(parts: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in parts:
        key, separator, value = part.partition(":")
        if separator:
            found[key.strip().lower()] = value.strip()
    return found
