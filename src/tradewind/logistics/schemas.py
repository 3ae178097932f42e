"""Logistics' published figures, declared once: a parcel as the API lists it (`SHIPMENT`); its tracking timeline
as `tradewind track show --json` prints it and `GET /shops/{shop}/shipments/{tracking}` serves it (`PARCEL`, events
newest first); a lane's transit estimate (`LANE_ESTIMATE`, `tradewind transit estimate`) and the shop's lane with
its cost (`LANE`, `tradewind transit lanes --json`, `GET /shops/{shop}/lanes`, the dashboard). Instants are ISO 8601
in UTC ending in "Z" in every face; an open order at risk of missing its promised date (`ORDER_AT_RISK`,
`tradewind transit at-risk --json`, `GET /shops/{shop}/orders-at-risk`, the dashboard); an entry of the disruption
register (`DISRUPTION`, `tradewind disruption … --json`, `/shops/{shop}/disruptions`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tradewind.figure_sets import Figure, FigureSet, Nested
from tradewind.wording import Phrase, phrase

if TYPE_CHECKING:
    from tradewind.logistics.models import Disruption, Shipment
    from tradewind.logistics.service import ParcelTimeline
    from tradewind.logistics.shipping import LaneStatistics
    from tradewind.logistics.transit.lanes import LaneEstimate
    from tradewind.logistics.watch import OrderAtRisk

# The disruption kinds by their register codes (`models.DisruptionKind`'s values), as the English brief writes them in
# a list ("import_ban, capacity_cut"); other languages name them.
KIND_CODES: dict[str, Phrase] = {
    "import_ban": phrase("import_ban"),
    "suspended_route": phrase("suspended_route"),
    "capacity_cut": phrase("capacity_cut"),
    "customs_delay": phrase("customs_delay"),
}

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


LANE_ESTIMATE = FigureSet(
    "LaneEstimateOut",
    "Transit days of one lane, where the figures come from, and what restricts the lane today.",
    (
        Figure("origin", str, "ISO code of the country parcels leave from"),
        Figure("destination", str, "ISO code of the country (or ISO 3166-2 region) they go to"),
        Figure("method", str, "The shipping method's code"),
        Figure("region", str, "The destination's region of the world"),
        Figure("n_delivered", int, "Parcels delivered on the lane in the window"),
        Figure("n_in_transit", int, "Parcels still travelling"),
        Figure("n_reviews", int, "Buyers' reviews that told a delivery day"),
        Figure("p50_days", int | None, "Median transit time", "days"),
        Figure("p90_days", int | None, "90th-percentile transit time", "days"),
        Figure("p90_is_lower_bound", bool, "Too many parcels still travelling: the p90 is at least this"),
        Figure("source", str, "Where the figures come from (the lane's own parcels, a borrowed lane, the defaults)"),
        Figure("borrowed_from", str | None, "The lane the figures were borrowed from"),
        Figure("effective_delivered", float, "Parcels the estimate rests on (weighted)", None, 1),
        Figure("longest_in_transit_days", int | None, "The longest a parcel still travelling has been on its way"),
        Figure("blocked", bool, "The disruption register blocks the lane today"),
        Figure("slowed_by_days", int, "Days the disruption register adds today", "days"),
        Figure("restrictions", list[str], "The restrictions in force on the lane"),
    ),
)

LANE = LANE_ESTIMATE.pick(
    "LaneOut",
    "A lane of the shop's parcels: transit p50/p90, cost, and what the disruption register says.",
    tuple(f.name for f in LANE_ESTIMATE.figures),
    Figure("mean_cost", str | None, "Mean shipping cost per parcel (exact decimal text)"),
    Figure("currency", str, "The shop's currency (ISO 4217)"),
)


def _estimate_values(e: LaneEstimate) -> dict[str, Any]:
    lane = {"origin": e.lane.origin, "destination": e.lane.destination, "method": e.lane.method}
    return lane | {f.name: getattr(e, f.name) for f in LANE_ESTIMATE.figures if f.name not in lane}


def lane_estimate_figures(e: LaneEstimate) -> dict[str, Any]:
    return LANE_ESTIMATE.publish(_estimate_values(e))


def lane_figures(s: LaneStatistics) -> dict[str, Any]:
    return LANE.publish(_estimate_values(s.estimate) | {"mean_cost": s.mean_cost, "currency": s.currency})


LANE_KEY = FigureSet(
    "LaneKeyOut",
    "A lane: where parcels leave from, where they go, and how.",
    (
        Figure("origin", str, "ISO code of the country parcels leave from"),
        Figure("destination", str, "ISO code of the country (or ISO 3166-2 region) they go to"),
        Figure("method", str, "The shipping method's code"),
    ),
)

ORDER_AT_RISK = FigureSet(
    "AtRiskOut",
    "An open order that may not arrive by its promised date: why, and when it is expected (or what to do instead).",
    (
        Figure("order", str, "The order's number"),
        Figure("reason", str, "The main reason's code"),
        Figure("reason_words", str, "The reasons in plain words"),
        Figure("reasons", list[str], "Every reason's code"),
        Figure("promised_on", date | None, "The delivery day promised to the buyer"),
        Figure("expected_p50_on", date | None, "The day it arrives with even odds"),
        Figure("expected_p90_on", date | None, "The day it has arrived by with 90% odds"),
        Figure("days_late", int, "Days the p90 day falls after the promise", "days"),
        Figure("lane", Nested(LANE_KEY, optional=True), "The parcel's lane"),
        Figure("estimate_source", str | None, "Where the lane's transit times come from"),
        Figure("parcel", dict[str, Any] | None, "The parcel's facts, as the brief's messages quote them"),
        Figure("restrictions", list[str], "Restrictions in force on the lane"),
        Figure("steps", list[dict[str, Any]], "For a parcel not coming: what to do instead of waiting for a date"),
        Figure("act_by", date | None, "The day to have done it by (the buyer-protection deadline)"),
    ),
)


def at_risk_figures(o: OrderAtRisk) -> dict[str, Any]:
    values = {f.name: getattr(o, f.name) for f in ORDER_AT_RISK.figures}
    values["order"] = o.order.number
    values["lane"] = o.lane._asdict() if o.lane else None
    values["parcel"] = o.parcel.to_dict() if o.parcel else None
    values["steps"] = [dict(step) for step in o.steps]
    return ORDER_AT_RISK.publish(values)


DISRUPTION = FigureSet(
    "DisruptionOut",
    "An entry of the disruption register: an import ban, a suspended route, a capacity cut, a customs delay.",
    (
        Figure("id", int, "The entry's number"),
        Figure("kind", str, "What kind of restriction"),
        Figure("origin", str | None, "ISO code of the origin country it applies to (none: every origin)"),
        Figure("destination", str | None, "The destination country or region it applies to (none: every one)"),
        Figure("method", str | None, "The shipping method it applies to (none: every method)"),
        Figure("starts_on", date, "Its first day"),
        Figure("ends_on", date | None, "Its last day (none: until ended)"),
        Figure("extra_days", int | None, "Days it adds to transit", "days"),
        Figure("blocks", bool, "It blocks the lanes in its scope (else it slows them)"),
        Figure("source", str, "Where the news comes from"),
        Figure("in_force", bool | None, "In force on the day asked about"),
    ),
)


def disruption_figures(d: Disruption, *, kind_blocks: bool, in_force: bool | None) -> dict[str, Any]:
    return DISRUPTION.publish(
        {
            "id": d.id,
            "kind": d.kind,
            "origin": d.origin_country,
            "destination": d.destination_country,
            "method": d.method_code,
            "starts_on": d.starts_on,
            "ends_on": d.ends_on,
            "extra_days": d.extra_days,
            "blocks": kind_blocks,
            "source": d.source,
            "in_force": in_force,
        }
    )
