"""Suppliers as the seller checks them: can each one take an order today (operating / closed / uncertain, and why:
`availability.supplier_state`), their last status report (restock date), how fast they answer, and per SKU the
alternatives. The API's supplier endpoints, the dashboard's Suppliers page and the figure cache's
`server.figures.suppliers_today` read them here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradewind.catalog.models import Sku
from tradewind.config import Settings
from tradewind.suppliers.availability import SupplierState, supplier_state
from tradewind.suppliers.models import (
    Supplier,
    SupplierStatusReport,
    SupplyOffer,
)
from tradewind.suppliers.schemas import supplier_figures
from tradewind.suppliers.service import (
    ResponseTimes,
    get_supplier,
    latest_status_reports,
    response_times_by_supplier,
    unanswered_since,
)


@dataclass(frozen=True)
class SupplierOverview:
    supplier: Supplier
    state: SupplierState
    report: SupplierStatusReport | None
    responses: ResponseTimes
    skus_offered: int
    skus_preferred: int


def _offer_counts(session: Session, shop_id: int) -> dict[int, tuple[int, int]]:
    counts: dict[int, list[int]] = {}
    rows = session.execute(
        select(SupplyOffer.supplier_id, SupplyOffer.priority).where(SupplyOffer.shop_id == shop_id, SupplyOffer.active)
    )
    for supplier_id, priority in rows:
        entry = counts.setdefault(supplier_id, [0, 0])
        entry[0] += 1
        entry[1] += 1 if priority == 1 else 0
    return {k: (v[0], v[1]) for k, v in counts.items()}


def supplier_overviews(
    session: Session, *, shop_id: int, today: date, now: datetime, settings: Settings
) -> list[SupplierOverview]:
    suppliers = list(session.scalars(select(Supplier).where(Supplier.shop_id == shop_id).order_by(Supplier.code)))
    reports = latest_status_reports(session, shop_id=shop_id, as_of=today)
    silent = unanswered_since(session, shop_id=shop_id)
    times = response_times_by_supplier(session, shop_id=shop_id)
    offers = _offer_counts(session, shop_id)
    empty = ResponseTimes()
    return [
        SupplierOverview(
            supplier=s,
            state=supplier_state(s, reports.get(s.id), silent.get(s.id), today=today, now=now, settings=settings),
            report=reports.get(s.id),
            responses=times.get(s.id, empty),
            skus_offered=offers.get(s.id, (0, 0))[0],
            skus_preferred=offers.get(s.id, (0, 0))[1],
        )
        for s in suppliers
    ]


def supplier_overview(
    session: Session, *, shop_id: int, code: str, today: date, now: datetime, settings: Settings
) -> SupplierOverview:
    wanted = get_supplier(session, shop_id=shop_id, code=code)
    return next(
        o
        for o in supplier_overviews(session, shop_id=shop_id, today=today, now=now, settings=settings)
        if o.supplier.id == wanted.id
    )


@dataclass(frozen=True)
class OfferLine:
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


def offers_with_alternatives(
    session: Session, *, shop_id: int, supplier_id: int, offset: int = 0, limit: int = 50
) -> tuple[list[tuple[OfferLine, list[OfferLine]]], int]:
    """The SKUs a supplier offers, each with every other supplier's offer for it (its alternatives)."""
    where = (SupplyOffer.shop_id == shop_id, SupplyOffer.supplier_id == supplier_id, SupplyOffer.active)
    page = list(
        session.execute(
            select(SupplyOffer, Sku)
            .join(Sku, Sku.id == SupplyOffer.sku_id)
            .where(*where)
            .order_by(Sku.code)
            .offset(offset)
            .limit(limit)
        )
    )
    total = int(session.scalar(select(func.count()).select_from(SupplyOffer).where(*where)) or 0)
    sku_ids = [sku.id for _, sku in page]
    others: dict[int, list[OfferLine]] = {}
    if sku_ids:
        rows = session.execute(
            select(SupplyOffer, Sku, Supplier)
            .join(Sku, Sku.id == SupplyOffer.sku_id)
            .join(Supplier, Supplier.id == SupplyOffer.supplier_id)
            .where(
                SupplyOffer.shop_id == shop_id,
                SupplyOffer.sku_id.in_(sku_ids),
                SupplyOffer.supplier_id != supplier_id,
                SupplyOffer.active,
                Supplier.active,
            )
            .order_by(SupplyOffer.sku_id, SupplyOffer.priority, SupplyOffer.unit_cost)
        )
        for offer, sku, supplier in rows:
            others.setdefault(sku.id, []).append(_line(offer, sku, supplier))
    owner = session.get(Supplier, supplier_id)
    assert owner is not None
    return [(_line(offer, sku, owner), others.get(sku.id, [])) for offer, sku in page], total


def _line(offer: SupplyOffer, sku: Sku, supplier: Supplier) -> OfferLine:
    return OfferLine(
        sku=sku.code,
        sku_title=sku.title,
        supplier=supplier.code,
        supplier_name=supplier.name,
        unit_cost=str(offer.unit_cost),
        currency=offer.currency,
        moq=offer.moq,
        lead_time_days=offer.lead_time_days,
        lead_time_p90_days=offer.lead_time_p90_days,
        priority=offer.priority,
    )


def offers_for_sku(session: Session, *, shop_id: int, sku_id: int) -> list[OfferLine]:
    """The live supply offers of one SKU, preferred first (columns only: the SKU page reads them on every view)."""
    rows = session.execute(
        select(
            Sku.code,
            Sku.title,
            Supplier.code,
            Supplier.name,
            SupplyOffer.unit_cost,
            SupplyOffer.currency,
            SupplyOffer.moq,
            SupplyOffer.lead_time_days,
            SupplyOffer.lead_time_p90_days,
            SupplyOffer.priority,
        )
        .join(Sku, Sku.id == SupplyOffer.sku_id)
        .join(Supplier, Supplier.id == SupplyOffer.supplier_id)
        .where(SupplyOffer.shop_id == shop_id, SupplyOffer.sku_id == sku_id, SupplyOffer.active)
        .order_by(SupplyOffer.priority, SupplyOffer.unit_cost)
    )
    return [
        OfferLine(
            sku=code,
            sku_title=title,
            supplier=supplier,
            supplier_name=supplier_name,
            unit_cost=str(cost),
            currency=currency,
            moq=moq,
            lead_time_days=lead,
            lead_time_p90_days=lead_p90,
            priority=rank,
        )
        for code, title, supplier, supplier_name, cost, currency, moq, lead, lead_p90, rank in rows
    ]


def overview_figures(o: SupplierOverview) -> dict[str, Any]:
    """A supplier's state today as every face publishes it (`suppliers.schemas.SUPPLIER`)."""
    return supplier_figures(
        o.supplier,
        availability=o.state.availability.value,
        reason=o.state.words,
        can_start_on=o.state.starts_on,
        report=o.report,
        responses=o.responses,
        skus_offered=o.skus_offered,
        skus_preferred=o.skus_preferred,
    )
