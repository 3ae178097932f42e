"""`tradewind import suppliers` and `tradewind import offers`."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.importers.samples import RunImport, WriteCsv, where
from tradewind.errors import RowError
from tradewind.suppliers.models import Supplier, SupplyOffer

Reject = Callable[..., list[RowError]]

SUPPLIERS = (
    "supplier,name,country,language,calendar,email,processing_days\n"
    "YW-SHOES,Yiwu Shoes Co.,CN,zh,CN,sales@yiwushoes.example,3\n"
    "HCM-CAPS,Saigon Caps,Viet Nam,Vietnamese,,,5\n"
    "GZ-SHOES,Guangzhou Footwear,CHN,,,,\n"
)
OFFERS = (
    "supplier,sku,unit_cost,currency,moq,pack_size,lead_time_days,lead_time_p90_days,priority\n"
    "YW-SHOES,SH-38-BLK,55.50,CNY,50,10,7,12,1\n"
    "GZ-SHOES,SH-38-BLK,58.00,cny,20,,9,15,2\n"
    "HCM-CAPS,CAP-RED,2.10,USD,100,,,,\n"
)


@pytest.fixture
def suppliers(write_csv: WriteCsv, run_import: RunImport) -> None:
    run_import("suppliers", write_csv("suppliers.csv", SUPPLIERS))


def test_suppliers_are_created_with_countries_and_languages_normalised(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session
) -> None:
    summary = run_import("suppliers", write_csv("suppliers.csv", SUPPLIERS))

    assert summary.created == {"suppliers": 3}
    found = {s.code: s for s in import_session.scalars(select(Supplier))}
    yiwu, saigon, guangzhou = found["YW-SHOES"], found["HCM-CAPS"], found["GZ-SHOES"]
    assert (yiwu.country, yiwu.language, yiwu.calendar, yiwu.email) == ("CN", "zh", "CN", "sales@yiwushoes.example")
    assert (saigon.country, saigon.language, saigon.calendar, saigon.processing_days) == ("VN", "vi", "VN", 5)
    assert (guangzhou.country, guangzhou.language, guangzhou.processing_days) == ("CN", "zh", 3)


def test_suppliers_reimport_and_update(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, suppliers: None
) -> None:
    assert run_import("suppliers", write_csv("again.csv", SUPPLIERS)).unchanged == {"suppliers": 3}

    summary = run_import("suppliers", write_csv("upd.csv", "supplier,name,processing_days\nYW-SHOES,Yiwu Shoes,4\n"))

    assert (summary.updated, summary.unchanged) == ({"suppliers": 1}, {"suppliers": 0})
    yiwu = import_session.scalars(select(Supplier).where(Supplier.code == "YW-SHOES")).one()
    assert (yiwu.name, yiwu.processing_days, yiwu.email) == ("Yiwu Shoes", 4, "sales@yiwushoes.example")


def test_bad_supplier_rows(write_csv: WriteCsv, rejected: Reject) -> None:
    text = (
        "supplier,name,country,language,calendar,email,processing_days\n"
        "A,Alpha,Narnia,zh,CN,a@example.com,3\n"
        "B,Beta,CN,klingon,XX,not-an-email,-1\n"
    )
    errors = rejected("suppliers", write_csv("suppliers.csv", text))
    assert where(errors) == [
        (2, "country"), (3, "language"), (3, "calendar"), (3, "email"), (3, "processing_days"),
    ]  # fmt: skip
    assert "unknown country 'Narnia'" in errors[0].message
    assert "must not be negative" in errors[4].message


def test_offers_link_suppliers_and_skus(
    write_csv: WriteCsv, run_import: RunImport, import_session: Session, catalogue: None, suppliers: None
) -> None:
    summary = run_import("offers", write_csv("offers.csv", OFFERS))

    assert summary.created == {"supply_offers": 3}
    offers = import_session.execute(
        select(Supplier.code, SupplyOffer).join(Supplier, Supplier.id == SupplyOffer.supplier_id)
    ).all()
    by_supplier = dict(offers)
    yiwu = by_supplier["YW-SHOES"]
    assert (yiwu.unit_cost, yiwu.currency, yiwu.moq, yiwu.pack_size) == (Decimal("55.50"), "CNY", 50, 10)
    assert (yiwu.lead_time_days, yiwu.lead_time_p90_days, yiwu.priority) == (7, 12, 1)
    assert by_supplier["GZ-SHOES"].priority == 2 and by_supplier["GZ-SHOES"].currency == "CNY"
    caps = by_supplier["HCM-CAPS"]
    assert (caps.pack_size, caps.lead_time_days, caps.lead_time_p90_days, caps.priority) == (1, 7, None, 1)


def test_offers_reimport_and_update(
    write_csv: WriteCsv, run_import: RunImport, catalogue: None, suppliers: None,
    counts: Callable[[], dict[str, int]],
) -> None:  # fmt: skip
    run_import("offers", write_csv("offers.csv", OFFERS))
    before = counts()
    assert run_import("offers", write_csv("offers.csv", OFFERS)).unchanged == {"supply_offers": 3}
    assert counts() == before

    summary = run_import(
        "offers", write_csv("cost.csv", "supplier,sku,unit_cost,currency\nYW-SHOES,SH-38-BLK,54,CNY\n")
    )
    assert summary.updated == {"supply_offers": 1}


def test_offers_for_unknown_suppliers_or_skus_are_errors(
    write_csv: WriteCsv, rejected: Reject, catalogue: None, suppliers: None
) -> None:
    text = (
        "supplier,sku,unit_cost,currency,moq,lead_time_days,lead_time_p90_days\n"
        "YW-SHOES,SH-40-BLK,55.50,CNY,50,7,12\n"
        "yw-shoes,SH-38-BLK,55.50,CNY,50,7,12\n"
        "YW-SHOES,CAP-RED,1.00,CNY,0,7,5\n"
        "YW-SHOES,CAP-RED,1.00,RMB,1,7,8\n"
    )
    errors = rejected("offers", write_csv("offers.csv", text))
    assert where(errors) == [
        (2, "sku"), (3, "supplier"), (4, "moq"), (4, "lead_time_p90_days"), (5, "sku"), (5, "currency"),
    ]  # fmt: skip
    assert "unknown SKU 'SH-40-BLK'" in errors[0].message and "tradewind import skus" in errors[0].message
    assert "did you mean 'YW-SHOES'?" in errors[1].message
    assert "at least 1" in errors[2].message
    assert "already on line 4" in errors[4].message
