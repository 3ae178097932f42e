"""`tradewind import orders`: one row per order line, order columns repeated and checked, buyers on demand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.importers.samples import RunImport, WriteCsv, where
from tradewind.catalog.models import Sku
from tradewind.errors import RowError
from tradewind.orders.models import Buyer, CancelledBy, Order, OrderLine, OrderStatus, PaymentState

Reject = Callable[..., list[RowError]]

HEADER = (
    "order,placed_at,paid_at,payment_state,status,buyer,buyer_name,buyer_email,country,language,currency,sku,"
    "quantity,unit_price,shipping_total,destination_country,shipping_method,ship_by,promised_delivery_on,"
    "protection_ends_on,cancelled_at,cancelled_by,cancel_reason\n"
)
ORDERS = HEADER + (
    "A1001,2024-03-02T10:00:00+03:00,2024-03-02T10:05:00+03:00,,,b-77,Иван Петров,ivan@example.ru,RU,ru,USD,"
    "SH-38-BLK,1,39.90,4.50,,cainiao_standard,2024-03-07,2024-04-01,2024-04-16,,,\n"
    "A1001,,,,,,,,,,,CAP-RED,2,9.50,,,,,,,,,\n"
    "A1002,2024-03-03 12:00,,,,b-88,Ana García,,Spain,es,USD,SH-39-BLK,1,39.90,0,,,,,,,,\n"
    "A1003,2024-03-04T08:00:00Z,,unpaid,,b-77,Иван Петров,,RU,ru,USD,CAP-RED,1,9.50,1.00,RU,,,,,"
    "2024-03-05T08:00:00Z,buyer,changed my mind\n"
)


def _orders(session: Session) -> dict[str, Order]:
    return {order.number: order for order in session.scalars(select(Order))}


def _lines(session: Session, number: str) -> list[tuple[int, str, int, Decimal]]:
    rows = session.execute(
        select(OrderLine.line_no, Sku.code, OrderLine.quantity, OrderLine.unit_price)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .where(Order.number == number)
        .order_by(OrderLine.line_no)
    ).all()
    return [(line_no, sku, quantity, price) for line_no, sku, quantity, price in rows]


def test_orders_lines_and_buyers_are_created(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, catalogue: None
) -> None:
    summary = run_import("orders", write_csv("orders.csv", ORDERS))

    assert summary.to_json() == {
        "created": {"buyers": 2, "orders": 3, "order_lines": 4},
        "updated": {"buyers": 0, "orders": 0, "order_lines": 0},
        "unchanged": {"buyers": 0, "orders": 0, "order_lines": 0},
        "errors": [],
    }
    orders = _orders(import_session)
    first = orders["A1001"]
    assert first.placed_at == datetime(2024, 3, 2, 7, 0, tzinfo=UTC)
    assert first.paid_at == datetime(2024, 3, 2, 7, 5, tzinfo=UTC)
    assert (first.payment_state, first.status) == (PaymentState.PAID, OrderStatus.AWAITING_SHIPMENT)
    assert (first.shipping_total, first.total, first.currency) == (Decimal("4.50"), Decimal("63.40"), "USD")
    assert (first.destination_country, first.shipping_method, first.channel) == ("RU", "cainiao_standard", "aliexpress")
    assert (first.ship_by, first.promised_delivery_on, first.protection_ends_on) == (
        date(2024, 3, 7), date(2024, 4, 1), date(2024, 4, 16),
    )  # fmt: skip
    assert _lines(import_session, "A1001") == [
        (1, "SH-38-BLK", 1, Decimal("39.90")),
        (2, "CAP-RED", 2, Decimal("9.50")),
    ]
    assert first.buyer is not None
    assert (first.buyer.external_id, first.buyer.name, first.buyer.email) == ("b-77", "Иван Петров", "ivan@example.ru")
    assert (first.buyer.country, first.buyer.language) == ("RU", "ru")

    unpaid = orders["A1002"]
    assert unpaid.placed_at == datetime(2024, 3, 3, 4, 0, tzinfo=UTC)  # no offset: Asia/Shanghai, the shop's zone
    assert (unpaid.payment_state, unpaid.status, unpaid.total) == (
        PaymentState.UNPAID,
        OrderStatus.PLACED,
        Decimal("39.90"),
    )
    assert unpaid.destination_country == "ES"  # the buyer's country

    cancelled = orders["A1003"]
    assert (cancelled.status, cancelled.cancelled_by, cancelled.cancel_reason) == (
        OrderStatus.CANCELLED, CancelledBy.BUYER, "changed my mind",
    )  # fmt: skip
    assert cancelled.buyer_id == first.buyer_id


def test_reimporting_orders_changes_nothing(
    write_csv: WriteCsv, run_import: RunImport, catalogue: None, counts: Callable[[], dict[str, int]]
) -> None:
    path = write_csv("orders.csv", ORDERS)
    run_import("orders", path)
    before = counts()

    again = run_import("orders", path)

    assert again.unchanged == {"buyers": 2, "orders": 3, "order_lines": 4}
    assert again.total("created") == again.total("updated") == 0
    assert counts() == before


def test_orders_update_lines_added_changed_and_removed(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, catalogue: None
) -> None:
    run_import("orders", write_csv("orders.csv", ORDERS))
    later = (
        "Order,Placed At,Paid At,Status,SKU,Quantity,Unit Price\n"
        "A1001,2024-03-02T10:00:00+03:00,2024-03-02T10:05:00+03:00,shipped,SH-38-BLK,1,39.90\n"
        "A1002,2024-03-03 12:00,2024-03-04T09:00:00Z,,SH-39-BLK,1,39.90\n"
        "A1002,,,,CAP-RED,3,9.00\n"
    )

    summary = run_import("orders", write_csv("later.csv", later))

    assert summary.created == {"buyers": 0, "orders": 0, "order_lines": 1}
    assert summary.updated == {"buyers": 0, "orders": 2, "order_lines": 1}  # A1001 line 2 removed
    assert summary.unchanged == {"buyers": 0, "orders": 0, "order_lines": 2}
    orders = _orders(import_session)
    assert (orders["A1001"].status, orders["A1001"].total) == (OrderStatus.SHIPPED, Decimal("44.40"))
    assert _lines(import_session, "A1001") == [(1, "SH-38-BLK", 1, Decimal("39.90"))]
    assert orders["A1002"].paid_at == datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
    assert orders["A1002"].payment_state == PaymentState.UNPAID  # not given: kept
    assert orders["A1002"].total == Decimal("66.90")
    assert orders["A1002"].buyer is not None and orders["A1002"].buyer.name == "Ana García"  # kept


def test_bad_orders_are_all_reported_and_nothing_written(
    write_csv: WriteCsv, rejected: Reject, catalogue: None
) -> None:
    text = HEADER + (
        # line 2: fine
        "B1,2024-03-02T10:00:00+03:00,,,,b-1,,,RU,ru,USD,SH-38-BLK,1,39.90,0,,,,,,,,\n"
        # line 3: unknown SKU, negative quantity
        "B1,2024-03-02T10:00:00+03:00,,,,,,,,,,SH-40-BLK,-1,39.90,,,,,,,,,\n"
        # line 4: another currency than line 2 on the same order
        "B1,,,,,,,,,,EUR,CAP-RED,1,9.50,,,,,,,,,\n"
        # line 5: wrong date format, unknown currency, unknown payment state and status
        "B2,02.03.2024 10:00,,settled,lost,,,,,,XYZ,CAP-RED,1,9.50,,,,03/07/2024,,,,,\n"
        # line 6: no placed_at for order B3, unknown country, bad cancelled_by
        "B3,,,,,,,,Atlantis,,USD,CAP-RED,1,9.50,,,,,,,,nobody,\n"
    )
    errors = rejected("orders", write_csv("orders.csv", text))

    assert where(errors) == [
        (3, "sku"), (3, "quantity"),
        (4, "currency"),
        (5, "placed_at"), (5, "payment_state"), (5, "status"), (5, "currency"), (5, "ship_by"),
        (6, "placed_at"), (6, "country"), (6, "cancelled_by"),
    ]  # fmt: skip
    messages = [error.message for error in errors]
    assert "unknown SKU 'SH-40-BLK'" in messages[0]
    assert "must not be negative" in messages[1]
    assert messages[2] == "order 'B1' has currency USD on line 2, EUR here"
    assert "ISO 8601" in messages[3]
    assert messages[4] == "'settled' is not one of: unpaid, paid, partially_refunded, refunded"
    assert "unknown currency 'XYZ'" in messages[6]
    assert "YYYY-MM-DD" in messages[7]
    assert "order 'B3' has no placed_at" in messages[8]


def test_line_numbers_given_in_the_file_must_be_unique(write_csv: WriteCsv, rejected: Reject, catalogue: None) -> None:
    text = (
        "order,line,placed_at,sku,quantity,unit_price\n"
        "C1,1,2024-03-02T10:00:00Z,SH-38-BLK,1,39.90\n"
        "C1,1,2024-03-02T10:00:00Z,CAP-RED,1,9.50\n"
    )
    errors = rejected("orders", write_csv("orders.csv", text))
    assert where(errors) == [(3, "line")]


def test_a_buyer_named_by_several_orders_keeps_the_latest_details(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, catalogue: None
) -> None:
    text = (
        "order,placed_at,buyer,buyer_email,sku,quantity,unit_price\n"
        "D2,2024-03-05T10:00:00Z,b-9,new@example.com,CAP-RED,1,9.50\n"
        "D1,2024-03-01T10:00:00Z,b-9,old@example.com,CAP-RED,1,9.50\n"
    )
    run_import("orders", write_csv("orders.csv", text))
    assert import_session.scalars(select(Buyer.email)).one() == "new@example.com"
