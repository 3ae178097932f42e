"""The thresholds logistics works with, with the platforms' defaults (AliExpress's 7-day first-scan rule, buyer
protection, post offices' pickup hold), built once from the settings.

`LogisticsRules.from_settings` reads an optional `logistics_<name>` attribute of `Settings` for each field, so the
seller can override any of them (`TRADEWIND_LOGISTICS_STALLED_AFTER_DAYS=12`) once `Settings` declares it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any

from tradewind.config import Settings
from tradewind.logistics.transit.lanes import TransitSettings
from tradewind.orders.service import STALE_ORDER_DAYS


@dataclass(frozen=True)
class LogisticsRules:
    # The platforms' rule: tracking must show a first carrier scan within this many days of shipping.
    first_scan_within_days: int = 7
    # A parcel with no new tracking event for this long is stalled (international legs go quiet for a week).
    stalled_after_days: int = 10
    # Chase the carrier again (a new stalled_tracking action) at most this often.
    chase_again_days: int = 7
    # Remind the buyer once the parcel has waited this long at the pickup point, and again after this many days.
    pickup_reminder_after_days: int = 3
    pickup_remind_again_days: int = 5
    # How long post offices keep a parcel before sending it back (Russian Post, Correos, Israel Post: 14–30 days);
    # a parcel waiting there is expected by arrival + this. Setting: logistics_pickup_hold_days.
    pickup_hold_days: int = 15
    # A parcel out for delivery (the courier has it in the buyer's town) is expected the next day and at the latest
    # this many days after that event, whatever its lane's curve says (carriers deliver within 1–2 days, issue 17).
    # Setting: logistics_out_for_delivery_days.
    out_for_delivery_days: int = 2
    # Warn this many days before the buyer-protection (promised delivery) deadline; extend it by this many days.
    protection_warning_days: int = 5
    protection_extension_days: int = 15
    # Expired: no news from the carrier for this long — probably lost, a carrier inquiry and a refund or resend
    # rather than a date (AfterShip's 30 days). Setting: logistics_expired_after_days.
    expired_after_days: int = 30
    # Parcels handed over longer ago than this are past every deadline the watch follows (lost or long closed); no
    # delivery outlook is given further than this after hand-over.
    watch_window_days: int = 120
    # Orders open this long past their ship-by day are stale (the stale_orders action lists them): no outlook, no
    # buyer message. Setting: stale_order_days, the one the orders domain and the brief read.
    stale_order_days: int = STALE_ORDER_DAYS
    # When orders carry no promised date: the promise to the buyer, and the days between order and hand-over.
    default_promise_days: int = 30
    default_handling_days: int = 3
    # The default method per destination is the most used over this many days of orders.
    method_window_days: int = 30
    # Switch to a cheaper method that also meets the promise only when it saves at least this share.
    switch_min_saving: Decimal = Decimal("0.10")
    # Destination → method, when the seller sets the default method per destination.
    default_methods: dict[str, str] = field(default_factory=dict)
    transit: TransitSettings = field(default_factory=TransitSettings)

    @classmethod
    def from_settings(cls, settings: Settings) -> LogisticsRules:
        overrides: dict[str, Any] = {}
        for item in fields(cls):
            value = getattr(settings, f"logistics_{item.name}", None)
            if value is not None:
                overrides[item.name] = value
        transit_overrides = {
            item.name: getattr(settings, f"transit_{item.name}")
            for item in fields(TransitSettings)
            if getattr(settings, f"transit_{item.name}", None) is not None
        }
        rules = cls(**overrides, stale_order_days=settings.stale_order_days)
        if transit_overrides:
            rules = replace(rules, transit=replace(rules.transit, **transit_overrides))
        # The transit estimate censors a parcel as lost after the same silence the watch calls Expired.
        return replace(rules, transit=replace(rules.transit, lost_after_days=float(rules.expired_after_days)))
