"""The plan's published figures, declared once (name, type, unit, rounding, meaning): a SKU's plan as the brief's
cards quote it (`card_figures`), as `tradewind plan --json` prints it (`run_figures`) and as the API serves the
stored plan (`stored_figures`, `GET /shops/{shop}/plans`, its response model `STORED_PLAN.model`); and a SKU's stock
outlook (`outlook_figures`, `GET /shops/{shop}/skus/{sku}/outlook`). The same SKU reads the same numbers everywhere."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from tradewind.figure_sets import Figure, FigureSet, Nested
from tradewind.wording import Phrase, phrase

if TYPE_CHECKING:
    from tradewind.planning.service import SkuDecision, StockOutlook
    from tradewind.planning.stored_plan import PlanRow

# The demand methods (`kernels.METHOD_NAMES`) by their codes, as the English brief writes them; other languages
# name them (Croston, SBA and TSB are their authors' names).
METHOD_CODES: dict[str, Phrase] = {
    "moving_average": phrase("moving_average"),
    "smoothed": phrase("smoothed"),
    "seasonal": phrase("seasonal"),
    "croston": phrase("croston"),
    "sba": phrase("sba"),
    "tsb": phrase("tsb"),
}

UNITS = "units"
PER_DAY = "units per day"
DAYS = "days"

# Every figure of a SKU's plan any face publishes. Rates to the hundredth, stock levels, cover and lead times to a
# tenth: the figures a seller reads.
PLAN = FigureSet(
    "SkuPlanFigures",
    "A SKU's replenishment plan.",
    (
        Figure("sku", str, "The SKU's code"),
        Figure("title", str, "The SKU's title"),
        Figure("planned_on", date, "The day the plan was made"),
        Figure("method", str, "The demand model the plan chose for the SKU"),
        Figure("demand_per_day", float, "Forecast demand", PER_DAY, 2),
        Figure("demand_sigma", float, "Spread of the daily demand (standard deviation)", PER_DAY, 2),
        Figure(
            "lead_time_mean_days", float | None, "Mean lead time of the chosen source; none without a source", DAYS, 1
        ),
        Figure("lead_time_p90_days", float | None, "90th-percentile lead time of the chosen source", DAYS, 1),
        Figure("service_level", float, "Target chance of not running out in a cycle (by revenue class)", None, 2),
        Figure("safety_stock", float | None, "Stock held against demand and lead-time surprises", UNITS, 1),
        Figure("reorder_point", float | None, "Order when the stock position falls to this", UNITS, 1),
        Figure("order_up_to", float | None, "An order brings the stock position up to this", UNITS, 1),
        Figure("on_hand", int, "Units in stock now", UNITS),
        Figure("on_order", int, "Units on open purchase orders", UNITS),
        Figure("days_of_cover", float | None, "Days the stock position lasts; none when nothing sells", DAYS, 1),
        Figure("stockout_on", date | None, "The day the stock runs out, when it does within the horizon"),
        Figure("order_by", date | None, "The last day to order so that it arrives before the stockout"),
        Figure("suggested_quantity", int, "Units to order now (0: none)", UNITS),
        Figure("supplier", str | None, "The chosen supplier's code; none without a source"),
        Figure("supplier_name", str | None, "The chosen supplier's name"),
        Figure("supplier_note", str | None, "Why not the usual supplier, when another was chosen"),
        Figure("lead_time_notes", list[str], "What lengthens the lead time (holidays, closures, doubt)"),
        Figure("stockout_unavoidable", bool, "The stock runs out before anything ordered today could arrive"),
        Figure("no_source", bool, "No live supplier offer: nothing can be ordered"),
        Figure("dormant", bool, "No sale for a long while: dead stock, not a stockout"),
        Figure("moq_choice", int, "Units the MOQ or pack size would force beyond the cover cap (left to the seller)"),
        Figure("moq_choice_cover_days", float | None, "Cover if the MOQ-forced quantity were ordered", DAYS, 0),
    ),
)

# The stored plan, as the API lists it and reads one SKU's.
STORED_PLAN = PLAN.pick(
    "PlanOut",
    "A SKU's stored plan (the latest `tradewind plan` or brief refresh).",
    (
        "sku",
        "title",
        "planned_on",
        "method",
        "demand_per_day",
        "demand_sigma",
        "lead_time_mean_days",
        "lead_time_p90_days",
        "service_level",
        "safety_stock",
        "reorder_point",
        "order_up_to",
        "on_hand",
        "on_order",
        "days_of_cover",
        "stockout_on",
        "order_by",
        "suggested_quantity",
        "supplier",
        "supplier_name",
    ),
)

# A fresh plan, as `tradewind plan --json` prints each SKU: the stored figures (but the SKU's title, the day and the
# supplier's name, which the command prints once or not at all) and why the supplier and lead time are what they are.
PLAN_RUN = PLAN.pick(
    "PlanRunOut",
    "A SKU's plan as `tradewind plan` makes it.",
    (
        *(f.name for f in STORED_PLAN.figures if f.name not in ("title", "planned_on", "supplier_name")),
        "supplier_note",
        "lead_time_notes",
        "stockout_unavoidable",
    ),
)

# Every number behind a SKU's decision, as the brief's cards quote them (an action's `figures`).
PLAN_CARD = PLAN.pick(
    "PlanCardFigures",
    "A SKU's plan as the brief's actions quote it.",
    (
        "sku",
        "method",
        "demand_per_day",
        "demand_sigma",
        "service_level",
        "safety_stock",
        "reorder_point",
        "order_up_to",
        "on_hand",
        "on_order",
        "days_of_cover",
        "stockout_on",
        "order_by",
        "lead_time_mean_days",
        "lead_time_p90_days",
        "lead_time_notes",
        "no_source",
        "dormant",
        "moq_choice",
        "moq_choice_cover_days",
    ),
)


def plan_figure(name: str, value: float | None) -> float | None:
    """`value` of the plan figure `name` as every face shows it (rounded to its places; None for None and NaN)."""
    found: float | None = PLAN.round(name, value)
    return found


# How a fresh decision (`service.SkuDecision`) holds the figures of `PLAN`: each under its own name but for these
# (`RENAMED`: the decision's name → the figure's); what else it holds (`INTERNAL`: what the figures are made from);
# and the figures it does not hold as they are (`DERIVED`: made by `decision_values` from the SKU and the chosen
# supply option; the day of the plan is the plan's, not the decision's). `service` checks SkuDecision against `PLAN`
# with these when it is imported (`figure_sets.check_shape`): a field added to one and not the other stops it.
DECISION_RENAMED = {"quantity": "suggested_quantity", "switch_reason": "supplier_note"}
DECISION_INTERNAL = (
    "sku",
    "chosen",
    "preferred",
    "earliest_arrival",
    "earliest_option",
    "purchasing_paused",
    "switch_reason_phrase",
    "position",
)
DECISION_DERIVED = (
    "sku",
    "title",
    "planned_on",
    "lead_time_mean_days",
    "lead_time_p90_days",
    "supplier",
    "supplier_name",
    "lead_time_notes",
)
_FIELD_OF = {figure: name for name, figure in DECISION_RENAMED.items()}
_FROM_DECISION = tuple((f.name, _FIELD_OF.get(f.name, f.name)) for f in PLAN.figures if f.name not in DECISION_DERIVED)

# The stored plan's figures that its row (`models.SkuPlan`, read as `stored_plan.PlanFigures`) does not hold: the
# SKU's and the supplier's labels, which `stored_plan` joins in. Every other figure of `STORED_PLAN` is a column
# (`STORED_COLUMNS`); `stored_plan` checks the table and PlanFigures against `STORED_PLAN` when it is imported.
STORED_DERIVED = ("sku", "title", "supplier", "supplier_name")
STORED_COLUMNS = tuple(f.name for f in STORED_PLAN.figures if f.name not in STORED_DERIVED)
# The stock levels, which a SKU without a source does not have: none in the decision (NaN) and in every answer, 0 in
# its stored row (whose columns have no NULL; its NULL lead time says there was no source).
UNSOURCED_LEVELS = ("safety_stock", "reorder_point", "order_up_to")


def decision_values(d: SkuDecision) -> dict[str, Any]:
    """A fresh decision's raw figures (unrounded), by the names of `PLAN` (all but the day of the plan)."""
    values = {figure: getattr(d, name) for figure, name in _FROM_DECISION}
    lead = d.chosen.lead_time if d.chosen else None
    values["sku"] = d.sku.code
    values["title"] = d.sku.title
    values["lead_time_mean_days"] = lead.mean_days if lead else None
    values["lead_time_p90_days"] = lead.p90_days if lead else None
    values["supplier"] = d.chosen.supplier.code if d.chosen else None
    values["supplier_name"] = d.chosen.supplier.name if d.chosen else None
    values["lead_time_notes"] = list(lead.notes) if lead else []
    return values


