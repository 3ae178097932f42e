"""Receipts of purchase orders are stock movements; a purchase order marked received without one is a finding
(`receipt_missing`) and its SKUs' on-hand is not trusted (issue 17, point 1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.action import BriefContext
from tradewind.brief.producers import default_producers
from tradewind.brief.service import apply_action, refresh_brief, why_in
from tradewind.catalog.models import Sku
from tradewind.config import Settings
from tradewind.errors import ValidationError
from tradewind.inventory.models import (
    MovementReason,
    PurchaseOrder,
    PurchaseOrderState,
    StockLevel,
    StockMovement,
    Warehouse,
)
from tradewind.inventory.service import missing_receipts, receive_purchase_order, unreceived_skus
from tradewind.planning.receipts import ReceiptMissingProducer
from tradewind.shops.models import Shop

TODAY = date(2026, 2, 3)
NOW = datetime(2026, 2, 3, 9, tzinfo=UTC)


def _count(session: Session, shop: Shop, warehouse: Warehouse, sku_id: int, units: int, back: int) -> None:
    """A first stock take `back` days ago: the level and its stocktake movement."""
    at = datetime.combine(TODAY - timedelta(days=back), datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
    level = session.scalar(select(StockLevel).where(StockLevel.sku_id == sku_id))
    if level is None:
        level = StockLevel(shop_id=shop.id, warehouse_id=warehouse.id, sku_id=sku_id, on_hand=0)
        session.add(level)
    session.add(
        StockMovement(
            shop_id=shop.id,
            warehouse_id=warehouse.id,
            sku_id=sku_id,
            quantity=units - level.on_hand,
            occurred_at=at,
            reason=MovementReason.STOCKTAKE,
        )
    )
    level.on_hand, level.counted_at = units, at
    session.flush()


def _received(
    session: Session, shop: Shop, warehouse: Warehouse, sku_id: int, quantity: int, received_on: date
) -> PurchaseOrder:
    """A purchase order marked received without any stock movement (as an import or a careless hand would)."""
    supplier = f.supplier(session, shop)
    sku = session.get(Sku, sku_id)
    assert sku is not None
    order = f.purchase_order(
        session,
        shop,
        supplier,
        warehouse,
        sku,
        quantity,
        ordered_on=received_on - timedelta(days=10),
        expected_on=received_on,
        state=PurchaseOrderState.RECEIVED,
    )
    order.received_on = received_on
    order.lines[0].received_quantity = quantity
    session.flush()
    return order


def test_receiving_writes_a_receipt_movement_and_raises_the_level(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop, "BOOT-38")
    warehouse = f.warehouse(session, shop)
    f.stock(session, shop, warehouse, sku, 7)
    order = f.purchase_order(
        session, shop, f.supplier(session, shop), warehouse, sku, 50, ordered_on=TODAY, expected_on=TODAY
    )

    first = receive_purchase_order(session, shop_id=shop.id, code=order.code, received_at=NOW, quantities={sku.id: 20})
    assert [(m.quantity, m.reason, m.reference) for m in first] == [(20, MovementReason.RECEIPT, order.code)]
    assert order.state == PurchaseOrderState.PLACED  # 30 still to come
    rest = receive_purchase_order(session, shop_id=shop.id, code=order.code, received_at=NOW + timedelta(days=1))
    assert [m.quantity for m in rest] == [30]
    assert (order.state, order.received_on, order.lines[0].received_quantity) == (
        PurchaseOrderState.RECEIVED,
        TODAY + timedelta(days=1),
        50,
    )
    assert receive_purchase_order(session, shop_id=shop.id, code=order.code, received_at=NOW) == []
    level = session.scalar(select(StockLevel).where(StockLevel.sku_id == sku.id))
    assert level is not None and level.on_hand == 57  # 7 + 20 + 30
    assert missing_receipts(session, shop_id=shop.id) == []


def test_a_cancelled_order_cannot_be_received(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop)
    warehouse = f.warehouse(session, shop)
    order = f.purchase_order(
        session,
        shop,
        f.supplier(session, shop),
        warehouse,
        sku,
        5,
        ordered_on=TODAY,
        expected_on=TODAY,
        state=PurchaseOrderState.CANCELLED,
    )
    with pytest.raises(ValidationError):
        receive_purchase_order(session, shop_id=shop.id, code=order.code, received_at=NOW)


def test_missing_receipts_only_where_the_stock_is_recorded(session: Session, shop: Shop) -> None:
    """Counted on day −14. Received without a movement: A on day −5 (missing), B on day −20 (before the first
    record: nothing to miss), C on day −5 but counted again on day −2 (the count holds the units), D on day −5
    with its receipt movement (fine), E never counted (no stock history at all)."""
    warehouse = f.warehouse(session, shop)
    a, b, c, d, e = (f.sku(session, shop, code).id for code in ("A", "B", "C", "D", "E"))
    for sku_id in (a, b, c, d):
        _count(session, shop, warehouse, sku_id, 10, back=14)
    _count(session, shop, warehouse, c, 40, back=2)
    po_a = _received(session, shop, warehouse, a, 30, TODAY - timedelta(days=5))
    _received(session, shop, warehouse, b, 30, TODAY - timedelta(days=20))
    _received(session, shop, warehouse, c, 30, TODAY - timedelta(days=5))
    po_d = _received(session, shop, warehouse, d, 30, TODAY - timedelta(days=5))
    _received(session, shop, warehouse, e, 30, TODAY - timedelta(days=5))
    session.add(
        StockMovement(
            shop_id=shop.id,
            warehouse_id=warehouse.id,
            sku_id=d,
            quantity=30,
            occurred_at=NOW - timedelta(days=5),
            reason=MovementReason.RECEIPT,
            reference=po_d.code,
        )
    )
    session.flush()

    missing = missing_receipts(session, shop_id=shop.id)
    assert [(m.purchase_order, m.sku_id, m.quantity) for m in missing] == [(po_a.code, a, 30)]
    assert unreceived_skus(session, shop_id=shop.id) == {a}
    assert missing_receipts(session, shop_id=shop.id, since=TODAY - timedelta(days=4)) == []


def _context() -> BriefContext:
    return BriefContext(today=TODAY, now=NOW, settings=Settings())


def test_receipt_missing_in_the_brief_and_applying_records_it(session: Session, shop: Shop) -> None:
    warehouse = f.warehouse(session, shop)
    sku = f.sku(session, shop, "BOOT-39", price="25.00")
    _count(session, shop, warehouse, sku.id, 4, back=14)
    order = _received(session, shop, warehouse, sku.id, 30, TODAY - timedelta(days=3))

    (found,) = ReceiptMissingProducer().actions(session, shop=shop, context=_context())
    assert found.value_at_risk == Decimal("750.00")  # 30 units × 25.00
    assert found.title == f"{order.code} was received on 31 Jan but its 30 units never entered stock"
    actions = refresh_brief(session, shop=shop, context=_context(), producers=default_producers()).actions
    (action,) = [a for a in actions if a.kind == "receipt_missing"]
    assert (action.subject_kind, action.subject) == ("purchase_order", order.code)
    assert action.figures["lines"] == [{"sku": "BOOT-39", "quantity": 30}]
    assert action.why.startswith("1 SKU (BOOT-39) show an on-hand without the units received")
    assert why_in(action, "zh").startswith("1 个 SKU（BOOT-39）的现有库存不含已收货的数量")
    assert why_in(action, "ru").startswith("У 1 SKU (BOOT-39) остаток не включает полученные единицы")

    _, done = apply_action(session, shop=shop, action_id=action.id, context=_context(), producers=default_producers())
    assert done == [f"recorded the receipt of {order.code}: 30 units in stock"]
    level = session.scalar(select(StockLevel).where(StockLevel.sku_id == sku.id))
    assert level is not None and level.on_hand == 34
    assert missing_receipts(session, shop_id=shop.id) == []
    later = refresh_brief(session, shop=shop, context=_context(), producers=default_producers()).actions
    assert [a for a in later if a.kind == "receipt_missing"] == []


def test_a_sku_whose_receipt_is_missing_gets_no_stockout_playbook(session: Session, shop: Shop) -> None:
    """Its on-hand lacks the units received, so 'out of stock' may be false: the receipt_missing action asks the
    seller to record it instead of pausing its listings; a twin SKU with its records complete gets the playbook."""
    warehouse = f.warehouse(session, shop)
    unrecorded = f.sku(session, shop, "BOOT-40", price="25.00")
    recorded = f.sku(session, shop, "BOOT-41", price="25.00")
    for sku in (unrecorded, recorded):
        _count(session, shop, warehouse, sku.id, 40, back=20)
        for back in range(1, 21):
            placed = datetime.combine(TODAY - timedelta(days=back), datetime.min.time(), tzinfo=UTC)
            f.order(session, shop, [(sku, 2)], placed_at=placed + timedelta(hours=10))
        level = session.scalar(select(StockLevel).where(StockLevel.sku_id == sku.id))
        assert level is not None
        level.on_hand = 0  # the 40 counted were sold
    _received(session, shop, warehouse, unrecorded.id, 30, TODAY - timedelta(days=3))
    assert unreceived_skus(session, shop_id=shop.id) == {unrecorded.id}

    actions = refresh_brief(session, shop=shop, context=_context(), producers=default_producers()).actions
    in_playbooks = {line["sku"] for a in actions if a.kind == "stockout_playbook" for line in a.figures["skus"]}
    assert "BOOT-41" in in_playbooks and "BOOT-40" not in in_playbooks
