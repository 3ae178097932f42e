"""Every shipped template renders in every shipped locale with realistic facts; bad locales and templates fail
clearly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tradewind.errors import ValidationError
from tradewind.messaging.templates import TemplateSource, render, shipped_locales, shipped_situations

FACTS: dict[str, Any] = {
    "shop_name": "Hua Yuye Shoes",
    "order_number": "8012345678901234",
    "order_total": (Decimal("48.20"), "USD"),
    "placed_on": date(2026, 2, 1),
    "pay_by": date(2026, 2, 21),
    "cancelled_on": date(2026, 2, 2),
    "seller_cancelled": True,
    "cancel_reason": "out of stock",
    "cancelled_by": "seller",
    "buyer_name": "Анна",
}

CASES = [(situation, locale) for situation in shipped_situations() for locale in shipped_locales(situation)]

# A few words that would betray English left inside a translated message.
ENGLISH_GIVEAWAYS = ("Hello", "Thank you", "order is", "payment", "cancelled", "Please")


def test_foundation_situations_are_shipped() -> None:
    assert {"unpaid_reminder", "cancellation_followup"} <= set(shipped_situations())
    for situation in ("unpaid_reminder", "cancellation_followup"):
        assert {"en", "ru", "uk", "es", "pt", "fr", "de", "pl"} <= set(shipped_locales(situation))


@pytest.mark.parametrize(("situation", "locale"), CASES)
def test_renders_without_leftovers(situation: str, locale: str) -> None:
    rendered = render(situation, locale, FACTS)
    assert rendered.locale == locale and not rendered.fell_back
    text = rendered.subject + rendered.body
    assert "{{" not in text and "{%" not in text and "}}" not in text
    assert FACTS["order_number"] in text
    assert "\n\n\n" not in rendered.body
    if locale != "en":
        assert not any(word in text for word in ENGLISH_GIVEAWAYS), text


def test_money_and_dates_follow_the_locale() -> None:
    russian = render("unpaid_reminder", "ru", FACTS).body
    assert "48,20" in russian and "$" in russian
    assert "1 февраля 2026" in russian
    german = render("unpaid_reminder", "de", FACTS).body
    assert "48,20" in german and "1. Februar 2026" in german
    english = render("unpaid_reminder", "en", FACTS).body
    assert "$48.20" in english and "February 1, 2026" in english


def test_regional_locale_uses_the_language() -> None:
    rendered = render("unpaid_reminder", "pt_BR", FACTS)
    assert (rendered.locale == "pt" and not rendered.fell_back) or rendered.locale == "pt"


def test_missing_locale_falls_back_to_english_and_says_so() -> None:
    rendered = render("unpaid_reminder", "ko", FACTS)
    assert rendered.locale == "en" and rendered.fell_back and rendered.requested_locale == "ko"


def test_unknown_locale_is_an_error() -> None:
    with pytest.raises(ValidationError, match="unknown locale"):
        render("unpaid_reminder", "xx-nope", FACTS)


def test_missing_fact_is_an_error() -> None:
    with pytest.raises(ValidationError, match="missing"):
        render("unpaid_reminder", "en", {"shop_name": "x"})


def test_broken_shop_template_is_an_error() -> None:
    broken = TemplateSource(subject="Order {{ order_number }", body="Hi")
    with pytest.raises(ValidationError, match="syntax error"):
        render("unpaid_reminder", "en", FACTS, override=broken)


def test_unknown_situation_is_an_error() -> None:
    with pytest.raises(ValidationError, match="no template"):
        render("no_such_situation", "en", FACTS)
