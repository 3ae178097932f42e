"""The stored replenishment plan per SKU, and each SKU's stock outlook (the data of the dashboard's chart)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from starlette.responses import Response

from tradewind.planning.schemas import plan_figure
from tradewind.planning.service import stock_outlook
from tradewind.planning.stored_plan import PlanRow, PlanSort, plan_of
from tradewind.server.deps import DbSession, ReadShop, State
from tradewind.server.errors import ERRORS
from tradewind.server.figures import plan_rows
from tradewind.server.inline import on_the_loop
from tradewind.server.pages import Cursor, JsonObject, Limit, Page, cursor_value, offset_cursor, page_response

router = APIRouter(prefix="/shops/{shop}", tags=["planning"], responses=ERRORS)
SkuCode = Annotated[str, Path(max_length=64, description="The SKU's code")]


class PlanOut(BaseModel):
    sku: str
    title: str
    planned_on: date
    method: str
    demand_per_day: float
    demand_sigma: float
    lead_time_mean_days: float | None
    lead_time_p90_days: float | None
    service_level: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    on_hand: int
    on_order: int
    days_of_cover: float | None
    stockout_on: date | None
    order_by: date | None
    suggested_quantity: int
    supplier: str | None
    supplier_name: str | None


def plan_json(row: PlanRow) -> JsonObject:
    p = row.plan
    return {
        "sku": row.sku.code,
        "title": row.sku.title,
        "planned_on": p.planned_on,
        "method": p.method,
        "demand_per_day": plan_figure("demand_per_day", p.demand_per_day),
        "demand_sigma": plan_figure("demand_sigma", p.demand_sigma),
        "lead_time_mean_days": plan_figure("lead_time_mean_days", p.lead_time_mean_days),
        "lead_time_p90_days": plan_figure("lead_time_p90_days", p.lead_time_p90_days),
        "service_level": plan_figure("service_level", p.service_level),
        "safety_stock": plan_figure("safety_stock", p.safety_stock),
        "reorder_point": plan_figure("reorder_point", p.reorder_point),
        "order_up_to": plan_figure("order_up_to", p.order_up_to),
        "on_hand": p.on_hand,
        "on_order": p.on_order,
        "days_of_cover": plan_figure("days_of_cover", p.days_of_cover),
        "stockout_on": p.stockout_on,
        "order_by": p.order_by,
        "suggested_quantity": p.suggested_quantity,
        "supplier": row.supplier_code,
        "supplier_name": row.supplier_name,
    }


@router.get("/plans", response_model=Page[PlanOut], summary="The stored plan per SKU: sortable, searchable")
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
    return page_response([plan_json(r) for r in rows[:limit]], offset_cursor(offset, limit, len(rows)), limit)


@router.get("/plans/{sku}", response_model=PlanOut, summary="One SKU's stored plan")
@on_the_loop
def read_plan(sku: SkuCode, access: ReadShop, session: DbSession) -> PlanOut:
    return PlanOut(**plan_json(plan_of(session, shop_id=access.shop.id, sku_code=sku)))


class InboundOut(BaseModel):
    purchase_order: str
    expected_on: date | None
    quantity: int


class OutlookOut(BaseModel):
    sku: str
    today: date
    on_hand: int
    history_days: list[date]
    sales: list[float]
    projection_days: list[date]
    forecast: list[float]
    projected_stock: list[float]
    inbound: list[float]
    reorder_point: float
    safety_stock: float
    stockout_on: date | None
    order_by: date | None
    inbound_orders: list[InboundOut]


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
) -> OutlookOut:
    found = stock_outlook(
        session,
        shop_id=access.shop.id,
        sku_code=sku,
        today=state.today_of(access.shop),
        history_days=history_days,
        horizon=horizon,
    )
    return OutlookOut(
        **{k: v for k, v in found.__dict__.items() if k != "inbound_orders"},
        inbound_orders=[InboundOut(purchase_order=c, expected_on=e, quantity=q) for e, q, c in found.inbound_orders],
    )
