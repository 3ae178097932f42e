"""Orders: the shop's orders, newest first, searched by order number, buyer or tracking number and filtered by
status, destination and risk of missing the promised date (the API's query: `api.reads.orders`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from tradewind.api.deps import DbSession, State
from tradewind.api.inline import on_the_loop
from tradewind.api.reads.orders import OrderQuery, order_rows
from tradewind.errors import ValidationError
from tradewind.orders.models import OrderStatus
from tradewind.web.deps import Page

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
