"""Suppliers, their offers per SKU, their latest status and their messages: the suppliers domain's public surface
(with its records in models.py and its published figures in schemas.py)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.errors import NotFoundError, ValidationError
from tradewind.shops.models import Shop

# A supplier's availability as its neighbours read it (planning's lead times and plan): its state, the words for it
# and the holidays that close its factory, made in suppliers/availability.py.
from tradewind.suppliers.availability import AVAILABILITY_WORDS as AVAILABILITY_WORDS
from tradewind.suppliers.availability import Availability as Availability
from tradewind.suppliers.availability import SupplierState as SupplierState
from tradewind.suppliers.availability import holidays_while_processing as holidays_while_processing
from tradewind.suppliers.availability import spring_festival_closure as spring_festival_closure
from tradewind.suppliers.availability import supplier_state as supplier_state

# Which suppliers need a check today and why, and who answers fastest (messaging drafts the messages), made in
# suppliers/checks.py.
from tradewind.suppliers.checks import CheckReason as CheckReason
from tradewind.suppliers.checks import CheckRules as CheckRules
from tradewind.suppliers.checks import SupplierCheck as SupplierCheck
from tradewind.suppliers.checks import SupplierRoster as SupplierRoster
from tradewind.suppliers.checks import check_reason as check_reason
from tradewind.suppliers.checks import checks_due as checks_due
from tradewind.suppliers.checks import fastest_responder as fastest_responder
from tradewind.suppliers.checks import offered_skus as offered_skus
from tradewind.suppliers.checks import value_at_risk as value_at_risk
from tradewind.suppliers.models import (
    MessageDirection,
    Supplier,
    SupplierMessage,
    SupplierStatusReport,
    SupplyOffer,
)


def offers_by_sku(session: Session, *, shop_id: int, sku_id: int | None = None) -> dict[int, list[SupplyOffer]]:
    """Live offers of active suppliers per SKU id (of one SKU when `sku_id` is given), preferred first (priority,
    then cost, then supplier id)."""
    query = (
        select(SupplyOffer)
        .join(Supplier, Supplier.id == SupplyOffer.supplier_id)
        .where(SupplyOffer.shop_id == shop_id, SupplyOffer.active, Supplier.active)
        .order_by(SupplyOffer.sku_id, SupplyOffer.priority, SupplyOffer.unit_cost, SupplyOffer.supplier_id)
    )
    if sku_id is not None:
        query = query.where(SupplyOffer.sku_id == sku_id)
    rows = session.scalars(query)
    offers: dict[int, list[SupplyOffer]] = {}
    for offer in rows:
        offers.setdefault(offer.sku_id, []).append(offer)
    return offers


def suppliers_by_id(
    session: Session, *, shop_id: int, supplier_ids: Sequence[int] | None = None
) -> dict[int, Supplier]:
    query = select(Supplier).where(Supplier.shop_id == shop_id)
    if supplier_ids is not None:
        query = query.where(Supplier.id.in_(list(supplier_ids)))
    return {s.id: s for s in session.scalars(query)}


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


def status_reports_page(
    session: Session, *, shop_id: int, supplier_id: int, limit: int, before_id: int | None = None
) -> list[SupplierStatusReport]:
    """Up to `limit` of a supplier's status reports, newest first (by id, the order they were learned in), with id
    below `before_id` when given: a keyset page of what the seller learned about the supplier."""
    query = select(SupplierStatusReport).where(
        SupplierStatusReport.shop_id == shop_id, SupplierStatusReport.supplier_id == supplier_id
    )
    if before_id is not None:
        query = query.where(SupplierStatusReport.id < before_id)
    return list(session.scalars(query.order_by(SupplierStatusReport.id.desc()).limit(limit)))


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


@dataclass(frozen=True)
class ResponseTimes:
    """How fast a supplier answers: the hours from each question (the first outgoing message after the supplier's
    last word) to the supplier's next message, in the order of the replies; and when the question still waiting
    for an answer was asked. The one place for a supplier's reply times: the brief, the supplier pages, the API
    and `tradewind supplier-status` all read these figures."""

    hours: tuple[float, ...] = ()
    waiting_since: datetime | None = None

    @property
    def answered(self) -> int:
        return len(self.hours)

    @property
    def median_hours(self) -> float | None:
        """The median reply time (the mean of the two middle ones for an even count)."""
        return statistics.median(self.hours) if self.hours else None

    @property
    def p90_hours(self) -> float | None:
        ordered = sorted(self.hours)
        return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] if ordered else None

    @property
    def last_hours(self) -> float | None:
        return self.hours[-1] if self.hours else None


def response_times(messages: Iterable[tuple[datetime, int, MessageDirection]]) -> ResponseTimes:
    """A supplier's reply times from its thread, given as (sent at, message id, direction) in any order."""
    hours: list[float] = []
    waiting: datetime | None = None
    for sent_at, _, direction in sorted(messages, key=lambda m: (m[0], m[1])):
        if direction == MessageDirection.OUTGOING:
            waiting = waiting or sent_at
        elif waiting is not None:
            hours.append((sent_at - waiting).total_seconds() / 3600)
            waiting = None
    return ResponseTimes(tuple(hours), waiting)


