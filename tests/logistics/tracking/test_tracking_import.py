"""Tracking ingestion into the database (SQLite and PostgreSQL): a Cainiao detail.json, a CSV and an AfterShip
webhook; the same event twice is stored once; a bad file or a bad signature writes nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.logistics.parcels import parcel, shipped_order
from tradewind.errors import InputFileError
from tradewind.logistics.models import Shipment, TrackingEvent, TrackingStatus
from tradewind.logistics.tracking.store import (
    BadSignatureError,
    import_tracking_file,
    receive_webhook,
    verify_signature,
)
from tradewind.orders.models import OrderStatus
from tradewind.shops.models import Shop

DATA = Path(__file__).parent / "data"
NOW = datetime(2024, 3, 20, 12, tzinfo=UTC)
SECRET = "whsec_tradewind_test"


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def by_number(session: Session, shop: Shop, number: str) -> Shipment:
    found = session.scalar(select(Shipment).where(Shipment.shop_id == shop.id, Shipment.tracking_number == number))
    assert found is not None
    return found


def test_cainiao_detail_json(session: Session, shop: Shop) -> None:
    summary = import_tracking_file(
        session, shop=shop, path=DATA / "cainiao_detail.json", source_format="cainiao", now=NOW
    )
    assert summary.to_dict()["created"] == {"shipping_methods": 0, "shipments": 2, "tracking_events": 17, "orders": 0}
    assert summary.unchanged["tracking_events"] == 1  # Cainiao repeated one line
    spain = by_number(session, shop, "LP00612345678901")
    assert (spain.destination_country, spain.status) == ("ES", TrackingStatus.DELIVERED)
    assert spain.delivered_at == datetime(2024, 3, 5, 10, 2, tzinfo=UTC)  # 11:02 in GMT+1
    assert spain.first_scan_at == datetime(2024, 2, 23, 9, 2, tzinfo=UTC)  # received by the logistics company
    russia = by_number(session, shop, "LP00698765432109")
    assert russia.status == TrackingStatus.AVAILABLE_FOR_PICKUP and russia.delivered_at is None
    assert russia.shipped_at == datetime(2024, 2, 26, 1, 0, tzinfo=UTC)
    # Importing the same response again changes nothing.
    again = import_tracking_file(
        session, shop=shop, path=DATA / "cainiao_detail.json", source_format="cainiao", now=NOW
    )
    assert again.created == {"shipping_methods": 0, "shipments": 0, "tracking_events": 0, "orders": 0}
    assert again.unchanged["tracking_events"] == 18 and again.unchanged["shipments"] == 2
    assert count(session, TrackingEvent) == 17


def test_csv_with_duplicates_out_of_order_and_time_zones(session: Session, shop: Shop) -> None:
    order = shipped_order(session, shop, placed_at=datetime(2024, 2, 27, tzinfo=UTC), destination="RU")
    known = parcel(
        session, shop, destination="RU", method_code="epacket", shipped_at=datetime(2024, 3, 1, tzinfo=UTC), order=order
    )
    known.tracking_number = "RB123456785CN"
    session.flush()
    summary = import_tracking_file(session, shop=shop, path=DATA / "tracking.csv", source_format="csv", now=NOW)
    result = summary.to_dict()
    assert result["created"]["shipments"] == 2  # UA… and LV… are new; RB… was known
    assert result["created"]["shipping_methods"] == 2
    assert result["created"]["tracking_events"] == 14 and result["unchanged"]["tracking_events"] == 1
    assert result["updated"]["shipments"] == 1 and result["updated"]["orders"] == 1
    assert result["errors"] == []
    russia = by_number(session, shop, "RB123456785CN")
    assert russia.status == TrackingStatus.DELIVERED
    # 14:20 in Novosibirsk (UTC+7) on the 11th; a later sorting scan does not undo the delivery.
    assert russia.delivered_at == datetime(2024, 3, 11, 7, 20, tzinfo=UTC)
    assert session.get_one(type(order), order.id).status == OrderStatus.DELIVERED
    ukraine = by_number(session, shop, "UA987654321CN")
    assert ukraine.status == TrackingStatus.EXCEPTION
    latest = max(ukraine.events, key=lambda e: e.occurred_at)
    assert latest.substatus == "awaiting_duties"
    brazil = by_number(session, shop, "LV555000111CN")
    assert brazil.status == TrackingStatus.ATTEMPT_FAIL and brazil.destination_country == "BR"


def test_a_malformed_csv_reports_every_problem_and_writes_nothing(session: Session, shop: Shop) -> None:
    before = (count(session, Shipment), count(session, TrackingEvent))
    with pytest.raises(InputFileError) as caught:
        import_tracking_file(session, shop=shop, path=DATA / "tracking_bad.csv", source_format="csv", now=NOW)
    problems = {(e.line, e.column) for e in caught.value.errors}
    assert problems == {(3, "tracking_number"), (4, "occurred_at"), (5, "time_zone"), (5, "text"), (6, "")}
    assert all(e.file == "tracking_bad.csv" for e in caught.value.errors)
    assert "nothing was written" in caught.value.message
    assert (count(session, Shipment), count(session, TrackingEvent)) == before


def test_unknown_parcels_need_a_destination(session: Session, shop: Shop, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("tracking_number,occurred_at,text\nZZ1,2024-03-01T10:00:00Z,Delivered\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        import_tracking_file(session, shop=shop, path=path, source_format="csv", now=NOW)
    (error,) = caught.value.errors
    assert (error.line, error.column) == (2, "tracking_number") and "ZZ1" in error.message
    assert count(session, Shipment) == 0


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_an_aftership_webhook_with_a_good_signature(session: Session, shop: Shop) -> None:
    body = (DATA / "aftership_webhook.json").read_bytes()
    summary = receive_webhook(session, shop=shop, body=body, signature=sign(body), secret=SECRET, now=NOW)
    assert summary.created["shipments"] == 1 and summary.created["tracking_events"] == 4
    israel = by_number(session, shop, "LX123456785CN")
    assert (israel.destination_country, israel.status) == ("IL", TrackingStatus.AVAILABLE_FOR_PICKUP)
    # Delivered again (webhooks are at-least-once): stored once.
    again = receive_webhook(session, shop=shop, body=body, signature=sign(body), secret=SECRET, now=NOW)
    assert again.created["tracking_events"] == 0 and again.unchanged["tracking_events"] == 4


def test_a_webhook_with_a_bad_signature_is_rejected_before_parsing(session: Session, shop: Shop) -> None:
    body = (DATA / "aftership_webhook.json").read_bytes()
    for signature in (sign(body, "another secret"), "", "not base64 at all!", sign(body + b" ")):
        with pytest.raises(BadSignatureError):
            receive_webhook(session, shop=shop, body=body, signature=signature, secret=SECRET, now=NOW)
    # Not even parsed: garbage with a bad signature is a signature error, not a JSON error.
    with pytest.raises(BadSignatureError):
        receive_webhook(session, shop=shop, body=b"{not json", signature="x", secret=SECRET, now=NOW)
    assert count(session, Shipment) == 0 and count(session, TrackingEvent) == 0
    assert verify_signature(body, hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(), SECRET)
