"""Orders and shipments keep the state or province an export names (ISO 3166-2), so a domestic seller's lanes can
go per region: Shopify's `Shipping Province` code, WooCommerce's shipping state, a `region` column in Tradewind's own
CSVs, or a destination written `BR-SP`. Free-text provinces that are no ISO region keep the order, country only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.importers.platform_samples import SHOPIFY_HEADER, shopify_row
from tests.importers.samples import RunImport, WriteCsv, where
from tradewind.errors import RowError
from tradewind.importers.platform_orders import UNKNOWN_REGIONS
from tradewind.importers.platforms import import_orders
from tradewind.importers.summary import ImportSummary
from tradewind.logistics.models import Shipment
from tradewind.orders.models import Order
from tradewind.shops.models import Shop

Reject = Callable[..., list[RowError]]

ORDERS = (
    "order,placed_at,paid_at,destination_country,region,sku,quantity,unit_price\n"
    "P-1,2026-10-02T10:00:00-03:00,2026-10-02T10:05:00-03:00,BR,BR-RJ,SH-38-BLK,1,89.90\n"
    "P-2,2026-10-03T11:00:00-03:00,2026-10-03T11:01:00-03:00,,BR-BA,CAP-RED,2,19.90\n"
    "P-3,2026-10-03T12:00:00+03:00,2026-10-03T12:01:00+03:00,RU,,CAP-RED,1,990\n"
    "P-4,2026-10-04T12:00:00+03:00,2026-10-04T12:01:00+03:00,RU,Sankt-Peterburg,CAP-RED,1,990\n"
    "P-5,2026-10-04T12:00:00-03:00,2026-10-04T12:01:00-03:00,BR,SP,CAP-RED,1,19.90\n"
)


def _orders(session: Session) -> dict[str, Order]:
    return {o.number: o for o in session.scalars(select(Order))}


def test_the_orders_csv_keeps_the_region_and_names_its_country(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, catalogue: None
) -> None:
    run_import("orders", write_csv("orders.csv", ORDERS))
    found = _orders(import_session)
    assert (found["P-1"].destination_country, found["P-1"].destination_region) == ("BR", "BR-RJ")
    assert (found["P-2"].destination_country, found["P-2"].destination_region) == ("BR", "BR-BA")
    assert (found["P-3"].destination_country, found["P-3"].destination_region) == ("RU", None)
    # The code's part after the dash, or the region's name, within the destination country.
    assert (found["P-4"].destination_region, found["P-5"].destination_region) == ("RU-SPE", "BR-SP")
    shipments = (
        "tracking_number,order,method,origin,destination,region,shipped_at,delivered_at\n"
        "SS123456785BR,P-1,SEDEX,BR,,,2026-10-03T09:00:00-03:00,2026-10-05T15:00:00-03:00\n"
        "QB123456789BR,,PAC,BR,BR-MG,,2026-10-03T09:00:00-03:00,\n"
        "QB223456789BR,,PAC,BR,BR,SP,2026-10-03T09:00:00-03:00,\n"
        "10101234567890,P-3,russian-post,RU,,,2026-10-04T09:00:00+03:00,\n"
    )
    run_import("shipments", write_csv("shipments.csv", shipments))
    by_number = {s.tracking_number: s for s in import_session.scalars(select(Shipment))}
    # A parcel goes where its order goes (its region too), unless the row says otherwise.
    routes = {n: (s.destination_country, s.destination_region) for n, s in by_number.items()}
    assert routes == {
        "SS123456785BR": ("BR", "BR-RJ"),
        "QB123456789BR": ("BR", "BR-MG"),
        "QB223456789BR": ("BR", "BR-SP"),
        "10101234567890": ("RU", None),
    }


def test_a_region_that_does_not_fit_is_an_error_with_its_line(
    write_csv: WriteCsv, rejected: Reject, catalogue: None
) -> None:
    errors = rejected(
        "orders",
        write_csv(
            "orders.csv",
            "order,placed_at,destination_country,region,sku,quantity,unit_price\n"
            "P-1,2026-10-02T10:00:00Z,RU,BR-RJ,SH-38-BLK,1,89.90\n"
            "P-2,2026-10-02T10:00:00Z,RU,SP,SH-38-BLK,1,89.90\n",
        ),
    )
    assert where(errors) == [(2, "destination_region"), (3, "destination_region")]
    errors = rejected(
        "shipments",
        write_csv(
            "shipments.csv",
            "tracking_number,destination,region,shipped_at\n"
            "A1,BR-XX,,2026-10-03T09:00:00Z\n"
            "A2,BR,Atlantis,2026-10-03T09:00:00Z\n"
            "A3,BR-SP,RJ,2026-10-03T09:00:00Z\n",
        ),
    )
    assert where(errors) == [(2, "destination"), (3, "destination_region"), (4, "destination_region")]


@pytest.fixture
def run_orders(import_session: Session, import_shop: Shop) -> Callable[..., ImportSummary]:
    def run(format: str, path: Path, **options: Any) -> ImportSummary:
        return import_orders(import_session, shop=import_shop, path=path, format=format, **options)

    return run


def _shopify_order(number: str, country: str, province: str) -> str:
    return shopify_row(
        Name=number,
        Email=f"{number[1:]}@example.com",
        Financial_Status="paid",
        Paid_at="2026-10-02 10:05:00 -0300",
        Currency="BRL",
        Subtotal="89.90",
        Shipping="0.00",
        Total="89.90",
        Created_at="2026-10-02 10:00:00 -0300",
        Lineitem_quantity="1",
        Lineitem_name="Ankle boot - 38 / Black",
        Lineitem_price="89.90",
        Lineitem_sku="SH-38-BLK",
        Shipping_Country=country,
        Shipping_Province=province,
    )


def test_shopify_s_shipping_province_code_becomes_the_region(
    write_csv: WriteCsv, run_orders: Callable[..., ImportSummary], import_session: Session
) -> None:
    export = "\n".join(
        [
            SHOPIFY_HEADER,
            _shopify_order("#2001", "BR", "SP"),
            _shopify_order("#2002", "US", "CA"),
            _shopify_order("#2003", "GB", "Greater London"),  # no ISO 3166-2 region: the country only
            _shopify_order("#2004", "DE", ""),
        ]
    )
    summary = run_orders("shopify", write_csv("orders_export_1.csv", export))
    assert summary.skipped == {UNKNOWN_REGIONS: 1}
    found = {n: (o.destination_country, o.destination_region) for n, o in _orders(import_session).items()}
    assert found == {"#2001": ("BR", "BR-SP"), "#2002": ("US", "US-CA"), "#2003": ("GB", None), "#2004": ("DE", None)}


def test_woocommerce_s_shipping_state_becomes_the_region(
    write_csv: WriteCsv, run_orders: Callable[..., ImportSummary], import_session: Session
) -> None:
    export = (
        "order_id,order_number,order_date,status,shipping_total,order_total,order_currency,billing_email,"
        "billing_country,shipping_country,shipping_state,line_items\n"
        "501,501,2026-10-01 12:00:00,processing,0.00,89.90,BRL,ana@example.com.br,BR,BR,MG,"
        "id:1|name:Boot black 38|sku:SH-38-BLK|quantity:1|subtotal:89.90|total:89.90\n"
        "502,502,2026-10-01 13:00:00,processing,0.00,40.00,EUR,jordi@example.es,ES,ES,Cataluña,"
        "id:2|name:Boot black 39|sku:SH-39-BLK|quantity:1|subtotal:40.00|total:40.00\n"
    )
    run_orders("woocommerce", write_csv("orders.csv", export))
    found = {n: (o.destination_country, o.destination_region) for n, o in _orders(import_session).items()}
    assert found == {"501": ("BR", "BR-MG"), "502": ("ES", "ES-CT")}
