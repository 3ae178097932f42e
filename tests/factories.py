"""Factories: small, explicit builders of records for tests (every argument has a sensible default)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from tradewind.catalog.models import Listing, Promotion, Sku
from tradewind.inventory.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderState,
    StockLevel,
    Warehouse,
    WarehouseKind,
)
from tradewind.orders.models import Buyer, CancelledBy, Order, OrderLine, OrderStatus, PaymentState
from tradewind.shops.models import Shop
from tradewind.suppliers.models import (
    MessageDirection,
    Supplier,
    SupplierMessage,
    SupplierStatus,
    SupplierStatusReport,
    SupplyOffer,
)

_numbers = itertools.count(1)


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def sku(session: Session, shop: Shop, code: str | None = None, *, price: str = "20.00") -> Sku:
    row = Sku(shop_id=shop.id, code=code or f"SKU-{next(_numbers)}", title="Ankle boot", price=Decimal(price))
    session.add(row)
    session.flush()
    return row


def supplier(
    session: Session, shop: Shop, code: str | None = None, *, name: str = "Wenzhou Shoes", calendar: str | None = "CN"
) -> Supplier:
    row = Supplier(shop_id=shop.id, code=code or f"SUP-{next(_numbers)}", name=name, language="zh", calendar=calendar)
    session.add(row)
    session.flush()
    return row


def offer(
    session: Session,
    shop: Shop,
    the_supplier: Supplier,
    the_sku: Sku,
    *,
    moq: int = 1,
    pack_size: int = 1,
    lead_time_days: int = 10,
    priority: int = 1,
    unit_cost: str = "45.00",
) -> SupplyOffer:
    row = SupplyOffer(
        shop_id=shop.id,
        supplier_id=the_supplier.id,
        sku_id=the_sku.id,
        unit_cost=Decimal(unit_cost),
        currency="CNY",
        moq=moq,
        pack_size=pack_size,
        lead_time_days=lead_time_days,
        priority=priority,
    )
    session.add(row)
    session.flush()
    return row


def warehouse(session: Session, shop: Shop, code: str = "CN-1", kind: WarehouseKind = WarehouseKind.OWN) -> Warehouse:
    row = Warehouse(shop_id=shop.id, code=code, name=code, kind=kind)
    session.add(row)
    session.flush()
    return row


def stock(session: Session, shop: Shop, the_warehouse: Warehouse, the_sku: Sku, on_hand: int) -> StockLevel:
    row = StockLevel(shop_id=shop.id, warehouse_id=the_warehouse.id, sku_id=the_sku.id, on_hand=on_hand)
    session.add(row)
    session.flush()
    return row


def buyer(session: Session, shop: Shop, *, country: str = "RU", language: str = "ru", name: str = "Ольга") -> Buyer:
    row = Buyer(
        shop_id=shop.id,
        external_id=f"B{next(_numbers)}",
        name=name,
        email="buyer@example.com",
        country=country,
        language=language,
    )
    session.add(row)
    session.flush()
    return row


def order(
    session: Session,
    shop: Shop,
    lines: list[tuple[Sku, int]],
    *,
    placed_at: datetime,
    the_buyer: Buyer | None = None,
    paid: bool = True,
    status: OrderStatus | None = None,
    cancelled_at: datetime | None = None,
    cancelled_by: CancelledBy | None = None,
    cancel_reason: str | None = None,
    total: str = "30.00",
) -> Order:
    row = Order(
        shop_id=shop.id,
        number=f"80{next(_numbers):014d}",
        buyer_id=the_buyer.id if the_buyer else None,
        placed_at=placed_at,
        paid_at=placed_at + timedelta(minutes=5) if paid else None,
        payment_state=PaymentState.PAID if paid else PaymentState.UNPAID,
        status=status or (OrderStatus.AWAITING_SHIPMENT if paid else OrderStatus.PLACED),
        currency="USD",
        total=Decimal(total),
        destination_country=the_buyer.country if the_buyer else "ES",
        cancelled_at=cancelled_at,
        cancelled_by=cancelled_by,
        cancel_reason=cancel_reason,
    )
    row.lines = [
        OrderLine(shop_id=shop.id, line_no=n, sku_id=s.id, quantity=q, unit_price=Decimal("10"))
        for n, (s, q) in enumerate(lines, start=1)
    ]
    session.add(row)
    session.flush()
    return row


def daily_sales(session: Session, shop: Shop, the_sku: Sku, *, today: date, per_day: int, days: int = 28) -> None:
    """`per_day` units ordered (and delivered) on each of the `days` days before today."""
    for back in range(1, days + 1):
        order(
            session,
            shop,
            [(the_sku, per_day)],
            placed_at=noon(today - timedelta(days=back)),
            status=OrderStatus.DELIVERED,
        )


def purchase_order(
    session: Session,
    shop: Shop,
    the_supplier: Supplier,
    the_warehouse: Warehouse,
    the_sku: Sku,
    quantity: int,
    *,
    ordered_on: date,
    expected_on: date,
    state: PurchaseOrderState = PurchaseOrderState.PLACED,
) -> PurchaseOrder:
    row = PurchaseOrder(
        shop_id=shop.id,
        code=f"PO-{next(_numbers)}",
        supplier_id=the_supplier.id,
        warehouse_id=the_warehouse.id,
        state=state,
        ordered_on=ordered_on,
        expected_on=expected_on,
    )
    row.lines = [PurchaseOrderLine(shop_id=shop.id, sku_id=the_sku.id, quantity=quantity)]
    session.add(row)
    session.flush()
    return row


def listing(
    session: Session, shop: Shop, the_sku: Sku, *, channel: str = "aliexpress", stock_shown: int = 10
) -> Listing:
    row = Listing(shop_id=shop.id, sku_id=the_sku.id, channel=channel, stock_shown=stock_shown)
    session.add(row)
    session.flush()
    return row


def promotion(session: Session, shop: Shop, the_listing: Listing, name: str = "Flash deal") -> Promotion:
    row = Promotion(shop_id=shop.id, listing_id=the_listing.id, name=name, daily_budget=Decimal("5"))
    session.add(row)
    session.flush()
    return row


def status_report(
    session: Session,
    shop: Shop,
    the_supplier: Supplier,
    status: SupplierStatus,
    *,
    reported_on: date,
    reopens_on: date | None = None,
    note: str | None = None,
) -> SupplierStatusReport:
    row = SupplierStatusReport(
        shop_id=shop.id,
        supplier_id=the_supplier.id,
        reported_on=reported_on,
        status=status,
        reopens_on=reopens_on,
        source="supplier chat",
        note=note,
    )
    session.add(row)
    session.flush()
    return row


def supplier_message(
    session: Session, shop: Shop, the_supplier: Supplier, *, sent_at: datetime, incoming: bool = False
) -> SupplierMessage:
    row = SupplierMessage(
        shop_id=shop.id,
        supplier_id=the_supplier.id,
        sent_at=sent_at,
        direction=MessageDirection.INCOMING if incoming else MessageDirection.OUTGOING,
        body="您好，请问工厂什么时候复工？",
    )
    session.add(row)
    session.flush()
    return row
