"""Timelines from events that arrive out of order, twice, in several time zones, and with a status that goes
backwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tradewind.logistics.models import TrackingStatus
from tradewind.logistics.tracking.timeline import RawTrackingEvent, TimelineEvent, build_timeline

S = TrackingStatus
MOSCOW = timezone(timedelta(hours=3))
BEIJING = timezone(timedelta(hours=8))


def event(when: datetime, text: str, code: str | None = None) -> TimelineEvent:
    return TimelineEvent.read(RawTrackingEvent("RB1", when, text, code))


def test_out_of_order_events_in_several_time_zones_are_put_in_order() -> None:
    events = [
        event(datetime(2024, 3, 11, 14, 0, tzinfo=MOSCOW), "Вручение адресату"),
        event(datetime(2024, 3, 1, 10, 0, tzinfo=BEIJING), "Posting/collection", "EMA"),
        # 06:30 UTC: half an hour after the departure below (14:00 in Beijing is 06:00 UTC).
        event(datetime(2024, 3, 6, 9, 30, tzinfo=MOSCOW), "Прибыло в место международного обмена"),
        event(datetime(2024, 3, 6, 14, 0, tzinfo=BEIJING), "Departure from outward office of exchange", "EMC"),
    ]
    timeline = build_timeline(events)
    assert [e.occurred_at for e in timeline.events] == sorted(e.occurred_at for e in events)
    assert all(e.occurred_at.tzinfo == UTC for e in timeline.events)
    assert timeline.events[1].code == "EMC" and timeline.events[2].text.startswith("Прибыло")
    assert timeline.status == S.DELIVERED
    assert timeline.first_scan_at == datetime(2024, 3, 1, 2, 0, tzinfo=UTC)
    assert timeline.delivered_at == datetime(2024, 3, 11, 11, 0, tzinfo=UTC)


def test_the_same_event_twice_counts_once() -> None:
    when = datetime(2024, 3, 6, 9, 30, tzinfo=MOSCOW)
    twice = [event(when, "Прибыло в сортировочный центр"), event(when, "Прибыло  в сортировочный центр")]
    # Same instant written in another zone: still the same event.
    twice.append(event(when.astimezone(BEIJING), "Прибыло в сортировочный центр"))
    assert len(build_timeline(twice).events) == 1


def test_a_status_going_backwards_does_not_undo_a_delivery() -> None:
    start = datetime(2024, 3, 1, tzinfo=UTC)
    timeline = build_timeline(
        [
            event(start, "Shipment information received"),
            event(start + timedelta(days=2), "Arrived at Sort Facility SHENZHEN"),
            event(start + timedelta(days=3), "Shipment information received"),  # late electronic notice
            event(start + timedelta(days=12), "Delivered, In/At Mailbox"),
            event(start + timedelta(days=13), "Departed Facility in MADRID"),  # a stray scan after delivery
        ]
    )
    assert timeline.status == S.DELIVERED
    assert [e.text for e in timeline.went_backwards] == ["Shipment information received", "Departed Facility in MADRID"]
    # A return after delivery is not "backwards": the parcel is really going back.
    returned = build_timeline([*timeline.events, event(start + timedelta(days=20), "Return to sender")])
    assert (returned.status, returned.substatus) == (S.EXCEPTION, "returning_to_sender")
    assert returned.delivered_at is None


def test_pending_expired_and_waiting_since() -> None:
    now = datetime(2024, 4, 20, tzinfo=UTC)
    assert build_timeline([], now=now).status == S.PENDING
    quiet = build_timeline([event(datetime(2024, 3, 1, tzinfo=UTC), "In transit")], now=now)
    assert quiet.status == S.EXPIRED
    delivered = build_timeline([event(datetime(2024, 3, 1, tzinfo=UTC), "Delivered")], now=now)
    assert delivered.status == S.DELIVERED
    pickup = build_timeline(
        [
            event(datetime(2024, 4, 10, tzinfo=UTC), "Arrived at Sort Facility MADRID"),
            event(datetime(2024, 4, 12, tzinfo=UTC), "Disponible para recoger en oficina"),
            event(datetime(2024, 4, 15, tzinfo=UTC), "Disponible para recoger en oficina, segundo aviso"),
        ],
        now=now,
    )
    assert pickup.status == S.AVAILABLE_FOR_PICKUP
    assert pickup.waiting_since == datetime(2024, 4, 12, tzinfo=UTC)
