"""A parcel's timeline from its tracking events, however they arrive: out of order, twice, in several time zones,
with a status that goes backwards (a late "electronic information received" after the parcel was scanned, a
transit scan after delivery).

The current status is the latest event's, except that what went backwards does not count: a delivered parcel stays
delivered unless the carrier says it is going back to the sender, and a parcel already scanned does not return to
"information received". No events at all is Pending; no news for `expired_after_days` is Expired.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tradewind.logistics.models import TrackingEvent, TrackingStatus
from tradewind.logistics.tracking.codes import Substatus

if TYPE_CHECKING:
    from tradewind.logistics.tracking.normalize import TrackingNormalizer

S = TrackingStatus

# How far along a parcel is; used to order events that share a timestamp and to spot a step backwards.
PROGRESS: dict[TrackingStatus, int] = {
    S.UNKNOWN: 0,
    S.PENDING: 0,
    S.INFO_RECEIVED: 1,
    S.IN_TRANSIT: 2,
    S.EXCEPTION: 2,
    S.OUT_FOR_DELIVERY: 3,
    S.ATTEMPT_FAIL: 4,
    S.AVAILABLE_FOR_PICKUP: 5,
    S.DELIVERED: 6,
    S.EXPIRED: 0,
}
# A carrier scan proves the parcel is physically with the carrier (the platforms' "first scan" rule).
SCANNED = frozenset(
    {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.ATTEMPT_FAIL, S.AVAILABLE_FOR_PICKUP, S.DELIVERED, S.EXCEPTION}
)
_RETURNS = frozenset({Substatus.RETURNING_TO_SENDER, Substatus.RETURNED_TO_SENDER})
DEFAULT_EXPIRED_AFTER_DAYS = 30


def fingerprint(occurred_at: datetime, code: str | None, text: str) -> str:
    """The identity of an event: its instant (UTC, to the second), code and whitespace-normalised text."""
    instant = occurred_at.astimezone(UTC).replace(microsecond=0).isoformat()
    material = f"{instant}|{(code or '').strip().upper()}|{' '.join(text.split())}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RawTrackingEvent:
    """One event as a source reported it, before it is read. `line` locates it in its file (0: not from a file)."""

    tracking_number: str
    occurred_at: datetime
    text: str
    code: str | None = None
    location: str | None = None
    source: str = "carrier"
    line: int = 0

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.occurred_at, self.code, self.text)


@dataclass(frozen=True)
class TimelineEvent:
    """An event read and placed in time (UTC)."""

    occurred_at: datetime
    text: str
    code: str | None
    location: str | None
    status: TrackingStatus
    substatus: str | None
    confidence: float
    fingerprint: str

    @classmethod
    def read(cls, raw: RawTrackingEvent, normalizer: TrackingNormalizer | None = None) -> TimelineEvent:
        if normalizer is None:
            # The carriers' phrase rules (a large table of patterns) are loaded by the commands that read raw
            # events, not by those that build timelines from stored ones (the brief).
            from tradewind.logistics.tracking.normalize import shared_normalizer

            normalizer = shared_normalizer()
        reading = normalizer.read(raw.text, raw.code)
        return cls(
            occurred_at=raw.occurred_at.astimezone(UTC),
            text=raw.text,
            code=raw.code,
            location=raw.location,
            status=reading.status,
            substatus=reading.substatus,
            confidence=reading.confidence,
            fingerprint=raw.fingerprint,
        )


def stored_event(row: TrackingEvent) -> TimelineEvent:
    """A stored event as it was read when it was stored."""
    return TimelineEvent(
        occurred_at=row.occurred_at,
        text=row.raw_text,
        code=row.code,
        location=row.location,
        status=row.status,
        substatus=row.substatus,
        confidence=1.0,
        fingerprint=row.fingerprint,
    )


@dataclass(frozen=True)
class Timeline:
    """The events in order (each once), what they add up to, and the events that went backwards."""

    events: tuple[TimelineEvent, ...]
    status: TrackingStatus
    substatus: str | None
    first_scan_at: datetime | None
    delivered_at: datetime | None
    last_event_at: datetime | None
    waiting_since: datetime | None
    went_backwards: tuple[TimelineEvent, ...]

    @property
    def latest(self) -> TimelineEvent | None:
        return self.events[-1] if self.events else None


def build_timeline(
    events: Iterable[TimelineEvent],
    *,
    now: datetime | None = None,
    expired_after_days: int = DEFAULT_EXPIRED_AFTER_DAYS,
) -> Timeline:
    unique = {event.fingerprint: event for event in events}
    ordered = tuple(sorted(unique.values(), key=lambda e: (e.occurred_at, PROGRESS[e.status], e.fingerprint)))
    current: TimelineEvent | None = None
    backwards: list[TimelineEvent] = []
    first_scan_at: datetime | None = None
    delivered_at: datetime | None = None
    waiting_since: datetime | None = None
    for event in ordered:
        if event.status in (S.UNKNOWN, S.PENDING, S.EXPIRED):
            continue
        if event.status in SCANNED and first_scan_at is None:
            first_scan_at = event.occurred_at
        if current is not None and _goes_backwards(current, event):
            backwards.append(event)
            continue
        if event.status == S.AVAILABLE_FOR_PICKUP:
            if current is None or current.status != S.AVAILABLE_FOR_PICKUP:
                waiting_since = event.occurred_at
        else:
            waiting_since = None
        if event.status == S.DELIVERED and delivered_at is None:
            delivered_at = event.occurred_at
        current = event
    last_event_at = ordered[-1].occurred_at if ordered else None
    status, substatus = _status(current, last_event_at, now, expired_after_days)
    if status != S.DELIVERED:
        delivered_at = None
    return Timeline(
        events=ordered,
        status=status,
        substatus=substatus,
        first_scan_at=first_scan_at,
        delivered_at=delivered_at,
        last_event_at=last_event_at,
        waiting_since=waiting_since,
        went_backwards=tuple(backwards),
    )


def _goes_backwards(current: TimelineEvent, event: TimelineEvent) -> bool:
    if current.status == S.DELIVERED:
        return not (event.status == S.EXCEPTION and event.substatus in _RETURNS)
    if current.status == S.EXCEPTION and current.substatus == Substatus.RETURNED_TO_SENDER:
        return True
    return event.status == S.INFO_RECEIVED and PROGRESS[current.status] > PROGRESS[S.INFO_RECEIVED]


def _status(
    current: TimelineEvent | None, last_event_at: datetime | None, now: datetime | None, expired_after_days: int
) -> tuple[TrackingStatus, str | None]:
    if current is None:
        if last_event_at is not None and now is not None and now - last_event_at > timedelta(days=expired_after_days):
            return S.EXPIRED, None
        return S.PENDING, None
    terminal = current.status == S.DELIVERED or current.substatus == Substatus.RETURNED_TO_SENDER
    if (
        not terminal
        and now is not None
        and last_event_at is not None
        and now - last_event_at > timedelta(days=expired_after_days)
    ):
        return S.EXPIRED, None
    return current.status, current.substatus
