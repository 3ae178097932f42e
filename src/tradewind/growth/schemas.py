"""The growth report's published figures, declared once: `tradewind growth --json`, `GET /shops/{shop}/growth`
(its response model `GROWTH.model`) and the dashboard's growth page read `growth_figures` of the same report.
Rates are fractions to four places; amounts of money and counts per day are exact text to the cent."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from tradewind.figure_sets import Figure, FigureSet, Nested
from tradewind.growth.milestones import pace_phrase

if TYPE_CHECKING:
    from tradewind.growth.metrics import Kpis, ServiceMetric
    from tradewind.growth.milestones import Milestone
    from tradewind.growth.service import GrowthReport

FRACTION = "fraction (0 to 1)"

KPIS = FigureSet(
    "KpisOut",
    "The shop's key figures over a period.",
    (
        Figure("start", date, "The period's first day"),
        Figure("end", date, "The period's last day (inclusive)"),
        Figure("currency", str, "The shop's currency (ISO 4217)"),
        Figure("gmv", str, "Gross merchandise value in the shop's currency (exact decimal text)"),
        Figure("gmv_usd", str, "Gross merchandise value in US dollars (exact decimal text)"),
        Figure("orders", int, "Orders placed"),
        Figure("buyers", int, "Distinct buyers"),
        Figure("repeat_buyers", int, "Buyers with more than one order"),
        Figure("repeat_buyer_rate", float | None, "Share of buyers who came back", FRACTION, 4),
    ),
)

LEVEL = FigureSet(
    "LevelOut",
    "The shop's level on the platform and what the next one needs.",
    (
        Figure("code", str, "The level's code"),
        Figure("title", str, "The level's name"),
        Figure("next", str | None, "The next level's code"),
        Figure("next_needs", str | None, "What the next level needs"),
    ),
)

PROJECTION = FigureSet(
    "ProjectionOut",
    "What the metric becomes if the items at risk go wrong.",
    (
        Figure("horizon_days", int, "How far ahead", "days"),
        Figure("at_risk", list[str], "The items at risk (orders, parcels)"),
        Figure("to_cross", int | None, "The fewest of them that, going wrong, cross the limit (none: not even all)"),
        Figure("worst_value", float | None, "The metric if all of them go wrong", FRACTION, 4),
        Figure("certain", list[str], "Those already gone wrong, only not counted yet"),
    ),
)

METRIC = FigureSet(
    "MetricOut",
    "A service metric against the platform's limit (a metric may add figures of its own).",
    (
        Figure("code", str, "The metric's code"),
        Figure("title", str, "The metric's name"),
        Figure("value", float | None, "The metric now (numerator / denominator)", FRACTION, 4),
        Figure("limit", float, "The platform's limit", FRACTION),
        Figure("bound", str, "'below': the value must stay under the limit; 'at_least': at or above it"),
        Figure("state", str, "How the value stands against the limit"),
        Figure("window_days", int, "The window the platform judges", "days"),
        Figure("window", list[date], "The window's first and last day"),
        Figure("numerator", int, "Items counted against the shop"),
        Figure("denominator", int, "Items judged"),
        Figure("unit", str, "What is counted"),
        Figure("counted", list[str], "The items counted against the shop"),
        Figure("projection", Nested(PROJECTION, optional=True), "What the items at risk may do to it"),
    ),
    open_ended=True,
)

MILESTONE = FigureSet(
    "MilestoneOut",
    "A new-merchant task: its target, progress and pace.",
    (
        Figure("code", str, "The task's code"),
        Figure("title", str, "The task's name"),
        Figure("unit", str, "What it counts"),
        Figure("target", str, "The count to reach (exact decimal text)"),
        Figure("progress", str, "The count so far (exact decimal text)"),
        Figure("day", int, "The task's day today (1: its first)"),
        Figure("days", int, "The task's days"),
        Figure("last_day", date, "The task's last day"),
        Figure("state", str, "Reached, on track, behind, missed…"),
        Figure("reached_on", date | None, "The day the target was reached"),
        Figure("projected", str, "Where the count stands on the last day at today's rate", None, 2),
        Figure("pace", str, "The pace in words"),
        Figure("pace_msg", dict[str, Any], "The pace as a message id and its arguments, for the reader's language"),
        Figure("per_day_now", str, "The count per day so far", None, 2),
        Figure("per_day_needed", str | None, "What each remaining day must bring; none when too late", None, 2),
    ),
)

GROWTH = FigureSet(
    "GrowthOut",
    "The shop's KPIs, service metrics against their limits, new-merchant milestones and level.",
    (
        Figure("shop", str, "The shop's code"),
        Figure("today", date, "The shop's day the report is for"),
        Figure("kpis", Nested(KPIS), "The KPIs of the period"),
        Figure("level", Nested(LEVEL, optional=True), "The shop's level, when it has one"),
        Figure("metrics", Nested(METRIC, many=True), "The service metrics"),
        Figure("milestones", Nested(MILESTONE, many=True), "The milestones (none until the opening day is set)"),
    ),
)


def _kpis(k: Kpis) -> dict[str, Any]:
    return {**k.__dict__, "repeat_buyer_rate": k.repeat_buyer_rate}


def _metric(m: ServiceMetric) -> dict[str, Any]:
    return {
        **{f.name: getattr(m, f.name) for f in METRIC.figures if f.name not in ("window", "projection")},
        "window": [m.start, m.end],
        "projection": None if m.projection is None else m.projection.__dict__,
        **m.extra,
    }


def _milestone(t: Milestone) -> dict[str, Any]:
    return {f.name: getattr(t, f.name) for f in MILESTONE.figures if f.name not in ("pace", "pace_msg")} | {
        "pace": (pace := pace_phrase(t)).english(),
        "pace_msg": pace.to_json(),
    }


def growth_figures(report: GrowthReport) -> dict[str, Any]:
    level = report.level
    return GROWTH.publish(
        {
            "shop": report.shop_code,
            "today": report.today,
            "kpis": _kpis(report.period),
            "level": None
            if level is None
            else {"code": level.code, "title": level.title, "next": level.next_code, "next_needs": level.next_needs},
            "metrics": [_metric(m) for m in report.metrics],
            "milestones": [_milestone(t) for t in report.milestones],
        }
    )
