"""A date and time without an offset in a Tradewind CSV is the shop's local time (`values.moment_in`)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tradewind.errors import ValidationError
from tradewind.importers import values


def test_a_time_without_an_offset_is_read_on_the_shops_clock() -> None:
    new_york = values.moment_in(ZoneInfo("America/New_York"))
    assert new_york("2026-03-03 23:30") == datetime(2026, 3, 4, 4, 30, tzinfo=UTC)  # EST, UTC-5
    assert new_york("2026-07-03T23:30:00") == datetime(2026, 7, 4, 3, 30, tzinfo=UTC)  # EDT, UTC-4
    assert new_york("2026-03-03") == datetime(2026, 3, 3, 5, 0, tzinfo=UTC)  # a date alone: midnight in New York
    assert new_york("2026-03-03T23:30:00+08:00") == datetime(2026, 3, 3, 15, 30, tzinfo=UTC)  # an offset wins
    assert new_york("2026-03-03T23:30Z") == datetime(2026, 3, 3, 23, 30, tzinfo=UTC)
    assert values.moment("2026-03-03 23:30") == datetime(2026, 3, 3, 23, 30, tzinfo=UTC)  # no shop: UTC
    with pytest.raises(ValidationError, match="without an offset the time is the shop's"):
        new_york("03/03/2026 23:30")
