"""The `orders` kind of Tradewind CSV: one row per order line, the order's own columns repeated on each of its lines
(they must agree); buyers are created on demand, and an order's total is the sum of its lines plus shipping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tradewind.catalog.models import Sku
from tradewind.errors import ValidationError
from tradewind.importers import values
from tradewind.importers.bulk import UpsertPlan, apply_upsert, delete_ids, load_by_keys, load_ids, load_keyed, table_of
from tradewind.importers.job import Codes, ImportJob
from tradewind.importers.reading import Column, Layout, RepeatedRows, Row, repeated_row_error
from tradewind.orders.models import Buyer, CancelledBy, Order, OrderLine, OrderStatus, PaymentState

LAYOUT = Layout(
    "orders",
    (
        Column("order", required=True),
        Column("line"),
        Column("placed_at", required=True),
        Column("paid_at"),
        Column("payment_state"),
        Column("status"),
        Column("channel"),
        Column("buyer"),
        Column("buyer_name"),
        Column("buyer_email"),
        Column("country"),
        Column("language"),
        Column("currency"),
        Column("sku", required=True),
        Column("quantity", required=True),
        Column("unit_price", required=True),
        Column("shipping_total"),
        Column("destination_country"),
        Column("destination_region", aliases=("region", "state", "province")),
        Column("shipping_method"),
        Column("ship_by"),
        Column("promised_delivery_on"),
        Column("protection_ends_on"),
        Column("cancelled_at"),
        Column("cancelled_by"),
        Column("cancel_reason"),
        Column("warehouse"),
    ),
)
TABLES = ("buyers", "orders", "order_lines")

# The order's own columns: the same on every line of an order, or left empty after its first line.
_ORDER_COLUMNS: dict[str, Callable[[str], Any]] = {
    "placed_at": values.moment,
    "paid_at": values.moment,
    "payment_state": values.choice(PaymentState),
    "status": values.choice(OrderStatus),
    "channel": values.text(32),
    "buyer": values.text(100),
    "buyer_name": values.text(200),
    "buyer_email": values.email,
    "country": values.country,
    "language": values.language,
    "currency": values.currency,
    "shipping_total": values.amount,
    "destination_country": values.country,
    # Read as written, then as a state of the destination country (`_region_in_country`).
    "destination_region": values.text(100),
    "shipping_method": values.text(64),
    "ship_by": values.day,
    "promised_delivery_on": values.day,
    "protection_ends_on": values.day,
    "cancelled_at": values.moment,
    "cancelled_by": values.choice(CancelledBy),
    "cancel_reason": values.text(200),
    "warehouse": values.code,
}
_BUYER_COLUMNS = {"buyer_name": "name", "buyer_email": "email", "country": "country", "language": "language"}
# Order fields written as given (the file's column of the same name).
_SAME_NAME = (
    "placed_at",
    "paid_at",
    "payment_state",
    "status",
    "channel",
    "currency",
    "shipping_total",
    "destination_country",
    "destination_region",
    "shipping_method",
    "ship_by",
    "promised_delivery_on",
    "protection_ends_on",
    "cancelled_at",
    "cancelled_by",
    "cancel_reason",
)
_ORDER_FIELDS = (*_SAME_NAME, "buyer_id", "total", "warehouse_code")
_LINE_FIELDS = ("sku_id", "quantity", "unit_price")


@dataclass
class LineRecord:
    line: int
    line_no: int
    sku_id: int
    quantity: int
    unit_price: Decimal


@dataclass
class OrderDraft:
    """An order as its lines in the file state it."""

    number: str
    first_line: int
    stated: dict[str, Any] = field(default_factory=dict)
    stated_on: dict[str, int] = field(default_factory=dict)
    lines: list[LineRecord] = field(default_factory=list)
    rows: int = 0
    # Some line wrote a placed_at, perhaps one that could not be read (already an error of its own).
    placed_at_written: bool = False

    def state(self, job: ImportJob, values_on_row: dict[str, Any], line: int) -> None:
        for column, value in values_on_row.items():
            if value is None:
                continue
            known = self.stated.get(column)
            if known is None:
                self.stated[column] = value
                self.stated_on[column] = line
            elif known != value:
                job.table.error(
                    line,
                    column,
                    f"order {self.number!r} has {column} {known!s} on line {self.stated_on[column]}, {value!s} here",
                )

    @property
    def lines_total(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal(0))


def run(job: ImportJob) -> None:
    drafts = _read(job)
    _check(job, drafts)
    job.table.raise_if_errors()
    buyer_ids = _write_buyers(job, drafts)
    order_ids = _write_orders(job, drafts, buyer_ids)
    _write_lines(job, drafts, order_ids)


def _read(job: ImportJob) -> dict[str, OrderDraft]:
    table = job.table
    skus = Codes(
        load_ids(job.session, Sku.id, Sku.code, table.texts("sku"), Sku.shop_id == job.shop_id), what="SKU", kind="skus"
    )
    drafts: dict[str, OrderDraft] = {}
    # Without a line column, a row given twice would become a second line of its order (with one, it is the error
    # that the line is already there).
    repeated = RepeatedRows() if "line" not in table.present else None
    # Times without an offset are the shop's local times.
    parsers = {column: job.read_moment if parse is values.moment else parse for column, parse in _ORDER_COLUMNS.items()}
    for row in table.rows:
        job.progress.advance()
        if repeated is not None:
            first = repeated.first_line(row.line, row.cells.values())
            if first is not None:
                table.error(row.line, "", repeated_row_error(first))
                continue
        number = table.value(row, "order", values.code, required=True)
        stated = {column: table.value(row, column, parse) for column, parse in parsers.items()}
        _region_in_country(job, row, stated)
        line = _line(job, row, skus)
        if number is None:
            continue
        draft = drafts.setdefault(number, OrderDraft(number, row.line))
        draft.rows += 1
        draft.placed_at_written = draft.placed_at_written or bool(row.cells.get("placed_at"))
        draft.state(job, stated, row.line)
        if line is not None:
            draft.lines.append(LineRecord(row.line, line[0] or draft.rows, *line[1:]))
    return drafts


def _line(job: ImportJob, row: Row, skus: Codes) -> tuple[int | None, int, int, Decimal] | None:
    """(line number if given, SKU id, quantity, unit price) of a row, or None when one of them is wrong."""
    table = job.table
    line_no = table.value(row, "line", values.whole_number(1))
    sku = table.value(row, "sku", values.code, required=True)
    quantity = table.value(row, "quantity", values.whole_number(1), required=True)
    unit_price = table.value(row, "unit_price", values.amount, required=True)
    sku_id = job.reference(row.line, "sku", sku, skus) if sku else None
    if sku_id is None or quantity is None or unit_price is None:
        return None
    return line_no, sku_id, quantity, unit_price


def _check(job: ImportJob, drafts: dict[str, OrderDraft]) -> None:
    for draft in drafts.values():
        if not draft.placed_at_written and "placed_at" in job.table.present:
            job.table.error(draft.first_line, "placed_at", f"order {draft.number!r} has no placed_at on any line")
        first_line: dict[int, int] = {}
        for line in draft.lines:
            job.table.first_time(
                first_line, line.line_no, line.line, "line", f"line {line.line_no} of order {draft.number!r}"
            )


def _write_buyers(job: ImportJob, drafts: dict[str, OrderDraft]) -> dict[str, int]:
    """Buyers named by the orders; when orders disagree about a buyer's details, the latest order wins."""
    details: dict[str, dict[str, Any]] = {}
    for draft in sorted(drafts.values(), key=lambda d: d.stated["placed_at"]):
        buyer = draft.stated.get("buyer")
        if buyer is None:
            continue
        known = details.setdefault(buyer, dict.fromkeys(_BUYER_COLUMNS.values()))
        for column, name in _BUYER_COLUMNS.items():
            if draft.stated.get(column) is not None:
                known[name] = draft.stated[column]
    existing = load_keyed(
        job.session,
        (Buyer.id, Buyer.external_id, Buyer.name, Buyer.email, Buyer.country, Buyer.language),
        Buyer.external_id,
        details,
        Buyer.shop_id == job.shop_id,
    )
    plan = UpsertPlan(("external_id",))
    for buyer, stated in details.items():
        plan.add(
            existing.get(buyer),
            stated,
            {
                "shop_id": job.shop_id,
                "external_id": buyer,
                "name": None,
                "email": None,
                "country": None,
                "language": "en",
            },
        )
    return apply_upsert(job.session, Buyer, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id)


