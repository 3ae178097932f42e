"""The SQL functions that read a stored instant as a number (`db.stores.epoch_seconds`, `epoch_microseconds`): the
same answer on SQLite and PostgreSQL, rounded down, also a few microseconds before a whole second and before
midnight (SQLite's strftime('%s') rounds the fraction to milliseconds first: 23:59:59.9996 would count as the next
day in the daily demand and the lane samples)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from tradewind.db.base import UTCDateTime
from tradewind.db.stores import epoch_microseconds, epoch_seconds

MIDNIGHT = datetime(2025, 2, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    "before",
    [
        timedelta(microseconds=1),
        timedelta(microseconds=400),
        timedelta(microseconds=499),
        timedelta(microseconds=500),
        timedelta(microseconds=999),
        timedelta(seconds=1),
    ],
)
def test_an_instant_just_before_midnight_counts_in_its_own_day(session: Session, before: timedelta) -> None:
    instant = MIDNIGHT - before
    stored = literal(instant, UTCDateTime())
    seconds, microseconds = session.execute(select(epoch_seconds(stored), epoch_microseconds(stored))).one()
    expected = int((instant - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(microseconds=1))
    assert microseconds == expected
    assert seconds == expected // 1_000_000
    assert seconds // 86_400 == (MIDNIGHT.date() - datetime(1970, 1, 1, tzinfo=UTC).date()).days - 1


def test_whole_seconds_and_fractions(session: Session) -> None:
    for instant in (MIDNIGHT, MIDNIGHT + timedelta(microseconds=999_999), MIDNIGHT + timedelta(hours=5, seconds=7)):
        stored = literal(instant, UTCDateTime())
        assert session.execute(select(epoch_seconds(stored))).scalar_one() == int(instant.timestamp() // 1)