def thread_response_times(messages: Iterable[SupplierMessage]) -> ResponseTimes:
    """`response_times` of loaded messages (one supplier's)."""
    return response_times((m.sent_at, m.id, m.direction) for m in messages)


def response_times_by_supplier(session: Session, *, shop_id: int) -> dict[int, ResponseTimes]:
    """`response_times` of every supplier of the shop that has a message (read as columns)."""
    threads: dict[int, list[tuple[datetime, int, MessageDirection]]] = {}
    rows = session.execute(
        select(
            SupplierMessage.supplier_id, SupplierMessage.sent_at, SupplierMessage.id, SupplierMessage.direction
        ).where(SupplierMessage.shop_id == shop_id)
    )
    for supplier_id, sent_at, message_id, direction in rows:
        threads.setdefault(supplier_id, []).append((sent_at, message_id, direction))
    return {supplier_id: response_times(thread) for supplier_id, thread in threads.items()}


def supplier_roster(session: Session, *, shop_id: int, today: date) -> SupplierRoster:
    """The shop's active suppliers and what a check of each reads (see `SupplierRoster`)."""
    suppliers = tuple(
        session.scalars(select(Supplier).where(Supplier.shop_id == shop_id, Supplier.active).order_by(Supplier.code))
    )
    if not suppliers:
        return SupplierRoster((), {}, {}, {})
    times = response_times_by_supplier(session, shop_id=shop_id)
    return SupplierRoster(
        suppliers=suppliers,
        skus=offered_skus(session, shop_id=shop_id),
        times={s.id: times.get(s.id, ResponseTimes()) for s in suppliers},
        reports=latest_status_reports(session, shop_id=shop_id, as_of=today),
    )


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


def record_supplier_message(
    session: Session,
    *,
    shop: Shop,
    supplier_code: str,
    direction: MessageDirection,
    text: str,
    at: datetime,
    language: str | None = None,
) -> SupplierMessage:
    """One message to (`outgoing`) or from (`incoming`) a supplier, at the time it was sent."""
    if not text.strip():
        raise ValidationError("a supplier message needs some text")
    if at.tzinfo is None:
        raise ValidationError("the time of a supplier message must carry its timezone")
    supplier = get_supplier(session, shop_id=shop.id, code=supplier_code)
    message = SupplierMessage(
        shop_id=shop.id,
        supplier_id=supplier.id,
        direction=direction,
        sent_at=at,
        language=language or (supplier.language if direction == MessageDirection.OUTGOING else None),
        body=text.strip(),
        created_at=at,
    )
    session.add(message)
    session.flush()
    return message
