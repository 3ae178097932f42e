"""The stored plan's list as the faces page through it: the shop's `PlanIndex` (planning's `stored_plan`) kept in
the figure cache for a minute at most (dropped sooner by the commit that changes the shop), and a page of it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tradewind.api.state import AppState
from tradewind.planning.stored_plan import PlanIndex, PlanRow, PlanSort, load_plan_index, plan_page


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
