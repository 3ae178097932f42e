"""Orders read from a platform's export, in one shape whatever the platform, and how they are written: SKUs the
shop does not know yet are created from the file (a platform export is how a shop starts in Tradewind), buyers are
created or updated (the latest order wins), and orders and their lines are upserted by the platform's order number,
so that importing the same file, or an overlapping one, again changes nothing.

Tips, shipping, fees and discounts are order money, never order lines: they reach `Order.total` and
`Order.shipping_total`, not `order_lines`.

Parcels an export names (AliExpress states each order's tracking number and the service it went by) become
shipments linked to their order, so that the tracking feed's news reaches the order and its buyer. A parcel
Tradewind already tracks keeps its tracking; the export only links it to its order, and marks it delivered once the
platform says the order was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tradewind.catalog.models import Sku
from tradewind.errors import ValidationError
from tradewind.importers import values
from tradewind.importers.bulk import UpsertPlan, apply_upsert, delete_ids, load_by_keys, load_ids, load_keyed, table_of
from tradewind.importers.job import ImportJob
from tradewind.importers.reading import Row
from tradewind.importers.shipments_csv import write_methods
from tradewind.importers.sources import PlatformRead
from tradewind.logistics.models import Shipment, ShippingMethod, TrackingStatus
from tradewind.orders.models import Buyer, CancelledBy, Order, OrderLine, OrderStatus, PaymentState

TABLES = ("skus", "buyers", "orders", "order_lines")
PARCEL_TABLES = ("shipping_methods", "shipments")
ZERO = Decimal(0)
_ORDER_FIELDS = (
    "channel",
    "buyer_id",
    "placed_at",
    "paid_at",
    "payment_state",
    "status",
    "currency",
    "total",
    "shipping_total",
    "destination_country",
    "destination_region",
    "shipping_method",
    "ship_by",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "cancelled_by",
    "cancel_reason",
)


@dataclass(slots=True)
class LineDraft:
    line: int
    sku: str
    title: str
    quantity: int
    unit_price: Decimal


@dataclass(slots=True)
class BuyerDraft:
    external_id: str
    name: str | None = None
    email: str | None = None
    country: str | None = None
    language: str | None = None


@dataclass(slots=True)
class ParcelDraft:
    tracking_number: str
    method: str | None  # the service as the platform names it ("AliExpress Standard Shipping")


@dataclass(slots=True)
class OrderDraft:
    """One order as the export states it; None means "the file does not say"."""

    number: str
    line: int
    placed_at: datetime | None = None
    paid_at: datetime | None = None
    payment_state: PaymentState | None = None
    status: OrderStatus | None = None
    currency: str | None = None
    total: Decimal | None = None
    shipping_total: Decimal = ZERO
    # Money that is no product: discounts (negative), tips, fees; part of the total when the file states none.
    other_money: Decimal = ZERO
    buyer: BuyerDraft | None = None
    destination_country: str | None = None
    # The state or province (ISO 3166-2) where the export names one (`read_region`).
    destination_region: str | None = None
    shipping_method: str | None = None
    ship_by: date | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: CancelledBy | None = None
    cancel_reason: str | None = None
    lines: list[LineDraft] = field(default_factory=list)
    parcels: list[ParcelDraft] = field(default_factory=list)

    @property
    def lines_total(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), ZERO)


def write_orders(job: ImportJob, drafts: Mapping[str, OrderDraft], *, channel: str) -> None:
    """Write `drafts` (by order number) into the job's shop; the caller has already raised on the file's errors."""
    sku_ids = _write_skus(job, drafts)
    buyer_ids = _write_buyers(job, drafts)
    order_ids = _write_orders(job, drafts, buyer_ids, channel)
    _write_lines(job, drafts, order_ids, sku_ids)
    if any(draft.parcels for draft in drafts.values()):
        _write_parcels(job, drafts, order_ids)


def _write_skus(job: ImportJob, drafts: Mapping[str, OrderDraft]) -> dict[str, int]:
    """The id of every SKU the orders name; unknown ones are created with the title and price the file gives."""
    first: dict[str, tuple[LineDraft, str]] = {}
    for draft in drafts.values():
        for line in draft.lines:
            if line.sku not in first:
                first[line.sku] = (line, draft.currency or job.shop.currency)
    ids = load_ids(job.session, Sku.id, Sku.code, first, Sku.shop_id == job.shop_id)
    plan = UpsertPlan(("code",))
    plan.ids.update(ids)
    plan.unchanged = len(ids)
    for code, (line, currency) in first.items():
        if code in ids:
            continue
        plan.create.append(
            {
                "shop_id": job.shop_id,
                "code": code,
                "title": (line.title or code)[:300],
                "product_id": None,
                "attributes": {},
                "price": line.unit_price if line.unit_price > 0 else None,
                "currency": currency,
                "unit": "piece",
                "active": True,
                "purchasing_paused_until": None,
                "created_at": job.now,
            }
        )
    return apply_upsert(job.session, Sku, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id)


def _write_buyers(job: ImportJob, drafts: Mapping[str, OrderDraft]) -> dict[str, int]:
    details: dict[str, BuyerDraft] = {}
    dated = [d for d in drafts.values() if d.buyer is not None]
    dated.sort(key=lambda d: d.placed_at or datetime.min.replace(tzinfo=job.now.tzinfo))
    for draft in dated:
        assert draft.buyer is not None
        known = details.setdefault(draft.buyer.external_id, BuyerDraft(draft.buyer.external_id))
        for name in ("name", "email", "country", "language"):
            value = getattr(draft.buyer, name)
            if value is not None:
                setattr(known, name, value)
    existing = load_keyed(
        job.session,
        (Buyer.id, Buyer.external_id, Buyer.name, Buyer.email, Buyer.country, Buyer.language),
        Buyer.external_id,
        details,
        Buyer.shop_id == job.shop_id,
    )
    plan = UpsertPlan(("external_id",))
    for external_id, buyer in details.items():
        wanted = {"name": buyer.name, "email": buyer.email, "country": buyer.country, "language": buyer.language}
        defaults = {"shop_id": job.shop_id, "external_id": external_id, **wanted}
        defaults["language"] = buyer.language or "en"
        plan.add(existing.get(external_id), wanted, defaults)
    return apply_upsert(job.session, Buyer, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id)


def payment_and_status(draft: OrderDraft) -> tuple[PaymentState, OrderStatus]:
    """The order's payment state and status: as the file states them, else as its dates imply."""
    payment = draft.payment_state or (PaymentState.PAID if draft.paid_at is not None else PaymentState.UNPAID)
    status = draft.status
    if status is None:
        if draft.cancelled_at is not None:
            status = OrderStatus.CANCELLED
        elif draft.delivered_at is not None:
            status = OrderStatus.DELIVERED
        elif draft.shipped_at is not None:
            status = OrderStatus.SHIPPED
        elif payment == PaymentState.UNPAID:
            status = OrderStatus.PLACED
        else:
            status = OrderStatus.AWAITING_SHIPMENT
    return payment, status