def _write_orders(job: ImportJob, drafts: dict[str, OrderDraft], buyer_ids: dict[str, int]) -> dict[str, int]:
    existing = load_keyed(
        job.session,
        (Order.id, Order.number, *(getattr(Order, name) for name in _ORDER_FIELDS)),
        Order.number,
        drafts,
        Order.shop_id == job.shop_id,
    )
    plan = UpsertPlan(("number",))
    for number, draft in drafts.items():
        stated = draft.stated
        stored = existing.get(number)
        shipping = stated.get("shipping_total")
        if shipping is None:
            shipping = stored["shipping_total"] if stored is not None else Decimal(0)
        wanted = {name: stated.get(name) for name in _SAME_NAME}
        buyer = stated.get("buyer")
        wanted.update(
            buyer_id=buyer_ids[buyer] if buyer is not None else None,
            total=draft.lines_total + shipping,
            warehouse_code=stated.get("warehouse"),
        )
        plan.add(stored, wanted, _new_order(job, draft))
    return apply_upsert(job.session, Order, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id)


def _new_order(job: ImportJob, draft: OrderDraft) -> dict[str, Any]:
    """A new order's values where the file says nothing: payment and status follow from its dates."""
    stated = draft.stated
    payment = PaymentState.PAID if stated.get("paid_at") is not None else PaymentState.UNPAID
    payment = stated.get("payment_state") or payment
    if stated.get("cancelled_at") is not None:
        status = OrderStatus.CANCELLED
    elif payment in (PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED):
        status = OrderStatus.AWAITING_SHIPMENT
    else:
        status = OrderStatus.PLACED
    defaults: dict[str, Any] = dict.fromkeys(_ORDER_FIELDS)
    defaults.update(
        shop_id=job.shop_id,
        number=draft.number,
        channel=job.shop.platform,
        payment_state=payment,
        status=status,
        currency=job.shop.currency,
        shipping_total=Decimal(0),
        total=draft.lines_total,
        destination_country=stated.get("country"),
        shipped_at=None,
        delivered_at=None,
    )
    return defaults


