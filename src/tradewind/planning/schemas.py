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


def decision_values(d: SkuDecision) -> dict[str, Any]:
    """A fresh decision's raw figures (unrounded), by the names of `PLAN`."""
    lead = d.chosen.lead_time if d.chosen else None
    return {
        "sku": d.sku.code,
        "title": d.sku.title,
        "method": d.method,
        "demand_per_day": d.demand_per_day,
        "demand_sigma": d.demand_sigma,
        "lead_time_mean_days": lead.mean_days if lead else None,
        "lead_time_p90_days": lead.p90_days if lead else None,
        "service_level": d.service_level,
        "safety_stock": d.safety_stock,
        "reorder_point": d.reorder_point,
        "order_up_to": d.order_up_to,
        "on_hand": d.on_hand,
        "on_order": d.on_order,
        "days_of_cover": d.days_of_cover,
        "stockout_on": d.stockout_on,
        "order_by": d.order_by,
        "suggested_quantity": d.quantity,
        "supplier": d.chosen.supplier.code if d.chosen else None,
        "supplier_name": d.chosen.supplier.name if d.chosen else None,
        "supplier_note": d.switch_reason,
        "lead_time_notes": list(lead.notes) if lead else [],
        "stockout_unavoidable": d.stockout_unavoidable,
        "no_source": d.no_source,
        "dormant": d.dormant,
        "moq_choice": d.moq_choice,
        "moq_choice_cover_days": d.moq_choice_cover_days,
    }


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
    sourced = p.lead_time_mean_days is not None
    return STORED_PLAN.publish(
        {
            "sku": row.sku.code,
            "title": row.sku.title,
            "planned_on": p.planned_on,
            "method": p.method,
            "demand_per_day": p.demand_per_day,
            "demand_sigma": p.demand_sigma,
            "lead_time_mean_days": p.lead_time_mean_days,
            "lead_time_p90_days": p.lead_time_p90_days,
            "service_level": p.service_level,
            "safety_stock": p.safety_stock if sourced else None,
            "reorder_point": p.reorder_point if sourced else None,
            "order_up_to": p.order_up_to if sourced else None,
            "on_hand": p.on_hand,
            "on_order": p.on_order,
            "days_of_cover": p.days_of_cover,
            "stockout_on": p.stockout_on,
            "order_by": p.order_by,
            "suggested_quantity": p.suggested_quantity,
            "supplier": row.supplier_code,
            "supplier_name": row.supplier_name,
        }
    )


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
