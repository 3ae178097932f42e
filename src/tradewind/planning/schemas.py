"""The plan's figures as every face shows them: one rounding per figure, used by the brief's cards
(`producers.sku_figures`), `tradewind plan --json` and the API's stored plan (`GET /shops/{shop}/plans`), so the
same SKU reads the same numbers everywhere."""

from __future__ import annotations

import math

# Decimal places of each rounded plan figure (the figures a seller reads: rates to the hundredth, stock levels,
# cover and lead times to a tenth).
PLAN_FIGURE_DIGITS: dict[str, int] = {
    "demand_per_day": 2,
    "demand_sigma": 2,
    "service_level": 2,
    "safety_stock": 1,
    "reorder_point": 1,
    "order_up_to": 1,
    "days_of_cover": 1,
    "lead_time_mean_days": 1,
    "lead_time_p90_days": 1,
    "moq_choice_cover_days": 0,
}


def plan_figure(name: str, value: float | None) -> float | None:
    """`value` of the plan figure `name` rounded to its places; None (no value) for None and NaN."""
    if value is None or math.isnan(value):
        return None
    return round(value, PLAN_FIGURE_DIGITS[name])
