"""`wording.for_reader`: the English a person reads on a page or in an e-mail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tradewind.wording import Amount, Day, for_reader, phrase, render


def test_a_reader_gets_babels_english_where_the_stored_english_keeps_its_old_forms() -> None:
    """The brief's JSON keeps the English the producers wrote (ISO days, "07 Dec", "CNY 1,350.00"); a page or an
    e-mail shows the same phrase with the dates and money of the rest of the page (one format on a card)."""
    text = phrase(
        "%(cost)s by %(day)s (stock out %(short)s)",
        cost=Amount(Decimal("1350"), "CNY"),
        day=Day(date(2026, 12, 7)),
        short=Day(date(2026, 12, 9), "day_month"),
    )
    assert text.english() == "CNY 1,350.00 by 2026-12-07 (stock out 09 Dec)"
    assert for_reader(text, "en") == "CN¥1,350.00 by Dec 7, 2026 (stock out Dec 9)"
    assert text.english() == render(text, "en")  # the stored form is the default, also after a reader's rendering
    assert for_reader(text, "ru") == render(text, "ru")  # other languages were always the reader's
