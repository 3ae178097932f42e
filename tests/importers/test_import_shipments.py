"""`tradewind import shipments`: parcels by tracking number, shipping methods created on demand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.importers.samples import RunImport, WriteCsv, where
from tradewind.errors import RowError
from tradewind.logistics.models import Shipment, ShippingMethod, TrackingStatus
from tradewind.orders.models import Order

Reject = Callable[..., list[RowError]]

ORDERS = (
    "order,placed_at,paid_at,country,sku,quantity,unit_price\n"
    "A1001,2024-03-02T10:00:00+03:00,2024-03-02T10:05:00+03:00,RU,SH-38-BLK,1,39.90\n"
    "A1002,2024-03-03T12:00:00Z,2024-03-03T12:01:00Z,ES,CAP-RED,1,9.50\n"
)
SHIPMENTS = (
    "tracking_number,order,method,carrier,origin,destination,shipped_at,first_scan_at,delivered_at,cost,currency\n"
    "LP00123456789CN,A1001,cainiao_standard,Cainiao,CN,,2024-03-05T08:00:00+08:00,2024-03-06T01:00:00Z,,3.20,USD\n"
    "RR123456789CN,A1002,china_post_reg,China Post,CN,ES,2024-03-05T08:00:00+08:00,,2024-03-20T10:00:00+01:00,"
    "2.10,USD\n"
    "UB987654321CN,,china_post_reg,,,DEU,2024-03-06T08:00:00+08:00,,,,\n"
)


@pytest.fixture
def orders(write_csv: WriteCsv, run_import: RunImport, catalogue: None) -> None:
    run_import("orders", write_csv("orders.csv", ORDERS))


def _shipments(session: Session) -> dict[str, Shipment]:
    return {s.tracking_number: s for s in session.scalars(select(Shipment))}


def test_shipments_and_methods_are_created(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, orders: None
) -> None:
    summary = run_import("shipments", write_csv("shipments.csv", SHIPMENTS))

    assert summary.created == {"shipping_methods": 2, "shipments": 3}
    methods = {m.code: m for m in import_session.scalars(select(ShippingMethod))}
    assert (methods["cainiao_standard"].carrier, methods["china_post_reg"].carrier) == ("Cainiao", "China Post")
    shipments = _shipments(import_session)
    order_ids = dict(import_session.execute(select(Order.number, Order.id)).all())

    cainiao = shipments["LP00123456789CN"]
    assert (cainiao.order_id, cainiao.method_id) == (order_ids["A1001"], methods["cainiao_standard"].id)
    assert (cainiao.origin_country, cainiao.destination_country) == ("CN", "RU")  # the order's destination
    assert cainiao.shipped_at == datetime(2024, 3, 5, 0, 0, tzinfo=UTC)
    assert (cainiao.status, cainiao.cost, cainiao.currency) == (TrackingStatus.IN_TRANSIT, Decimal("3.20"), "USD")

    delivered = shipments["RR123456789CN"]
    assert (delivered.status, delivered.delivered_at) == (
        TrackingStatus.DELIVERED, datetime(2024, 3, 20, 9, 0, tzinfo=UTC),
    )  # fmt: skip

    loose = shipments["UB987654321CN"]
    assert (loose.order_id, loose.destination_country, loose.status) == (None, "DE", TrackingStatus.PENDING)
    assert (loose.origin_country, loose.currency, loose.cost) == ("CN", "USD", None)


def test_reimporting_shipments_changes_nothing(
    write_csv: WriteCsv, run_import: RunImport, orders: None, counts: Callable[[], dict[str, int]]
) -> None:
    path = write_csv("shipments.csv", SHIPMENTS)
    run_import("shipments", path)
    before = counts()

    again = run_import("shipments", path)

    assert again.unchanged == {"shipping_methods": 2, "shipments": 3}
    assert counts() == before


def test_a_delivery_date_marks_a_stored_shipment_delivered(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, orders: None
) -> None:
    run_import("shipments", write_csv("shipments.csv", SHIPMENTS))
    update = "tracking_number,shipped_at,delivered_at\nLP00123456789CN,2024-03-05T08:00:00+08:00,2024-03-25T12:00Z\n"

    summary = run_import("shipments", write_csv("delivered.csv", update))

    assert summary.updated == {"shipping_methods": 0, "shipments": 1}
    shipment = _shipments(import_session)["LP00123456789CN"]
    assert (shipment.status, shipment.delivered_at) == (TrackingStatus.DELIVERED, datetime(2024, 3, 25, 12, tzinfo=UTC))
    assert shipment.destination_country == "RU"


def test_bad_shipments_are_all_reported(write_csv: WriteCsv, rejected: Reject, orders: None) -> None:
    text = (
        "tracking_number,order,method,carrier,destination,shipped_at,delivered_at,cost,currency\n"
        "T1,A9999,m1,Cainiao,DE,2024-03-05T08:00:00+08:00,,1.00,USD\n"
        "T2,,m1,Yanwen,,2024-03-05,2024-03-01,1.00,USD\n"
        "T3,A1001,m2,,RU,yesterday,,-1,US$\n"
        "T1,A1001,m2,,RU,2024-03-05T08:00:00+08:00,,,\n"
    )
    errors = rejected("shipments", write_csv("shipments.csv", text))
    assert where(errors) == [
        (2, "order"),
        (3, "carrier"), (3, "destination"), (3, "delivered_at"),
        (4, "shipped_at"), (4, "cost"), (4, "currency"),
        (5, "tracking_number"),
    ]  # fmt: skip
    assert "unknown order 'A9999'" in errors[0].message
    assert "carrier 'Cainiao' on line 2" in errors[1].message
    assert "delivered_at is before shipped_at" in errors[3].message
