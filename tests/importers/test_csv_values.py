"""The cell parsers: what each accepts, how it normalises, and the reason it gives for what it refuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tradewind.errors import ValidationError
from tradewind.importers import values
from tradewind.orders.models import OrderStatus


@pytest.mark.parametrize(
    ("parse", "text", "expected"),
    [
        (values.country, "DE", "DE"),
        (values.country, "deu", "DE"),
        (values.country, "Germany", "DE"),
        (values.country, "Russian Federation", "RU"),
        (values.country, "UK", "GB"),
        (values.language, "ru", "ru"),
        (values.language, "RUS", "ru"),
        (values.language, "Spanish", "es"),
        (values.currency, "eur", "EUR"),
        (values.day, "2024-02-29", date(2024, 2, 29)),
        (values.moment, "2024-03-31T14:05:00+08:00", datetime(2024, 3, 31, 6, 5, tzinfo=UTC)),
        (values.moment, "2024-03-31 06:05", datetime(2024, 3, 31, 6, 5, tzinfo=UTC)),
        (values.moment, "2024-03-31T06:05:00Z", datetime(2024, 3, 31, 6, 5, tzinfo=UTC)),
        (values.moment, "2024-03-31", datetime(2024, 3, 31, tzinfo=UTC)),
        (values.amount, "150", Decimal(150)),
        (values.amount, "'69.0000", Decimal("69")),
        (values.whole_number(1), "3.0", 3),
        (values.flag, "Y", True),
        (values.flag, "0", False),
        (values.attributes, "size=38; color = black ;", {"size": "38", "color": "black"}),
        (values.holiday_calendar, "cn", "CN"),
        (values.choice(OrderStatus), "Awaiting Shipment", OrderStatus.AWAITING_SHIPMENT),
    ],
)
def test_accepted_values(parse: Callable[[str], Any], text: str, expected: Any) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("parse", "text", "reason"),
    [
        (values.country, "Atlantis", "unknown country"),
        (values.language, "xx", "unknown language"),
        (values.currency, "RMB", "unknown currency"),
        (values.day, "31/03/2024", "YYYY-MM-DD"),
        (values.day, "20240331", "YYYY-MM-DD"),
        (values.day, "2024-02-30", "YYYY-MM-DD"),
        (values.moment, "31.03.2024 14:05", "ISO 8601"),
        (values.moment, "2024-03-31T25:00", "ISO 8601"),
        (values.amount, "-1", "negative"),
        (values.amount, "1,50", "not an amount"),
        (values.amount, "1.23456", "more than 4 decimals"),
        (values.whole_number(0), "-3", "negative"),
        (values.whole_number(1), "0", "at least 1"),
        (values.whole_number(0), "2.5", "whole number"),
        (values.whole_number(0), "many", "whole number"),
        (values.flag, "maybe", "true or false"),
        (values.attributes, "size:38", "name=value"),
        (values.email, "ivan at example.ru", "not an e-mail"),
        (values.holiday_calendar, "CN-XX", "no subdivision"),
        (values.text(5), "too long text", "at most 5"),
        (values.choice(OrderStatus), "lost", "not one of: placed, awaiting_shipment"),
    ],
)
def test_refused_values_say_why(parse: Callable[[str], Any], text: str, reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse(text)
    assert reason in refused.value.message
