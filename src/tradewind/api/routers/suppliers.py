"""Suppliers: whether each can take an order today and why, their status reports (restock dates), response
times, and the SKUs they offer with the alternatives for each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel
from starlette.responses import Response

from tradewind.server.deps import DbSession, ReadShop, State
from tradewind.server.errors import ERRORS
from tradewind.server.figures import StatusReportOut, SupplierOut, suppliers_today
from tradewind.server.inline import on_the_loop
from tradewind.server.pages import (
    Cursor,
    JsonObject,
    Limit,
    cursor_value,
    keyset_page,
    list_of,
    page_of,
    page_response,
)
from tradewind.suppliers.overview import (
    offers_with_alternatives,
    overview_figures,
    supplier_overview,
)
from tradewind.suppliers.schemas import (
    OFFER,
    OFFER_WITH_ALTERNATIVES,
    offer_with_alternatives_figures,
    report_figures,
)
from tradewind.suppliers.service import get_supplier, status_reports_page

router = APIRouter(prefix="/shops/{shop}", tags=["suppliers"], responses=ERRORS)
SupplierCode = Annotated[str, Path(max_length=64, description="The supplier's code")]


@router.get("/suppliers", response_model=list_of(SupplierOut), summary="Every supplier with its state today")
@on_the_loop
def list_suppliers(access: ReadShop, state: State) -> list[BaseModel]:
    return suppliers_today(state, access.shop)


@router.get("/suppliers/{code}", response_model=SupplierOut, summary="One supplier's state")
@on_the_loop
def read_supplier(code: SupplierCode, access: ReadShop, session: DbSession, state: State) -> JsonObject:
    found = supplier_overview(
        session,
        shop_id=access.shop.id,
        code=code,
        today=state.today_of(access.shop),
        now=state.clock.now(),
        settings=state.settings,
    )
    return overview_figures(found)


@router.get(
    "/suppliers/{code}/status-reports",
    response_model=page_of(StatusReportOut),
    summary="What the seller learned about a supplier, newest first",
)
@on_the_loop
def list_status_reports(
    code: SupplierCode, access: ReadShop, session: DbSession, limit: Limit = 50, cursor: Cursor = None
) -> Response:
    supplier = get_supplier(session, shop_id=access.shop.id, code=code)
    rows = status_reports_page(
        session, shop_id=access.shop.id, supplier_id=supplier.id, limit=limit + 1, before_id=cursor_value(cursor)
    )
    page, next_cursor = keyset_page(rows, limit, lambda row: row.id)
    return page_response([report_figures(r) for r in page], next_cursor, limit)


OfferOut = OFFER.model
OfferWithAlternativesOut = OFFER_WITH_ALTERNATIVES.model


@router.get(
    "/suppliers/{code}/offers",
    response_model=page_of(OfferWithAlternativesOut),
    summary="The SKUs a supplier offers, each with the other suppliers' offers for it",
)
@on_the_loop
def list_offers(
    code: SupplierCode, access: ReadShop, session: DbSession, limit: Limit = 50, cursor: Cursor = None
) -> Response:
    supplier = get_supplier(session, shop_id=access.shop.id, code=code)
    offset = cursor_value(cursor) or 0
    lines, total = offers_with_alternatives(
        session, shop_id=access.shop.id, supplier_id=supplier.id, offset=offset, limit=limit
    )
    items = [offer_with_alternatives_figures(line, others) for line, others in lines]
    next_cursor = str(offset + limit) if offset + limit < total else None
    return page_response(items, next_cursor, limit)
