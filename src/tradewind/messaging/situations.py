"""The situations Tradewind writes about, who reads each one, the languages it is written in, and the facts each
template is given (the contract between the producers that fill them and the template files).

A template file may use only the facts listed for its situation (plus the common ones); `SAMPLE_FACTS` holds a
realistic value for each, used by the tests and by `tradewind messages preview`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

BUYER_LOCALES = ("en", "ru", "uk", "es", "pt", "fr", "de", "it", "pl", "nl", "tr", "he", "ar", "ko", "ja", "zh")
SUPPLIER_LOCALES = ("zh", "en")

# Why a parcel is late, in the words a buyer is told (seeds: Spring Festival, epidemic, cut flights, customs, rail).
DELAY_REASONS = ("spring_festival", "epidemic", "flights_cut", "customs", "route_blocked", "carrier_delay")

# Where a parcel is, in the few states a buyer needs explained (from the normalised tracking status).
PARCEL_STATES = (
    "not_shipped",
    "label_created",
    "in_transit",
    "stalled",
    "out_for_delivery",
    "pickup",
    "failed_attempt",
    "customs",
    "problem",
    "delivered",
)

# Intents whose answer is the `reply` template; the others are answered by their own situation.
REPLY_INTENTS = ("cancel_order", "refund_return", "change_order", "product_question", "other")


@dataclass(frozen=True)
class Situation:
    name: str
    audience: str  # buyer, supplier or shop (the shop's own page)
    facts: tuple[str, ...]
    summary: str

    @property
    def locales(self) -> tuple[str, ...]:
        return SUPPLIER_LOCALES if self.audience == "supplier" else BUYER_LOCALES


COMMON_BUYER_FACTS = ("shop_name", "buyer_name", "order_number", "order_total", "placed_on")

SITUATIONS: dict[str, Situation] = {
    s.name: s
    for s in (
        Situation(
            "shipping_delay",
            "buyer",
            ("reason", "promised_on", "expected_on", "tracking_number", "shipped", "reason_until", "late"),
            "the order will miss its promised date: the real reason and the new estimate",
        ),
        Situation("covid_safety", "buyer", (), "is the parcel safe? WHO and health authorities, what the shop does"),
        Situation(
            "out_of_stock",
            "buyer",
            ("item", "restock_on", "reply_by"),
            "the item ran out: exchange, wait or cancel with a full refund, the buyer chooses",
        ),
        Situation("unpaid_reminder", "buyer", ("pay_by",), "the order is not paid: how to pay"),
        Situation(
            "cancellation_followup",
            "buyer",
            ("cancelled_on", "seller_cancelled", "cancel_reason", "cancelled_by"),
            "the order was cancelled: ask why",
        ),
        Situation(
            "order_status",
            "buyer",
            (
                "parcel_state",
                "tracking_number",
                "carrier",
                "location",
                "expected_on",
                "ship_by",
                "back_to_sender_from",
            ),
            "where is my order: the tracking status in plain words and the next step",
        ),
        Situation(
            "pickup_reminder",
            "buyer",
            ("tracking_number", "pickup_point", "back_to_sender_from"),
            "the parcel waits at the post office or pickup point",
        ),
        Situation(
            "protection_extended",
            "buyer",
            ("tracking_number", "extend_to"),
            "the buyer-protection deadline is near: the seller extends it",
        ),
        Situation(
            "parcel_inquiry",
            "buyer",
            ("tracking_number", "decide_by"),
            "the parcel is probably lost: an inquiry with the carrier, and a refund or a resend if it is not found by "
            "the protection end (`decide_by`; None when that has passed), the buyer chooses which",
        ),
        Situation(
            "shipping_method_changed",
            "buyer",
            ("old_method", "new_method", "change_reason", "expected_on"),
            "the order goes by another shipping method",
        ),
        Situation("thank_you_review", "buyer", (), "the order arrived: thank you, and a review request"),
        Situation(
            "reply",
            "buyer",
            ("intent", "shipped", "delivered", "tracking_number"),
            "an answer to a buyer's message (cancel, return, change, product question, other)",
        ),
        Situation(
            "shop_banner",
            "shop",
            ("ranges", "closure_until", "delay_reasons"),
            "the notice for new visitors: delivery times per region and what slows them",
        ),
        Situation(
            "supplier_status_check",
            "supplier",
            ("supplier_name", "shop_name", "skus", "chase"),
            "is the factory working, and when can it ship",
        ),
        Situation(
            "restock_date_request",
            "supplier",
            ("supplier_name", "shop_name", "skus", "reopens_on"),
            "when will these SKUs be back in stock",
        ),
        Situation(
            "shipping_advice_request",
            "supplier",
            ("supplier_name", "shop_name", "destinations", "methods"),
            "which shipping method works best now",
        ),
    )
}


def situation(name: str) -> Situation:
    from tradewind.errors import ValidationError

    found = SITUATIONS.get(name)
    if found is None:
        raise ValidationError(
            f"unknown situation {name!r}: one of {', '.join(sorted(SITUATIONS))}", details={"situation": name}
        )
    return found


def blank_buyer_facts(shop_name: str) -> dict[str, Any]:
    """The common facts with nothing known yet (a message not about an order)."""
    return {"shop_name": shop_name, "buyer_name": "", "order_number": "", "order_total": None, "placed_on": None}


def with_defaults(name: str, facts: dict[str, Any]) -> dict[str, Any]:
    """`facts` with every fact the situation's templates may use present (None where unknown)."""
    wanted = SITUATIONS[name]
    base: dict[str, Any] = {}
    if wanted.audience != "supplier":
        base = {"shop_name": "", "buyer_name": "", "order_number": "", "order_total": None, "placed_on": None}
    base |= dict.fromkeys(wanted.facts)
    return base | facts


