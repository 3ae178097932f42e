"""The dashboard's date and time formatting (`web.rendering._formatters`) against Babel itself as the oracle: a
moment is put together from cached halves, and must read exactly as `format_datetime(value, "short")` does."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton

from tradewind.web.rendering import BABEL_LOCALES, LANGUAGES, _formatters


def test_moments_and_days_read_as_babel_writes_them_in_every_language() -> None:
    pick = random.Random(7)
    zones = [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-3, minutes=-30))]
    moments = [
        datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=pick.randrange(0, 7 * 365 * 86400)) for _ in range(300)
    ]
    moments = [m.astimezone(pick.choice(zones)) for m in moments] + [datetime(2026, 11, 25, 0, 0, 59)]
    for language in LANGUAGES:
        locale = Locale.parse(BABEL_LOCALES[language])
        day = _formatters(language)["day"]
        for moment in moments:
            assert day(moment) == format_datetime(moment, "short", locale=locale), (language, moment)
            assert day(moment.date()) == format_date(moment.date(), "medium", locale=locale)
            assert day(moment.date(), "short") == format_skeleton("MMMd", moment.date(), locale=locale)
        assert day(None) == day("") == "—"
    # Day and month in each language's own order (a fixed "d MMM" pattern read "截止 23 11月" on a zh card).
    assert _formatters("en")["day"](date(2026, 11, 23), "short") == "23 Nov"
    assert _formatters("zh")["day"](date(2026, 11, 23), "short") == "11月23日"
