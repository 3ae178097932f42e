"""Storing tracking: events from a CSV, a Cainiao response or an AfterShip webhook, read once (the fingerprint
makes the same event delivered twice one row), and each touched parcel's status, first scan, delivery and last
news recomputed from its whole timeline. An order whose parcel is delivered is marked delivered.

Everything is checked before anything is written: a bad file raises `InputFileError` with every problem (file,
line, column), and nothing is stored. The caller owns the transaction.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.errors import InputFileError, RowError, ValidationError
from tradewind.logistics.models import Shipment, ShippingMethod, TrackingEvent, TrackingStatus
from tradewind.logistics.tracking.carriers import (
    ParcelReport,
    SourceReading,
    read_aftership,
    read_cainiao,
    read_tracking_csv,
)
from tradewind.logistics.tracking.normalize import TrackingNormalizer, shared_normalizer
from tradewind.logistics.tracking.timeline import TimelineEvent, build_timeline, stored_event
from tradewind.orders.models import Order, OrderStatus
from tradewind.shops.models import Shop

TrackingFormat = Literal["csv", "cainiao", "aftership"]
TABLES = ("shipping_methods", "shipments", "tracking_events", "orders")
_CHUNK = 500


class BadSignatureError(ValidationError):
    """A webhook whose signature does not match: rejected before its body is read."""

    code = "bad_signature"
    http_status = 401


@dataclass
class TrackingImportSummary:
    """The import summary shape: {"created": {table: n}, "updated": {…}, "unchanged": {…}, "errors": [...]}."""

    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    errors: list[RowError] = field(default_factory=list)

    def count(self, outcome: str, table: str, number: int = 1) -> None:
        counts: dict[str, int] = getattr(self, outcome)
        counts[table] = counts.get(table, 0) + number

    def written(self) -> frozenset[str]:
        """The tables records were created or updated in."""
        return frozenset(
            table for table in {*self.created, *self.updated} if self.created.get(table) or self.updated.get(table)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "errors": [error.to_dict() for error in self.errors],
        }


def read_source(data: bytes, *, file: str, source_format: TrackingFormat) -> SourceReading:
    readers = {"csv": read_tracking_csv, "cainiao": read_cainiao, "aftership": read_aftership}
    if source_format not in readers:
        raise ValidationError(f"unknown tracking format {source_format!r}: use csv, cainiao or aftership")
    return readers[source_format](data, file)


def import_tracking_file(
    session: Session, *, shop: Shop, path: Path, source_format: TrackingFormat, now: datetime
) -> TrackingImportSummary:
    """`tradewind track import FILE --format csv|cainiao|aftership`."""
    try:
        data = path.read_bytes()
    except OSError as problem:
        raise InputFileError([RowError(path.name, 0, "", f"cannot read the file: {problem.strerror}")]) from None
    reading = read_source(data, file=path.name, source_format=source_format)
    return store_tracking(session, shop=shop, reading=reading, now=now)


def verify_signature(body: bytes, signature: str, secret: str) -> bool:
    """HMAC-SHA256 of the raw body with the shared secret, as AfterShip sends it (base64; hex also accepted)."""
    if not signature or not secret:
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    given = signature.strip()
    for decode in (base64.b64decode, bytes.fromhex):
        try:
            candidate = decode(given)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(candidate, expected):
            return True
    return False


def receive_webhook(
    session: Session, *, shop: Shop, body: bytes, signature: str, secret: str, now: datetime
) -> TrackingImportSummary:
    """An AfterShip-style tracking webhook. A bad signature is rejected before the body is parsed: nothing stored."""
    if not verify_signature(body, signature, secret):
        raise BadSignatureError("the webhook signature does not match: rejected, nothing was stored")
    reading = read_aftership(body, "webhook")
    return store_tracking(session, shop=shop, reading=reading, now=now)


def store_tracking(
    session: Session,
    *,
    shop: Shop,
    reading: SourceReading,
    now: datetime,
    normalizer: TrackingNormalizer | None = None,
) -> TrackingImportSummary:
    """Store every event of `reading` once and refresh the parcels they belong to. All-or-nothing on errors."""
    reader = normalizer or shared_normalizer()
    summary = TrackingImportSummary()
    if reading.errors:
        raise InputFileError(sorted(reading.errors, key=lambda e: (e.line, e.column)))
    reports = _merged(reading.reports)
    shipments = _shipments_by_number(session, shop, list(reports))
    errors = [
        RowError(
            reading.file,
            report.line,
            "tracking_number",
            f"no parcel with tracking number {number!r} in this shop, and the source does not say where it goes: "
            "import the shipment first, or give its destination",
        )
        for number, report in reports.items()
        if number not in shipments and report.destination is None
    ]
    if errors:
        raise InputFileError(errors)
    methods = _methods(session, shop, reports.values(), shipments, summary)
    created: set[str] = set()
    for number, report in reports.items():
        if number not in shipments and report.events:
            shipments[number] = _new_shipment(shop, report, methods)
            session.add(shipments[number])
            created.add(number)
            summary.count("created", "shipments")
    session.flush()
    stored = _events_by_shipment(session, [s.id for s in shipments.values()])
    for number, report in reports.items():
        shipment = shipments.get(number)
        if shipment is None:
            continue
        known = stored.setdefault(shipment.id, {})
        for raw in report.events:
            event = TimelineEvent.read(raw, reader)
            row = known.get(event.fingerprint)
            if row is None:
                row = TrackingEvent(
                    shop_id=shop.id,
                    shipment_id=shipment.id,
                    occurred_at=event.occurred_at,
                    code=(raw.code or None) and raw.code[:64],
                    raw_text=raw.text,
                    location=(raw.location or None) and raw.location[:200],
                    status=event.status,
                    substatus=event.substatus,
                    source=raw.source,
                    fingerprint=event.fingerprint,
                )
                session.add(row)
                known[event.fingerprint] = row
                summary.count("created", "tracking_events")
            elif row.id is None:
                summary.count("unchanged", "tracking_events")  # the same event twice in one source
            elif (row.status, row.substatus) != (event.status, event.substatus):
                row.status, row.substatus = event.status, event.substatus
                summary.count("updated", "tracking_events")
            else:
                summary.count("unchanged", "tracking_events")
    session.flush()
    for number, shipment in shipments.items():
        changed = refresh_shipment(shipment, list(stored[shipment.id].values()), now=now)
        if number in created:
            pass
        elif changed:
            summary.count("updated", "shipments")
        else:
            summary.count("unchanged", "shipments")
        _mark_order_delivered(session, shipment, summary)
    session.flush()
    return summary


def refresh_shipment(shipment: Shipment, events: Sequence[TrackingEvent], *, now: datetime) -> bool:
    """Recompute a parcel's status and dates from all its events; True when anything changed."""
    timeline = build_timeline((stored_event(e) for e in events), now=now)
    before = (shipment.status, shipment.first_scan_at, shipment.delivered_at, shipment.last_event_at)
    shipment.status = timeline.status
    shipment.first_scan_at = timeline.first_scan_at or shipment.first_scan_at
    shipment.delivered_at = timeline.delivered_at
    shipment.last_event_at = timeline.last_event_at
    return before != (shipment.status, shipment.first_scan_at, shipment.delivered_at, shipment.last_event_at)


