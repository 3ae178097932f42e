"""The real UCI Online Retail file (../shared/data) imported as a seller would: every invoice line, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.shared_data import ONLINE_RETAIL, shared_data_file
from tradewind.config import Settings
from tradewind.growth.service import growth_report
from tradewind.importers.platforms import import_orders
from tradewind.importers.reading import ColumnMapping
from tradewind.orders.models import Order, OrderLine, OrderStatus
from tradewind.orders.service import demand_lines
from tradewind.shops.service import create_shop


@pytest.mark.slow
def test_the_online_retail_file_imports(session: Session) -> None:
    path = shared_data_file(ONLINE_RETAIL)
    shop = create_shop(session, code="uk-gifts", name="UK gift shop", currency="GBP", timezone="Europe/London")
    summary = import_orders(
        session, shop=shop, path=path, format="invoice-lines", mapping=ColumnMapping(defaults={"currency": "GBP"})
    )

    # 541,909 lines: 1,336 stock adjustments and the fee/postage lines are no order lines; 5,268 rows repeat an
    # earlier one word for word (counted once); the credit notes (C…) net against the invoices they cancel and are
    # no orders: 3,069 of them found their invoice, 1,270 credit lines did not (the sale was before the file began,
    # or the buyer is unknown).
    assert summary.skipped["rows repeating an earlier row word for word (counted once)"] == 5_268
    assert summary.skipped["credit notes netted against the invoices they cancel"] == 3_069
    assert summary.created["order_lines"] == 521_898
    assert summary.created["orders"] == 20_538 and summary.created["skus"] == 3_925
    assert summary.created["buyers"] == 4_335
    lines = session.scalar(select(func.count()).select_from(OrderLine).where(OrderLine.shop_id == shop.id))
    assert lines == 521_898
    # Invoices credited in full, such as 581483 (80,995 x 23843, cancelled twelve minutes later); a credit note
    # repeated word for word credits once, so one invoice that its doubled rows emptied is no longer credited in full.
    cancelled = session.scalar(
        select(func.count()).select_from(Order).where(Order.shop_id == shop.id, Order.status == OrderStatus.CANCELLED)
    )
    assert cancelled == 133
    birdie = session.scalar(select(Order).where(Order.shop_id == shop.id, Order.number == "581483"))
    assert birdie is not None and birdie.status == OrderStatus.CANCELLED
    assert session.scalar(select(Order.id).where(Order.shop_id == shop.id, Order.number.like("C%"))) is None
    birdie_sku = birdie.lines[0].sku_id
    assert (
        demand_lines(session, shop_id=shop.id, start=date(2011, 12, 9), end=date(2011, 12, 10), sku_id=birdie_sku) == []
    )
    # November 2011's GMV, netted: the sum a few lines of Python make of the file (every November invoice's product
    # lines less the units later credit notes take back from them, plus its postage and fees), 2,852 invoices; it
    # was 1,506,466.39 over 2,864 before credit notes netted, and 1,489,236.46 before rows repeated word for word
    # counted once: November's repeated sale rows come to 5,629.55, of which 321.25 are of a buyer and stock code
    # that a credit note also names (the note then nets against the remaining lines), so the netted, deduplicated
    # GMV lies between 1,483,606.91 and 1,483,928.16.
    november = growth_report(
        session, shop=shop, today=date(2011, 11, 30), settings=Settings(database_url="sqlite://")
    ).period
    assert (november.gmv, november.orders) == (Decimal("1483689.66"), 2_852)
    gmv = session.scalar(
        select(func.sum(Order.total)).where(Order.shop_id == shop.id, Order.status == OrderStatus.DELIVERED)
    )
    assert gmv is not None and Decimal(9_000_000) < gmv < Decimal(11_000_000)
