"""A parcel's published figures, declared once: a parcel as the API lists it (`SHIPMENT`), and its tracking
timeline as `tradewind track show --json` prints it and `GET /shops/{shop}/shipments/{tracking}` serves it
(`PARCEL`, events newest first). Instants are ISO 8601 in UTC ending in "Z" in every face."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from tradewind.figure_sets import Figure, FigureSet, Nested

if TYPE_CHECKING:
    from tradewind.logistics.models import Shipment
    from tradewind.logistics.service import ParcelTimeline

SHIPMENT = FigureSet(
    "ShipmentOut",
    "A parcel as its stored record has it.",
    (
        Figure("tracking_number", str, "The carrier's tracking number"),
        Figure("origin_country", str, "ISO code of the country it ships from"),
        Figure("destination_country", str, "ISO code of the buyer's country"),
        Figure("shipped_at", datetime, "When it was handed over"),
        Figure("first_scan_at", datetime | None, "The carrier's first scan"),
        Figure("delivered_at", datetime | None, "When it was delivered"),
        Figure("status", str, "The tracking status (one list for every carrier)"),
        Figure("last_event_at", datetime | None, "The latest tracking event"),
    ),
)

PARCEL_EVENT = FigureSet(
    "TimelineEventOut",
    "One tracking event of a parcel: the carrier's words and what they mean.",
    (
        Figure("occurred_at", datetime, "When it happened"),
        Figure("code", str | None, "The carrier's event code, when it gave one"),
        Figure("status", str, "The tracking status it means"),
        Figure("substatus", str | None, "The finer status, when there is one"),
        Figure("words", str, "The status in plain words"),
        Figure("text", str, "The carrier's own words"),
        Figure("location", str | None, "Where, as the carrier wrote it"),
        Figure("counted", bool, "False for an event that went backwards and does not change the status"),
    ),
)

PARCEL = SHIPMENT.pick(
    "TimelineOut",
    "A parcel as its tracking events tell it now: events newest first.",
    tuple(f.name for f in SHIPMENT.figures),
    Figure("method", str | None, "The shipping method's code"),
    Figure("substatus", str | None, "The finer status, when there is one"),
    Figure("status_words", str, "The status in plain words"),
    Figure("events", Nested(PARCEL_EVENT, many=True), "The tracking events, newest first"),
)


def shipment_figures(s: Shipment) -> dict[str, Any]:
    return SHIPMENT.publish({f.name: getattr(s, f.name) for f in SHIPMENT.figures})


def parcel_figures(timeline: ParcelTimeline) -> dict[str, Any]:
    return PARCEL.publish(
        {
            **{f.name: getattr(timeline, f.name) for f in PARCEL.figures if f.name != "events"},
            "events": [e.__dict__ for e in timeline.events],
        }
    )
