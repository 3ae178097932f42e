"""Stock on hand, stock on order, and purchase orders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradewind.clock import as_utc
from tradewind.errors import InvalidTransitionError, NotFoundError, ValidationError
from tradewind.inventory.models import (
    MovementReason,
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


def cancel_purchase_order(session: Session, *, shop_id: int, code: str) -> PurchaseOrder | None:
    """Cancel a placed purchase order that has not shipped (undoing the action that placed it); None when there is
    no such order. One already shipped or received cannot be cancelled here: that raises, saying so."""
    order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.shop_id == shop_id, PurchaseOrder.code == code))
    if order is None or order.state == PurchaseOrderState.CANCELLED:
        return order
    if order.state not in (PurchaseOrderState.DRAFT, PurchaseOrderState.PLACED):
        raise InvalidTransitionError(
            f"purchase order {code} is {order.state.value}: it can no longer be cancelled",
            details={"purchase_order": code, "state": order.state.value},
        )
    order.state = PurchaseOrderState.CANCELLED
    session.flush()
    return order


def reinstate_purchase_order(
    session: Session,
    order: PurchaseOrder,
    *,
    ordered_on: date,
    expected_on: date | None,
    currency: str,
    lines: Sequence[PurchaseLine],
) -> PurchaseOrder:
    """Place a cancelled purchase order again (an action reopened, then applied again), with the lines of now."""
    if not lines or any(line.quantity <= 0 for line in lines):
        raise ValidationError("a purchase order needs at least one line with a positive quantity")
    order.state = PurchaseOrderState.PLACED
    order.ordered_on = ordered_on
    order.expected_on = expected_on
    order.currency = currency
    order.lines = []
    session.flush()  # the old lines go before the new ones (one line per SKU)
    order.lines = [
        PurchaseOrderLine(shop_id=order.shop_id, sku_id=line.sku_id, quantity=line.quantity, unit_cost=line.unit_cost)
        for line in lines
    ]
    session.flush()
    return order


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


def receive_purchase_order(
    session: Session,
    *,
    shop_id: int,
    code: str,
    received_at: datetime,
    quantities: Mapping[int, int] | None = None,
) -> list[StockMovement]:
    """Receive a purchase order into its warehouse: each line's units still outstanding (or `quantities[sku_id]`,
    at most what is outstanding) become a `receipt` stock movement referencing the order, the stock level rises by
    as much, and the order is marked received once every line is. Receiving again only adds what is still
    outstanding, so a repeated call writes nothing. Returns the movements written."""
    order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.shop_id == shop_id, PurchaseOrder.code == code))
    if order is None:
        raise NotFoundError(f"no purchase order {code!r} in this shop")
    if order.state in (PurchaseOrderState.DRAFT, PurchaseOrderState.CANCELLED):
        raise ValidationError(f"purchase order {code} is {order.state.value}: it cannot be received")
    written: list[StockMovement] = []
    for line in order.lines:
        outstanding = line.quantity - line.received_quantity
        units = outstanding if quantities is None else min(outstanding, quantities.get(line.sku_id, 0))
        if units <= 0:
            continue
        line.received_quantity += units
        written.append(_receipt(session, shop_id=shop_id, order=order, sku_id=line.sku_id, units=units, at=received_at))
    if all(line.received_quantity >= line.quantity for line in order.lines):
        order.state = PurchaseOrderState.RECEIVED
        order.received_on = order.received_on or received_at.date()
    session.flush()
    return written


@dataclass(frozen=True)
class MissingReceipt:
    """A line of a purchase order marked received whose units never entered the stock records."""

    purchase_order: str
    received_on: date
    sku_id: int
    quantity: int


def missing_receipts(session: Session, *, shop_id: int, since: date | None = None) -> list[MissingReceipt]:
    """Lines of purchase orders marked received (on `since` or later) with no `receipt` movement referencing the
    order, while the SKU's stock is recorded: received after its first stock record and not counted since. The
    SKU's on-hand then lacks the units received. Before the first record nothing could be recorded, and a stock
    take on or after the day of receipt has counted the units, so those lines are not missing."""
    query = (
        select(PurchaseOrder.code, PurchaseOrder.received_on, PurchaseOrderLine.sku_id, PurchaseOrderLine.quantity)
        .join(PurchaseOrderLine, PurchaseOrderLine.purchase_order_id == PurchaseOrder.id)
        .join(Warehouse, Warehouse.id == PurchaseOrder.warehouse_id)
        .where(
            PurchaseOrder.shop_id == shop_id,
            PurchaseOrder.state == PurchaseOrderState.RECEIVED,
            PurchaseOrder.received_on.is_not(None),
            Warehouse.kind.in_(SELLABLE_KINDS),
        )
        .order_by(PurchaseOrder.received_on, PurchaseOrder.code, PurchaseOrderLine.sku_id)
    )
    if since is not None:
        query = query.where(PurchaseOrder.received_on >= since)
    lines = list(session.execute(query))
    if not lines:
        return []
    receipted = {
        (reference, int(sku_id))
        for reference, sku_id in session.execute(
            select(StockMovement.reference, StockMovement.sku_id).where(
                StockMovement.shop_id == shop_id,
                StockMovement.reason == MovementReason.RECEIPT,
                StockMovement.reference.in_({code for code, _, _, _ in lines}),
            )
        )
    }
    first = first_stock_record_by_sku(session, shop_id=shop_id)
    counted = last_count_by_sku(session, shop_id=shop_id)
    missing: list[MissingReceipt] = []
    for code, received_on, sku_id, quantity in lines:
        started, count = first.get(int(sku_id)), counted.get(int(sku_id))
        if received_on is None or started is None or received_on < started.date() or (code, int(sku_id)) in receipted:
            continue
        if count is not None and count.date() >= received_on:
            continue
        missing.append(MissingReceipt(code, received_on, int(sku_id), int(quantity)))
    return missing


def last_count_by_sku(session: Session, *, shop_id: int) -> dict[int, datetime]:
    """When each SKU was last counted in a sellable warehouse (a stock-take movement, or a level's counted_at)."""
    last: dict[int, datetime] = {}
    moved = session.execute(
        select(StockMovement.sku_id, func.max(StockMovement.occurred_at))
        .join(Warehouse, Warehouse.id == StockMovement.warehouse_id)
        .where(
            StockMovement.shop_id == shop_id,
            StockMovement.reason == MovementReason.STOCKTAKE,
            Warehouse.kind.in_(SELLABLE_KINDS),
        )
        .group_by(StockMovement.sku_id)
    )
    levels = session.execute(
        select(StockLevel.sku_id, func.max(StockLevel.counted_at))
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.shop_id == shop_id, Warehouse.kind.in_(SELLABLE_KINDS), StockLevel.counted_at.is_not(None))
        .group_by(StockLevel.sku_id)
    )
    for sku_id, when in [*moved, *levels]:
        if when is not None:
            when = as_utc(when)
            last[int(sku_id)] = max(last.get(int(sku_id), when), when)
    return last


