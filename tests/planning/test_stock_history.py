"""Stock history that means what it says (issue 17): before a SKU's first stock record its stock is unknown, a
stock take is an absolute level, and only evidence-based days (a known level of 0, no sale) are out of stock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.catalog.models import Sku
from tradewind.clock import FixedClock
from tradewind.importers.tradewind_csv import import_file
from tradewind.inventory.models import MovementReason, PurchaseOrderState, StockLevel, StockMovement, Warehouse
from tradewind.orders.models import OrderStatus
from tradewind.planning.frames import known_stockouts, load_inputs
from tradewind.planning.kernels import plan
from tradewind.shops.models import Shop

TODAY = date(2026, 2, 3)
DAYS = 60


def _at(back: int, hour: int = 12) -> datetime:
    return datetime.combine(TODAY - timedelta(days=back), time(hour), tzinfo=UTC)


def _move(session: Session, shop: Shop, warehouse: Warehouse, sku: Sku, back: int, units: int, why: str) -> None:
    session.add(
        StockMovement(
            shop_id=shop.id,
            warehouse_id=warehouse.id,
            sku_id=sku.id,
            quantity=units,
            occurred_at=_at(back),
            reason=MovementReason(why),
        )
    )


def _sell(session: Session, shop: Shop, sku: Sku, back: int, units: int) -> None:
    f.order(session, shop, [(sku, units)], placed_at=_at(back), status=OrderStatus.DELIVERED)


def _stock_take(session: Session, shop: Shop, tmp_path: Path, sku: Sku, on_hand: int, counted_at: datetime) -> None:
    path = tmp_path / "stock.csv"
    path.write_text(f"warehouse,sku,on_hand,counted_at\nCN-1,{sku.code},{on_hand},{counted_at.isoformat()}\n")
    import_file(session, shop=shop, kind="stock", path=path, clock=FixedClock(_at(0, 8)))


def _demand(session: Session, shop: Shop) -> tuple[float, float, np.ndarray]:
    inputs = load_inputs(session, shop_id=shop.id, today=TODAY, history_days=DAYS, horizon=30)
    corrected = plan(inputs.history, inputs.in_stock, inputs.on_hand, inputs.inbound, 10.0, 14.0, 0.95)
    plain = plan(inputs.history, None, inputs.on_hand, inputs.inbound, 10.0, 14.0, 0.95)
    return float(corrected.demand_per_day[0]), float(plain.demand_per_day[0]), inputs.in_stock[0]


def _irregular_sales(session: Session, shop: Shop, sku: Sku) -> int:
    """Sales on about two days in three (3, 1, 0, 2, 4, 0, …): many days without a sale. Returns the units."""
    pattern = (3, 1, 0, 2, 4, 0)
    total = 0
    for back in range(1, DAYS + 1):
        units = pattern[back % len(pattern)]
        if units:
            _sell(session, shop, sku, back, units)
            total += units
    return total


def test_a_first_stock_take_today_changes_no_demand(session: Session, shop: Shop, tmp_path: Path) -> None:
    """'120 on hand today', the shop's first count: the 60 days before are unknown, not out of stock (before the
    fix the 20 days without a sale read as stock-outs and demand rose from 1.65 to 2.49 a day)."""
    sku = f.sku(session, shop, "BOOT-40")
    f.warehouse(session, shop)
    units = _irregular_sales(session, shop, sku)
    _stock_take(session, shop, tmp_path, sku, 120, _at(0, 7))

    corrected, plain, in_stock = _demand(session, shop)
    assert in_stock.all()
    assert corrected == pytest.approx(plain)
    assert units / DAYS == pytest.approx(100 / 60)


def test_a_stock_take_two_weeks_ago_then_sales_changes_no_demand(session: Session, shop: Shop, tmp_path: Path) -> None:
    """Counted 30 two weeks ago, then every sale recorded as a movement: the stock never ran out, so the days
    without a sale (before the count and after it) are days of zero demand, not missing ones."""
    sku = f.sku(session, shop, "BOOT-41")
    _irregular_sales(session, shop, sku)
    _stock_take(session, shop, tmp_path, sku, 30, _at(14, 2))
    warehouse = session.query(Warehouse).one()
    pattern = (3, 1, 0, 2, 4, 0)
    for back in range(1, 15):
        if pattern[back % 6]:
            _move(session, shop, warehouse, sku, back, -pattern[back % 6], "sale")
    session.flush()
    level = 30 - sum(pattern[back % 6] for back in range(1, 15))
    session.query(StockLevel).one().on_hand = level  # the count, lowered by the sales since
    session.flush()

    corrected, plain, in_stock = _demand(session, shop)
    assert level == 9
    assert in_stock.all()
    assert corrected == pytest.approx(plain)


def test_sales_stopping_where_recorded_stock_ran_out(session: Session, shop: Shop) -> None:
    """Counted 12 on day −20, sold 2 a day through day −15 (recorded), nothing since, 0 on hand: days −14 … −1
    are out of stock (a known level of 0, no sale); the 40 days before the count are unknown, so in stock."""
    sku = f.sku(session, shop, "BOOT-42")
    warehouse = f.warehouse(session, shop)
    f.stock(session, shop, warehouse, sku, 0)
    _move(session, shop, warehouse, sku, 20, 12, "stocktake")
    for back in range(20, 14, -1):
        _sell(session, shop, sku, back, 2)
        _move(session, shop, warehouse, sku, back, -2, "sale")
    for back in range(21, DAYS + 1):
        _sell(session, shop, sku, back, 2)  # before the count: sold, stock unknown
    session.flush()

    corrected, plain, in_stock = _demand(session, shop)
    assert [i for i in range(DAYS) if not in_stock[i]] == list(range(DAYS - 14, DAYS))
    assert corrected == pytest.approx(2.0, rel=0.02)  # 46 selling days of 2; the 14 empty days are missing
    assert plain < 1.8


def test_a_negative_rebuilt_level_makes_only_the_days_before_it_unknown(session: Session, shop: Shop) -> None:
    """Counted 10 on day −30 and sold 1 a day to day −21 (recorded); a receipt of 12 on day −10, sold 2 a day to
    day −5 but those sales never recorded; nothing on hand and no sale since. Walking back from 0 through the
    receipt gives −12 at the end of day −11: the records before are incomplete, so days −30 … −11 are unknown
    (in stock), and only the four empty days −4 … −1 after the receipt are known stock-outs. (Before the fix the
    whole SKU was dropped as inconsistent: no stock-out at all.)"""
    sku = f.sku(session, shop, "BOOT-43")
    warehouse = f.warehouse(session, shop)
    f.stock(session, shop, warehouse, sku, 0)
    _move(session, shop, warehouse, sku, 30, 10, "stocktake")
    for back in range(30, 20, -1):
        _sell(session, shop, sku, back, 1)
        _move(session, shop, warehouse, sku, back, -1, "sale")
    _move(session, shop, warehouse, sku, 10, 12, "receipt")
    for back in range(10, 4, -1):
        _sell(session, shop, sku, back, 2)
    session.flush()

    _, _, in_stock = _demand(session, shop)
    assert [i for i in range(DAYS) if not in_stock[i]] == [56, 57, 58, 59]


def test_a_receipt_never_recorded_makes_the_days_after_it_unknown(session: Session, shop: Shop) -> None:
    """Counted 10 on day −20, sold 2 a day to day −16 (recorded), then nothing: 0 on hand. A purchase order of 30 is
    marked received on day −8 but no receipt movement was written, so the level from day −8 on is not the records'
    0: only days −15 … −9 are stock-outs (before, all 15 days −15 … −1 were)."""
    sku = f.sku(session, shop, "BOOT-44")
    warehouse = f.warehouse(session, shop)
    f.stock(session, shop, warehouse, sku, 0)
    _move(session, shop, warehouse, sku, 20, 10, "stocktake")
    for back in range(20, 15, -1):
        _sell(session, shop, sku, back, 2)
        _move(session, shop, warehouse, sku, back, -2, "sale")
    order = f.purchase_order(
        session,
        shop,
        f.supplier(session, shop),
        warehouse,
        sku,
        30,
        ordered_on=TODAY - timedelta(days=20),
        expected_on=TODAY - timedelta(days=8),
        state=PurchaseOrderState.RECEIVED,
    )
    order.received_on = TODAY - timedelta(days=8)
    session.flush()

    _, _, in_stock = _demand(session, shop)
    assert [i for i in range(DAYS) if not in_stock[i]] == list(range(DAYS - 15, DAYS - 8))


def test_known_stockouts_by_hand() -> None:
    """Three SKUs over 5 days (net movements per day, the last column today):
    0: first record on day 2 (+3), sold 3 on day 3, 0 since → day 4 out; days 0–1 unknown.
    1: no record at all → never out, even with no sale.
    2: first record before the window; level 0 on days 0–1, +5 on day 2 and 5 now → days 0–1 out."""
    history = np.array([[0, 0, 0, 3, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]], dtype=np.float64)
    net = np.array([[0, 0, 3, -3, 0, 0], [0] * 6, [0, 0, 5, 0, 0, 0]], dtype=np.float64)
    on_hand = np.array([0.0, 0.0, 5.0])
    mask = known_stockouts(on_hand, net, history, np.array([0, 2]), np.array([2, -7]))
    assert mask.tolist() == [
        [True, True, True, True, False],
        [True, True, True, True, True],
        [False, False, True, True, True],
    ]