def card_figures(d: SkuDecision) -> dict[str, Any]:
    """A SKU's decision as the brief's cards quote it."""
    return PLAN_CARD.publish(decision_values(d))


def run_figures(d: SkuDecision) -> dict[str, Any]:
    """A SKU's decision as `tradewind plan --json` prints it."""
    return PLAN_RUN.publish(decision_values(d))


def stored_figures(row: PlanRow) -> dict[str, Any]:
    """A SKU's stored plan as the API serves it. The stored row keeps 0 for the stock levels of a SKU planned
    without a source (its lead time is NULL): published as none, as the fresh plan says."""
    p = row.plan
    values = {name: getattr(p, name) for name in STORED_COLUMNS}
    if p.lead_time_mean_days is None:
        values.update(dict.fromkeys(UNSOURCED_LEVELS))
    values["sku"] = row.sku.code
    values["title"] = row.sku.title
    values["supplier"] = row.supplier_code
    values["supplier_name"] = row.supplier_name
    return STORED_PLAN.publish(values)


# --- a SKU's stock outlook (its chart) ---

INBOUND_ORDER = FigureSet(
    "InboundOrderOut",
    "An open purchase-order line of the SKU.",
    (
        Figure("purchase_order", str, "The purchase order's code"),
        Figure("expected_on", date | None, "The day it is expected (an overdue or undated line counts tomorrow)"),
        Figure("quantity", int, "Units still to arrive", UNITS),
    ),
)

