"""The right method per destination: the one that meets the promise to that country at p90 for the lowest cost,
never a blocked lane. The promise counts from the order, so the handling days (order to hand-over) come off it
before the transit p90 is compared with what is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradewind.clock import start_of_day
from tradewind.logistics.lane_store import UNSPECIFIED_METHOD
from tradewind.logistics.rules import LogisticsRules
from tradewind.logistics.shipping import (
    LaneStatistics,
    default_methods,
    handling_days,
    lane_statistics,
    promise_days_by_destination,
)
from tradewind.logistics.transit.lanes import Lane
from tradewind.orders.models import Order, OrderStatus
from tradewind.shops.models import Shop


@dataclass(frozen=True)
class MethodOption:
    """One method to a destination, with what decides between methods."""

    method: str
    p50_days: int | None
    p90_days: int | None
    p90_is_lower_bound: bool
    cost: Decimal | None
    blocked: bool
    meets_promise: bool
    late_share: float  # share of parcels expected to arrive after the promise
    source: str
    n_delivered: int
    restrictions: tuple[str, ...]

    @classmethod
    def of(cls, statistics: LaneStatistics, transit_budget_days: int) -> MethodOption:
        estimate = statistics.estimate
        budget_day = min(max(transit_budget_days, 0), estimate.survival.shape[0] - 1)
        late_share = float(estimate.survival[budget_day]) if transit_budget_days >= 0 else 1.0
        meets = (
            not estimate.blocked
            and estimate.p90_days is not None
            and not estimate.p90_is_lower_bound
            and estimate.p90_days <= transit_budget_days
        )
        return cls(
            method=estimate.lane.method,
            p50_days=estimate.p50_days,
            p90_days=estimate.p90_days,
            p90_is_lower_bound=estimate.p90_is_lower_bound,
            cost=statistics.mean_cost,
            blocked=estimate.blocked,
            meets_promise=meets,
            late_share=round(late_share, 3),
            source=estimate.source,
            n_delivered=estimate.n_delivered,
            restrictions=estimate.restrictions,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "p50_days": self.p50_days,
            "p90_days": self.p90_days,
            "p90_is_lower_bound": self.p90_is_lower_bound,
            "cost": str(self.cost) if self.cost is not None else None,
            "blocked": self.blocked,
            "meets_promise": self.meets_promise,
            "late_share": self.late_share,
            "source": self.source,
            "n_delivered": self.n_delivered,
            "restrictions": list(self.restrictions),
        }


@dataclass(frozen=True)
class DestinationChoice:
    origin: str
    destination: str
    promise_days: int
    handling_days: int
    default_method: str | None
    default_from: str
    options: tuple[MethodOption, ...]
    recommended: MethodOption | None
    orders_last_window: int
    order_value_last_window: Decimal
    currency: str

    @property
    def transit_budget_days(self) -> int:
        return self.promise_days - self.handling_days

    @property
    def current(self) -> MethodOption | None:
        return next((o for o in self.options if o.method == self.default_method), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "destination": self.destination,
            "promise_days": self.promise_days,
            "handling_days": self.handling_days,
            "transit_budget_days": self.transit_budget_days,
            "default_method": self.default_method,
            "default_from": self.default_from,
            "recommended": self.recommended.method if self.recommended else None,
            "options": [o.to_dict() for o in self.options],
            "orders_last_window": self.orders_last_window,
            "order_value_last_window": str(self.order_value_last_window),
            "currency": self.currency,
        }


def best_option(options: list[MethodOption]) -> MethodOption | None:
    """Cheapest that meets the promise at p90; if none does, the fastest open one. Never a blocked lane."""
    open_options = [o for o in options if not o.blocked and o.p90_days is not None]
    meeting = [o for o in open_options if o.meets_promise]
    if meeting:
        return min(meeting, key=lambda o: (o.cost is None, o.cost or Decimal(0), o.p90_days or 0, o.method))
    if open_options:
        return min(open_options, key=lambda o: (o.p90_is_lower_bound, o.p90_days or 0, o.cost or Decimal(0)))
    return None


def choose_methods(
    session: Session,
    *,
    shop: Shop,
    today: date,
    now: datetime,
    rules: LogisticsRules | None = None,
    statistics: list[LaneStatistics] | None = None,
) -> list[DestinationChoice]:
    """For every destination the shop sells to (orders of the last window) or ships to: the options and the pick."""
    config = rules or LogisticsRules()
    found = statistics if statistics is not None else lane_statistics(session, shop=shop, now=now, rules=config)
    origin = shop.country
    by_destination: dict[str, list[LaneStatistics]] = {}
    for item in found:
        if item.lane.origin == origin and item.lane.method != UNSPECIFIED_METHOD:
            by_destination.setdefault(item.lane.destination, []).append(item)
    orders = _recent_orders(session, shop=shop, today=today, days=config.method_window_days)
    destinations = sorted(set(by_destination) | set(orders))
    handling = handling_days(session, shop=shop, today=today, rules=config)
    promises = promise_days_by_destination(session, shop=shop, today=today)
    defaults = default_methods(session, shop=shop, origin=origin, destinations=destinations, today=today, rules=config)
    choices = []
    for destination in destinations:
        promise = promises.get(destination, config.default_promise_days)
        current, current_from = defaults[destination]
        options = [MethodOption.of(s, promise - handling) for s in by_destination.get(destination, [])]
        count, value = orders.get(destination, (0, Decimal(0)))
        choices.append(
            DestinationChoice(
                origin=origin,
                destination=destination,
                promise_days=promise,
                handling_days=handling,
                default_method=current,
                default_from=current_from,
                options=tuple(sorted(options, key=lambda o: (o.p90_days or 999, o.method))),
                recommended=best_option(options),
                orders_last_window=count,
                order_value_last_window=value,
                currency=shop.currency,
            )
        )
    return choices


def _recent_orders(session: Session, *, shop: Shop, today: date, days: int) -> dict[str, tuple[int, Decimal]]:
    """Per destination: the orders of the last `days` (not cancelled or closed) and their value. The database counts
    the orders per destination and total (a large shop's quarter of orders has a few thousand distinct totals);
    the value is the exact sum of the totals (Decimal: in any order the same)."""
    rows = session.execute(
        select(Order.destination_country, Order.total, func.count())
        .where(
            Order.shop_id == shop.id,
            Order.destination_country.is_not(None),
            Order.placed_at >= start_of_day(today - timedelta(days=days)),
            Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.CLOSED)),
        )
        .group_by(Order.destination_country, Order.total)
    ).all()
    found: dict[str, tuple[int, Decimal]] = {}
    for destination, total, orders in rows:
        if destination is None:
            continue
        count, value = found.get(destination, (0, Decimal(0)))
        found[destination] = (count + int(orders), value + (total or Decimal(0)) * int(orders))
    return found


def lane_for(choice: DestinationChoice, method: str) -> Lane:
    return Lane(choice.origin, choice.destination, method)
