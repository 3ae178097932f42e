"""The `shipments` kind of Tradewind CSV: parcels by tracking number, with their order, shipping method (created
on demand), route, dates and cost. The destination is a country, or a state or province (ISO 3166-2: `BR-SP` in
`destination`, or `SP` in a `region` column next to the country): a domestic seller's lanes go there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping

from tradewind.errors import ValidationError
from tradewind.importers import values
from tradewind.importers.bulk import UpsertPlan, apply_upsert, load_by_keys, load_keyed
from tradewind.importers.job import Codes, ImportJob
from tradewind.importers.reading import Column, Layout, Row
from tradewind.logistics.models import Shipment, ShippingMethod, TrackingStatus
from tradewind.orders.models import Order

LAYOUT = Layout(
    "shipments",
    (
        Column("tracking_number", required=True),
        Column("order"),
        Column("method"),
        Column("carrier"),
        Column("origin"),
        Column("destination"),
        Column("destination_region", aliases=("region", "state", "province")),
        Column("shipped_at", required=True),
        Column("first_scan_at"),
        Column("delivered_at"),
        Column("cost"),
        Column("currency"),
    ),
)
TABLES = ("shipping_methods", "shipments")
_FIELDS = (
    "order_id",
    "method_id",
    "origin_country",
    "destination_country",
    "destination_region",
    "shipped_at",
    "first_scan_at",
    "delivered_at",
    "cost",
    "currency",
    "status",
)
_UNKNOWN_CARRIER = "unknown"


@dataclass
class ShipmentRecord:
    line: int
    tracking_number: str
    method: str | None
    given: dict[str, Any]


def run(job: ImportJob) -> None:
    existing = _existing_shipments(job)
    records, carriers = _read(job, existing)
    job.table.raise_if_errors()
    method_ids = write_methods(job, carriers)
    plan = UpsertPlan(("tracking_number",))
    for record in records:
        given = {**record.given, "method_id": method_ids[record.method] if record.method else None}
        plan.add(existing.get(record.tracking_number), given, _new_shipment(job, record, given))
        job.progress.advance()
    apply_upsert(
        job.session, Shipment, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id, new_ids=False
    )


def _existing_shipments(job: ImportJob) -> dict[str, RowMapping]:
    columns = (Shipment.id, Shipment.tracking_number, *(getattr(Shipment, name) for name in _FIELDS))
    rows = load_by_keys(
        job.session,
        columns,
        Shipment.tracking_number,
        job.table.texts("tracking_number"),
        Shipment.shop_id == job.shop_id,
    )
    return {row["tracking_number"]: row for row in rows}


def _read(
    job: ImportJob,
    existing: dict[str, RowMapping],
) -> tuple[list[ShipmentRecord], dict[str, str | None]]:
    table = job.table
    orders = load_keyed(
        job.session,
        (Order.id, Order.number, Order.destination_country, Order.destination_region),
        Order.number,
        table.texts("order"),
        Order.shop_id == job.shop_id,
    )
    order_codes = Codes({number: row["id"] for number, row in orders.items()}, what="order", kind="orders")
    records: list[ShipmentRecord] = []
    carriers: dict[str, str | None] = {}
    carrier_on: dict[str, int] = {}
    first_line: dict[str, int] = {}
    for row in table.rows:
        job.progress.advance()
        tracking = table.value(row, "tracking_number", values.text(64), required=True)
        order = table.value(row, "order", values.code)
        given = _route_and_dates(job, row)
        method = table.value(row, "method", values.code)
        carrier = table.value(row, "carrier", values.text(100))
        given["order_id"] = job.reference(row.line, "order", order, order_codes) if order else None
        if method is not None:
            _state_carrier(job, carriers, carrier_on, method, carrier, row.line)
        if tracking is None or not table.first_time(
            first_line, tracking, row.line, "tracking_number", f"tracking number {tracking!r}"
        ):
            continue
        if tracking not in existing:
            _default_destination(
                job,
                row,
                given,
                orders.get(order) if order else None,
                unknown_order=order is not None and order not in orders,
            )
        records.append(ShipmentRecord(row.line, tracking, method, given))
    return records, carriers


def _default_destination(
    job: ImportJob, row: Row, given: dict[str, Any], order: RowMapping | None, *, unknown_order: bool
) -> None:
    """A new shipment goes where its order goes, unless the row says otherwise; it must go somewhere."""
    if given["destination_country"] is not None or row.cells.get("destination") or unknown_order:
        return
    if order is not None and order["destination_country"] is not None:
        given["destination_country"] = order["destination_country"]
        if given["destination_region"] is None and not row.cells.get("destination_region"):
            given["destination_region"] = order["destination_region"]
    else:
        job.table.error(row.line, "destination", "destination is required (the row names no order with a destination)")


def _route_and_dates(job: ImportJob, row: Row) -> dict[str, Any]:
    table = job.table
    country, region = _destination(job, row)
    given: dict[str, Any] = {
        "origin_country": table.value(row, "origin", values.country),
        "destination_country": country,
        "destination_region": region,
        "shipped_at": table.value(row, "shipped_at", job.read_moment, required=True),
        "first_scan_at": table.value(row, "first_scan_at", job.read_moment),
        "delivered_at": table.value(row, "delivered_at", job.read_moment),
        "cost": table.value(row, "cost", values.amount),
        "currency": table.value(row, "currency", values.currency),
        "status": None,
    }
    shipped, delivered = given["shipped_at"], given["delivered_at"]
    if delivered is not None:
        given["status"] = TrackingStatus.DELIVERED
        if shipped is not None and delivered < shipped:
            table.error(row.line, "delivered_at", "delivered_at is before shipped_at")
    return given


def _destination(job: ImportJob, row: Row) -> tuple[str | None, str | None]:
    """The destination country and, where the row names one, its state or province (ISO 3166-2)."""
    table = job.table
    text = row.cells.get("destination", "")
    country = region = None
    if text:
        try:
            country = values.country(text)
        except ValidationError as problem:
            try:
                region = values.region(text, None)
            except ValidationError:
                table.error(row.line, "destination", f"{problem.message}, or a state's ISO 3166-2 code such as BR-SP")
                return None, None
            country = region.split("-", 1)[0]
    stated = row.cells.get("destination_region", "")
    if stated:
        try:
            named = values.region(stated, country)
        except ValidationError as problem:
            table.error(row.line, "destination_region", problem.message)
            return country, region
        if region is not None and named != region:
            table.error(row.line, "destination_region", f"{named} is not the destination {region}")
        region = named
        country = country or named.split("-", 1)[0]
    return country, region


def _state_carrier(
    job: ImportJob,
    carriers: dict[str, str | None],
    carrier_on: dict[str, int],
    method: str,
    carrier: str | None,
    line: int,
) -> None:
    known = carriers.get(method)
    if carrier is None or known == carrier:
        carriers.setdefault(method, None)
    elif known is None:
        carriers[method] = carrier
        carrier_on[method] = line
    else:
        job.table.error(line, "carrier", f"method {method!r} has carrier {known!r} on line {carrier_on[method]}")


def write_methods(job: ImportJob, carriers: dict[str, str | None]) -> dict[str, int]:
    """The id of each method code: existing ones (their carrier set when one is given), new ones by air, carrier
    unknown unless given."""
    existing = load_keyed(
        job.session,
        (ShippingMethod.id, ShippingMethod.code, ShippingMethod.carrier),
        ShippingMethod.code,
        carriers,
        ShippingMethod.shop_id == job.shop_id,
    )
    plan = UpsertPlan(("code",))
    for code, carrier in carriers.items():
        plan.add(
            existing.get(code),
            {"carrier": carrier},
            {
                "shop_id": job.shop_id,
                "code": code,
                "name": code,
                "carrier": _UNKNOWN_CARRIER,
                "mode": "air",
                "tracked": True,
            },
        )
    return apply_upsert(
        job.session, ShippingMethod, plan, dry_run=job.dry_run, summary=job.summary, shop_id=job.shop_id
    )


def _new_shipment(job: ImportJob, record: ShipmentRecord, given: dict[str, Any]) -> dict[str, Any]:
    first_scan, delivered = given["first_scan_at"], given["delivered_at"]
    if delivered is not None:
        status = TrackingStatus.DELIVERED
    elif first_scan is not None:
        status = TrackingStatus.IN_TRANSIT
    else:
        status = TrackingStatus.PENDING
    defaults: dict[str, Any] = dict.fromkeys(_FIELDS)
    defaults.update(
        shop_id=job.shop_id,
        tracking_number=record.tracking_number,
        origin_country=job.shop.country,
        currency=job.shop.currency,
        status=status,
        last_event_at=delivered or first_scan,
    )
    return defaults
