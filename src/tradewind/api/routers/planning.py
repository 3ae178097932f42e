"""The stored replenishment plan per SKU, and each SKU's stock outlook (the data of the dashboard's chart)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from tradewind.planning.schemas import OUTLOOK, STORED_PLAN, outlook_figures, stored_figures
from tradewind.planning.service import stock_outlook
from tradewind.planning.stored_plan import PlanSort, plan_of
from tradewind.server.deps import DbSession, ReadShop, State
from tradewind.server.errors import ERRORS
from tradewind.server.figures import plan_rows
from tradewind.server.inline import on_the_loop
from tradewind.server.pages import Cursor, JsonObject, Limit, cursor_value, offset_cursor, page_of, page_response

router = APIRouter(prefix="/shops/{shop}", tags=["planning"], responses=ERRORS)
SkuCode = Annotated[str, Path(max_length=64, description="The SKU's code")]


PlanOut = STORED_PLAN.model
OutlookOut = OUTLOOK.model


@router.get("/plans", response_model=page_of(PlanOut), summary="The stored plan per SKU: sortable, searchable")
@on_the_loop
def list_plans(
    access: ReadShop,
    session: DbSession,
    state: State,
    limit: Limit = 50,
    cursor: Cursor = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of a SKU code or title")] = None,
    sort: PlanSort = PlanSort.STOCKOUT_ON,
    descending: bool = False,
    at_risk: Annotated[bool, Query(description="Only SKUs with a stockout in sight")] = False,
) -> Response:
    offset = cursor_value(cursor) or 0
    rows, _ = plan_rows(
        session,
        state,
        shop_id=access.shop.id,
        search=q,
        sort=sort,
        descending=descending,
        offset=offset,
        limit=limit + 1,
        only_at_risk=at_risk,
    )
    return page_response([stored_figures(r) for r in rows[:limit]], offset_cursor(offset, limit, len(rows)), limit)


@router.get("/plans/{sku}", response_model=PlanOut, summary="One SKU's stored plan")
@on_the_loop
def read_plan(sku: SkuCode, access: ReadShop, session: DbSession) -> JsonObject:
    return stored_figures(plan_of(session, shop_id=access.shop.id, sku_code=sku))


@router.get(
    "/skus/{sku}/outlook",
    response_model=OutlookOut,
    summary="Sales history, forecast, projected stock with inbound orders, reorder point and stockout date",
)
@on_the_loop
def read_outlook(
    sku: SkuCode,
    access: ReadShop,
    session: DbSession,
    state: State,
    history_days: Annotated[int, Query(ge=7, le=730)] = 90,
    horizon: Annotated[int, Query(ge=7, le=365)] = 90,
) -> JsonObject:
    found = stock_outlook(
        session,
        shop_id=access.shop.id,
        sku_code=sku,
        today=state.today_of(access.shop),
        history_days=history_days,
        horizon=horizon,
    )
    return outlook_figures(found)