def order_values(draft: OrderDraft, *, channel: str, currency: str, buyer_id: int | None) -> dict[str, Any]:
    """The stored fields of an order: what the file states, and what follows from it where it is silent."""
    payment, status = payment_and_status(draft)
    total = draft.total
    if total is None:
        total = max(ZERO, draft.lines_total + draft.shipping_total + draft.other_money)
    return {
        "channel": channel,
        "buyer_id": buyer_id,
        "placed_at": draft.placed_at,
        "paid_at": draft.paid_at,
        "payment_state": payment,
        "status": status,
        "currency": draft.currency or currency,
        "total": total,
        "shipping_total": draft.shipping_total,
        "destination_country": draft.destination_country,
        "destination_region": draft.destination_region,
        "shipping_method": draft.shipping_method,
        "ship_by": draft.ship_by,
        "shipped_at": draft.shipped_at,
        "delivered_at": draft.delivered_at,
        "cancelled_at": draft.cancelled_at,
        "cancelled_by": draft.cancelled_by,
        "cancel_reason": draft.cancel_reason,
    }


def _write_orders(
    job: ImportJob, drafts: Mapping[str, OrderDraft], buyer_ids: dict[str, int], channel: str
) -> dict[str, int]:
    existing = load_keyed(
        job.session,
        (Order.id, Order.number, *(getattr(Order, name) for name in _ORDER_FIELDS)),
        Order.number,
        drafts,
        Order.shop_id == job.shop_id,
    )
    plan = UpsertPlan(("number",))
    currency = job.shop.currency
    for number, draft in drafts.items():
        buyer_id = buyer_ids[draft.buyer.external_id] if draft.buyer is not None else None
        wanted = order_values(draft, channel=channel, currency=currency, buyer_id=buyer_id)
        stored = existing.get(number)
        if stored is None:
            plan.create.append({"shop_id": job.shop_id, "number": number, "warehouse_code": None, **wanted})
            continue
        plan.ids[number] = stored["id"]
        # An export states every field of an order: a field it leaves empty is cleared (e.g. a cancellation undone).
        difference = {name: value for name, value in wanted.items() if stored[name] != value}
        if difference:
            plan.update.append({"id": stored["id"], **difference})
        else:
            plan.unchanged += 1
    return apply_upsert(job.session, Order, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id)


