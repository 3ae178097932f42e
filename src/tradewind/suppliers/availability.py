"""Whether a supplier can take an order today (operating, closed until a day, or uncertain), and why: its last
status report, a closure it announced, the calendar's Spring Festival factory closure (from the `holidays`
package), and how long it has not answered. Planning's lead times (`planning.lead_time`) and the suppliers'
overview read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

from tradewind.config import Settings
from tradewind.suppliers.models import Supplier, SupplierStatus, SupplierStatusReport
from tradewind.wording import Day, Number, Phrase, phrase

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
    words: Phrase  # the evidence, in the reader's language
    silent_hours: float | None = None
    # Closures the supplier announced that have not ended yet: (first closed day, reopening day).
    announced_closures: tuple[tuple[date, date], ...] = ()

    @property
    def reason(self) -> str:
        return self.words.english()


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
    announced = announced_closure(report, today)
    closes_later = announced is not None and announced[0] > today
    if announced is not None and not closes_later:
        return SupplierState(
            supplier.id,
            Availability.CLOSED,
            announced[1],
            _closed_until(announced[1], report)
            if report is not None
            else phrase("closed until %(day)s", day=Day(announced[1], "day_month")),
        )
    if report is not None and report.status == SupplierStatus.CLOSED and not closes_later:
        reopening = max((d for d in (report.reopens_on, report.restock_on) if d is not None), default=None)
        if reopening is None:
            return SupplierState(
                supplier.id,
                Availability.CLOSED,
                today + timedelta(days=settings.closed_without_date_days),
                phrase(
                    "closed since %(day)s, no reopening date (%(source)s)",
                    day=Day(report.closed_from or report.reported_on),
                    source=report.source,
                ),
            )
        if reopening > today:
            return SupplierState(supplier.id, Availability.CLOSED, reopening, _closed_until(reopening, report))
    # A closure announced for later moves the arrival of the orders that meet it (offer_lead_time), and replaces
    # the calendar's guess at the Spring Festival.
    ahead = (announced,) if announced is not None else ()
    closure = spring_festival_closure(supplier.calendar, today, settings)
    if closure is not None and any(a < closure[1] and closure[0] < b for a, b in ahead):
        closure = None
    reported_open_in_closure = (
        report is not None
        and report.status == SupplierStatus.OPERATING
        and closure is not None
        and report.reported_on >= closure[0]
    )
    if closure is not None and closure[0] <= today < closure[1] and not reported_open_in_closure:
        return SupplierState(
            supplier.id,
            Availability.CLOSED,
            closure[1],
            phrase("Spring Festival closure until %(day)s (calendar)", day=Day(closure[1], "day_month")),
        )
    silent_hours = (now - silent_since).total_seconds() / 3600 if silent_since is not None else None
    if silent_since is not None and silent_hours is not None and silent_hours >= settings.supplier_silence_hours:
        return SupplierState(
            supplier.id,
            Availability.UNCERTAIN,
            today,
            phrase(
                "not answering for %(days)s days (last message %(day)s)",
                days=Number.of(silent_hours / 24, 1, grouped=False),
                day=Day(silent_since.date(), "day_month"),
            ),
            silent_hours,
            ahead,
        )
    if report is not None and report.status == SupplierStatus.UNKNOWN:
        unknown = phrase("status unknown since %(day)s", day=Day(report.reported_on, "day_month"))
        return SupplierState(supplier.id, Availability.UNCERTAIN, today, unknown, None, ahead)
    return SupplierState(
        supplier.id, Availability.OPERATING, today, AVAILABILITY_WORDS[Availability.OPERATING], None, ahead
    )


# The availabilities as a sentence says them ("is closed").
AVAILABILITY_WORDS = {
    Availability.OPERATING: phrase("operating"),
    Availability.CLOSED: phrase("closed"),
    Availability.UNCERTAIN: phrase("uncertain"),
}


def _closed_until(reopening: date, report: SupplierStatusReport) -> Phrase:
    """ "closed until 28 Dec (supplier (WeChat), reported 04 Dec) — the supplier's note", the note as written."""
    return phrase(
        "closed until %(day)s (%(source)s, reported %(reported)s)%(note)s",
        day=Day(reopening, "day_month"),
        source=report.source,
        reported=Day(report.reported_on, "day_month"),
        note=f" — {report.note}" if report.note else "",
    )


def announced_closure(report: SupplierStatusReport | None, today: date) -> tuple[date, date] | None:
    """The closure a status report announces ("closed from … to …"), when it has a reopening day after today."""
    if report is None or report.closed_from is None:
        return None
    reopening = max((d for d in (report.reopens_on, report.restock_on) if d is not None), default=None)
    if reopening is None or reopening <= today or reopening <= report.closed_from:
        return None
    return report.closed_from, reopening


def holidays_while_processing(supplier: Supplier, start: date) -> int:
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
