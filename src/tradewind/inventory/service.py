"""Stock on hand, stock on order, and purchase orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradewind.clock import as_utc
from tradewind.errors import ValidationError
from tradewind.inventory.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderState,
    StockLevel,
    StockMovement,
    Warehouse,
    WarehouseKind,
)

OPEN_PURCHASE_STATES = (PurchaseOrderState.PLACED, PurchaseOrderState.SHIPPED)
SELLABLE_KINDS = (WarehouseKind.OWN, WarehouseKind.OVERSEAS)


def on_hand_by_sku(session: Session, *, shop_id: int) -> dict[int, int]:
    """Units on hand per SKU id in the shop's own and overseas warehouses."""
    rows = session.execute(
        select(StockLevel.sku_id, func.sum(StockLevel.on_hand))
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.shop_id == shop_id, Warehouse.kind.in_(SELLABLE_KINDS))
        .group_by(StockLevel.sku_id)
    )
    return {int(sku_id): int(total or 0) for sku_id, total in rows}


@dataclass(frozen=True)
class Inbound:
    sku_id: int
    quantity: int
    expected_on: date | None
    purchase_order: str


def inbound_by_sku(session: Session, *, shop_id: int, sku_id: int | None = None) -> dict[int, list[Inbound]]:
    """Open purchase-order lines (placed or shipped, not yet fully received) per SKU id, soonest first; every SKU's,
    or `sku_id`'s only."""
    query = (
        select(
            PurchaseOrderLine.sku_id,
            PurchaseOrderLine.quantity - PurchaseOrderLine.received_quantity,
            PurchaseOrder.expected_on,
            PurchaseOrder.code,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseOrder.shop_id == shop_id, PurchaseOrder.state.in_(OPEN_PURCHASE_STATES))
        .order_by(PurchaseOrderLine.sku_id, PurchaseOrder.expected_on, PurchaseOrder.code)
    )
    rows = session.execute(query if sku_id is None else query.where(PurchaseOrderLine.sku_id == sku_id))
    inbound: dict[int, list[Inbound]] = {}
    for sku_id, outstanding, expected_on, code in rows:
        if outstanding and outstanding > 0:
            inbound.setdefault(int(sku_id), []).append(Inbound(int(sku_id), int(outstanding), expected_on, code))
    return inbound


def default_warehouse(session: Session, *, shop_id: int) -> Warehouse:
    """Where purchase orders go unless told otherwise: the shop's first own warehouse."""
    warehouse = session.scalar(
        select(Warehouse)
        .where(Warehouse.shop_id == shop_id)
        .order_by((Warehouse.kind != WarehouseKind.OWN), Warehouse.id)
        .limit(1)
    )
    if warehouse is None:
        raise ValidationError("this shop has no warehouse yet: import stock or create one first")
    return warehouse


@dataclass(frozen=True)
class PurchaseLine:
    sku_id: int
    quantity: int
    unit_cost: Decimal | None


def place_purchase_order(
    session: Session,
    *,
    shop_id: int,
    code: str,
    supplier_id: int,
    ordered_on: date,
    expected_on: date | None,
    currency: str,
    lines: Sequence[PurchaseLine],
    note: str | None = None,
) -> tuple[PurchaseOrder, bool]:
    """Place a purchase order once: a second call with the same code returns the existing one (created=False)."""
    existing = session.scalar(select(PurchaseOrder).where(PurchaseOrder.shop_id == shop_id, PurchaseOrder.code == code))
    if existing is not None:
        return existing, False
    if not lines or any(line.quantity <= 0 for line in lines):
        raise ValidationError("a purchase order needs at least one line with a positive quantity")
    warehouse = default_warehouse(session, shop_id=shop_id)
    order = PurchaseOrder(
        shop_id=shop_id,
        code=code,
        supplier_id=supplier_id,
        warehouse_id=warehouse.id,
        state=PurchaseOrderState.PLACED,
        ordered_on=ordered_on,
        expected_on=expected_on,
        currency=currency,
        note=note,
    )
    order.lines = [
        PurchaseOrderLine(shop_id=shop_id, sku_id=line.sku_id, quantity=line.quantity, unit_cost=line.unit_cost)
        for line in lines
    ]
    session.add(order)
    session.flush()
    return order, True


def movements_since(session: Session, *, shop_id: int, start: datetime) -> list[tuple[int, datetime, int]]:
    """(sku id, when, signed units) of every stock movement in sellable warehouses since `start`."""
    rows = session.execute(
        select(StockMovement.sku_id, StockMovement.occurred_at, StockMovement.quantity)
        .join(Warehouse, Warehouse.id == StockMovement.warehouse_id)
        .where(
            StockMovement.shop_id == shop_id,
            StockMovement.occurred_at >= start,
            Warehouse.kind.in_(SELLABLE_KINDS),
        )
    )
    return [(int(sku_id), occurred_at, int(quantity)) for sku_id, occurred_at, quantity in rows]


def first_stock_record_by_sku(session: Session, *, shop_id: int) -> dict[int, datetime]:
    """When each SKU's stock history starts: its earliest stock movement or count in a sellable warehouse. Before
    that its stock is unknown (neither in stock nor out); a SKU with no record at all is absent."""
    first: dict[int, datetime] = {}
    moved = session.execute(
        select(StockMovement.sku_id, func.min(StockMovement.occurred_at))
        .join(Warehouse, Warehouse.id == StockMovement.warehouse_id)
        .where(StockMovement.shop_id == shop_id, Warehouse.kind.in_(SELLABLE_KINDS))
        .group_by(StockMovement.sku_id)
    )
    counted = session.execute(
        select(StockLevel.sku_id, func.min(StockLevel.counted_at))
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.shop_id == shop_id, Warehouse.kind.in_(SELLABLE_KINDS), StockLevel.counted_at.is_not(None))
        .group_by(StockLevel.sku_id)
    )
    for sku_id, when in [*moved, *counted]:
        if when is None:
            continue
        when = as_utc(when)
        known = first.get(int(sku_id))
        first[int(sku_id)] = when if known is None else min(known, when)
    return first
