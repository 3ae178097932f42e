"""The real UCI Online Retail file (../shared/data) imported as a seller would: every invoice line, on SQLite and
PostgreSQL."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.shared_data import ONLINE_RETAIL, shared_data_file
from tradewind.importers.platforms import import_orders
from tradewind.importers.reading import ColumnMapping
from tradewind.orders.models import Order, OrderLine, OrderStatus
from tradewind.shops.service import create_shop


@pytest.mark.slow
def test_the_online_retail_file_imports(session: Session) -> None:
    path = shared_data_file(ONLINE_RETAIL)
    shop = create_shop(session, code="uk-gifts", name="UK gift shop", currency="GBP", timezone="Europe/London")
    started = time.perf_counter()
    summary = import_orders(
        session, shop=shop, path=path, format="invoice-lines", mapping=ColumnMapping(defaults={"currency": "GBP"})
    )
    elapsed = time.perf_counter() - started

    # 541,909 lines: 1,336 stock adjustments and the fee/postage lines are no order lines, and 5,268 rows repeat an
    # earlier one word for word (counted once; 5,262 of them product lines, which counted twice before: 537,627).
    assert summary.created["order_lines"] == 532_365
    assert summary.skipped["rows repeating an earlier row word for word (counted once)"] == 5_268
    assert summary.created["orders"] == 23_960 and summary.created["skus"] == 3_941
    assert summary.created["buyers"] == 4_363
    lines = session.scalar(select(func.count()).select_from(OrderLine).where(OrderLine.shop_id == shop.id))
    assert lines == 532_365
    cancelled = session.scalar(
        select(func.count()).select_from(Order).where(Order.shop_id == shop.id, Order.status == OrderStatus.CANCELLED)
    )
    assert cancelled is not None and 3_000 < cancelled < 4_000
    gmv = session.scalar(
        select(func.sum(Order.total)).where(Order.shop_id == shop.id, Order.status == OrderStatus.DELIVERED)
    )
    assert gmv is not None and Decimal(9_000_000) < gmv < Decimal(11_000_000)
    assert elapsed < 120, f"the Online Retail import took {elapsed:.1f} s"