OUTLOOK = FigureSet(
    "OutlookOut",
    "One SKU's past and projected stock, day by day: the data of its chart.",
    (
        Figure("sku", str, "The SKU's code"),
        Figure("today", date, "The shop's day the outlook is for"),
        Figure("on_hand", int, "Units in stock now (as the stored plan saw it)", UNITS),
        Figure("history_days", list[date], "The days of `sales`, oldest first"),
        Figure("sales", list[float], "Units demanded each day of `history_days`", PER_DAY),
        Figure("projection_days", list[date], "The days of the projection, from tomorrow"),
        Figure("forecast", list[float], "The stored plan's demand on each projected day", PER_DAY, 3),
        Figure("projected_stock", list[float], "Stock at the end of each projected day", UNITS, 2),
        Figure("inbound", list[float], "Units arriving on each projected day", UNITS),
        Figure("reorder_point", float, "The stored plan's reorder point", UNITS, 2),
        Figure("safety_stock", float, "The stored plan's safety stock", UNITS, 2),
        Figure("stockout_on", date | None, "The stored plan's stockout day"),
        Figure("order_by", date | None, "The stored plan's last day to order"),
        Figure("inbound_orders", Nested(INBOUND_ORDER, many=True), "The SKU's open purchase-order lines"),
    ),
)


def outlook_figures(outlook: StockOutlook) -> dict[str, Any]:
    """A stock outlook as the API serves it."""
    values = dict(outlook.__dict__)
    values["inbound_orders"] = [
        {"purchase_order": code, "expected_on": expected, "quantity": quantity}
        for expected, quantity, code in outlook.inbound_orders
    ]
    return OUTLOOK.publish(values)
