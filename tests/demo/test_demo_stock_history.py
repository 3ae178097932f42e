"""The demo shop's stock history means what it says (issue 17): every purchase order received since the stock take
moved stock, and the plan's demand is about what the shop sells (it was 2.6× before: 117.3 against 44.9 a day)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.demo.building import BuiltDemo, build_into_file
from tradewind.config import Settings
from tradewind.db.session import make_sessionmaker
from tradewind.inventory.service import missing_receipts
from tradewind.planning.service import build_plan

TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def december(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltDemo]:
    built = build_into_file(tmp_path_factory.mktemp("demo") / "demo.db", today=TODAY)
    yield built
    built.engine.dispose()


def test_every_receipt_since_the_stock_take_is_a_stock_movement(december: BuiltDemo) -> None:
    with december.engine.connect() as connection:
        stocktake = connection.execute(
            text("SELECT min(occurred_at) FROM stock_movements WHERE reason = 'stocktake'")
        ).scalar_one()
        unmoved = connection.execute(
            text(
                "SELECT p.code, l.sku_id FROM purchase_orders p "
                "JOIN purchase_order_lines l ON l.purchase_order_id = p.id "
                "WHERE p.state = 'received' AND p.received_on >= :since AND NOT EXISTS ("
                "SELECT 1 FROM stock_movements m WHERE m.reason = 'receipt' AND m.reference = p.code "
                "AND m.sku_id = l.sku_id AND m.quantity = l.quantity)"
            ),
            {"since": str(stocktake)[:10]},
        ).all()
        receipts = connection.execute(text("SELECT count(*) FROM stock_movements WHERE reason = 'receipt'")).scalar()
    assert unmoved == []
    assert receipts == 5  # PO-2026-0045 (3 lines: its 2 SKUs that ran short are left out) and PO-2026-0046 (2)
    with make_sessionmaker(december.engine)() as session:
        assert missing_receipts(session, shop_id=1) == []


def test_the_plan_demands_about_what_the_shop_sold(december: BuiltDemo) -> None:
    with december.engine.connect() as connection:
        sold = connection.execute(
            text(
                "SELECT sum(l.quantity) / 28.0 FROM order_lines l JOIN orders o ON o.id = l.order_id "
                "WHERE o.placed_at >= :start AND o.placed_at < :end AND o.status != 'cancelled'"
            ),
            {"start": (TODAY - timedelta(days=28)).isoformat(), "end": TODAY.isoformat()},
        ).scalar_one()
    with make_sessionmaker(december.engine)() as session:
        shop_plan = build_plan(
            session, shop_id=1, today=TODAY, now=datetime(2026, 12, 7, 9, tzinfo=UTC), settings=Settings()
        )
    demand = sum(d.demand_per_day for d in shop_plan.decisions)
    assert 0.80 <= demand / float(sold) <= 1.25, (demand, sold)
