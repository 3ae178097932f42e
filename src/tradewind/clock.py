"""Injected time: every date-dependent service takes `today` (or a clock); nothing calls `date.today()` deep inside."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

from tradewind.errors import ValidationError


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """The real clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().date()


class FixedClock:
    """A clock stopped at one instant: `--today` on the CLI, and tests."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._instant = instant
        # Set by `on`: the day the clock was stopped on, which is that day in every time zone (noon UTC is
        # already tomorrow in Auckland in summer, UTC+13).
        self.day: date | None = None

    @classmethod
    def on(cls, day: date) -> FixedClock:
        """Noon UTC on `day`: far from midnight so that no time zone moves it to another date."""
        clock = cls(datetime.combine(day, time(12, 0), tzinfo=UTC))
        clock.day = day
        return clock

    def now(self) -> datetime:
        return self._instant

    def today(self) -> date:
        return self._instant.date()


def local_today(clock: Clock, zone: tzinfo) -> date:
    """Today in a shop's time zone: the date on its wall at the clock's instant (at 01:00 UTC it is still
    yesterday in New York); a clock stopped on a day (`--today`) is on that day wherever the shop is."""
    if isinstance(clock, FixedClock) and clock.day is not None:
        return clock.day
    return clock.now().astimezone(zone).date()


def parse_day(text: str, *, what: str = "date") -> date:
    """A YYYY-MM-DD date, or a clear error naming what was expected."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"{what} must be a date written YYYY-MM-DD, not {text!r}") from None


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def end_of_day(day: date) -> datetime:
    return start_of_day(day + timedelta(days=1))


def as_utc(moment: datetime) -> datetime:
    """Datetimes read back from SQLite come without tzinfo; they were stored in UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
