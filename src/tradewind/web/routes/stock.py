"""Stock: the stored plan as a sortable, searchable table (and as a CSV or Excel download), and a page per SKU
with its chart."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from tradewind.catalog.service import listings_of
from tradewind.planning.schemas import plan_figure
from tradewind.planning.service import stock_outlook, supply_options
from tradewind.planning.stored_plan import PlanSort, plan_of
from tradewind.server.deps import DbSession, State
from tradewind.server.figures import plan_rows
from tradewind.server.inline import on_the_loop
from tradewind.suppliers.overview import offers_for_sku
from tradewind.web.charts import as_script_json, stock_chart
from tradewind.web.deps import Page
from tradewind.web.downloads import DOWNLOAD_ROWS, FormatPath, download
from tradewind.web.words import _

router = APIRouter(prefix="/shops/{shop}")
PAGE_SIZE = 50


def plan_sort(sort: str) -> PlanSort:
    """The Stock page's order from its `sort` parameter (an unknown one is the default: soonest stockout)."""
    return PlanSort(sort) if sort in PlanSort.__members__.values() else PlanSort.STOCKOUT_ON


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
    chosen = plan_sort(sort)
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
    context = state.context(shop)  # the brief's day and instant: the lead times are the cards'
    outlook = stock_outlook(session, shop_id=shop.id, sku_code=sku, today=context.today, row=row)
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
        lead_times={
            option.supplier.code: option.lead_time
            for option in supply_options(
                session,
                shop_id=shop.id,
                sku_id=row.sku.id,
                today=context.today,
                now=context.now,
                settings=context.settings,
            )
        },
        listings=listings_of(session, shop_id=shop.id, sku_id=row.sku.id),
    )


STOCK_COLUMNS = (
    _("SKU"),
    _("Title"),
    _("On hand"),
    _("On order"),
    _("Sales / day"),
    _("Days of cover"),
    _("Reorder point"),
    _("Runs out"),
    _("Order by"),
    _("Order qty"),
    _("Supplier"),
)
CHUNK = 5_000  # rows of the plan read at once (a query names their ids)


@router.get("/stock.{fmt}")
@on_the_loop
def stock_download(
    page: Page,
    session: DbSession,
    state: State,
    fmt: FormatPath,
    q: Annotated[str, Query(max_length=100)] = "",
    sort: Annotated[str, Query(max_length=32)] = PlanSort.STOCKOUT_ON.value,
    desc: Annotated[bool, Query()] = False,
    at_risk: Annotated[bool, Query()] = False,
) -> Response:
    """The stored plan as the Stock page shows it (searched, filtered, sorted; every page), as CSV or Excel. The
    figures are rounded as on the page."""
    chosen = plan_sort(sort)

    def rows() -> Iterator[tuple[object, ...]]:
        offset = 0
        while offset < DOWNLOAD_ROWS:
            found, total = plan_rows(
                session,
                state,
                shop_id=page.access.shop.id,
                search=q,
                sort=chosen,
                descending=desc,
                offset=offset,
                limit=min(CHUNK, DOWNLOAD_ROWS - offset),
                only_at_risk=at_risk,
            )
            for row in found:
                plan = row.plan
                yield (
                    row.sku.code,
                    row.sku.title,
                    plan.on_hand,
                    plan.on_order,
                    plan_figure("demand_per_day", plan.demand_per_day),
                    plan_figure("days_of_cover", plan.days_of_cover),
                    round(plan.reorder_point),
                    plan.stockout_on,
                    plan.order_by,
                    plan.suggested_quantity or None,
                    row.supplier_name,
                )
            offset += CHUNK
            if offset >= total:
                return

    return download(page, fmt, table=_("Stock"), header=STOCK_COLUMNS, rows=rows())
