"""Stock: the stored plan as a sortable, searchable table, and a page per SKU with its chart."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse

from tradewind.api.deps import DbSession, State
from tradewind.api.inline import on_the_loop
from tradewind.api.reads.suppliers import offers_for_sku
from tradewind.catalog.service import listings_of
from tradewind.planning.service import stock_outlook
from tradewind.planning.stored_plan import PlanSort, plan_of
from tradewind.server.figures import plan_rows
from tradewind.web.charts import as_script_json, stock_chart
from tradewind.web.deps import Page

router = APIRouter(prefix="/shops/{shop}")
PAGE_SIZE = 50


@router.get("/stock")
@on_the_loop
def stock_page(
    page: Page,
    session: DbSession,
    state: State,
    q: Annotated[str, Query(max_length=100)] = "",
    sort: Annotated[str, Query(max_length=32)] = PlanSort.STOCKOUT_ON.value,
    desc: Annotated[bool, Query()] = False,
    at_risk: Annotated[bool, Query()] = False,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> HTMLResponse:
    chosen = PlanSort(sort) if sort in PlanSort.__members__.values() else PlanSort.STOCKOUT_ON
    rows, total = plan_rows(
        session,
        state,
        shop_id=page.access.shop.id,
        search=q,
        sort=chosen,
        descending=desc,
        offset=offset,
        limit=PAGE_SIZE,
        only_at_risk=at_risk,
    )
    context = {
        "section": "stock",
        "rows": rows,
        "total": total,
        "q": q,
        "sort": chosen.value,
        "desc": desc,
        "at_risk": at_risk,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "planned_on": rows[0].plan.planned_on if rows else None,
    }
    if page.is_htmx and page.request.headers.get("hx-target") == "plan-table":
        return page.render("stock_table.html", **context)
    return page.render("stock.html", **context)


@router.get("/stock/{sku}")
@on_the_loop
def sku_page(sku: Annotated[str, Path(max_length=64)], page: Page, session: DbSession, state: State) -> HTMLResponse:
    shop = page.access.shop
    row = plan_of(session, shop_id=shop.id, sku_code=sku)
    outlook = stock_outlook(session, shop_id=shop.id, sku_code=sku, today=state.today_of(shop), row=row)
    words = {
        "title": page.gettext("Stock of %(sku)s") % {"sku": row.sku.code},
        "units": page.gettext("units"),
        "sales": page.gettext("Sales per day"),
        "forecast": page.gettext("Forecast per day"),
        "stock": page.gettext("Projected stock"),
        "inbound": page.gettext("Arriving (purchase orders)"),
        "reorder_point": page.gettext("Reorder point"),
        "stockout": page.gettext("Stockout"),
    }
    return page.render(
        "sku.html",
        section="stock",
        row=row,
        outlook=outlook,
        chart=as_script_json(stock_chart(outlook, words)),
        offers=offers_for_sku(session, shop_id=shop.id, sku_id=row.sku.id),
        listings=listings_of(session, shop_id=shop.id, sku_id=row.sku.id),
    )
