"""Orders from the exports sellers' platforms really write (Shopify, WooCommerce's three plugin families,
AliExpress, invoice lines): each quirk of FORMATS.md, idempotent re-import, dry runs, and new SKUs from the file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.importers.platform_samples import (
    ALGOLPLUS_ES,
    ALIEXPRESS_HEADER,
    ALIEXPRESS_LATER_ROW,
    ALIEXPRESS_ROWS,
    INVOICE_LINES,
    SHOPIFY,
    SKYVERGE,
    WEBTOFFEE,
)
from tests.importers.samples import WriteCsv
from tradewind.catalog.models import Sku
from tradewind.config import Settings
from tradewind.growth.service import growth_report
from tradewind.importers.platforms import import_orders
from tradewind.importers.summary import ImportSummary
from tradewind.logistics.models import Shipment, ShippingMethod, TrackingStatus
from tradewind.orders.models import Buyer, CancelledBy, Order, OrderStatus, PaymentState
from tradewind.orders.service import demand_lines
from tradewind.shops.models import Shop

RunOrders = Callable[..., ImportSummary]


@pytest.fixture
def run_orders(import_session: Session, import_shop: Shop) -> RunOrders:
    def run(format: str, path: Path, **options: Any) -> ImportSummary:
        return import_orders(import_session, shop=import_shop, path=path, format=format, **options)

    return run


def order(session: Session, number: str) -> Order:
    found = session.scalar(select(Order).where(Order.number == number))
    assert found is not None, number
    return found


def lines(found: Order) -> list[tuple[str, int, Decimal]]:
    return [(line_sku_code(found, line.sku_id), line.quantity, line.unit_price) for line in found.lines]


def line_sku_code(found: Order, sku_id: int) -> str:
    from sqlalchemy.orm import object_session

    session = object_session(found)
    assert session is not None
    sku = session.get(Sku, sku_id)
    assert sku is not None
    return sku.code


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


# Shopify ------------------------------------------------------------------------------------------------------------


def test_shopify_orders_lines_money_and_time_zones(
    write_csv: WriteCsv, run_orders: RunOrders, import_session: Session
) -> None:
    summary = run_orders("shopify", write_csv("orders_export_1.csv", SHOPIFY))
    assert summary.to_json()["created"] == {"skus": 3, "buyers": 3, "orders": 3, "order_lines": 4}
    assert summary.skipped == {"open draft orders (#D…: not orders yet)": 1}
    first = order(import_session, "#1001")
    # The tip is order money, not a line; the item without a SKU gets one made from its name.
    assert lines(first) == [("SH-38-BLK", 2, Decimal("25.0000")), ("WOOL-SOCKS", 1, Decimal("10.0000"))]
    assert (first.total, first.shipping_total, first.currency) == (Decimal("62.40"), Decimal("4.90"), "EUR")
    # Each row's own offset: 10:00 in Berlin is 09:00 UTC; 21:29 in New York is 02:29 UTC the next day.
    assert first.placed_at == datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
    assert first.status == OrderStatus.SHIPPED and first.shipped_at == datetime(2024, 1, 16, 8, 0, tzinfo=UTC)
    second = order(import_session, "#1002")
    assert second.placed_at == datetime(2024, 1, 16, 2, 29, tzinfo=UTC)
    assert second.payment_state == PaymentState.PARTIALLY_REFUNDED
    assert second.status == OrderStatus.AWAITING_SHIPMENT
    assert order(import_session, "#1003").status == OrderStatus.CANCELLED
    buyer = import_session.scalar(select(Buyer).where(Buyer.external_id == "anna.k@example.de"))
    assert buyer is not None and (buyer.country, buyer.language, buyer.name) == ("DE", "de", "Anna Krüger")
    french = import_session.scalar(select(Buyer).where(Buyer.external_id == "marie@example.fr"))
    assert french is not None and (french.country, french.language) == ("FR", "fr")


def test_shopify_reimport_is_idempotent_and_dry_run_writes_nothing(
    write_csv: WriteCsv, run_orders: RunOrders, counts: Callable[[], dict[str, int]]
) -> None:
    path = write_csv("orders_export_1.csv", SHOPIFY)
    before = counts()
    dry = run_orders("shopify", path, dry_run=True)
    assert counts() == before
    assert dry.to_json()["created"]["orders"] == 3
    run_orders("shopify", path)
    again = run_orders("shopify", path)
    assert again.total("created") == 0 and again.total("updated") == 0
    assert again.to_json()["unchanged"] == {"skus": 3, "buyers": 3, "orders": 3, "order_lines": 4}


def test_shopify_existing_skus_are_used_not_changed(
    write_csv: WriteCsv, run_orders: RunOrders, import_session: Session, import_shop: Shop
) -> None:
    import_session.add(Sku(shop_id=import_shop.id, code="SH-38-BLK", title="Our own title", price=Decimal("30")))
    import_session.flush()
    summary = run_orders("shopify", write_csv("orders_export_1.csv", SHOPIFY))
    assert summary.created["skus"] == 2 and summary.unchanged["skus"] == 1
    sku = import_session.scalar(select(Sku).where(Sku.code == "SH-38-BLK"))
    assert sku is not None and sku.title == "Our own title"


# WooCommerce --------------------------------------------------------------------------------------------------------


def test_woocommerce_advanced_order_export_in_spanish_with_a_custom_status(
    write_csv: WriteCsv, run_orders: RunOrders, import_session: Session, tmp_path: Path
) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[statuses]\n"wc-enviado" = "shipped"\n\n[defaults]\ncurrency = "EUR"\n', encoding="utf-8")
    summary = run_orders("woocommerce", write_csv("pedidos.csv", ALGOLPLUS_ES), mapping=mapping)
    assert summary.created["orders"] == 3
    first = order(import_session, "4711")
    # Socks refunded in full ("Cantidad (- reembolso)" 0): no line; "25" and "25.00" are the same money.
    assert lines(first) == [("SH-38-BLK", 2, Decimal("25.0000"))]
    assert (first.total, first.shipping_total, first.currency) == (Decimal("55.00"), Decimal("5"), "EUR")
    assert first.status == OrderStatus.AWAITING_SHIPMENT and first.payment_state == PaymentState.PAID
    assert order(import_session, "4712").status == OrderStatus.SHIPPED
    completed = order(import_session, "4713")
    assert completed.status == OrderStatus.SHIPPED and completed.destination_country == "PT"
    # No offset in the file: the shop's time zone (Asia/Shanghai, UTC+8).
    assert first.placed_at == datetime(2024, 2, 1, 2, 0, tzinfo=UTC)


def test_woocommerce_workbook_with_excel_serial_dates(
    run_orders: RunOrders, import_session: Session, tmp_path: Path
) -> None:
    header = ["Order Number", "Order Status", "Order Date", "Email (Billing)", "Country Code (Shipping)"]
    header += ["Order Total Amount", "Item Name", "SKU", "Quantity", "Item Cost"]
    rows: list[list[Any]] = [[5001, "processing", 45323.5, "kim@example.com", "US", 150, "Boot", "SH-38-BLK", 2, 75]]
    path = write_xlsx(tmp_path / "orders.xlsx", header, rows)
    run_orders("woocommerce", path)
    found = order(import_session, "5001")
    # Day 45323 is 2024-02-01 (45292 is 2024-01-01); .5 is noon in Shanghai, 04:00 UTC.
    assert found.placed_at == datetime(2024, 2, 1, 4, 0, tzinfo=UTC)
    assert found.total == Decimal("150") and lines(found) == [("SH-38-BLK", 2, Decimal("75.0000"))]


def test_woocommerce_skyverge_packed_items_fees_and_apostrophes(
    write_csv: WriteCsv, run_orders: RunOrders, import_session: Session
) -> None:
    summary = run_orders("woocommerce", write_csv("customer-order-export.csv", SKYVERGE))
    assert summary.created["orders"] == 2
    # order_number empty: the order_id is the key; escaped separators stay inside the item names.
    first = order(import_session, "901")
    assert lines(first) == [("SH-38-BLK", 2, Decimal("25.0000")), ("SOCK-1", 1, Decimal("0.0000"))]
    assert (first.total, first.shipping_total) == (Decimal("46.00"), Decimal("6.00"))
    assert first.status == OrderStatus.SHIPPED
    skus = {s.code: s.title for s in import_session.scalars(select(Sku))}
    assert skus["SH-38-BLK"] == "Boot|black 38" and skus["SOCK-1"] == "Socks; wool"
    assert order(import_session, "W-902").total == Decimal("20.00")
    buyer = import_session.scalar(select(Buyer).where(Buyer.external_id == "joost@example.nl"))
    assert buyer is not None and (buyer.country, buyer.language) == ("NL", "nl")


def test_woocommerce_webtoffee_numbered_items(
    write_csv: WriteCsv, run_orders: RunOrders, import_session: Session
) -> None:
    run_orders("woocommerce", write_csv("webtoffee.csv", WEBTOFFEE))
    paid = order(import_session, "77")
    assert [code for code, _, _ in lines(paid)] == ["SH-38-BLK", "SH-39-BLK"]
    assert paid.currency == "PLN" and paid.payment_state == PaymentState.PAID
    assert order(import_session, "78").status == OrderStatus.PLACED


# AliExpress ---------------------------------------------------------------------------------------------------------


def test_aliexpress_workbook_chinese_headers_packed_items(
    run_orders: RunOrders, import_session: Session, tmp_path: Path
) -> None:
    rows = [*ALIEXPRESS_ROWS, ALIEXPRESS_ROWS[0]]  # the same order twice in one file
    summary = run_orders("aliexpress", write_xlsx(tmp_path / "orders.xlsx", ALIEXPRESS_HEADER, rows))
    assert summary.created == {
        "skus": 3,
        "buyers": 2,
        "orders": 2,
        "order_lines": 3,
        "shipping_methods": 1,
        "shipments": 1,
    }
    first = order(import_session, "8100000000001")
    # No price per item: the product total spread over the 3 units; USD, though no column says so.
    assert [(q, p) for _, q, p in lines(first)] == [(2, Decimal("15.0000")), (1, Decimal("15.0000"))]
    assert (first.currency, first.total, first.shipping_total) == ("USD", Decimal("48.50"), Decimal("3.50"))
    # "2013.01.24 23:56\n" in Shanghai.
    assert first.placed_at == datetime(2013, 1, 24, 15, 56, tzinfo=UTC)
    assert first.ship_by == date(2013, 1, 30) and first.status == OrderStatus.AWAITING_SHIPMENT
    assert first.destination_country == "RU" and first.buyer is not None and first.buyer.language == "ru"
    socks = lines(first)[1][0]
    assert socks.startswith("WARM-WOOL-SOCKS")
    second = order(import_session, "8100000000002")
    assert second.status == OrderStatus.SHIPPED and second.buyer is not None and second.buyer.language == "uk"


def test_aliexpress_overlapping_exports_update_by_order_number(
    run_orders: RunOrders, import_session: Session, tmp_path: Path, write_csv: WriteCsv
) -> None:
    run_orders("aliexpress", write_xlsx(tmp_path / "january.xlsx", ALIEXPRESS_HEADER, ALIEXPRESS_ROWS))
    # The later export, saved as CSV: one order shipped since, one unchanged.
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([ALIEXPRESS_HEADER, ALIEXPRESS_LATER_ROW, ALIEXPRESS_ROWS[1]])
    summary = run_orders("aliexpress", write_csv("february.csv", buffer.getvalue()))
    assert summary.updated["orders"] == 1 and summary.unchanged["orders"] == 1 and summary.created["orders"] == 0
    assert order(import_session, "8100000000001").status == OrderStatus.SHIPPED


def aliexpress_csv(write_csv: WriteCsv, name: str, rows: list[list[Any]]) -> Path:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows([ALIEXPRESS_HEADER, *rows])
    return write_csv(name, buffer.getvalue())


def parcel(session: Session, tracking_number: str) -> Shipment:
    found = session.scalar(select(Shipment).where(Shipment.tracking_number == tracking_number))
    assert found is not None, tracking_number
    return found


def method_code(session: Session, shipment: Shipment) -> str:
    method = session.get(ShippingMethod, shipment.method_id)
    assert method is not None, shipment.tracking_number
    return method.code


def test_aliexpress_parcels_become_shipments_of_their_orders(
    run_orders: RunOrders, import_session: Session, write_csv: WriteCsv
) -> None:
    # A method the shop already has, under its own code: the export's name for it finds it.
    import_session.add(
        ShippingMethod(
            shop_id=order_shop(import_session).id,
            code="AE_STANDARD",
            name="AliExpress Standard Shipping",
            carrier="Cainiao",
        )
    )
    import_session.flush()
    run_orders("aliexpress", aliexpress_csv(write_csv, "january.csv", ALIEXPRESS_ROWS))
    shipped = parcel(import_session, "RR123456789CN")
    assert shipped.order_id == order(import_session, "8100000000002").id
    assert (shipped.origin_country, shipped.destination_country) == ("CN", "UA")
    assert shipped.status == TrackingStatus.PENDING and shipped.first_scan_at is None
    assert shipped.shipped_at == datetime(2013, 1, 25, 16, tzinfo=UTC)  # no ship time given: paid (Shanghai midnight)
    assert method_code(import_session, shipped) == "China Post Registered Air Mail"

    summary = run_orders("aliexpress", aliexpress_csv(write_csv, "february.csv", [ALIEXPRESS_LATER_ROW]))
    assert summary.created["shipments"] == 1 and summary.created["shipping_methods"] == 0
    later = parcel(import_session, "LP00123456789")
    assert later.order_id == order(import_session, "8100000000001").id and later.destination_country == "RU"
    assert method_code(import_session, later) == "AE_STANDARD"

    both = [*ALIEXPRESS_ROWS[1:], ALIEXPRESS_LATER_ROW]
    again = run_orders("aliexpress", aliexpress_csv(write_csv, "again.csv", both))
    assert again.created["shipments"] == 0 and again.updated["shipments"] == 0 and again.unchanged["shipments"] == 2


def order_shop(session: Session) -> Shop:
    found = session.scalar(select(Shop).where(Shop.code == "t"))
    assert found is not None
    return found


def test_a_parcel_the_tracking_feed_made_is_linked_not_overwritten_and_delivered_with_its_order(
    run_orders: RunOrders, import_session: Session, write_csv: WriteCsv
) -> None:
    scanned = datetime(2013, 1, 28, 9, tzinfo=UTC)
    import_session.add(
        Shipment(
            shop_id=order_shop(import_session).id,
            tracking_number="RR123456789CN",
            destination_country="UA",
            shipped_at=scanned,
            first_scan_at=scanned,
            last_event_at=scanned,
            status=TrackingStatus.IN_TRANSIT,
        )
    )
    import_session.flush()
    summary = run_orders("aliexpress", aliexpress_csv(write_csv, "january.csv", ALIEXPRESS_ROWS))
    assert summary.created["shipments"] == 0 and summary.updated["shipments"] == 1
    tracked = parcel(import_session, "RR123456789CN")
    assert tracked.order_id == order(import_session, "8100000000002").id
    assert (tracked.status, tracked.first_scan_at, tracked.shipped_at) == (TrackingStatus.IN_TRANSIT, scanned, scanned)

    completed = [*ALIEXPRESS_ROWS[1]]
    completed[1] = "交易完成"
    run_orders("aliexpress", aliexpress_csv(write_csv, "march.csv", [completed]))
    assert parcel(import_session, "RR123456789CN").status == TrackingStatus.DELIVERED
    assert order(import_session, "8100000000002").status == OrderStatus.DELIVERED


def test_aliexpress_parcels_bare_numbers_several_per_order_and_dry_runs(
    run_orders: RunOrders, import_session: Session, write_csv: WriteCsv
) -> None:
    row = [*ALIEXPRESS_ROWS[1]]
    row[11] = "LP00999888777\nCainiao Super Economy Global：LP00999888778"  # a bare number; a full-width colon
    path = aliexpress_csv(write_csv, "split.csv", [row])
    dry = run_orders("aliexpress", path, dry_run=True)
    assert dry.created["shipments"] == 2 and dry.created["shipping_methods"] == 2
    assert import_session.scalar(select(Shipment.id)) is None
    run_orders("aliexpress", path)
    bare, economy = parcel(import_session, "LP00999888777"), parcel(import_session, "LP00999888778")
    assert bare.order_id == economy.order_id == order(import_session, "8100000000002").id
    # A bare number went by the service the buyer chose.
    assert method_code(import_session, bare) == "China Post Registered Air Mail"
    assert method_code(import_session, economy) == "Cainiao Super Economy Global"


# Invoice lines ------------------------------------------------------------------------------------------------------


def test_invoice_lines_cancellations_postage_and_adjustments(
    write_csv: WriteCsv, run_orders: RunOrders, import_session: Session, tmp_path: Path
) -> None:
    mapping = tmp_path / "retail.toml"
    mapping.write_text('[defaults]\ncurrency = "GBP"\ntimezone = "Europe/London"\n', encoding="utf-8")
    summary = run_orders("invoice-lines", write_csv("retail.csv", INVOICE_LINES), mapping=mapping)
    assert summary.created == {"skus": 3, "buyers": 2, "orders": 3, "order_lines": 4}
    assert summary.skipped == {
        "stock adjustment rows (negative quantity outside a cancellation invoice)": 1,
        "invoices with no product line (fees or adjustments only)": 1,
        "credit notes netted against the invoices they cancel": 1,
    }
    first = order(import_session, "536365")
    assert len(first.lines) == 2 and first.shipping_total == Decimal("18.00")
    # C536379 credits 2 of its 6 hanging hearts: 4 were sold, and the credit note is no order of its own.
    assert lines(first)[0] == ("85123A", 4, Decimal("2.5500"))
    assert first.total == Decimal("2.55") * 4 + Decimal("3.39") * 6 + 18
    assert (first.currency, first.status) == ("GBP", OrderStatus.DELIVERED)
    assert first.buyer is not None and first.buyer.external_id == "17850" and first.buyer.country == "GB"
    assert import_session.scalar(select(Order.id).where(Order.number == "C536379")) is None
    anonymous = order(import_session, "536382")
    assert anonymous.buyer_id is None and anonymous.destination_country is None
    # Winter in London is UTC.
    assert first.placed_at == datetime(2010, 12, 1, 8, 26, tzinfo=UTC)


CREDIT_NOTES = """\
InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
581483,23843,LITTLE BIRDIE,80995,2011-12-09 09:15:00,2.08,16446.0,United Kingdom
C581484,23843,LITTLE BIRDIE,-80995,2011-12-09 09:27:00,2.08,16446.0,United Kingdom
600001,22633,HAND WARMER,6,2011-12-01 10:00:00,1.85,12583.0,France
600002,22633,HAND WARMER,4,2011-12-02 10:00:00,1.85,12583.0,France
600002,71053,LANTERN,3,2011-12-02 10:00:00,3.39,12583.0,France
C600003,22633,HAND WARMER,-7,2011-12-05 10:00:00,1.85,12583.0,France
C600004,71053,LANTERN,-5,2011-12-05 11:00:00,3.39,12583.0,France
C600005,85123A,HEART,-2,2011-12-05 12:00:00,2.55,17850.0,United Kingdom
"""


def test_invoice_lines_credit_notes_net_against_the_invoices_they_cancel(
    write_csv: WriteCsv, run_orders: RunOrders, import_session: Session, tmp_path: Path
) -> None:
    mapping = tmp_path / "retail.toml"
    mapping.write_text('[defaults]\ncurrency = "GBP"\ntimezone = "Europe/London"\n', encoding="utf-8")
    summary = run_orders("invoice-lines", write_csv("credits.csv", CREDIT_NOTES), mapping=mapping)
    # C600005 credits hearts 17850 never bought in this file; C600004 credits 5 lanterns where 3 were bought.
    assert summary.skipped == {
        "credit notes netted against the invoices they cancel": 3,
        "credit-note lines with no invoice of that buyer and stock code in the file to net against": 2,
    }
    assert summary.created["orders"] == 3
    # The 80,995 units cancelled twelve minutes later: a buyer-cancelled order, so no demand and no GMV.
    birdie = order(import_session, "581483")
    assert birdie.status == OrderStatus.CANCELLED and birdie.cancelled_by == CancelledBy.BUYER
    assert lines(birdie) == [("23843", 80995, Decimal("2.0800"))]
    # 7 hand warmers credited: the latest invoice first (4 of 4), then the one before (3 of 6).
    first, second = order(import_session, "600001"), order(import_session, "600002")
    assert lines(first) == [("22633", 3, Decimal("1.8500"))] and first.total == Decimal("5.55")
    assert first.status == OrderStatus.DELIVERED
    # Its 3 lanterns credited too (the 2 more the credit note names are counted, not taken from elsewhere).
    assert second.status == OrderStatus.CANCELLED and second.total == Decimal("1.85") * 4 + Decimal("3.39") * 3
    for number in ("C581484", "C600003", "C600004", "C600005"):
        assert import_session.scalar(select(Order.id).where(Order.number == number)) is None
    found = demand_lines(import_session, shop_id=birdie.shop_id, start=date(2011, 12, 1), end=date(2011, 12, 10))
    assert found == [(first.lines[0].sku_id, first.placed_at, 3)]


def test_invoice_lines_a_credit_note_naming_its_invoice_nets_against_that_one(
    write_csv: WriteCsv, run_orders: RunOrders, import_session: Session
) -> None:
    text = (
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country,OriginalInvoice,currency\n"
        "700001,22633,HAND WARMER,6,2011-12-01 10:00:00,1.85,12583.0,France,,GBP\n"
        "700002,22633,HAND WARMER,6,2011-12-02 10:00:00,1.85,12583.0,France,,GBP\n"
        "C700003,22633,HAND WARMER,-2,2011-12-05 10:00:00,1.85,12583.0,France,700001,GBP\n"
    )
    run_orders("invoice-lines", write_csv("named.csv", text))
    assert lines(order(import_session, "700001"))[0][1] == 4
    assert lines(order(import_session, "700002"))[0][1] == 6


def test_invoice_lines_netted_in_gmv_and_in_every_metric(
    write_csv: WriteCsv, run_orders: RunOrders, import_session: Session, import_shop: Shop
) -> None:
    text = (
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country,currency\n"
        "900001,X1,MUG,10,2011-12-01 10:00:00,2.00,111.0,France,USD\n"
        "900002,X1,MUG,5,2011-12-02 10:00:00,2.00,111.0,France,USD\n"
        "C900003,X1,MUG,-5,2011-12-02 10:30:00,2.00,111.0,France,USD\n"
        "900004,Y1,JAR,3,2011-12-05 10:00:00,1.00,222.0,France,USD\n"
        "C900005,Y1,JAR,-1,2011-12-06 10:00:00,1.00,222.0,France,USD\n"
    )
    run_orders("invoice-lines", write_csv("netted.csv", text))
    report = growth_report(
        import_session, shop=import_shop, today=date(2011, 12, 9), settings=Settings(database_url="sqlite://")
    )
    # 900001's 20.00 and 900004's 2 jars left (2.00); 900002 was credited in full. Unnetted: 33.00 over 3.
    assert (report.period.gmv, report.period.orders) == (Decimal("22.00"), 2)
    metrics = {m.code: m for m in report.metrics}
    # The credit notes are no orders: 3 paid orders over 60 days (not 5), 1 over the last 7 days (not 2).
    assert (metrics["order_defect_rate"].numerator, metrics["order_defect_rate"].denominator) == (0, 3)
    assert (metrics["cancellation_rate"].numerator, metrics["cancellation_rate"].denominator) == (0, 1)
