"""The limits and targets the growth domain judges a shop by, with the platforms' defaults.

Built from `Settings` at the edge: each field can be set there as `growth_<name>` (env `TRADEWIND_GROWTH_<NAME>`)
once `Settings` declares it; until then the defaults below apply.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from tradewind.config import Settings


class GrowthSettings(BaseModel):
    model_config = {"frozen": True}

    # Service metrics: windows (days, ending today) and limits (fractions). Amazon's and AliExpress's published
    # thresholds: order defect rate under 1% over 60 days, cancellation under 2.5% over 7 days, late shipment under
    # 4% over 30 days, valid tracking at least 95% over 30 days.
    order_defect_window_days: int = Field(default=60, ge=7, le=365)
    order_defect_limit: float = Field(default=0.01, gt=0, lt=1)
    negative_feedback_max_rating: int = Field(default=2, ge=1, le=4, description="1-5 stars: this or less is negative")
    cancellation_window_days: int = Field(default=7, ge=1, le=365)
    cancellation_limit: float = Field(default=0.025, gt=0, lt=1)
    late_shipment_window_days: int = Field(default=30, ge=1, le=365)
    late_shipment_limit: float = Field(default=0.04, gt=0, lt=1)
    first_scan_days: int = Field(default=7, ge=1, le=30, description="the carrier must scan a parcel within this")
    first_scan_window_days: int = Field(default=30, ge=1, le=365)
    first_scan_minimum: float = Field(default=0.95, gt=0, le=1)
    valid_tracking_window_days: int = Field(default=30, ge=1, le=365)
    valid_tracking_minimum: float = Field(default=0.95, gt=0, le=1)
    reply_hours: int = Field(default=24, ge=1, le=168)
    reply_window_days: int = Field(default=30, ge=1, le=365)
    reply_minimum: float = Field(default=0.90, gt=0, le=1, description="share of buyer messages answered in time")
    # Projection: what open orders and live tracking may do to the metrics in the coming days.
    projection_days: int = Field(default=7, ge=1, le=60)
    # What the platform does to a shop past a metric's limit, as the share of its sales (last 30 days) that costs:
    # Tradewind's reading of the published policies. An order defect rate over 1% deactivates the account (Amazon;
    # AliExpress closes the store): all of it. Seller cancellations and late shipment restrict selling (Amazon may
    # deactivate, AliExpress lowers the seller level and its traffic): half. Tracking and first scans demote the
    # listings and restrict categories: 0.3. A slow reply rate lowers the shop's search rank: 0.2.
    breach_cost_share: dict[str, float] = Field(
        default_factory=lambda: {
            "order_defect_rate": 1.0,
            "cancellation_rate": 0.5,
            "late_shipment_rate": 0.5,
            "first_scan_rate": 0.3,
            "valid_tracking_rate": 0.3,
            "reply_rate": 0.2,
        }
    )

    # New-merchant milestones (AliExpress "Popeye" growth plan, seeds/001).
    listing_days: int = Field(default=30, ge=1)
    sales_target: int = Field(default=60, ge=1)
    sales_days: int = Field(default=90, ge=1)
    gmv_target_usd: Decimal = Field(default=Decimal("30000"), gt=0)
    gmv_days: int = Field(default=180, ge=1)
    # Chief navigator, the top of the ladder: Tradewind's own bar (the plan names the level, not a figure).
    chief_navigator_gmv_usd_90d: Decimal = Field(default=Decimal("60000"), gt=0)
    # A reached milestone is news in the brief for this many days.
    milestone_news_days: int = Field(default=7, ge=1)


def growth_settings(settings: Settings) -> GrowthSettings:
    """The growth settings: each `growth_<name>` field `Settings` has overrides the default."""
    overrides: dict[str, Any] = {}
    for name in GrowthSettings.model_fields:
        value = getattr(settings, f"growth_{name}", None)
        if value is not None:
            overrides[name] = value
    return GrowthSettings(**overrides)
