"""Words for the values the records hold (action kinds, roles, states, urgency groups) and for the controls
repeated on every row, each a literal for the translation catalog. The pages look each up in a dictionary
translated once per language (a page of fifty rows would otherwise translate them once per row, or per cell)."""

from __future__ import annotations

from collections.abc import Callable


def _(message: str) -> str:
    """Marks a text for the catalog (`pybabel extract`); it is translated when the dictionaries are built."""
    return message


ROLE_NAMES = {"owner": _("owner"), "staff": _("staff"), "viewer": _("viewer")}

KIND_NAMES = {
    "restock": _("Restock"),
    "switch_supplier": _("Switch supplier"),
    "stockout_playbook": _("Stockout playbook"),
    "vacation_mode": _("Vacation mode"),
    "overstock": _("Overstock"),
    "switch_shipping": _("Switch shipping"),
    "lane_blocked": _("Lane blocked"),
    "notify_delay": _("Notify delay"),
    "protection_expiring": _("Protection expiring"),
    "pickup_reminder": _("Pickup reminder"),
    "stalled_tracking": _("Stalled tracking"),
    "unpaid_reminder": _("Unpaid reminder"),
    "cancellation_followup": _("Cancellation follow-up"),
    "supplier_check": _("Supplier check"),
    "reply_needed": _("Reply needed"),
    "growth_milestone": _("Growth milestone"),
    "metric_risk": _("Metric at risk"),
    "banner_update": _("Banner update"),
    "stale_orders": _("Stale orders"),
    "receipt_missing": _("Receipt missing"),
}

URGENCY_NAMES = {"overdue": _("overdue"), "today": _("today"), "this week": _("this week"), "later": _("later")}

STATE_NAMES = {
    "open": _("open"),
    "applied": _("applied"),
    "dismissed": _("dismissed"),
    "snoozed": _("snoozed"),
    "expired": _("expired"),
    "operating": _("operating"),
    "closed": _("closed"),
    "uncertain": _("uncertain"),
    "unknown": _("unknown"),
    "draft": _("draft"),
    "queued": _("queued"),
    "sent": _("sent"),
    "failed": _("failed"),
    "cancelled": _("cancelled"),
    # An order's status (`OrderStatus`): "placed" is not paid yet.
    "placed": _("placed, unpaid"),
    "awaiting_shipment": _("awaiting shipment"),
    "shipped": _("shipped"),
    "delivered": _("delivered"),
}

# A parcel's state (`TrackingStatus`, AfterShip's tags).
PARCEL_NAMES = {
    "Pending": _("no scan yet"),
    "InfoReceived": _("label created"),
    "InTransit": _("in transit"),
    "OutForDelivery": _("out for delivery"),
    "AttemptFail": _("delivery attempt failed"),
    "Delivered": _("delivered"),
    "AvailableForPickup": _("at a pickup point"),
    "Exception": _("carrier exception"),
    "Expired": _("no news for too long"),
    "Unknown": _("unknown"),
}


# What the growth page counts: a service metric's orders, parcels or messages, a milestone's listings or sales (a
# milestone in money counts its currency, shown as its code).
UNIT_NAMES = {
    "orders": _("orders"),
    "parcels": _("parcels"),
    "messages": _("messages"),
    "listings": _("listings"),
    "sales": _("sales"),
}

# The controls of an action's card, repeated on every card of the Today page.
CARD_WORDS = {
    "apply": _("Apply"),
    "snooze_until": _("Snooze until"),
    "snooze": _("Snooze"),
    "why_optional": _("why (optional)"),
    "reason": _("Reason"),
    "dismiss": _("Dismiss"),
    "figures_and_steps": _("Figures and steps"),
    "loading": _("Loading…"),
}


# What an incoming buyer message asks (`messaging.intent.INTENTS`), as the Messages page names it.
INTENT_NAMES = {
    "order_status": _("order status"),
    "cancel_order": _("cancel order"),
    "refund_return": _("refund or return"),
    "payment": _("payment"),
    "product_question": _("product question"),
    "change_order": _("change order"),
    "covid_safety": _("COVID and safety"),
    "other": _("other"),
}


def translated_names(gettext: Callable[[str], str]) -> dict[str, dict[str, str]]:
    """Every dictionary of words in one language, for the templates' context."""
    return {
        "role_names": {key: gettext(word) for key, word in ROLE_NAMES.items()},
        "kind_names": {key: gettext(word) for key, word in KIND_NAMES.items()},
        "urgency_names": {key: gettext(word) for key, word in URGENCY_NAMES.items()},
        "state_names": {key: gettext(word) for key, word in STATE_NAMES.items()},
        "parcel_names": {key: gettext(word) for key, word in PARCEL_NAMES.items()},
        "unit_names": {key: gettext(word) for key, word in UNIT_NAMES.items()},
        "card_words": {key: gettext(word) for key, word in CARD_WORDS.items()},
        "intent_names": {key: gettext(word) for key, word in INTENT_NAMES.items()},
    }