def _merged(reports: Iterable[ParcelReport]) -> dict[str, ParcelReport]:
    merged: dict[str, ParcelReport] = {}
    for report in reports:
        found = merged.get(report.tracking_number)
        if found is None:
            merged[report.tracking_number] = report
            continue
        found.events.extend(report.events)
        found.origin = found.origin or report.origin
        found.destination = found.destination or report.destination
        found.method = found.method or report.method
    return merged


def _shipments_by_number(session: Session, shop: Shop, numbers: list[str]) -> dict[str, Shipment]:
    found: dict[str, Shipment] = {}
    for start in range(0, len(numbers), _CHUNK):
        chunk = numbers[start : start + _CHUNK]
        for shipment in session.scalars(
            select(Shipment).where(Shipment.shop_id == shop.id, Shipment.tracking_number.in_(chunk))
        ):
            found[shipment.tracking_number] = shipment
    return found


def _methods(
    session: Session,
    shop: Shop,
    reports: Iterable[ParcelReport],
    shipments: dict[str, Shipment],
    summary: TrackingImportSummary,
) -> dict[str, int]:
    """Method ids for the methods named by parcels Tradewind does not know yet (created when new)."""
    wanted = {r.method: r.carrier for r in reports if r.method and r.tracking_number not in shipments}
    if not wanted:
        return {}
    existing = {
        m.code: m
        for m in session.scalars(
            select(ShippingMethod).where(ShippingMethod.shop_id == shop.id, ShippingMethod.code.in_(list(wanted)))
        )
    }
    for code, carrier in wanted.items():
        if code not in existing:
            method = ShippingMethod(shop_id=shop.id, code=code[:64], name=code[:200], carrier=carrier or "unknown")
            session.add(method)
            existing[code] = method
            summary.count("created", "shipping_methods")
    session.flush()
    return {code: method.id for code, method in existing.items()}


def _new_shipment(shop: Shop, report: ParcelReport, methods: dict[str, int]) -> Shipment:
    assert report.destination is not None
    return Shipment(
        shop_id=shop.id,
        tracking_number=report.tracking_number,
        method_id=methods.get(report.method or ""),
        origin_country=report.origin or shop.country,
        destination_country=report.destination,
        shipped_at=min(event.occurred_at for event in report.events),
        status=TrackingStatus.PENDING,
        currency=shop.currency,
    )


def _events_by_shipment(session: Session, shipment_ids: list[int]) -> dict[int, dict[str, TrackingEvent]]:
    found: dict[int, dict[str, TrackingEvent]] = {sid: {} for sid in shipment_ids}
    for start in range(0, len(shipment_ids), _CHUNK):
        chunk = shipment_ids[start : start + _CHUNK]
        for event in session.scalars(select(TrackingEvent).where(TrackingEvent.shipment_id.in_(chunk))):
            found[event.shipment_id][event.fingerprint] = event
    return found


def _mark_order_delivered(session: Session, shipment: Shipment, summary: TrackingImportSummary) -> None:
    if shipment.order_id is None or shipment.delivered_at is None:
        return
    order = session.get(Order, shipment.order_id)
    if order is None or order.status not in (OrderStatus.SHIPPED, OrderStatus.AWAITING_SHIPMENT):
        return
    order.status = OrderStatus.DELIVERED
    order.delivered_at = shipment.delivered_at
    summary.count("updated", "orders")
