"""A supplier's published figures, declared once: its state today with its latest status report and response
times (`SUPPLIER`: `GET /shops/{shop}/suppliers`, the dashboard's supplier list, `tradewind supplier list --json`),
a status report (`STATUS_REPORT`: the API's report list, `tradewind supplier status --json`), and a supply offer
(`OFFER`: a supplier's offers with their alternatives, a SKU's offers). Reply times in
hours to a tenth."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tradewind.figure_sets import Figure, FigureSet, Nested

if TYPE_CHECKING:
    from tradewind.suppliers.models import Supplier, SupplierStatusReport
    from tradewind.suppliers.service import ResponseTimes
    from tradewind.wording import Phrase

HOURS = "hours"

STATUS_REPORT = FigureSet(
    "StatusReportOut",
    "What the seller learned about a supplier on a day.",
    (
        Figure("id", int, "The report's number"),
        Figure("reported_on", date, "The day it was learned"),
        Figure("status", str, "operating, closed or unknown"),
        Figure("closed_from", date | None, "The first day closed"),
        Figure("reopens_on", date | None, "The day it works again"),
        Figure("restock_on", date | None, "The day it can ship again"),
        Figure("source", str, "Who said so (the seller, a message, …)"),
        Figure("note", str | None, "What they said"),
    ),
)

RESPONSE_TIMES = FigureSet(
    "ResponseTimesOut",
    "How fast the supplier answers (from its message thread).",
    (
        Figure("answered", int, "Questions it answered"),
        Figure("median_hours", float | None, "The median reply time", HOURS, 1),
        Figure("p90_hours", float | None, "The 90th-percentile reply time", HOURS, 1),
        Figure("last_hours", float | None, "The latest reply time", HOURS, 1),
        Figure("waiting_since", datetime | None, "When the question still waiting for an answer was asked"),
    ),
)

SUPPLIER = FigureSet(
    "SupplierOut",
    "A supplier and whether it can take an order today.",
    (
        Figure("code", str, "The supplier's code"),
        Figure("name", str, "The supplier's name"),
        Figure("country", str, "ISO code of its country"),
        Figure("language", str, "The language it writes in"),
        Figure("active", bool, "Still a supplier of the shop"),
        Figure("availability", str, "operating, closed or uncertain today"),
        Figure("reason", str, "Why, in words"),
        Figure("reason_msg", dict[str, Any], "The reason as a message id and its arguments, for the reader's language"),
        Figure("can_start_on", date, "The first day it can start on an order placed today"),
        Figure("latest_report", Nested(STATUS_REPORT, optional=True), "Its latest status report"),
        Figure("response_times", Nested(RESPONSE_TIMES), "How fast it answers"),
        Figure("skus_offered", int, "SKUs it offers"),
        Figure("skus_preferred", int, "SKUs it is the preferred source of"),
    ),
)


def report_values(r: SupplierStatusReport) -> dict[str, Any]:
    return {f.name: getattr(r, f.name) for f in STATUS_REPORT.figures}


def report_figures(r: SupplierStatusReport) -> dict[str, Any]:
    return STATUS_REPORT.publish(report_values(r))


def supplier_figures(
    supplier: Supplier,
    *,
    availability: str,
    reason: Phrase,
    can_start_on: date,
    report: SupplierStatusReport | None,
    responses: ResponseTimes,
    skus_offered: int,
    skus_preferred: int,
) -> dict[str, Any]:
    """A supplier's figures today (its availability as planning judges it, passed in: planning sits above)."""
    return SUPPLIER.publish(
        {
            "code": supplier.code,
            "name": supplier.name,
            "country": supplier.country,
            "language": supplier.language,
            "active": supplier.active,
            "availability": availability,
            "reason": reason.english(),
            "reason_msg": reason.to_json(),
            "can_start_on": can_start_on,
            "latest_report": None if report is None else report_values(report),
            "response_times": {f.name: getattr(responses, f.name) for f in RESPONSE_TIMES.figures},
            "skus_offered": skus_offered,
            "skus_preferred": skus_preferred,
        }
    )


OFFER = FigureSet(
    "OfferOut",
    "A supplier's terms for one SKU.",
    (
        Figure("sku", str, "The SKU's code"),
        Figure("sku_title", str, "The SKU's title"),
        Figure("supplier", str, "The supplier's code"),
        Figure("supplier_name", str, "The supplier's name"),
        Figure("unit_cost", str, "Cost per unit (exact decimal text)"),
        Figure("currency", str, "The cost's currency (ISO 4217)"),
        Figure("moq", int, "Minimum order quantity", "units"),
        Figure("lead_time_days", int, "The offer's lead time", "days"),
        Figure("lead_time_p90_days", int | None, "The offer's 90th-percentile lead time", "days"),
        Figure("priority", int, "1: the SKU's preferred source; higher: the alternatives"),
    ),
)

OFFER_WITH_ALTERNATIVES = OFFER.pick(
    "OfferWithAlternativesOut",
    "A supplier's offer for a SKU with the other suppliers' offers for it.",
    tuple(f.name for f in OFFER.figures),
    Figure("alternatives", Nested(OFFER, many=True), "The other suppliers' offers for the SKU"),
)


def offer_values(line: Any) -> dict[str, Any]:
    """An offer line's raw figures (any object with the figures of `OFFER` as attributes)."""
    return {f.name: getattr(line, f.name) for f in OFFER.figures}


def offer_figures(line: Any) -> dict[str, Any]:
    return OFFER.publish(offer_values(line))


def offer_with_alternatives_figures(line: Any, others: list[Any]) -> dict[str, Any]:
    return OFFER_WITH_ALTERNATIVES.publish(offer_values(line) | {"alternatives": [offer_values(a) for a in others]})
