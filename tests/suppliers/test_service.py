"""The suppliers' service reads on SQLite and PostgreSQL: a supplier's status reports a page at a time."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.shops.models import Shop
from tradewind.shops.service import create_shop
from tradewind.suppliers.models import SupplierStatus
from tradewind.suppliers.service import status_reports_page

DAY = date(2026, 2, 10)


def test_status_reports_newest_first_a_page_at_a_time_of_one_supplier(session: Session, shop: Shop) -> None:
    supplier = f.supplier(session, shop, "SUP-WZ")
    other = f.supplier(session, shop, "SUP-GZ")
    elsewhere = create_shop(session, code=f"{shop.code}-b", name="Another shop", currency="USD")
    stranger = f.supplier(session, elsewhere, "SUP-WZ")
    reports = [
        f.status_report(session, shop, supplier, SupplierStatus.OPERATING, reported_on=DAY + timedelta(days=n))
        for n in range(5)
    ]
    f.status_report(session, shop, other, SupplierStatus.CLOSED, reported_on=DAY)
    f.status_report(session, elsewhere, stranger, SupplierStatus.CLOSED, reported_on=DAY)
    newest_first = [r.id for r in reversed(reports)]

    first = status_reports_page(session, shop_id=shop.id, supplier_id=supplier.id, limit=2)
    assert [r.id for r in first] == newest_first[:2]
    second = status_reports_page(session, shop_id=shop.id, supplier_id=supplier.id, limit=2, before_id=first[-1].id)
    assert [r.id for r in second] == newest_first[2:4]
    rest = status_reports_page(session, shop_id=shop.id, supplier_id=supplier.id, limit=10, before_id=second[-1].id)
    assert [r.id for r in rest] == newest_first[4:]
    # Another shop's reports are not this shop's, even under the same supplier id.
    assert status_reports_page(session, shop_id=shop.id, supplier_id=stranger.id, limit=10) == []
