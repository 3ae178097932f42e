"""The demo shop's story, placed relative to `today` so that it holds for any date: when the ePacket flights were
cut, when the China–Russia rail stopped, which country restricted imports, and why the preferred boot factory is
closed (Spring Festival when one is near, an epidemic-control stop otherwise) and until when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays

from tradewind.clock import start_of_day

HISTORY_DAYS = 365
SPRING_FESTIVAL = "Chinese New Year (Spring Festival)"


@dataclass(frozen=True)
class SupplierClosure:
    """Why and how long the preferred boot factory is closed, as its last status report says."""

    closed_from: date
    reopens_on: date
    restock_on: date
    spring_festival: date | None
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class DemoStory:
    """The dates the generated records have to agree with."""

    today: date
    first_day: date
    epacket_cut_on: date
    rail_suspended_on: date
    import_ban_on: date
    banned_country: str
    stocktake_on: date
    closure: SupplierClosure
    # The next Spring Festival break another supplier has announced (closes, reopens), when one is coming soon.
    announced_holiday: tuple[date, date] | None

    @property
    def history_start(self) -> datetime:
        return start_of_day(self.first_day)

    @property
    def cutoff(self) -> datetime:
        """The moment the records end: midnight UTC at the start of `today` (08:00 in Yiwu)."""
        return start_of_day(self.today)


def spring_festivals(years: list[int]) -> list[date]:
    """The first day of each Chinese New Year in `years`, from the `holidays` calendar of China."""
    calendar = holidays.country_holidays("CN", years=years, language="en_US")
    firsts: dict[int, date] = {}
    for day, name in sorted(calendar.items()):
        if name == SPRING_FESTIVAL and day.year not in firsts:
            firsts[day.year] = day
    return [firsts[year] for year in sorted(firsts)]


def _closure(today: date, festival: date | None) -> SupplierClosure:
    if festival is not None:
        closed_from = min(festival - timedelta(days=8), today - timedelta(days=2))
        reopens_on = max(today + timedelta(days=14), festival + timedelta(days=16))
        return SupplierClosure(
            closed_from=closed_from,
            reopens_on=reopens_on,
            restock_on=reopens_on + timedelta(days=7),
            spring_festival=festival,
            reason_zh=f"春节放假（{festival.isoformat()}），工人尚未返岗，复工推迟到{reopens_on.isoformat()}",
            reason_en=(
                f"Closed for Spring Festival ({festival.isoformat()}); workers have not come back yet, "
                f"reopening postponed to {reopens_on.isoformat()}"
            ),
        )
    reopens_on = today + timedelta(days=14)
    return SupplierClosure(
        closed_from=today - timedelta(days=6),
        reopens_on=reopens_on,
        restock_on=reopens_on + timedelta(days=7),
        spring_festival=None,
        reason_zh=f"因当地疫情防控停产，预计{reopens_on.isoformat()}复工",
        reason_en=f"Production stopped: local epidemic control; expected to reopen on {reopens_on.isoformat()}",
    )


def story_for(today: date) -> DemoStory:
    """The story for a given `today`: disruptions 40, 25 and 15 days back, a closure reopening in about 2 weeks."""
    festivals = spring_festivals([today.year - 1, today.year, today.year + 1])
    # A factory is closed "for Spring Festival" from a week before the festival until weeks after it.
    current = [day for day in festivals if today - timedelta(days=60) <= day <= today + timedelta(days=10)]
    coming = [day for day in festivals if today + timedelta(days=10) < day <= today + timedelta(days=60)]
    announced = None
    if coming:
        announced = (coming[0] - timedelta(days=7), coming[0] + timedelta(days=10))
    return DemoStory(
        today=today,
        first_day=today - timedelta(days=HISTORY_DAYS),
        epacket_cut_on=today - timedelta(days=40),
        rail_suspended_on=today - timedelta(days=25),
        import_ban_on=today - timedelta(days=15),
        banned_country="IL",
        stocktake_on=today - timedelta(days=14),
        closure=_closure(today, current[0] if current else None),
        announced_holiday=announced,
    )
