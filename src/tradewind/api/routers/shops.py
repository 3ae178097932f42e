"""The shop's own settings: where its days are counted, its currency, country, language, platform, opening day."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from tradewind.server.deps import ReadShop, State
from tradewind.server.errors import ERRORS
from tradewind.shops.service import shop_settings

router = APIRouter(prefix="/shops/{shop}", tags=["shops"], responses=ERRORS)


class ShopSettingsOut(BaseModel):
    code: str
    name: str
    country: str
    timezone: str
    currency: str
    language: str
    platform: str
    opened_on: date | None
    digest_at: str  # HH:MM on the shop's clock: when the morning digest is e-mailed to the owners
    today: date  # the shop's local day now: the day its brief, windows and KPIs are about


@router.get("/settings", response_model=ShopSettingsOut, summary="The shop's settings, as `tradewind shop show`")
def read_settings(access: ReadShop, state: State) -> ShopSettingsOut:
    return ShopSettingsOut(**shop_settings(access.shop), today=state.today_of(access.shop))
