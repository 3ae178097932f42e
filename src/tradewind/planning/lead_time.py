"""Lead time that knows about disruption: when a supplier can start (open, closed until a date, silent), its
calendar (public holidays and the Spring Festival factory closure from the `holidays` package), its own
processing time and the transit to the warehouse, as a distribution (mean and p90), never a constant.

A supplier that has not answered for days, or whose status is unknown, is treated as uncertain: its lead time
keeps its mean but its p90 widens, so plans stop leaning on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

from tradewind.config import Settings
from tradewind.suppliers.models import Supplier, SupplierStatus, SupplierStatusReport, SupplyOffer

SPRING_FESTIVAL = "Spring Festival"


class Availability(StrEnum):
    OPERATING = "operating"
    CLOSED = "closed"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True)
class SupplierState:
    """Whether a supplier can take an order today, from when, and on what evidence."""

    supplier_id: int
    availability: Availability
    starts_on: date  # first day the supplier can start work on a new order
    reason: str
    silent_hours: float | None = None


@dataclass(frozen=True)
class LeadTime:
    """Days from ordering today to goods in the warehouse."""

    mean_days: float
    p90_days: float
    availability: Availability
    notes: tuple[str, ...]

    def arrival(self, today: date) -> tuple[date, date]:
        return today + timedelta(days=math.ceil(self.mean_days)), today + timedelta(days=math.ceil(self.p90_days))


@lru_cache(maxsize=64)
def _calendar(country: str, year: int) -> dict[date, str]:
    try:
        return dict(holidays.country_holidays(country, years=[year - 1, year, year + 1]).items())
    except NotImplementedError:
        return {}


def spring_festival_closure(calendar: str | None, around: date, settings: Settings) -> tuple[date, date] | None:
    """The factory closure around the Chinese New Year nearest `around` (CN calendars only)."""
    if calendar is None or calendar.upper() not in ("CN", "TW", "HK"):
        return None
    days = sorted(day for day, name in _calendar(calendar.upper(), around.year).items() if SPRING_FESTIVAL in name)
    if not days:
        return None
    new_year = min(days, key=lambda day: abs((day - around).days))
    return (
        new_year - timedelta(days=settings.spring_festival_close_before_days),
        new_year + timedelta(days=settings.spring_festival_reopen_after_days),
    )


def supplier_state(
    supplier: Supplier,
    report: SupplierStatusReport | None,
    silent_since: datetime | None,
    *,
    today: date,
    now: datetime,
    settings: Settings,
) -> SupplierState:
    """What the seller knows today about whether `supplier` can work on an order."""
    if report is not None and report.status == SupplierStatus.CLOSED:
        reopening = max((d for d in (report.reopens_on, report.restock_on) if d is not None), default=None)
        if reopening is None:
            return SupplierState(
                supplier.id,
                Availability.CLOSED,
                today + timedelta(days=settings.closed_without_date_days),
                f"closed since {report.closed_from or report.reported_on}, no reopening date ({report.source})",
            )
        if reopening > today:
            note = f" — {report.note}" if report.note else ""
            return SupplierState(
                supplier.id,
                Availability.CLOSED,
                reopening,
                f"closed until {reopening:%d %b} ({report.source}, reported {report.reported_on:%d %b}){note}",
            )
    closure = spring_festival_closure(supplier.calendar, today, settings)
    reported_open_in_closure = (
        report is not None
        and report.status == SupplierStatus.OPERATING
        and closure is not None
        and report.reported_on >= closure[0]
    )
    if closure is not None and closure[0] <= today < closure[1] and not reported_open_in_closure:
        return SupplierState(
            supplier.id, Availability.CLOSED, closure[1], f"Spring Festival closure until {closure[1]:%d %b} (calendar)"
        )
    silent_hours = (now - silent_since).total_seconds() / 3600 if silent_since is not None else None
    if silent_hours is not None and silent_hours >= settings.supplier_silence_hours:
        return SupplierState(
            supplier.id,
            Availability.UNCERTAIN,
            today,
            f"not answering for {silent_hours / 24:.1f} days (last message {silent_since:%d %b})",
            silent_hours,
        )
    if report is not None and report.status == SupplierStatus.UNKNOWN:
        return SupplierState(
            supplier.id, Availability.UNCERTAIN, today, f"status unknown since {report.reported_on:%d %b}"
        )
    return SupplierState(supplier.id, Availability.OPERATING, today, "operating")


def offer_lead_time(
    offer: SupplyOffer, supplier: Supplier, state: SupplierState, *, today: date, settings: Settings
) -> LeadTime:
    """Mean and p90 days from ordering today to arrival, with the reasons for every day added."""
    notes: list[str] = []
    wait = max(0, (state.starts_on - today).days)
    if wait:
        notes.append(f"+{wait} d: {state.reason}")
    start = today + timedelta(days=wait)
    holiday_days = _holidays_while_processing(supplier, start, settings)
    if holiday_days:
        notes.append(f"+{holiday_days} d: public holidays while the order is made")
    closure = spring_festival_closure(supplier.calendar, start, settings)
    festival_days = 0
    if closure is not None and state.availability != Availability.CLOSED:
        ships = start + timedelta(days=supplier.processing_days + holiday_days)
        if start < closure[1] and ships > closure[0]:
            festival_days = max(0, (closure[1] - max(start, closure[0])).days)
            notes.append(f"+{festival_days} d: Spring Festival closure {closure[0]:%d %b}–{closure[1]:%d %b}")
    base_mean = float(offer.lead_time_days)
    base_p90 = float(offer.lead_time_p90_days or math.ceil(base_mean * 1.3))
    extra = float(wait + holiday_days + festival_days)
    spread = 0.0
    if state.availability == Availability.UNCERTAIN:
        spread = max(float(settings.uncertain_extra_days), 0.5 * base_mean)
        notes.append(f"p90 +{spread:.0f} d: {state.reason}")
    return LeadTime(base_mean + extra, max(base_p90, base_mean) + extra + spread, state.availability, tuple(notes))


def _holidays_while_processing(supplier: Supplier, start: date, settings: Settings) -> int:
    """Public holidays (other than the Spring Festival, counted as a closure) within the processing days."""
    if not supplier.calendar:
        return 0
    calendar = _calendar(supplier.calendar.upper(), start.year)
    holiday_count, day, worked = 0, start, 0
    for _ in range(366):  # bounded: a calendar is never all holidays
        if worked >= supplier.processing_days:
            break
        name = calendar.get(day)
        if name is not None and SPRING_FESTIVAL not in name:
            holiday_count += 1
        else:
            worked += 1
        day += timedelta(days=1)
    return holiday_count
