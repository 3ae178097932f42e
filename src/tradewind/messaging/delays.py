"""The real reason an order is late, as a buyer is told it (`situations.DELAY_REASONS`): the Spring Festival closure,
the epidemic, cut flights, customs, a blocked route, or the carrier running behind.

It is read from the logistics outlook of the order (its reasons and the disruptions on its lane) and from China's
public-holiday calendar (`holidays`), never guessed from text a seller typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from tradewind.config import Settings
from tradewind.logistics.models import Disruption, DisruptionKind
from tradewind.logistics.service import OrderAtRisk, covers

EPIDEMIC_WORDS = re.compile(
    r"covid|corona|epidemic|pandemic|outbreak|quarantine|lockdown|疫情|新冠|эпидеми|коронавир", re.I
)
FLIGHT_WORDS = re.compile(r"flight|airline|air capacity|航班|рейс", re.I)
CUSTOMS_SUBSTATUSES = {"customs_hold", "awaiting_duties"}


@dataclass(frozen=True)
class DelayReason:
    code: str
    until: date | None = None
    source: str | None = None


@lru_cache(maxsize=16)
def _new_year_days(year: int) -> tuple[date, ...]:
    calendar = holidays.country_holidays("CN", years=[year])
    return tuple(sorted(day for day, name in calendar.items() if "Spring Festival" in name))


def spring_festival_closure(today: date, settings: Settings) -> tuple[date, date] | None:
    """The factories' Spring Festival closure around `today` (first closed day, reopening day), if `today` is in it
    or the closure starts within the next 10 days."""
    for year in (today.year, today.year + 1):
        days = _new_year_days(year)
        if not days:
            continue
        start = days[0] - timedelta(days=settings.spring_festival_close_before_days)
        reopen = days[0] + timedelta(days=settings.spring_festival_reopen_after_days)
        if start - timedelta(days=10) <= today < reopen:
            return start, reopen
    return None


def delay_reason(
    outlook: OrderAtRisk, disruptions: list[Disruption], *, today: date, settings: Settings
) -> DelayReason:
    """Why this order is late, most specific first."""
    lane = outlook.lane
    on_lane = [d for d in disruptions if lane is not None and covers(d, lane)]
    parcel = outlook.parcel
    if parcel is not None and parcel.substatus in CUSTOMS_SUBSTATUSES:
        return DelayReason("customs")
    for disruption in sorted(on_lane, key=lambda d: d.starts_on):
        if disruption.kind == DisruptionKind.SUSPENDED_ROUTE:
            return DelayReason("route_blocked", disruption.ends_on, disruption.source)
        if disruption.kind in (DisruptionKind.IMPORT_BAN, DisruptionKind.CUSTOMS_DELAY):
            return DelayReason("customs", disruption.ends_on, disruption.source)
    closure = spring_festival_closure(today, settings)
    if closure is not None and parcel is None and closure[0] <= today:
        return DelayReason("spring_festival", closure[1], "CN public holidays")
    for disruption in on_lane:
        if disruption.kind == DisruptionKind.CAPACITY_CUT:
            if EPIDEMIC_WORDS.search(disruption.source) and not FLIGHT_WORDS.search(disruption.source):
                return DelayReason("epidemic", disruption.ends_on, disruption.source)
            return DelayReason("flights_cut", disruption.ends_on, disruption.source)
    if "lane_blocked" in outlook.reasons:
        return DelayReason("route_blocked")
    if any(EPIDEMIC_WORDS.search(d.source) for d in disruptions):
        return DelayReason("epidemic", None, next(d.source for d in disruptions if EPIDEMIC_WORDS.search(d.source)))
    return DelayReason("carrier_delay")
