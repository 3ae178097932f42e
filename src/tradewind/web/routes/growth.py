"""Growth: milestones with progress bars and pace, service metrics against their limits, the KPIs."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from tradewind.api.deps import State
from tradewind.api.inline import on_the_loop
from tradewind.server.figures import growth_today
from tradewind.web.deps import Page

router = APIRouter(prefix="/shops/{shop}")


@router.get("/growth")
@on_the_loop
def growth_page(page: Page, state: State) -> HTMLResponse:
    report = growth_today(state, page.access.shop)
    return page.render("growth.html", section="growth", report=report)