def _region_in_country(job: ImportJob, row: Row, stated: dict[str, Any]) -> None:
    """The region as an ISO 3166-2 code: `BR-SP`, or `SP` or `São Paulo` in the destination country. A full code
    names its country: it fills an empty destination_country and must agree with a stated one."""
    written = stated.get("destination_region")
    if written is None:
        return
    country = stated.get("destination_country")
    if country is None and row.cells.get("destination_country"):
        stated["destination_region"] = None  # the country is unreadable (its own error): so is the region
        return
    try:
        region = values.region(written, country)
    except ValidationError as problem:
        job.table.error(row.line, "destination_region", problem.message)
        stated["destination_region"] = None
        return
    stated["destination_region"] = region
    stated["destination_country"] = region.split("-", 1)[0]


def _write_lines(job: ImportJob, drafts: dict[str, OrderDraft], order_ids: dict[str, int]) -> None:
    """Each order's lines as the file lists them; lines the file no longer lists are deleted."""
    stored: dict[int, dict[int, Any]] = {}
    columns = (OrderLine.id, OrderLine.order_id, OrderLine.line_no, *(getattr(OrderLine, n) for n in _LINE_FIELDS))
    for row in load_by_keys(
        job.session,
        columns,
        OrderLine.order_id,
        (i for i in order_ids.values() if i > 0),
        OrderLine.shop_id == job.shop_id,
    ):
        stored.setdefault(row["order_id"], {})[row["line_no"]] = row
    plan = UpsertPlan(("order_id", "line_no"))
    removed: list[int] = []
    for number, draft in drafts.items():
        order_id = order_ids[number]
        existing = stored.get(order_id, {})
        for line in draft.lines:
            wanted = {"sku_id": line.sku_id, "quantity": line.quantity, "unit_price": line.unit_price}
            plan.add(
                existing.get(line.line_no),
                wanted,
                {"shop_id": job.shop_id, "order_id": order_id, "line_no": line.line_no, **wanted},
            )
            job.progress.advance()
        listed = {line.line_no for line in draft.lines}
        removed.extend(row["id"] for line_no, row in existing.items() if line_no not in listed)
    apply_upsert(
        job.session, OrderLine, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id, new_ids=False
    )
    if not job.dry_run:
        delete_ids(job.session, table_of(OrderLine), removed, shop_id=job.shop_id)
    job.summary.count("updated", "order_lines", len(removed))
