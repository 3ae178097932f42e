"""Pure array kernels of replenishment planning: every SKU at once, NumPy (and Numba for the recursions, loaded
only when an estimate is computed)."""

from tradewind.planning.kernels.demand import DemandEstimate, DemandSettings, estimate_demand
from tradewind.planning.kernels.methods import (
    CROSTON,
    METHOD_NAMES,
    MOVING_AVERAGE,
    SBA,
    SEASONAL,
    SMOOTHED,
    TSB,
)
from tradewind.planning.kernels.plan import Levels, PlanResult, forecast_by_method, plan, replenishment_levels

__all__ = [
    "CROSTON",
    "METHOD_NAMES",
    "MOVING_AVERAGE",
    "SBA",
    "SEASONAL",
    "SMOOTHED",
    "TSB",
    "DemandEstimate",
    "DemandSettings",
    "Levels",
    "PlanResult",
    "estimate_demand",
    "forecast_by_method",
    "plan",
    "replenishment_levels",
]
