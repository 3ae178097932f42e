"""Growth: the KPIs, the service metrics against the platform's limits, and the new-merchant milestones."""

from __future__ import annotations

from fastapi import APIRouter

from tradewind.growth.schemas import GROWTH
from tradewind.server.deps import ReadShop, State
from tradewind.server.errors import ERRORS
from tradewind.server.figures import growth_today
from tradewind.server.inline import on_the_loop
from tradewind.server.pages import JsonObject

router = APIRouter(prefix="/shops/{shop}", tags=["growth"], responses=ERRORS)


GrowthOut = GROWTH.model


@router.get("/growth", response_model=GrowthOut, summary="KPIs, service metrics and milestones with their pace")
@on_the_loop
def read_growth(access: ReadShop, state: State) -> JsonObject:
    return growth_today(state, access.shop)
