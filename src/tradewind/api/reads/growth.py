"""The growth report (KPIs, service metrics against their limits, milestones with their pace) of a shop today,
computed once per shop and day (it reads months of orders) and kept in the app's cache as JSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tradewind.api.state import AppState
from tradewind.growth.service import growth_report
from tradewind.shops.models import Shop


def growth_today(state: AppState, shop: Shop) -> dict[str, Any]:
    def compute(fresh: Session) -> dict[str, Any]:
        the_shop = fresh.get(Shop, shop.id)
        assert the_shop is not None
        report = growth_report(fresh, shop=the_shop, today=state.today_of(the_shop), settings=state.settings)
        return report.to_json()

    found: dict[str, Any] = state.cache.get((shop.id, state.today_of(shop), "growth"), compute)
    return found
