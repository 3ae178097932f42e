"""Orders: the shop's orders, newest first, searched by order number, buyer or tracking number and filtered by
status, destination and risk of missing the promised date (the API's query: `server.orders`); the same as a
CSV or Excel download."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from tradewind.errors import ValidationError
from tradewind.money import Money
from tradewind.orders.models import OrderStatus
from tradewind.orders.service import OrderQuery
from tradewind.server.deps import DbSession, State
from tradewind.server.inline import on_the_loop
from tradewind.server.orders import every_order_row, order_rows
from tradewind.web.deps import Page
from tradewind.web.downloads import DOWNLOAD_ROWS, FormatPath, download
from tradewind.web.words import _

router = APIRouter(prefix="/shops/{shop}")
PAGE_SIZE = 50


def order_query(
    q: Annotated[str, Query(max_length=100)] = "",
    status: Annotated[str, Query(max_length=32)] = "",
    destination: Annotated[str, Query(max_length=2)] = "",
    at_risk: Annotated[bool, Query()] = False,
) -> OrderQuery:
    """The list's filters as the page's form sends them (an empty field: no filter)."""
    statuses = {s.value: s for s in OrderStatus}
    if status and status not in statuses:
        message = f"status must be one of {', '.join(statuses)}, not {status!r}"
        raise ValidationError(message, details={"status": status})
    if destination and not (len(destination) == 2 and destination.isascii() and destination.isalpha()):
        raise ValidationError("destination: a two-letter country code such as RU", details={"destination": destination})
    return OrderQuery(
        search=q.strip(),
        status=statuses.get(status),
        destination=destination.upper() or None,
        at_risk=at_risk,
    )


OrderFilters = Annotated[OrderQuery, Depends(order_query)]


@router.get("/orders")
@on_the_loop
def orders_page(
    page: Page,
    session: DbSession,
    state: State,
    query: OrderFilters,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> HTMLResponse:
    rows, total = order_rows(session, state, page.access.shop, query, offset=offset, limit=PAGE_SIZE)
    context = {
        "section": "orders",
        "rows": rows,
        "total": total,
        "q": query.search,
        "status": query.status.value if query.status else "",
        "destination": query.destination or "",
        "at_risk": query.at_risk,
        "statuses": [s.value for s in OrderStatus],
        "offset": offset,
        "page_size": PAGE_SIZE,
    }
    if page.is_htmx and page.request.headers.get("hx-target") == "order-table":
        return page.render("orders_table.html", **context)
    return page.render("orders.html", **context)


ORDER_COLUMNS = (
    _("Order"),
    _("Placed"),
    _("Buyer"),
    _("Destination"),
    _("Status"),
    _("Total"),
    _("Currency"),
    _("Tracking number"),
    _("Parcel"),
    _("At risk"),
)


@router.get("/orders.{fmt}")
@on_the_loop
def orders_download(page: Page, session: DbSession, state: State, query: OrderFilters, fmt: FormatPath) -> Response:
    """The orders the page shows (every page of them), as CSV or Excel."""
    states, parcels = page.words("state_names"), page.words("parcel_names")
    rows = (
        (
            row.order.number,
            row.placed_on,
            row.buyer_name,
            row.order.destination_country,
            states.get(row.order.status.value, row.order.status.value),
            Money(row.order.total, row.order.currency).quantized().amount,  # 30.00 USD, 3000 JPY
            row.order.currency,
            row.parcel.tracking_number if row.parcel else None,
            parcels.get(row.parcel.status.value, row.parcel.status.value) if row.parcel else None,
            row.at_risk_in(page.language),
        )
        for row in every_order_row(session, state, page.access.shop, query, at_most=DOWNLOAD_ROWS)
    )
    return download(page, fmt, table=_("Orders"), header=ORDER_COLUMNS, rows=rows)
