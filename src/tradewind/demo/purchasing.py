"""The demo shop's purchase orders: a year of received ones per factory (lead-time history), the receipt since the
stock take, and the ones still on their way: from the closed factory (due only after it reopens), an express
shipment, an unconfirmed order at the silent factory, and sea freight to the Madrid warehouse.

Every order received since the stock take (when the shop's stock records start) is received as the product does
it: a `receipt` stock movement per line. The SKUs that ran short are not in those orders (they would not be short)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from tradewind.demo.catalog import Catalog
from tradewind.demo.story import DemoStory
from tradewind.demo.suppliers import CLOSED_FACTORY, FACTORIES, FACTORY_INDEX, SILENT_FACTORY, Sourcing
from tradewind.demo.writer import BulkWriter, Row
from tradewind.inventory.models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderState

# The receipts since the stock take: SKU index → [(pairs, when, purchase order code)], all into the Yiwu warehouse.
Receipts = dict[int, list[tuple[int, datetime, str]]]


@dataclass(frozen=True)
class PlannedOrder:
    factory: int
    warehouse: int  # 0: Yiwu, 1: Madrid
    state: PurchaseOrderState
    ordered_on: date
    expected_on: date | None
    received_on: date | None
    note: str | None
    skus: list[int]
    days_of_sales: float  # quantity = sales rate × this; 0: half of today's stock (the recent receipt)


def pairs_to_order(need: float, moq: int, pack: int) -> int:
    """The smallest number of whole packs covering `need`, and at least the MOQ."""
    return int(math.ceil(max(float(moq), need) / pack) * pack)


def _history(
    rng: np.random.Generator, sourcing: Sourcing, story: DemoStory, rate: NDArray[np.float64]
) -> list[PlannedOrder]:
    """Roughly monthly orders to each factory, received after its lead time (a few days late now and then)."""
    planned: list[PlannedOrder] = []
    for f, factory in enumerate(FACTORIES):
        own = np.flatnonzero(sourcing.preferred == f)
        if len(own) == 0:
            continue
        weights = rate[own] / rate[own].sum()
        day = story.first_day + timedelta(days=int(rng.integers(5, 25)))
        if factory.key == CLOSED_FACTORY:
            last = story.closure.closed_from - timedelta(days=10)
        else:
            last = story.today - timedelta(days=25)
        while day < last:
            count = min(len(own), int(rng.integers(4, 11)) * max(1, len(own) // 40))
            skus = sorted(rng.choice(own, size=count, replace=False, p=weights).tolist())
            late = int(rng.integers(-1, 6))
            expected = day + timedelta(days=factory.lead_time_days)
            planned.append(
                PlannedOrder(
                    f, 0, PurchaseOrderState.RECEIVED, day, expected, expected + timedelta(days=late), None, skus, 30.0
                )
            )
            day += timedelta(days=int(rng.integers(24, 40)))
    return planned


def _inbound(
    sourcing: Sourcing,
    story: DemoStory,
    *,
    short: NDArray[np.int64],
    healthy: NDArray[np.int64],
    overseas_healthy: NDArray[np.int64],
    cn_on_hand: NDArray[np.int64],
) -> list[PlannedOrder]:
    today = story.today
    closure = story.closure
    closed, silent = FACTORY_INDEX[CLOSED_FACTORY], FACTORY_INDEX[SILENT_FACTORY]
    putian, jinjiang = FACTORY_INDEX["putian"], FACTORY_INDEX["jinjiang"]
    closed_short = short[sourcing.preferred[short] == closed].tolist()
    silent_short = short[sourcing.preferred[short] == silent].tolist()
    other_short = short[~np.isin(sourcing.preferred[short], [closed, silent])].tolist()
    putian_healthy = healthy[sourcing.preferred[healthy] == putian].tolist()
    jinjiang_healthy = healthy[sourcing.preferred[healthy] == jinjiang].tolist()
    received_on = today - timedelta(days=6)
    return [
        PlannedOrder(
            closed, 0, PurchaseOrderState.PLACED, closure.closed_from - timedelta(days=4), closure.restock_on, None,
            "工厂停工，复工后发货 / factory closed: ships after it reopens",
            closed_short[: (len(closed_short) + 1) // 2], 30.0,
        ),
        PlannedOrder(
            putian, 0, PurchaseOrderState.SHIPPED, today - timedelta(days=9), today + timedelta(days=3), None,
            "快递已发出 / shipped by express", other_short[:2] + putian_healthy[:4], 30.0,
        ),
        PlannedOrder(
            silent, 0, PurchaseOrderState.PLACED, today - timedelta(days=10), today + timedelta(days=4), None,
            "交期未确认 / ship date not confirmed", silent_short[: (len(silent_short) + 1) // 2], 30.0,
        ),
        PlannedOrder(
            jinjiang, 0, PurchaseOrderState.PLACED, today - timedelta(days=2), today + timedelta(days=12), None, None,
            jinjiang_healthy[:5], 30.0,
        ),
        PlannedOrder(
            putian, 1, PurchaseOrderState.SHIPPED, today - timedelta(days=30), today + timedelta(days=16), None,
            "海运 宁波→瓦伦西亚，再卡车到马德里 / sea freight Ningbo → Valencia, truck to Madrid",
            overseas_healthy[:10].tolist(), 45.0,
        ),
        PlannedOrder(
            putian, 0, PurchaseOrderState.RECEIVED, received_on - timedelta(days=8), received_on - timedelta(days=1),
            received_on, None, [s for s in putian_healthy[4:12] if cn_on_hand[s] >= 10], 0.0,
        ),
    ]  # fmt: skip


def _arrival(order: PlannedOrder, story: DemoStory) -> datetime:
    return datetime.combine(order.received_on or story.today, time(3, 0), tzinfo=UTC)


def _without(order: PlannedOrder, short: set[int]) -> PlannedOrder:
    if order.state != PurchaseOrderState.RECEIVED:
        return order
    return replace(order, skus=[s for s in order.skus if s not in short])


def write_purchase_orders(
    writer: BulkWriter,
    rng: np.random.Generator,
    catalog: Catalog,
    sourcing: Sourcing,
    story: DemoStory,
    *,
    rate: NDArray[np.float64],
    short: NDArray[np.int64],
    healthy: NDArray[np.int64],
    overseas_healthy: NDArray[np.int64],
    cn_on_hand: NDArray[np.int64],
    shop_id: int,
    warehouse_ids: tuple[int, int],
) -> Receipts:
    """Write the purchase orders and their lines; return the receipts since the stock take."""
    year_rate = np.maximum(rate, 0.05)
    planned = _history(rng, sourcing, story, year_rate)
    inbound = _inbound(
        sourcing, story, short=short, healthy=healthy, overseas_healthy=overseas_healthy, cn_on_hand=cn_on_hand
    )
    planned.extend(order for order in inbound if order.skus)
    stock_records_start = datetime.combine(story.stocktake_on, time(2, 0), tzinfo=UTC)
    planned = [
        _without(order, set(short.tolist())) if _arrival(order, story) >= stock_records_start else order
        for order in planned
    ]
    planned = [order for order in planned if order.skus]
    planned.sort(key=lambda order: (order.ordered_on, order.factory, order.warehouse))
    first = writer.reserve_ids(PurchaseOrder, len(planned))
    line_first = writer.reserve_ids(PurchaseOrderLine, sum(len(order.skus) for order in planned))
    headers: list[Row] = []
    lines: list[Row] = []
    receipts: Receipts = {}
    for n, order in enumerate(planned):
        code = f"PO-{order.ordered_on.year}-{n + 1:04d}"
        headers.append(
            {
                "id": first + n,
                "shop_id": shop_id,
                "code": code,
                "supplier_id": sourcing.supplier_ids[order.factory],
                "warehouse_id": warehouse_ids[order.warehouse],
                "state": order.state,
                "ordered_on": order.ordered_on,
                "expected_on": order.expected_on,
                "received_on": order.received_on,
                "currency": "CNY",
                "note": order.note,
            }
        )
        for s in order.skus:
            if order.days_of_sales > 0:
                need = float(year_rate[s]) * order.days_of_sales
                quantity = pairs_to_order(need, int(sourcing.moq[s]), int(sourcing.pack_size[s]))
            else:
                quantity = int(cn_on_hand[s]) // 2
            arrived = _arrival(order, story)
            if order.state == PurchaseOrderState.RECEIVED and arrived >= stock_records_start:
                receipts.setdefault(s, []).append((quantity, arrived, code))
            lines.append(
                {
                    "id": line_first + len(lines),
                    "shop_id": shop_id,
                    "purchase_order_id": first + n,
                    "sku_id": int(catalog.sku_ids[s]),
                    "quantity": quantity,
                    "received_quantity": quantity if order.state == PurchaseOrderState.RECEIVED else 0,
                    "unit_cost": Decimal(str(round(float(sourcing.unit_cost[s]), 1))).quantize(Decimal("0.01")),
                }
            )
    writer.write(PurchaseOrder, headers)
    writer.write(PurchaseOrderLine, lines)
    return receipts
