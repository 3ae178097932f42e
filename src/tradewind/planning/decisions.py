"""From a shop's plan to purchase orders: which SKUs go on one order to each supplier.

SKUs at or below their reorder point must be ordered now. A SKU of the same supplier that will reach its reorder
point soon joins that order when carrying its stock for the extra days costs less than the shipment it saves
(the seed's batch-shipping point; per-shipment and holding costs are settings). This is the classic
joint-replenishment trade-off in its simplest form (Silver, Pyke & Peterson 1998, §11.3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tradewind.config import Settings
from tradewind.money import convert
from tradewind.planning.service import SkuDecision, SupplyOption


@dataclass(frozen=True)
class OrderLine:
    decision: SkuDecision
    quantity: int
    unit_cost: Decimal  # in the offer's currency
    pulled_forward_days: int  # 0 for a SKU due now; else how many days early it joins the order

    @property
    def sku(self) -> str:
        return self.decision.sku.code


@dataclass(frozen=True)
class SupplierOrder:
    option: SupplyOption
    due: date
    lines: list[OrderLine]
    holding_cost: Decimal  # of the lines pulled forward, shop currency
    joined_early: int  # SKUs pulled forward to save the next shipment

    @property
    def total_units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def total_cost(self) -> Decimal:
        return sum((line.unit_cost * line.quantity for line in self.lines), Decimal(0))


def round_up(needed: float, moq: int, pack_size: int) -> int:
    if needed <= 0:
        return 0
    pack = max(pack_size, 1)
    return int(math.ceil(max(needed, float(moq)) / pack - 1e-9) * pack)


def supplier_orders(
    decisions: list[SkuDecision], *, today: date, shop_currency: str, settings: Settings
) -> list[SupplierOrder]:
    due_now: dict[int, list[SkuDecision]] = {}
    later: dict[int, list[SkuDecision]] = {}
    for decision in decisions:
        option = decision.chosen
        if option is None or decision.purchasing_paused or decision.demand_per_day <= 0:
            continue
        bucket = due_now if decision.quantity > 0 else later
        bucket.setdefault(option.supplier.id, []).append(decision)
    orders = []
    for supplier_id, urgent in sorted(due_now.items()):
        option = urgent[0].chosen
        assert option is not None
        due = min(d.order_by or today for d in urgent)
        lines = [OrderLine(d, d.quantity, _unit_cost(d), 0) for d in urgent]
        # The SKUs due next would go on the next order: pull them forward, soonest first, while carrying them all
        # early costs less than that one shipment.
        holding, joined = Decimal(0), 0
        for candidate in sorted(later.get(supplier_id, []), key=lambda d: (d.order_by or date.max, d.sku.code)):
            line = _pulled_forward(candidate, due, shop_currency, settings)
            if line is None:
                continue
            cost = _holding_cost(line, shop_currency, settings)
            if holding + cost >= settings.shipment_cost:
                break
            lines.append(line)
            holding += cost
            joined += 1
        lines.sort(key=lambda line: (line.pulled_forward_days, line.decision.stockout_on or date.max, line.sku))
        orders.append(SupplierOrder(option, max(due, today), lines, holding, joined))
    return orders


def _unit_cost(decision: SkuDecision) -> Decimal:
    assert decision.chosen is not None
    return decision.chosen.offer.unit_cost


def _pulled_forward(decision: SkuDecision, due: date, shop_currency: str, settings: Settings) -> OrderLine | None:
    """The line if `decision` were ordered on `due` instead of its own order-by day (within a review horizon)."""
    if decision.order_by is None:
        return None
    early = (decision.order_by - due).days
    if early <= 0 or early > settings.max_cover_days:
        return None
    assert decision.chosen is not None
    offer = decision.chosen.offer
    needed = decision.order_up_to + decision.demand_per_day * early - decision.position
    quantity = round_up(needed, offer.moq, offer.pack_size)
    if quantity <= 0:
        return None
    return OrderLine(decision, quantity, offer.unit_cost, early)


def _holding_cost(line: OrderLine, shop_currency: str, settings: Settings) -> Decimal:
    """Carrying the whole line for the days it arrives early."""
    assert line.decision.chosen is not None
    value = convert(
        line.unit_cost * line.quantity, line.decision.chosen.offer.currency, shop_currency, settings.usd_per_unit
    )
    return value * settings.holding_cost_rate_per_year * line.pulled_forward_days / 365
