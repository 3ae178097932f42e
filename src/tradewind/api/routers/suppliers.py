"""Suppliers: whether each can take an order today and why, their status reports (restock dates), response
times, and the SKUs they offer with the alternatives for each."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.api.deps import DbSession, ReadShop, State
from tradewind.api.errors import ERRORS
from tradewind.api.inline import on_the_loop
from tradewind.api.pages import Cursor, Limit, Page, cursor_value, keyset_page
from tradewind.api.reads.suppliers import (
    OfferLine,
    SupplierOverview,
    offers_with_alternatives,
    supplier_overview,
    supplier_overviews,
)
from tradewind.api.state import AppState
from tradewind.shops.models import Shop
from tradewind.suppliers.models import SupplierStatusReport
from tradewind.suppliers.service import ResponseTimes, get_supplier

router = APIRouter(prefix="/shops/{shop}", tags=["suppliers"], responses=ERRORS)
SupplierCode = Annotated[str, Path(max_length=64, description="The supplier's code")]


class StatusReportOut(BaseModel):
    id: int
    reported_on: date
    status: str
    closed_from: date | None
    reopens_on: date | None
    restock_on: date | None
    source: str
    note: str | None

    @classmethod
    def of(cls, r: SupplierStatusReport) -> StatusReportOut:
        return cls(
            id=r.id,
            reported_on=r.reported_on,
            status=r.status.value,
            closed_from=r.closed_from,
            reopens_on=r.reopens_on,
            restock_on=r.restock_on,
            source=r.source,
            note=r.note,
        )


class ResponseTimesOut(BaseModel):
    answered: int
    median_hours: float | None
    p90_hours: float | None
    waiting_since: datetime | None

    @classmethod
    def of(cls, times: ResponseTimes) -> ResponseTimesOut:
        median, p90 = times.median_hours, times.p90_hours
        return cls(
            answered=times.answered,
            median_hours=None if median is None else round(median, 1),
            p90_hours=None if p90 is None else round(p90, 1),
            waiting_since=times.waiting_since,
        )


class SupplierOut(BaseModel):
    code: str
    name: str
    country: str
    language: str
    active: bool
    availability: str
    reason: str
    can_start_on: date
    latest_report: StatusReportOut | None
    response_times: ResponseTimesOut
    skus_offered: int
    skus_preferred: int

    @classmethod
    def of(cls, o: SupplierOverview) -> SupplierOut:
        s = o.supplier
        return cls(
            code=s.code,
            name=s.name,
            country=s.country,
            language=s.language,
            active=s.active,
            availability=o.state.availability.value,
            reason=o.state.reason,
            can_start_on=o.state.starts_on,
            latest_report=StatusReportOut.of(o.report) if o.report else None,
            response_times=ResponseTimesOut.of(o.responses),
            skus_offered=o.skus_offered,
            skus_preferred=o.skus_preferred,
        )


def suppliers_today(state: AppState, shop: Shop) -> list[SupplierOut]:
    """Every supplier's state (reads their whole message thread and status history): kept for a few minutes."""
    today = state.today_of(shop)

    def compute(fresh: Session) -> list[SupplierOut]:
        found = supplier_overviews(fresh, shop_id=shop.id, today=today, now=state.clock.now(), settings=state.settings)
        return [SupplierOut.of(o) for o in found]

    cached: list[SupplierOut] = state.cache.get((shop.id, today, "suppliers"), compute, ttl_seconds=60)
    return cached


@router.get("/suppliers", response_model=list[SupplierOut], summary="Every supplier with its state today")
@on_the_loop
def list_suppliers(access: ReadShop, state: State) -> list[SupplierOut]:
    return suppliers_today(state, access.shop)


@router.get("/suppliers/{code}", response_model=SupplierOut, summary="One supplier's state")
@on_the_loop
def read_supplier(code: SupplierCode, access: ReadShop, session: DbSession, state: State) -> SupplierOut:
    found = supplier_overview(
        session,
        shop_id=access.shop.id,
        code=code,
        today=state.today_of(access.shop),
        now=state.clock.now(),
        settings=state.settings,
    )
    return SupplierOut.of(found)


@router.get(
    "/suppliers/{code}/status-reports",
    response_model=Page[StatusReportOut],
    summary="What the seller learned about a supplier, newest first",
)
@on_the_loop
def list_status_reports(
    code: SupplierCode, access: ReadShop, session: DbSession, limit: Limit = 50, cursor: Cursor = None
) -> Page[StatusReportOut]:
    supplier = get_supplier(session, shop_id=access.shop.id, code=code)
    query = select(SupplierStatusReport).where(
        SupplierStatusReport.shop_id == access.shop.id, SupplierStatusReport.supplier_id == supplier.id
    )
    after = cursor_value(cursor)
    if after is not None:
        query = query.where(SupplierStatusReport.id < after)
    rows = list(session.scalars(query.order_by(SupplierStatusReport.id.desc()).limit(limit + 1)))
    page, next_cursor = keyset_page(rows, limit, lambda row: row.id)
    return Page[StatusReportOut](items=[StatusReportOut.of(r) for r in page], next_cursor=next_cursor, limit=limit)


class OfferOut(BaseModel):
    sku: str
    sku_title: str
    supplier: str
    supplier_name: str
    unit_cost: str
    currency: str
    moq: int
    lead_time_days: int
    lead_time_p90_days: int | None
    priority: int

    @classmethod
    def of(cls, line: OfferLine) -> OfferOut:
        return cls(**line.__dict__)


class OfferWithAlternativesOut(OfferOut):
    alternatives: list[OfferOut]


@router.get(
    "/suppliers/{code}/offers",
    response_model=Page[OfferWithAlternativesOut],
    summary="The SKUs a supplier offers, each with the other suppliers' offers for it",
)
@on_the_loop
def list_offers(
    code: SupplierCode, access: ReadShop, session: DbSession, limit: Limit = 50, cursor: Cursor = None
) -> Page[OfferWithAlternativesOut]:
    supplier = get_supplier(session, shop_id=access.shop.id, code=code)
    offset = cursor_value(cursor) or 0
    lines, total = offers_with_alternatives(
        session, shop_id=access.shop.id, supplier_id=supplier.id, offset=offset, limit=limit
    )
    items = [
        OfferWithAlternativesOut(**line.__dict__, alternatives=[OfferOut.of(a) for a in others])
        for line, others in lines
    ]
    next_cursor = str(offset + limit) if offset + limit < total else None
    return Page[OfferWithAlternativesOut](items=items, next_cursor=next_cursor, limit=limit)
