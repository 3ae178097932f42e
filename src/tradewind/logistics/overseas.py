"""Overseas stock or direct shipping, compared the way sellers do (`seeds/004`): ship every order from China as its
own parcel, or send a week or two of demand to a warehouse in the destination country in one batch and deliver
locally in days — cheaper freight per unit and happier buyers, against holding cost, storage, capital tied up and
stock left behind if sales stop.

`compare_stocking` is pure arithmetic over `StockingInputs`; `compare_overseas` gathers the inputs (demand per SKU
to the destination, the direct lane's cost and transit p50/p90, the promise) from the shop's records.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradewind.catalog.models import Sku
from tradewind.clock import start_of_day
from tradewind.errors import NotFoundError, ValidationError
from tradewind.logistics.rules import LogisticsRules
from tradewind.logistics.shipping import default_method, handling_days, lane_statistics, promise_days
from tradewind.logistics.transit.lanes import Lane
from tradewind.orders.models import Order, OrderLine, OrderStatus
from tradewind.shops.models import Shop

CENT = Decimal("0.01")


@dataclass(frozen=True)
class SkuDemand:
    sku: str
    units_per_day: float
    unit_value: Decimal  # what one unit ties up (cost, or price when no cost is known)


@dataclass(frozen=True)
class StockingInputs:
    destination: str
    skus: tuple[SkuDemand, ...]
    currency: str
    # Direct: one parcel per order from the origin.
    direct_method: str | None
    direct_cost_per_parcel: Decimal
    direct_p50_days: int | None
    direct_p90_days: int | None
    units_per_order: float = 1.0
    # Overseas: a batch covering `cover_days` of demand, freighted, stored and delivered locally.
    cover_days: int = 7
    batch_freight_per_unit: Decimal = Decimal("0.80")
    batch_transit_days: int = 25
    local_delivery_cost: Decimal = Decimal("3.50")
    local_p50_days: int = 2
    local_p90_days: int = 4
    storage_per_unit_day: Decimal = Decimal("0.02")
    holding_rate_per_year: Decimal = Decimal("0.25")
    promise_days: int | None = None
    handling_days: int = 3


@dataclass(frozen=True)
class SkuComparison:
    sku: str
    units_per_day: float
    batch_units: int
    direct_cost_per_unit: Decimal
    overseas_cost_per_unit: Decimal
    freight_per_unit: Decimal
    local_delivery_per_unit: Decimal
    holding_per_unit: Decimal
    storage_per_unit: Decimal
    capital_tied_up: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "units_per_day": round(self.units_per_day, 2),
            "batch_units": self.batch_units,
            "direct_cost_per_unit": str(self.direct_cost_per_unit),
            "overseas_cost_per_unit": str(self.overseas_cost_per_unit),
            "overseas_breakdown": {
                "freight": str(self.freight_per_unit),
                "local_delivery": str(self.local_delivery_per_unit),
                "holding": str(self.holding_per_unit),
                "storage": str(self.storage_per_unit),
            },
            "capital_tied_up": str(self.capital_tied_up),
        }


@dataclass(frozen=True)
class StockingComparison:
    inputs: StockingInputs
    skus: tuple[SkuComparison, ...]
    direct_cost: Decimal  # over one cover period
    overseas_cost: Decimal
    direct_meets_promise: bool | None
    recommendation: str
    reason: str

    @property
    def saving(self) -> Decimal:
        return self.direct_cost - self.overseas_cost

    def to_dict(self) -> dict[str, Any]:
        i = self.inputs
        return {
            "destination": i.destination,
            "currency": i.currency,
            "cover_days": i.cover_days,
            "direct": {
                "method": i.direct_method,
                "cost_per_parcel": str(i.direct_cost_per_parcel),
                "p50_days": i.direct_p50_days,
                "p90_days": i.direct_p90_days,
                "cost_for_period": str(self.direct_cost),
                "meets_promise": self.direct_meets_promise,
            },
            "overseas": {
                "batch_freight_per_unit": str(i.batch_freight_per_unit),
                "batch_transit_days": i.batch_transit_days,
                "local_delivery_cost": str(i.local_delivery_cost),
                "p50_days": i.local_p50_days,
                "p90_days": i.local_p90_days,
                "cost_for_period": str(self.overseas_cost),
                "first_stock_arrives_in_days": i.batch_transit_days,
            },
            "promise_days": i.promise_days,
            "saving_for_period": str(self.saving),
            "recommendation": self.recommendation,
            "reason": self.reason,
            "skus": [s.to_dict() for s in self.skus],
        }


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def compare_stocking(inputs: StockingInputs) -> StockingComparison:
    """Cost per unit and per cover period of both options, delivery days, and a recommendation."""
    if inputs.cover_days < 1:
        raise ValidationError("cover days must be at least 1")
    per_order = Decimal(str(max(inputs.units_per_order, 1.0)))
    rows = []
    direct_total = overseas_total = Decimal(0)
    for demand in inputs.skus:
        batch = math.ceil(demand.units_per_day * inputs.cover_days - 1e-9)
        # A unit waits on average half the cover period on the shelf, after the batch's transit.
        days_held = Decimal(inputs.cover_days) / 2 + inputs.batch_transit_days
        holding = demand.unit_value * inputs.holding_rate_per_year * days_held / 365
        storage = inputs.storage_per_unit_day * Decimal(inputs.cover_days) / 2
        local = inputs.local_delivery_cost / per_order
        direct = inputs.direct_cost_per_parcel / per_order
        overseas = inputs.batch_freight_per_unit + local + holding + storage
        rows.append(
            SkuComparison(
                sku=demand.sku,
                units_per_day=demand.units_per_day,
                batch_units=batch,
                direct_cost_per_unit=_money(direct),
                overseas_cost_per_unit=_money(overseas),
                freight_per_unit=_money(inputs.batch_freight_per_unit),
                local_delivery_per_unit=_money(local),
                holding_per_unit=_money(holding),
                storage_per_unit=_money(storage),
                capital_tied_up=_money(demand.unit_value * batch),
            )
        )
        direct_total += direct * batch
        overseas_total += overseas * batch
    meets = None
    if inputs.promise_days is not None and inputs.direct_p90_days is not None:
        meets = inputs.handling_days + inputs.direct_p90_days <= inputs.promise_days
    recommendation, reason = _recommend(inputs, _money(direct_total), _money(overseas_total), meets)
    return StockingComparison(
        inputs, tuple(rows), _money(direct_total), _money(overseas_total), meets, recommendation, reason
    )


def _recommend(inputs: StockingInputs, direct: Decimal, overseas: Decimal, meets: bool | None) -> tuple[str, str]:
    faster = (
        f"delivery in {inputs.local_p50_days}–{inputs.local_p90_days} days instead of "
        f"{inputs.direct_p50_days or '?'}–{inputs.direct_p90_days or '?'}"
    )
    if not inputs.skus or all(s.units_per_day <= 0 for s in inputs.skus):
        return "direct", "no recent sales to this destination: nothing to stock"
    if overseas < direct:
        return "overseas", f"saves {direct - overseas} {inputs.currency} per {inputs.cover_days} days, and {faster}"
    if meets is False:
        return "overseas", (
            f"direct shipping misses the {inputs.promise_days}-day promise at p90; overseas stock costs "
            f"{overseas - direct} {inputs.currency} more per {inputs.cover_days} days, for {faster}"
        )
    return "direct", f"direct shipping is {overseas - direct} {inputs.currency} cheaper per {inputs.cover_days} days"


def sku_demand_to(
    session: Session, *, shop: Shop, skus: Sequence[str], destination: str, today: date, window_days: int
) -> tuple[list[SkuDemand], float]:
    """Units per day of each SKU sold to `destination` over the window, and the average units per order."""
    found = {s.code: s for s in session.scalars(select(Sku).where(Sku.shop_id == shop.id, Sku.code.in_(list(skus))))}
    missing = [code for code in skus if code not in found]
    if missing:
        raise NotFoundError(f"no SKU {', '.join(repr(c) for c in missing)} in this shop", details={"skus": missing})
    start, end = start_of_day(today - timedelta(days=window_days)), start_of_day(today)
    rows = session.execute(
        select(OrderLine.sku_id, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.shop_id == shop.id,
            Order.destination_country == destination,
            Order.placed_at >= start,
            Order.placed_at < end,
            Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.CLOSED)),
            OrderLine.sku_id.in_([s.id for s in found.values()]),
        )
        .group_by(OrderLine.sku_id)
    )
    sold = {int(sku_id): int(units or 0) for sku_id, units in rows}
    per_order = session.execute(
        select(func.count(func.distinct(Order.id)), func.sum(OrderLine.quantity))
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.shop_id == shop.id, Order.destination_country == destination, Order.placed_at >= start)
    ).one()
    orders, units = per_order
    demands = [
        SkuDemand(code, int(sold.get(found[code].id) or 0) / window_days, found[code].price or Decimal(0))
        for code in skus
    ]
    return demands, (float(units) / orders) if orders and units else 1.0


def compare_overseas(
    session: Session,
    *,
    shop: Shop,
    skus: Sequence[str],
    destination: str,
    today: date,
    now: datetime,
    rules: LogisticsRules | None = None,
    window_days: int = 28,
    **overrides: Any,
) -> StockingComparison:
    """`tradewind logistics compare`: the shop's own demand, lane and promise, with the seller's overrides
    (cover_days, batch_freight_per_unit, local_delivery_cost, direct_cost_per_parcel, unit_value, …)."""
    if not skus:
        raise ValidationError("name at least one SKU to compare (--sku CODE)")
    config = rules or LogisticsRules()
    demands, units_per_order = sku_demand_to(
        session, shop=shop, skus=skus, destination=destination, today=today, window_days=window_days
    )
    unit_value = overrides.pop("unit_value", None)
    if unit_value is not None:
        demands = [SkuDemand(d.sku, d.units_per_day, Decimal(unit_value)) for d in demands]
    method = (
        overrides.pop("direct_method", None)
        or default_method(session, shop=shop, origin=shop.country, destination=destination, today=today, rules=config)[
            0
        ]
    )
    p50 = p90 = None
    cost = None
    if method is not None:
        lane = Lane(shop.country, destination, method)
        found = lane_statistics(session, shop=shop, now=now, rules=config, lanes=[lane])
        if found and (found[0].estimate.n_delivered or found[0].estimate.n_in_transit):
            p50, p90, cost = found[0].estimate.p50_days, found[0].estimate.p90_days, found[0].mean_cost
    direct_cost = overrides.pop("direct_cost_per_parcel", None) or cost or Decimal("3.00")
    inputs = StockingInputs(
        destination=destination,
        skus=tuple(demands),
        currency=shop.currency,
        direct_method=method,
        direct_cost_per_parcel=Decimal(direct_cost),
        direct_p50_days=p50,
        direct_p90_days=p90,
        units_per_order=units_per_order,
        promise_days=promise_days(session, shop=shop, destination=destination, today=today, rules=config),
        handling_days=handling_days(session, shop=shop, today=today, rules=config),
        **{k: v for k, v in overrides.items() if v is not None},
    )
    return compare_stocking(inputs)
