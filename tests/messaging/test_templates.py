"""Every situation renders in every locale it promises, with realistic facts and every branch (delay reasons, parcel
states, reply intents): no placeholder left, no English left in a message in another language, dates and money in
the recipient's locale; a missing locale falls back to English and says so; bad input fails clearly."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tradewind.errors import ValidationError
from tradewind.messaging.situations import (
    BUYER_LOCALES,
    DELAY_REASONS,
    PARCEL_STATES,
    REPLY_INTENTS,
    SITUATIONS,
    SUPPLIER_LOCALES,
    sample_facts,
)
from tradewind.messaging.templates import (
    TemplateSource,
    check_template,
    render,
    shipped_locales,
    shipped_situations,
)

NON_LATIN = {"ru", "uk", "he", "ar", "ko", "ja", "zh"}
# Words that betray English left inside a message in a Latin-script language.
ENGLISH_GIVEAWAYS = re.compile(
    r"\b(Hello|Dear|Thank you|Thanks|your order|payment|cancelled|Please|tracking number|refund|delivery|shipping"
    r"|Best regards|the parcel|we will|you can)\b",
    re.IGNORECASE,
)
# Facts that are names or codes, the same in every language (brands, tracking numbers, SKU codes …).
FACT_VALUES = (
    "AliExpress Standard Shipping",
    "ePacket",
    "Hua Yuye Shoes",
    "LP00612345678901",
    "BOOT-38-BLK",
    "BOOT-39-BLK",
    "Ankle boot 38 black",
    "温州鹿城鑫达鞋业有限公司",
)
ALLOWED_LATIN = {"PayPal", "WHO", "USD", "US"}
DOUBLED_PUNCTUATION = re.compile(r"(?<!\.)\.\.(?!\.)|\.\s+\.|[,;:]\s*[.,;:]")


def variants(situation: str) -> list[dict[str, Any]]:
    if situation == "shipping_delay":
        return [{"reason": r, "shipped": s} for r in DELAY_REASONS for s in (True, False)] + [
            {"reason": "customs", "shipped": True, "late": False, "expected_on": None}
        ]
    if situation == "order_status":
        return [{"parcel_state": p} for p in PARCEL_STATES]
    if situation == "reply":
        return [{"intent": i, "shipped": s} for i in REPLY_INTENTS for s in (True, False)] + [
            {"intent": "refund_return", "shipped": True, "delivered": True},
            {"intent": "refund_return", "shipped": True, "tracking_number": "LP00612345678901"},
        ]
    if situation == "out_of_stock":
        return [{}, {"restock_on": None}]
    if situation == "parcel_inquiry":
        return [{}, {"decide_by": None}]
    if situation == "supplier_status_check":
        return [{"chase": False}, {"chase": True}]
    return [{}]


CASES = [
    pytest.param(name, locale, variant, id=f"{name}-{locale}-{'-'.join(str(v) for v in variant.values()) or 'base'}")
    for name, situation in SITUATIONS.items()
    for locale in situation.locales
    for variant in variants(name)
]


def test_every_situation_has_every_promised_locale() -> None:
    assert set(SITUATIONS) <= set(shipped_situations())
    for name, situation in SITUATIONS.items():
        wanted = set(SUPPLIER_LOCALES if situation.audience == "supplier" else BUYER_LOCALES)
        assert wanted <= set(shipped_locales(name)), name
    assert len(BUYER_LOCALES) == 16


@pytest.mark.parametrize(("situation", "locale", "variant"), CASES)
def test_renders_in_its_language_without_leftovers(situation: str, locale: str, variant: dict[str, Any]) -> None:
    facts = sample_facts(situation) | variant
    rendered = render(situation, locale, facts)
    assert rendered.locale == locale and not rendered.fell_back
    text = rendered.subject + "\n" + rendered.body
    assert "{{" not in text and "{%" not in text and "}}" not in text and "None" not in text
    assert rendered.subject.strip() and len(rendered.body.strip()) > 40
    assert "\n\n\n" not in rendered.body
    # Babel's dates end in a period in ru and uk ("2026 г."): never a second one after it, in any locale.
    assert not DOUBLED_PUNCTUATION.search(text), DOUBLED_PUNCTUATION.search(text)
    if SITUATIONS[situation].audience == "buyer" and situation not in ("covid_safety",):
        assert facts["order_number"] in text
    stripped = text
    for value in FACT_VALUES:
        stripped = stripped.replace(value, "")
    if locale in NON_LATIN:
        latin = set(re.findall(r"[A-Za-z]{3,}", stripped)) - ALLOWED_LATIN
        assert not latin, f"Latin words left in a {locale} message: {latin}"
    elif locale != "en":
        assert not ENGLISH_GIVEAWAYS.search(stripped), ENGLISH_GIVEAWAYS.search(stripped)


def test_money_dates_and_countries_follow_the_locale() -> None:
    facts = sample_facts("unpaid_reminder")
    russian = render("unpaid_reminder", "ru", facts).body
    assert "48,20" in russian and "$" in russian and "1 февраля 2026" in russian
    german = render("unpaid_reminder", "de", facts).body
    assert "48,20" in german and "1. Februar 2026" in german
    english = render("unpaid_reminder", "en", facts).body
    assert "$48.20" in english and "February 1, 2026" in english
    japanese = render("unpaid_reminder", "ja", facts).body
    assert "2026年2月1日" in japanese
    banner = render("shop_banner", "es", sample_facts("shop_banner")).body
    assert "Rusia, Bielorrusia y Kazajistán: 15–28 días" in banner
    assert "24 de febrero de 2026" in banner


def test_the_delay_reason_is_told_in_the_buyers_words() -> None:
    facts = sample_facts("shipping_delay")
    assert "Праздник весны" in render("shipping_delay", "ru", facts | {"reason": "spring_festival"}).body
    assert "pasajeros" in render("shipping_delay", "es", facts | {"reason": "flights_cut"}).body
    assert "Zoll" in render("shipping_delay", "de", facts | {"reason": "customs"}).body
    assert "suspendu" in render("shipping_delay", "fr", facts | {"reason": "route_blocked"}).body


def test_where_is_my_order_gives_the_next_step() -> None:
    pickup = render("order_status", "en", sample_facts("order_status")).body
    assert "Take your ID and the tracking number LP00612345678901" in pickup
    assert "February 28, 2026" in pickup
    russian = render("order_status", "ru", sample_facts("order_status")).body
    assert "паспорт" in russian and "LP00612345678901" in russian


def test_safety_answer_refers_to_the_who_and_health_authorities() -> None:
    english = render("covid_safety", "en", sample_facts("covid_safety")).body
    assert "World Health Organization" in english and "health authorities" in english
    assert "ВОЗ" in render("covid_safety", "ru", sample_facts("covid_safety")).body
    assert "世界卫生组织" in render("covid_safety", "zh", sample_facts("covid_safety")).body


def test_regional_locale_uses_the_language() -> None:
    rendered = render("unpaid_reminder", "pt_BR", sample_facts("unpaid_reminder"))
    assert rendered.locale == "pt" and not rendered.fell_back


def test_missing_locale_falls_back_to_english_and_says_so() -> None:
    rendered = render("supplier_status_check", "ru", sample_facts("supplier_status_check"))
    assert rendered.locale == "en" and rendered.fell_back and rendered.requested_locale == "ru"
    rendered = render("unpaid_reminder", "sv", sample_facts("unpaid_reminder"))
    assert rendered.locale == "en" and rendered.fell_back


def test_unknown_locale_is_an_error() -> None:
    with pytest.raises(ValidationError, match="unknown locale"):
        render("unpaid_reminder", "xx-nope", sample_facts("unpaid_reminder"))


def test_missing_fact_is_an_error() -> None:
    with pytest.raises(ValidationError, match="missing"):
        render("unpaid_reminder", "en", {"shop_name": "x"})


def test_template_with_a_syntax_error_is_refused() -> None:
    broken = TemplateSource(subject="Order {{ order_number }", body="Hi")
    with pytest.raises(ValidationError, match="syntax error"):
        render("unpaid_reminder", "en", sample_facts("unpaid_reminder"), override=broken)
    with pytest.raises(ValidationError, match="syntax error on line 2"):
        check_template(TemplateSource(subject="ok", body="line\n{% if x %}never closed"), name="t")


def test_unknown_situation_is_an_error() -> None:
    with pytest.raises(ValidationError, match="no template"):
        render("no_such_situation", "en", {})


def test_sample_money_is_decimal() -> None:
    assert sample_facts("unpaid_reminder")["order_total"] == (Decimal("48.20"), "USD")
    assert sample_facts("unpaid_reminder")["placed_on"] == date(2026, 2, 1)


@pytest.mark.parametrize("locale", BUYER_LOCALES)
def test_a_date_that_ends_a_sentence_ends_it_once(locale: str) -> None:
    """The unpaid reminder ends a sentence with the closing date, the delay notice with the new estimate."""
    for situation in ("unpaid_reminder", "shipping_delay", "pickup_reminder", "order_status"):
        rendered = render(situation, locale, sample_facts(situation))
        text = rendered.subject + "\n" + rendered.body
        assert "\x1f" not in text
        assert not DOUBLED_PUNCTUATION.search(text), (situation, DOUBLED_PUNCTUATION.search(text))
    russian = render("unpaid_reminder", "ru", sample_facts("unpaid_reminder")).body
    if locale == "ru":
        assert "закрываются автоматически 21 февраля 2026\u202fг. Если" in russian


def test_a_delay_notice_says_later_than_promised_only_when_it_is() -> None:
    facts = sample_facts("shipping_delay") | {"reason": "customs"}
    late = render("shipping_delay", "he", facts).body
    assert "מאוחר יותר ממה שהבטחנו" in late
    held = render("shipping_delay", "he", facts | {"late": False, "expected_on": None}).body
    assert "מאוחר יותר ממה שהבטחנו" not in held and "מתעכבת בדרך" in held
    english = render("shipping_delay", "en", facts | {"late": False, "expected_on": None}).body
    assert "later than we promised" not in english and "is being held up on the way" in english
    subjects = {late: render("shipping_delay", "ru", facts | {"late": late}).subject for late in (True, False)}
    assert subjects == {
        True: "Заказ 8012000008290012 задерживается — объясняем почему",
        False: "Заказ 8012000008290012 задерживается в пути — объясняем почему",
    }


@pytest.mark.parametrize("locale", BUYER_LOCALES)
def test_a_refund_request_for_a_parcel_not_yet_arrived_gets_a_refund_not_a_return(locale: str) -> None:
    """A buyer asking for their money back on a stuck parcel has nothing to return (and no size to swap)."""
    facts = sample_facts("reply") | {"intent": "refund_return"}
    stuck = render("reply", locale, facts | {"shipped": True, "tracking_number": "LP00612345678901"}).body
    arrived = render("reply", locale, facts | {"shipped": True, "delivered": True}).body
    assert stuck != arrived
    assert "LP00612345678901" in stuck and "48" in stuck  # the parcel and the amount the records give
    assert "48" not in arrived
    if locale == "en":
        assert "has not reached you yet" in stuck and "size" not in stuck
        assert "if it is the size" in arrived


def test_the_banner_counts_days_in_the_recipients_grammar() -> None:
    ranges = [
        {"countries": ["RU"], "low": 18, "high": 21},
        {"countries": ["BY"], "low": 4, "high": 23},
        {"countries": ["KZ"], "low": 18, "high": 28},
        {"countries": ["SA"], "low": 3, "high": 9},
    ]
    facts = sample_facts("shop_banner") | {"ranges": ranges}
    russian = render("shop_banner", "ru", facts).body
    assert "18–21 день" in russian and "4–23 дня" in russian and "18–28 дней" in russian and "3–9 дней" in russian
    ukrainian = render("shop_banner", "uk", facts).body
    assert "18–21 день" in ukrainian and "4–23 дні" in ukrainian and "18–28 днів" in ukrainian
    arabic = render("shop_banner", "ar", facts).body
    assert "18–21 يومًا" in arabic and "3–9 أيام" in arabic
