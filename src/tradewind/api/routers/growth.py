"""Growth: the KPIs, the service metrics against the platform's limits, and the new-merchant milestones."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from tradewind.server.deps import ReadShop, State
from tradewind.server.errors import ERRORS
from tradewind.server.figures import growth_today
from tradewind.server.inline import on_the_loop

router = APIRouter(prefix="/shops/{shop}", tags=["growth"], responses=ERRORS)


class KpisOut(BaseModel):
    start: date
    end: date
    currency: str
    gmv: str
    gmv_usd: str
    orders: int
    buyers: int
    repeat_buyers: int
    repeat_buyer_rate: float | None


class LevelOut(BaseModel):
    code: str
    title: str
    next: str | None
    next_needs: str | None


class MilestoneOut(BaseModel):
    code: str
    title: str
    unit: str
    target: str
    progress: str
    day: int
    days: int
    last_day: date
    state: str
    reached_on: date | None
    projected: str
    pace: str
    per_day_now: str
    per_day_needed: str | None


class GrowthOut(BaseModel):
    shop: str
    today: date
    kpis: KpisOut
    level: LevelOut | None
    metrics: list[dict[str, Any]]
    milestones: list[MilestoneOut]


@router.get("/growth", response_model=GrowthOut, summary="KPIs, service metrics and milestones with their pace")
@on_the_loop
def read_growth(access: ReadShop, state: State) -> GrowthOut:
    return GrowthOut.model_validate(growth_today(state, access.shop))
