"""Suppliers: who can take an order today (and why not), restock dates, response times, alternatives per SKU."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse

from tradewind.server.deps import DbSession, State
from tradewind.server.figures import suppliers_today
from tradewind.server.inline import on_the_loop
from tradewind.suppliers.overview import offers_with_alternatives, supplier_overview
from tradewind.web.deps import Page

router = APIRouter(prefix="/shops/{shop}")
PAGE_SIZE = 50


@router.get("/suppliers")
@on_the_loop
def suppliers_page(page: Page, state: State) -> HTMLResponse:
    return page.render("suppliers.html", section="suppliers", suppliers=suppliers_today(state, page.access.shop))


@router.get("/suppliers/{code}")
@on_the_loop
def supplier_page(
    code: Annotated[str, Path(max_length=64)],
    page: Page,
    session: DbSession,
    state: State,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> HTMLResponse:
    shop_id = page.access.shop.id
    found = supplier_overview(
        session,
        shop_id=shop_id,
        code=code,
        today=state.today_of(page.access.shop),
        now=state.clock.now(),
        settings=state.settings,
    )
    offers, total = offers_with_alternatives(
        session, shop_id=shop_id, supplier_id=found.supplier.id, offset=offset, limit=PAGE_SIZE
    )
    return page.render(
        "supplier.html",
        section="suppliers",
        overview=found,
        offers=offers,
        total=total,
        offset=offset,
        page_size=PAGE_SIZE,
    )
