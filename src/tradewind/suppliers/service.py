"""Suppliers, their offers per SKU and their latest status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.errors import NotFoundError
from tradewind.suppliers.models import (
    MessageDirection,
    Supplier,
    SupplierMessage,
    SupplierStatusReport,
    SupplyOffer,
)


def offers_by_sku(session: Session, *, shop_id: int) -> dict[int, list[SupplyOffer]]:
    """Live offers of active suppliers per SKU id, preferred first (priority, then cost, then supplier id)."""
    rows = session.scalars(
        select(SupplyOffer)
        .join(Supplier, Supplier.id == SupplyOffer.supplier_id)
        .where(SupplyOffer.shop_id == shop_id, SupplyOffer.active, Supplier.active)
        .order_by(SupplyOffer.sku_id, SupplyOffer.priority, SupplyOffer.unit_cost, SupplyOffer.supplier_id)
    )
    offers: dict[int, list[SupplyOffer]] = {}
    for offer in rows:
        offers.setdefault(offer.sku_id, []).append(offer)
    return offers


def suppliers_by_id(session: Session, *, shop_id: int) -> dict[int, Supplier]:
    return {s.id: s for s in session.scalars(select(Supplier).where(Supplier.shop_id == shop_id))}


def get_supplier(session: Session, *, shop_id: int, code: str) -> Supplier:
    supplier = session.scalar(select(Supplier).where(Supplier.shop_id == shop_id, Supplier.code == code))
    if supplier is None:
        raise NotFoundError(f"no supplier {code!r} in this shop", details={"supplier": code})
    return supplier


def latest_status_reports(
    session: Session, *, shop_id: int, as_of: date, supplier_ids: Sequence[int] | None = None
) -> dict[int, SupplierStatusReport]:
    """The most recent status report per supplier known on `as_of`."""
    query = (
        select(SupplierStatusReport)
        .where(SupplierStatusReport.shop_id == shop_id, SupplierStatusReport.reported_on <= as_of)
        .order_by(SupplierStatusReport.supplier_id, SupplierStatusReport.reported_on, SupplierStatusReport.id)
    )
    if supplier_ids is not None:
        query = query.where(SupplierStatusReport.supplier_id.in_(list(supplier_ids)))
    latest: dict[int, SupplierStatusReport] = {}
    for report in session.scalars(query):
        latest[report.supplier_id] = report
    return latest


def unanswered_since(session: Session, *, shop_id: int) -> dict[int, datetime]:
    """Per supplier, the first outgoing message still waiting for a reply (none when the last word was theirs)."""
    rows = session.execute(
        select(SupplierMessage.supplier_id, SupplierMessage.direction, SupplierMessage.sent_at)
        .where(SupplierMessage.shop_id == shop_id)
        .order_by(SupplierMessage.supplier_id, SupplierMessage.sent_at, SupplierMessage.id)
    )
    waiting: dict[int, datetime] = {}
    for supplier_id, direction, sent_at in rows:
        if direction == MessageDirection.INCOMING:
            waiting.pop(supplier_id, None)
        else:
            waiting.setdefault(supplier_id, sent_at)
    return waiting


def make_preferred(session: Session, *, shop_id: int, sku_id: int, supplier_id: int) -> bool:
    """Make `supplier_id` the SKU's preferred source (priority 1), moving the others down; False if it was."""
    offers = list(
        session.scalars(
            select(SupplyOffer)
            .where(SupplyOffer.shop_id == shop_id, SupplyOffer.sku_id == sku_id)
            .order_by(SupplyOffer.priority, SupplyOffer.id)
        )
    )
    target = next((o for o in offers if o.supplier_id == supplier_id), None)
    if target is None:
        raise NotFoundError("that supplier has no offer for this SKU", details={"supplier": supplier_id})
    if offers[0] is target and (len(offers) == 1 or offers[1].priority > target.priority):
        return False
    for rank, offer in enumerate([target] + [o for o in offers if o is not target], start=1):
        offer.priority = rank
    return True
