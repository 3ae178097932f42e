"""Lead time that knows about disruption: when a supplier can start (open, closed until a date, silent), its
calendar (public holidays and the Spring Festival factory closure from the `holidays` package), its own
processing time and the transit to the warehouse, as a distribution (mean and p90), never a constant.

A supplier that has not answered for days, or whose status is unknown, is treated as uncertain: its lead time
keeps its mean but its p90 widens, so plans stop leaning on it.

A closure the supplier announced ("closed from … to …") stops the whole order: the factory does not produce and
its couriers and forwarders do not move goods, so an order whose way to the warehouse meets it waits for the
reopening and never arrives inside it. Without an announcement, the calendar's Spring Festival closure (a guess at
the factory's break) holds up the order only while it is being made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from tradewind.config import Settings
from tradewind.suppliers.models import Supplier, SupplyOffer
from tradewind.suppliers.service import (
    Availability,
    SupplierState,
    holidays_while_processing,
    spring_festival_closure,
)
from tradewind.wording import Day, Joined, Number, Phrase, phrase


@dataclass(frozen=True)
class LeadTime:
    """Days from ordering today to goods in the warehouse."""

    mean_days: float
    p90_days: float
    availability: Availability
    note_phrases: tuple[Phrase, ...]  # the reason for every day added, in the reader's language

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(note.english() for note in self.note_phrases)

    @property
    def notes_phrase(self) -> Joined:
        """The notes in one line, "; " between them."""
        return Joined(self.note_phrases, "; ")

    def arrival(self, today: date) -> tuple[date, date]:
        return today + timedelta(days=math.ceil(self.mean_days)), today + timedelta(days=math.ceil(self.p90_days))


def normal_lead_time(offer: SupplyOffer) -> tuple[float, float]:
    """The offer's own mean and p90 days, without any closure, holiday or doubt."""
    mean = float(offer.lead_time_days)
    return mean, max(float(offer.lead_time_p90_days or math.ceil(mean * 1.3)), mean)


def days_closed_on_the_way(start: date, days: float, closures: list[tuple[date, date]]) -> int:
    """Days an order started on `start` and taking `days` open days waits for closures (first closed day,
    reopening day) on its way: every closure it meets before arriving, arrival day included, adds its closed days
    from the later of its start and the order's, so the arrival is never on a closed day."""
    waited = 0
    for closed_from, reopens in sorted(closures):
        arrives = start + timedelta(days=math.ceil(days) + waited)
        if reopens <= start or closed_from > arrives:
            continue
        waited += (reopens - max(start, closed_from)).days
    return waited


@dataclass(frozen=True)
class SupplierDelays:
    """What holds up every order to one supplier placed today, whatever the offer: the days until it can start, the
    public holidays while it makes the order, and the calendar's Spring Festival closure (when its calendar has one)."""

    wait: int
    start: date
    holiday_days: int
    festival: tuple[date, date] | None


def supplier_delays(supplier: Supplier, state: SupplierState, *, today: date, settings: Settings) -> SupplierDelays:
    """The supplier's part of `offer_lead_time`: worked out once per supplier for a plan of all its offers."""
    wait = max(0, (state.starts_on - today).days)
    start = today + timedelta(days=wait)
    return SupplierDelays(
        wait,
        start,
        holidays_while_processing(supplier, start),
        spring_festival_closure(supplier.calendar, start, settings),
    )


def offer_lead_time(
    offer: SupplyOffer,
    supplier: Supplier,
    state: SupplierState,
    *,
    today: date,
    settings: Settings,
    delays: SupplierDelays | None = None,
) -> LeadTime:
    """Mean and p90 days from ordering today to arrival, with the reasons for every day added. `delays`: the
    supplier's `supplier_delays` for this state, today and settings, when the caller has them."""
    if delays is None:
        delays = supplier_delays(supplier, state, today=today, settings=settings)
    notes: list[Phrase] = []
    wait = delays.wait
    if wait:
        notes.append(phrase("+%(days)s d: %(reason)s", days=wait, reason=state.words))
    start = delays.start
    holiday_days = delays.holiday_days
    if holiday_days:
        notes.append(phrase("+%(days)s d: public holidays while the order is made", days=holiday_days))
    base_mean, base_p90 = normal_lead_time(offer)
    base_mean += holiday_days
    base_p90 += holiday_days
    announced = list(state.announced_closures)
    festival = delays.festival
    # The calendar's Spring Festival is a guess at the factory's break: it holds up the production days. The
    # supplier's own announcement replaces that guess and holds up the whole way to the warehouse.
    festival_days = 0
    if (
        festival is not None
        and state.availability != Availability.CLOSED
        and not any(a < festival[1] and festival[0] < b for a, b in announced)
    ):
        festival_days = days_closed_on_the_way(start, float(supplier.processing_days + holiday_days), [festival])
        if festival_days:
            notes.append(
                phrase(
                    "+%(days)s d: Spring Festival closure %(closure)s",
                    days=festival_days,
                    closure=_days_span(festival[0], festival[1]),
                )
            )
    closed_mean = days_closed_on_the_way(start, base_mean + festival_days, announced)
    closed_p90 = days_closed_on_the_way(start, base_p90 + festival_days, announced)
    if closed_p90:
        met = Joined(
            tuple(
                _days_span(a, b)
                for a, b in announced
                if b > start and a <= start + timedelta(days=math.ceil(base_p90) + festival_days + closed_p90)
            ),
            ", ",
        )
        notes.append(
            phrase(
                "+%(mean)s d (p90 +%(p90)s d): announced closure %(closures)s, nothing made or moved",
                mean=closed_mean,
                p90=closed_p90,
                closures=met,
            )
        )
    closed_mean += festival_days
    closed_p90 += festival_days
    extra = float(wait)
    spread = 0.0
    if state.availability == Availability.UNCERTAIN:
        spread = max(float(settings.uncertain_extra_days), 0.5 * float(offer.lead_time_days))
        notes.append(
            phrase("p90 +%(days)s d: %(reason)s", days=Number.of(spread, 0, grouped=False), reason=state.words)
        )
    return LeadTime(
        base_mean + extra + closed_mean, base_p90 + extra + closed_p90 + spread, state.availability, tuple(notes)
    )


def _days_span(first: date, last: date) -> Phrase:
    return phrase("%(first)s–%(last)s", first=Day(first, "day_month"), last=Day(last, "day_month"))
