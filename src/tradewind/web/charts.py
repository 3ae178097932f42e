"""Chart specifications: the data of each chart as the small JSON that `static/app.js` hands to Chart.js."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import orjson
from markupsafe import Markup

from tradewind.planning.service import StockOutlook
from tradewind.server.figures import LaneTrend


def as_script_json(spec: dict[str, Any]) -> Markup:
    """JSON safe to place inside <script type="application/json"> (no closing tag can appear in it)."""
    text = orjson.dumps(spec, default=str).decode()
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def stock_chart(outlook: StockOutlook, words: dict[str, str]) -> dict[str, Any]:
    """Past sales and the plan ahead on one day axis: sales history, the forecast, projected stock (stepping up
    where a purchase order arrives), the reorder point, and a marker on the stockout day."""
    past = [d.isoformat() for d in outlook.history_days]
    ahead = [d.isoformat() for d in outlook.projection_days]
    gap_past: list[float | None] = [None] * len(past)
    gap_ahead: list[float | None] = [None] * len(ahead)
    stockout = outlook.stockout_on.isoformat() if outlook.stockout_on else None
    marker: list[float | None] = [(0.0 if day == stockout else None) for day in past + ahead]
    inbound = [v if v > 0 else None for v in outlook.inbound]
    return {
        "title": words["title"],
        "y_label": words["units"],
        "labels": past + ahead,
        "series": [
            {"label": words["sales"], "values": [*outlook.sales, *gap_ahead], "color": "#5f6b7a", "type": "bar"},
            {"label": words["forecast"], "values": [*gap_past, *outlook.forecast], "color": "#e07a1f", "dashed": True},
            {
                "label": words["stock"],
                "values": [*gap_past, *outlook.projected_stock],
                "color": "#0f5b78",
                "fill": True,
                "stepped": True,
            },
            {"label": words["inbound"], "values": [*gap_past, *inbound], "color": "#2e9d57", "type": "bar"},
            {
                "label": words["reorder_point"],
                "values": [outlook.reorder_point] * (len(past) + len(ahead)),
                "color": "#7a5af8",
                "dashed": True,
                "width": 1,
            },
            {"label": words["stockout"], "values": marker, "color": "#b42318", "points": True, "showLine": False},
        ],
    }


def lane_trend_charts(
    trend: LaneTrend, words: dict[str, str], week_label: Callable[[date], str] = date.isoformat
) -> list[dict[str, Any]]:
    """Small multiples: one small chart per lane (p50 solid, p90 dashed, in one colour), every one on the same day
    scale so that lanes compare at a glance; one chart of sixteen lines in eight colours could not be read."""
    highest = max((v for lane in trend.lanes for v in lane["p90"] if v is not None), default=0)
    top = max(5, int(-(-highest // 5) * 5))  # rounded up to 5 days: the same y axis in every box
    weeks = [week_label(w) for w in trend.weeks]
    return [
        {
            "title": lane["lane"],
            "y_label": words["days"],
            "y_max": top,
            "legend": False,
            "labels": weeks,
            "series": [
                {"label": "p50", "values": lane["p50"], "color": "#0f5b78"},
                {"label": "p90", "values": lane["p90"], "color": "#0f5b78", "dashed": True, "width": 1},
            ],
        }
        for lane in trend.lanes
    ]
