"""Phrases: message ids and typed arguments, stored as JSON and rendered in the reader's language."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from babel.numbers import format_decimal

from tradewind import wording
from tradewind.wording import Amount, Day, Joined, Number, Phrase, joined, nphrase, percent, phrase, render


def test_english_is_the_msgid_with_its_arguments_as_the_producers_wrote_them() -> None:
    title = phrase(
        "Order %(quantity)s from %(supplier)s by %(due)s: %(sku)s",
        quantity=nphrase("%(num)s pair", "%(num)s pairs", 4318),
        supplier="Putian",
        due=Day(date(2026, 12, 7), "day_month"),
        sku="SH-1",
    )
    assert render(title, "en") == "Order 4318 pairs from Putian by 07 Dec: SH-1"
    assert render(nphrase("%(num)s pair", "%(num)s pairs", 1), "en") == "1 pair"


def test_numbers_money_days_and_lists_in_english_match_python_formatting() -> None:
    value = 1234.5678
    assert render(phrase("%(v)s", v=Number.of(value, 2)), "en") == f"{value:,.2f}"
    assert render(phrase("%(v)s", v=Number.of(value, 0, grouped=False)), "en") == f"{value:.0f}"
    assert render(phrase("%(v)s", v=Number.of(2.5, 0, grouped=False)), "en") == f"{2.5:.0f}"  # half to even
    assert render(phrase("%(v)s", v=Amount(Decimal("808.03"), "USD")), "en") == "USD 808.03"
    assert render(phrase("%(d)s", d=Day(date(2026, 12, 12))), "en") == "2026-12-12"
    assert render(phrase("%(l)s", l=joined(phrase("a"), "b")), "en") == "a, b"
    assert render(phrase("%(l)s", l=Joined(("x", "y"), " + ")), "en") == "x + y"


def test_json_round_trip_keeps_types() -> None:
    title = nphrase(
        "%(title)s (%(num)s of them written to in another action)",
        "%(title)s (%(num)s of them written to in another action)",
        2,
        title=phrase(
            "%(a)s %(b)s %(c)s %(d)s",
            a=Number.of(1.25, 1),
            b=Day(date(2026, 1, 2), "day_month"),
            c=Amount(Decimal("3.10"), "EUR"),
            d=Joined((phrase("x"), "y")),
        ),
    )
    stored = json.loads(json.dumps(title.to_json()))
    back = Phrase.from_json(stored)
    assert back == title
    assert isinstance(back.arguments["title"], Phrase)
    assert isinstance(back.arguments["title"].arguments["b"], Day)
    assert back.arguments["title"].arguments["b"].value == date(2026, 1, 2)
    assert render(back, "en") == render(title, "en")


def test_percentages_days_with_their_year_and_semicolon_lists_in_each_language() -> None:
    """`percent` writes what `f"{share:.1%}"` does in English; "day_month_year" is English "07 Dec 2026"; a list a
    producer joins with "; " takes Chinese's full-width semicolon, and sentences joined with a space none."""
    for share in (0.025, 0.0249, 0.1, 0.105, 1.0):
        assert render(percent(share, 1), "en") == f"{share:.1%}"
        assert render(percent(share, 0), "en") == f"{share:.0%}"
    assert render(percent(0.025, 1), "ru") == "2,5 %"
    day = phrase("%(d)s", d=Day(date(2026, 12, 7), "day_month_year"))
    assert (render(day, "en"), render(day, "zh")) == ("07 Dec 2026", "2026年12月7日")
    listed = phrase("%(items)s", items=Joined(("a", "b"), "; "))
    assert (render(listed, "en"), render(listed, "ru"), render(listed, "zh")) == ("a; b", "a; b", "a；b")
    sentences = phrase("%(text)s", text=Joined(("第一句。", "第二句。"), " "))
    assert (render(sentences, "en"), render(sentences, "zh")) == ("第一句。 第二句。", "第一句。第二句。")


def test_a_number_is_written_by_babel_once_per_text_pattern_and_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """A brief writes the same day counts thousands of times: Babel (which parses the pattern on every call) is
    asked once per number as written, pattern and language; 1.0 and 1.00 are numbers written differently."""
    calls: list[tuple[object, str, str]] = []

    def counting(value: Any, pattern: str, *, locale: Any) -> str:
        calls.append((value, pattern, str(locale)))
        return format_decimal(value, pattern, locale=locale)

    monkeypatch.setattr(wording, "format_decimal", counting)
    wording._number_of_text.cache_clear()
    try:
        texts = [
            render(phrase("%(n)s %(d)s %(e)s", n=12345, d=Number(Decimal("1.0"), 1), e=Number(Decimal("1.00"), 1)), lo)
            for lo in ("en", "ru", "en", "ru")
        ]
    finally:
        wording._number_of_text.cache_clear()
    assert texts[0] == texts[2] == "12345 1.0 1.0" and texts[1] == texts[3] == "12345 1,0 1,0"
    assert len(calls) == 3 * 2  # three numbers as written, two languages