SAMPLE_FACTS: dict[str, dict[str, Any]] = {
    "_common": {
        "shop_name": "Hua Yuye Shoes",
        "buyer_name": "Анна",
        "order_number": "8012000008290012",
        "order_total": (Decimal("48.20"), "USD"),
        "placed_on": date(2026, 2, 1),
    },
    "shipping_delay": {
        "reason": "spring_festival",
        "promised_on": date(2026, 2, 20),
        "expected_on": date(2026, 3, 6),
        "tracking_number": "LP00612345678901",
        "shipped": True,
        "reason_until": date(2026, 2, 24),
        "late": True,
    },
    "covid_safety": {},
    "out_of_stock": {"item": "Ankle boot 38 black", "restock_on": date(2026, 3, 2), "reply_by": date(2026, 2, 5)},
    "unpaid_reminder": {"pay_by": date(2026, 2, 21)},
    "cancellation_followup": {
        "cancelled_on": date(2026, 2, 2),
        "seller_cancelled": True,
        "cancel_reason": "out of stock",
        "cancelled_by": "seller",
    },
    "order_status": {
        "parcel_state": "pickup",
        "tracking_number": "LP00612345678901",
        "carrier": "AliExpress Standard Shipping",
        "location": "Москва 125009",
        "expected_on": date(2026, 2, 18),
        "ship_by": date(2026, 2, 4),
        "back_to_sender_from": date(2026, 2, 28),
    },
    "pickup_reminder": {
        "tracking_number": "LP00612345678901",
        "pickup_point": "Москва 125009",
        "back_to_sender_from": date(2026, 2, 28),
    },
    "protection_extended": {"tracking_number": "LP00612345678901", "extend_to": date(2026, 3, 10)},
    "parcel_inquiry": {"tracking_number": "LP00612345678901", "decide_by": date(2026, 3, 10)},
    "shipping_method_changed": {
        "old_method": "ePacket",
        "new_method": "AliExpress Standard Shipping",
        "change_reason": "faster",
        "expected_on": date(2026, 2, 25),
    },
    "thank_you_review": {},
    "reply": {"intent": "cancel_order", "shipped": False, "delivered": False, "tracking_number": ""},
    "shop_banner": {
        "ranges": [
            {"countries": ["RU", "BY", "KZ"], "low": 15, "high": 28},
            {"countries": ["ES", "FR", "DE"], "low": 10, "high": 18},
            {"countries": ["BR"], "low": 25, "high": 45},
        ],
        "closure_until": date(2026, 2, 24),
        "delay_reasons": ["spring_festival", "flights_cut"],
    },
    "supplier_status_check": {
        "supplier_name": "温州鹿城鑫达鞋业有限公司",
        "shop_name": "Hua Yuye Shoes",
        "skus": ["BOOT-38-BLK", "BOOT-39-BLK"],
        "chase": False,
    },
    "restock_date_request": {
        "supplier_name": "温州鹿城鑫达鞋业有限公司",
        "shop_name": "Hua Yuye Shoes",
        "skus": ["BOOT-38-BLK", "BOOT-39-BLK"],
        "reopens_on": date(2026, 2, 24),
    },
    "shipping_advice_request": {
        "supplier_name": "温州鹿城鑫达鞋业有限公司",
        "shop_name": "Hua Yuye Shoes",
        "destinations": ["RU", "IL", "BR"],
        "methods": ["ePacket", "AliExpress Standard Shipping"],
    },
}


def sample_facts(name: str) -> dict[str, Any]:
    wanted = SITUATIONS[name]
    common = SAMPLE_FACTS["_common"] if wanted.audience != "supplier" else {}
    return with_defaults(name, dict(common) | SAMPLE_FACTS[name])
