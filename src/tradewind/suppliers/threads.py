"""Supplier threads: messages sent to and received from each supplier, response times (median, last, unanswered for
how long), and the status the seller learns from the replies (operating, closed until a day, restock on a day).

The planning engine reads what this records: `SupplierStatusReport` rows and unanswered outgoing `SupplierMessage`s
(a supplier silent for too long is uncertain, not available).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.errors import ValidationError
from tradewind.shops.models import Shop
from tradewind.suppliers.models import (
    Supplier,
    SupplierMessage,
    SupplierStatus,
    SupplierStatusReport,
)
from tradewind.suppliers.schemas import RESPONSE_TIMES
from tradewind.suppliers.service import get_supplier, latest_status_reports, thread_response_times


def report_supplier_status(
    session: Session,
    *,
    shop: Shop,
    supplier_code: str,
    today: date,
    closed_until: date | None = None,
    restock_on: date | None = None,
    status: SupplierStatus | None = None,
    note: str | None = None,
    source: str = "seller",
) -> SupplierStatusReport:
    """What the seller learned today: closed until a day (operating again from it), restock on a day, or a plain
    status. The planning engine uses the latest report."""
    supplier = get_supplier(session, shop_id=shop.id, code=supplier_code)
    if closed_until is not None and closed_until <= today:
        raise ValidationError(f"--closed-until must be after today ({today}); for a supplier working again, omit it")
    if restock_on is not None and closed_until is not None and restock_on < closed_until:
        raise ValidationError("the restock date comes before the reopening date")
    if status is None:
        status = SupplierStatus.CLOSED if closed_until is not None else SupplierStatus.OPERATING
    if status == SupplierStatus.CLOSED and closed_until is None and restock_on is None and not note:
        raise ValidationError("a closed supplier needs --closed-until, --restock-on or a --note saying what is known")
    report = SupplierStatusReport(
        shop_id=shop.id,
        supplier_id=supplier.id,
        reported_on=today,
        status=status,
        closed_from=today if status == SupplierStatus.CLOSED else None,
        reopens_on=closed_until,
        restock_on=restock_on,
        source=source,
        note=note,
    )
    session.add(report)
    session.flush()
    return report


@dataclass(frozen=True)
class ThreadStatistics:
    supplier: str
    name: str
    messages: int
    answered: int
    median_response_hours: float | None
    last_response_hours: float | None
    unanswered_since: datetime | None
    unanswered_hours: float | None
    last_message_at: datetime | None
    status: str | None
    reported_on: date | None
    reopens_on: date | None
    restock_on: date | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "supplier": self.supplier,
            "name": self.name,
            "messages": self.messages,
            "answered": self.answered,
            "median_response_hours": self.median_response_hours,
            "last_response_hours": self.last_response_hours,
            "unanswered_since": self.unanswered_since.isoformat() if self.unanswered_since else None,
            "unanswered_hours": self.unanswered_hours,
            "last_message_at": self.last_message_at.isoformat() if self.last_message_at else None,
            "status": self.status,
            "reported_on": self.reported_on.isoformat() if self.reported_on else None,
            "reopens_on": self.reopens_on.isoformat() if self.reopens_on else None,
            "restock_on": self.restock_on.isoformat() if self.restock_on else None,
        }


def thread_statistics(
    session: Session, *, shop: Shop, now: datetime, supplier_code: str | None = None
) -> list[ThreadStatistics]:
    """Per supplier: how fast it answers, whether a question waits, and its latest status."""
    query = select(Supplier).where(Supplier.shop_id == shop.id).order_by(Supplier.code)
    if supplier_code is not None:
        query = query.where(Supplier.id == get_supplier(session, shop_id=shop.id, code=supplier_code).id)
    suppliers = list(session.scalars(query))
    threads: dict[int, list[SupplierMessage]] = {s.id: [] for s in suppliers}
    for message in session.scalars(
        select(SupplierMessage).where(
            SupplierMessage.shop_id == shop.id, SupplierMessage.supplier_id.in_(list(threads))
        )
    ):
        threads[message.supplier_id].append(message)
    reports = latest_status_reports(session, shop_id=shop.id, as_of=now.date(), supplier_ids=list(threads))
    found = []
    for supplier in suppliers:
        thread = threads[supplier.id]
        times = thread_response_times(thread)
        median, last, waiting = times.median_hours, times.last_hours, times.waiting_since
        report = reports.get(supplier.id)
        found.append(
            ThreadStatistics(
                supplier=supplier.code,
                name=supplier.name,
                messages=len(thread),
                answered=times.answered,
                # Reply hours as the supplier's figures round them (`suppliers.schemas.RESPONSE_TIMES`).
                median_response_hours=RESPONSE_TIMES.round("median_hours", median),
                last_response_hours=RESPONSE_TIMES.round("last_hours", last),
                unanswered_since=waiting,
                unanswered_hours=round((now - waiting).total_seconds() / 3600, 1) if waiting else None,
                last_message_at=max((m.sent_at for m in thread), default=None),
                status=report.status.value if report else None,
                reported_on=report.reported_on if report else None,
                reopens_on=report.reopens_on if report else None,
                restock_on=report.restock_on if report else None,
            )
        )
    return found


def supplier_thread(session: Session, *, shop: Shop, supplier_code: str) -> list[SupplierMessage]:
    supplier = get_supplier(session, shop_id=shop.id, code=supplier_code)
    return list(
        session.scalars(
            select(SupplierMessage)
            .where(SupplierMessage.shop_id == shop.id, SupplierMessage.supplier_id == supplier.id)
            .order_by(SupplierMessage.sent_at, SupplierMessage.id)
        )
    )


# --- dates in a supplier's reply ------------------------------------------------------------------------------------

_ISO = re.compile(r"(20\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_REOPEN = re.compile(r"复工|开工|上班|营业|reopen|back to work|resume|open again|return", re.IGNORECASE)
_RESTOCK = re.compile(r"发货|出货|补货|到货|有货|restock|ship|deliver|in stock", re.IGNORECASE)


@dataclass(frozen=True)
class StatusHint:
    """Dates a supplier's reply seems to give, for the seller to confirm with `tradewind supplier status`."""

    closed_until: date | None
    restock_on: date | None

    @property
    def found(self) -> bool:
        return self.closed_until is not None or self.restock_on is not None


def status_hint(text: str, *, today: date) -> StatusHint:
    """Read 'we reopen on 2026-02-24, can ship around 3月2日' into (closed_until, restock_on). The first date near a
    reopening word is the reopening, the first near a shipping word the restock; nothing is stored."""
    found: list[tuple[int, date]] = []
    for match in _ISO.finditer(text):
        day = _safe_date(int(match[1]), int(match[2]), int(match[3]))
        if day:
            found.append((match.start(), day))
    for match in _MONTH_DAY.finditer(text):
        if any(abs(match.start() - start) < 6 for start, _ in found):
            continue
        year = today.year
        day = _safe_date(year, int(match[1]), int(match[2]))
        if day and day < today:
            day = _safe_date(year + 1, int(match[1]), int(match[2]))
        if day:
            found.append((match.start(), day))
    found.sort()
    closed_until = restock_on = None
    for start, day in found:
        after = text[start : start + 24]
        before = text[max(0, start - 24) : start]
        window = before + after
        if closed_until is None and _REOPEN.search(window) and day > today:
            closed_until = day
        elif restock_on is None and _RESTOCK.search(window):
            restock_on = day
    return StatusHint(closed_until, restock_on)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