def _write_lines(
    job: ImportJob, drafts: Mapping[str, OrderDraft], order_ids: dict[str, int], sku_ids: dict[str, int]
) -> None:
    """Each order's lines in the order the file lists them; lines the file no longer lists are deleted."""
    stored: dict[int, dict[int, Any]] = {}
    known_orders = [order_id for order_id in order_ids.values() if order_id > 0]
    if known_orders:
        columns = (OrderLine.id, OrderLine.order_id, OrderLine.line_no, OrderLine.sku_id, OrderLine.quantity)
        for row in load_by_keys(
            job.session,
            (*columns, OrderLine.unit_price),
            OrderLine.order_id,
            known_orders,
            OrderLine.shop_id == job.shop_id,
        ):
            stored.setdefault(row["order_id"], {})[row["line_no"]] = row
    plan = UpsertPlan(("order_id", "line_no"))
    removed: list[int] = []
    shop_id = job.shop_id
    advance = job.progress.advance
    for number, draft in drafts.items():
        order_id = order_ids[number]
        existing = stored.get(order_id)
        for line_no, line in enumerate(draft.lines, start=1):
            wanted = {"sku_id": sku_ids[line.sku], "quantity": line.quantity, "unit_price": line.unit_price}
            if existing is None:
                plan.create.append({"shop_id": shop_id, "order_id": order_id, "line_no": line_no, **wanted})
            else:
                plan.add(
                    existing.get(line_no),
                    wanted,
                    {"shop_id": shop_id, "order_id": order_id, "line_no": line_no, **wanted},
                )
        if existing is not None:
            removed.extend(row["id"] for line_no, row in existing.items() if line_no > len(draft.lines))
        advance(len(draft.lines))
    apply_upsert(
        job.session, OrderLine, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id, new_ids=False
    )
    if not job.dry_run:
        delete_ids(job.session, table_of(OrderLine), removed, shop_id=job.shop_id)
    job.summary.count("updated", "order_lines", len(removed))


def _write_parcels(job: ImportJob, drafts: Mapping[str, OrderDraft], order_ids: dict[str, int]) -> None:
    """A shipment per tracking number the orders name (the first order naming it owns it). The reader has checked
    that each such order has a destination."""
    parcels: dict[str, tuple[OrderDraft, ParcelDraft]] = {}
    for draft in drafts.values():
        for parcel in draft.parcels:
            parcels.setdefault(parcel.tracking_number, (draft, parcel))
    method_ids = _write_parcel_methods(job, {p.method for _, p in parcels.values() if p.method})
    existing = load_keyed(
        job.session,
        (Shipment.id, Shipment.tracking_number, Shipment.order_id, Shipment.status, Shipment.delivered_at),
        Shipment.tracking_number,
        parcels,
        Shipment.shop_id == job.shop_id,
    )
    plan = UpsertPlan(("tracking_number",))
    for number, (draft, parcel) in parcels.items():
        order_id = order_ids[draft.number]
        delivered = payment_and_status(draft)[1] == OrderStatus.DELIVERED
        stored = existing.get(number)
        if stored is not None:
            wanted: dict[str, Any] = {"order_id": order_id if stored["order_id"] is None else None}
            if delivered and stored["delivered_at"] is None:
                wanted["status"] = TrackingStatus.DELIVERED
            plan.add(stored, wanted, {})
            continue
        plan.create.append(
            {
                "shop_id": job.shop_id,
                "tracking_number": number,
                "order_id": order_id,
                "method_id": method_ids.get(parcel.method) if parcel.method else None,
                "origin_country": job.shop.country,
                "destination_country": draft.destination_country,
                "destination_region": draft.destination_region,
                "shipped_at": draft.shipped_at or draft.paid_at or draft.placed_at,
                "first_scan_at": None,
                "delivered_at": draft.delivered_at,
                "status": TrackingStatus.DELIVERED if delivered else TrackingStatus.PENDING,
                "last_event_at": None,
                "cost": None,
                "currency": job.shop.currency,
            }
        )
    apply_upsert(job.session, Shipment, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id)


UNKNOWN_REGIONS = "states or provinces that are no ISO 3166-2 region (the order keeps its country only)"


def read_region(context: PlatformRead, row: Row, column: str, country: str | None) -> str | None:
    """The ISO 3166-2 region of the order's state or province cell (`SP` or `São Paulo` in Brazil, `BR-SP`).

    Shops write free text here (`Greater London`), so one that is no ISO region is counted as skipped, not refused:
    the order keeps its country."""
    text = row.cells.get(column, "").strip()
    if not text or country is None:
        return None
    try:
        return values.region(text, country)
    except ValidationError:
        context.skip(UNKNOWN_REGIONS)
        return None


def _write_parcel_methods(job: ImportJob, names: set[str]) -> dict[str, int]:
    """The id of the shop's method each name means: a method whose code or name it is (in any case), else a new one
    with that code, as the shipments import makes them."""
    known: dict[str, int] = {}
    for row in job.session.execute(
        select(ShippingMethod.id, ShippingMethod.code, ShippingMethod.name)
        .where(ShippingMethod.shop_id == job.shop_id)
        .order_by(ShippingMethod.id)
    ):
        known.setdefault(row.code.casefold(), row.id)
        known.setdefault(row.name.casefold(), row.id)
    found = {name: known[name.casefold()] for name in names if name.casefold() in known}
    job.summary.count("unchanged", "shipping_methods", len(found))
    new = [name for name in sorted(names) if name not in found]
    created = write_methods(job, {name[:64]: None for name in new}) if new else {}
    return {**found, **{name: created[name[:64]] for name in new}}