def record_missing_receipt(session: Session, *, shop_id: int, code: str) -> list[StockMovement]:
    """Write the `receipt` movements a received purchase order lacks (see `missing_receipts`), at the start of its
    day of receipt, and raise the stock levels by as much. Idempotent: a line with a receipt is left alone."""
    missing = [m for m in missing_receipts(session, shop_id=shop_id) if m.purchase_order == code]
    order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.shop_id == shop_id, PurchaseOrder.code == code))
    if order is None or not missing:
        return []
    received_at = datetime.combine(missing[0].received_on, time(0), tzinfo=UTC)
    return [
        _receipt(session, shop_id=shop_id, order=order, sku_id=m.sku_id, units=m.quantity, at=received_at)
        for m in missing
    ]


def _receipt(
    session: Session, *, shop_id: int, order: PurchaseOrder, sku_id: int, units: int, at: datetime
) -> StockMovement:
    level = session.scalar(
        select(StockLevel).where(
            StockLevel.shop_id == shop_id, StockLevel.warehouse_id == order.warehouse_id, StockLevel.sku_id == sku_id
        )
    )
    if level is None:
        level = StockLevel(shop_id=shop_id, warehouse_id=order.warehouse_id, sku_id=sku_id, on_hand=0)
        session.add(level)
    level.on_hand = (level.on_hand or 0) + units
    movement = StockMovement(
        shop_id=shop_id,
        warehouse_id=order.warehouse_id,
        sku_id=sku_id,
        occurred_at=at,
        quantity=units,
        reason=MovementReason.RECEIPT,
        reference=order.code,
    )
    session.add(movement)
    session.flush()
    return movement


def unreceived_skus(session: Session, *, shop_id: int, since: date | None = None) -> set[int]:
    """SKUs whose stock on hand is not to be trusted: a purchase order of theirs was marked received but its units
    were never recorded as a receipt (see `missing_receipts`). A stockout read from their on-hand may be false."""
    return {missing.sku_id for missing in missing_receipts(session, shop_id=shop_id, since=since)}
