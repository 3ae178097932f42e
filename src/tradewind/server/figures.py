"""The figures both faces (the API and the dashboard) show that are slow to compute and change slowly, read
through the app's figure cache (`AppState.cache`): lanes and their weekly trend, orders at risk, the growth report,
the suppliers' states today, the stored plan's index. Each is computed in a transaction of its own, kept as plain
data per shop (and the shop's local day), and dropped after the commit that changes the shop's records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from tradewind.growth.service import growth_report
from tradewind.logistics.rules import LogisticsRules
from tradewind.logistics.service import lane_statistics, shipment_observations
from tradewind.logistics.transit.lanes import Lane, end_of, estimate_lanes
from tradewind.logistics.watch import orders_at_risk
from tradewind.planning.stored_plan import PlanIndex, PlanRow, PlanSort, load_plan_index, plan_page
from tradewind.server.state import AppState
from tradewind.shops.models import Shop
from tradewind.shops.service import shop_by_id
from tradewind.suppliers.overview import SupplierOverview, overview_figures, supplier_overviews
from tradewind.suppliers.schemas import STATUS_REPORT, SUPPLIER

# --- shipping ---

TREND_WEEKS = 12
TREND_LANES = 8


def lanes_today(state: AppState, shop: Shop) -> list[dict[str, Any]]:
    """Every lane's statistics today (`LaneStatistics.to_dict`), busiest first."""
    today = state.today_of(shop)

    def compute(fresh: Session) -> list[dict[str, Any]]:
        rules = LogisticsRules.from_settings(state.settings)
        the_shop = _same_shop(fresh, shop)
        rows = [s.to_dict() for s in lane_statistics(fresh, shop=the_shop, now=state.clock.now(), rules=rules)]
        return sorted(rows, key=lambda r: (-(r["n_delivered"] + r["n_in_transit"]), r["destination"], r["method"]))

    found: list[dict[str, Any]] = state.cache.get((shop.id, today, "lanes"), compute)
    return found


def _same_shop(session: Session, shop: Shop) -> Shop:
    """The shop as a record of `session` (cached figures are computed in a transaction of their own)."""
    return shop_by_id(session, shop.id)


@dataclass(frozen=True)
class LaneTrend:
    weeks: list[date]
    lanes: list[dict[str, Any]]  # {"lane": "CN→ES by X", "p50": [...], "p90": [...]}


def lane_trend(state: AppState, shop: Shop) -> LaneTrend:
    """p50 and p90 transit days of the busiest lanes as known at the end of each of the last weeks."""
    today = state.today_of(shop)

    def compute(fresh: Session) -> LaneTrend:
        rules = LogisticsRules.from_settings(state.settings)
        now = state.clock.now()
        busiest = lanes_today(state, shop)[:TREND_LANES]
        lanes = [Lane(r["origin"], r["destination"], r["method"]) for r in busiest]
        weeks = [today - timedelta(days=7 * back) for back in range(TREND_WEEKS - 1, -1, -1)]
        observations = shipment_observations(
            fresh,
            shop=_same_shop(fresh, shop),
            since=now - timedelta(days=rules.transit.lookback_days + 7 * TREND_WEEKS),
        )
        series: dict[Lane, dict[str, list[int | None]]] = {lane: {"p50": [], "p90": []} for lane in lanes}
        for week in weeks:
            if not lanes or observations.size == 0:
                break
            for estimate in estimate_lanes(observations, as_of=end_of(week), settings=rules.transit, lanes=lanes):
                series[estimate.lane]["p50"].append(estimate.p50_days)
                series[estimate.lane]["p90"].append(estimate.p90_days)
        return LaneTrend(weeks, [{"lane": lane.describe(), **values} for lane, values in series.items()])

    found: LaneTrend = state.cache.get((shop.id, today, "trend"), compute)
    return found


def at_risk_today(state: AppState, shop: Shop) -> list[dict[str, Any]]:
    """Open orders that may miss their promised date (`OrderAtRisk.to_dict`), most late first."""
    today = state.today_of(shop)

    def compute(fresh: Session) -> list[dict[str, Any]]:
        found = orders_at_risk(
            fresh,
            shop=_same_shop(fresh, shop),
            today=today,
            now=state.clock.now(),
            rules=LogisticsRules.from_settings(state.settings),
        )
        # Each row with its reason as a phrase too (`reason_msg`), for a reader in another language.
        return [
            o.to_dict() | {"reason_msg": o.reason_phrase.to_json() if o.reason_phrase is not None else None}
            for o in found
        ]

    found: list[dict[str, Any]] = state.cache.get((shop.id, today, "at_risk"), compute)
    return found


# --- growth ---


def growth_today(state: AppState, shop: Shop) -> dict[str, Any]:
    def compute(fresh: Session) -> dict[str, Any]:
        the_shop = fresh.get(Shop, shop.id)
        assert the_shop is not None
        report = growth_report(fresh, shop=the_shop, today=state.today_of(the_shop), settings=state.settings)
        return report.to_json()

    found: dict[str, Any] = state.cache.get((shop.id, state.today_of(shop), "growth"), compute)
    return found


# --- suppliers ---


SupplierOut = SUPPLIER.model
StatusReportOut = STATUS_REPORT.model


def supplier_out(o: SupplierOverview) -> BaseModel:
    """`overview_figures` as the API's model (the dashboard reads its days and instants as such)."""
    return SupplierOut.model_validate(overview_figures(o))


def suppliers_today(state: AppState, shop: Shop) -> list[BaseModel]:
    """Every supplier's state (reads their whole message thread and status history): kept for a few minutes."""
    today = state.today_of(shop)

    def compute(fresh: Session) -> list[BaseModel]:
        found = supplier_overviews(fresh, shop_id=shop.id, today=today, now=state.clock.now(), settings=state.settings)
        return [supplier_out(o) for o in found]

    cached: list[BaseModel] = state.cache.get((shop.id, today, "suppliers"), compute, ttl_seconds=60)
    return cached


# --- the stored plan ---


def plan_index(state: AppState, shop_id: int) -> PlanIndex:
    found: PlanIndex = state.cache.get(
        (shop_id, "plan-index"), lambda fresh: load_plan_index(fresh, shop_id=shop_id), ttl_seconds=60
    )
    return found


def plan_rows(
    session: Session,
    state: AppState,
    *,
    shop_id: int,
    search: str | None = None,
    sort: PlanSort = PlanSort.STOCKOUT_ON,
    descending: bool = False,
    offset: int = 0,
    limit: int = 50,
    only_at_risk: bool = False,
) -> tuple[list[PlanRow], int]:
    """One page of the shop's stored plan and the number of rows matching (see `stored_plan.plan_page`)."""
    return plan_page(
        session,
        plan_index(state, shop_id),
        search=search,
        sort=sort,
        descending=descending,
        offset=offset,
        limit=limit,
        only_at_risk=only_at_risk,
    )
