"""A SKU's stock outlook (`planning.service.stock_outlook`, the chart of the API and the SKU page) places its open
purchase orders on the very inbound array the plan runs on (`frames.inbound_arrays`): an overdue order arrives
tomorrow, one after the horizon is listed but not drawn."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.config import Settings
from tradewind.planning.service import build_plan, stock_outlook, store_plan
from tradewind.shops.models import Shop

TODAY = date(2026, 2, 3)
NOW = datetime(2026, 2, 3, 9, tzinfo=UTC)


def test_the_outlook_draws_the_plans_inbound_array(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop, "BOOT-41")
    supplier = f.supplier(session, shop, "SUP-A")
    f.offer(session, shop, supplier, sku, lead_time_days=12)
    warehouse = f.warehouse(session, shop)
    f.stock(session, shop, warehouse, sku, 10)
    f.daily_sales(session, shop, sku, today=TODAY, per_day=2)
    for quantity, expected in (
        (7, TODAY - timedelta(days=3)),
        (11, TODAY + timedelta(days=5)),
        (13, TODAY + timedelta(days=300)),
    ):
        f.purchase_order(
            session,
            shop,
            supplier,
            warehouse,
            sku,
            quantity,
            ordered_on=TODAY - timedelta(days=20),
            expected_on=expected,
        )
    settings = Settings()
    shop_plan = build_plan(session, shop_id=shop.id, today=TODAY, now=NOW, settings=settings)
    store_plan(session, shop_id=shop.id, shop_plan=shop_plan)
    horizon = settings.planning_horizon_days

    outlook = stock_outlook(session, shop_id=shop.id, sku_code="BOOT-41", today=TODAY, horizon=horizon)

    assert outlook.inbound == [float(v) for v in shop_plan.inputs.inbound[0]]
    assert outlook.inbound[0] == 7.0 and outlook.inbound[4] == 11.0 and sum(outlook.inbound) == 18.0
    assert sorted(units for _, units, _ in outlook.inbound_orders) == [7, 11, 13]
    demand = shop_plan.decisions[0].demand_per_day
    # Day 0 (tomorrow): 10 on hand, the overdue 7 arrive, one day's demand sold.
    assert outlook.projected_stock[0] == round(10 + 7 - demand, 2)
