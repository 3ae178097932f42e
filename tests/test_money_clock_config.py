"""Money, time and settings: the small pieces everything else leans on."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tradewind.clock import FixedClock, parse_day
from tradewind.config import Settings, database_url_for_path
from tradewind.errors import InputFileError, RowError, ValidationError
from tradewind.money import Money, parse_amount, validate_currency


def test_currency_codes() -> None:
    assert validate_currency(" usd ") == "USD"
    assert validate_currency("CNY") == "CNY"
    with pytest.raises(ValidationError, match="unknown currency 'XYZ'"):
        validate_currency("XYZ")
    with pytest.raises(ValidationError):
        validate_currency("dollars")


def test_amounts_as_sellers_write_them() -> None:
    assert parse_amount("150") == Decimal("150")
    assert parse_amount("150.00") == Decimal("150.00")
    assert parse_amount("'-69.00") == Decimal("-69.00")
    for bad in ("", "abc", "1,5", "NaN", "inf"):
        with pytest.raises(ValidationError):
            parse_amount(bad)


def test_money_arithmetic_and_format() -> None:
    total = Money(Decimal("10.005"), "usd") + Money(Decimal("2"), "USD")
    assert total.quantized() == Money(Decimal("12.00"), "USD")
    assert (Money(Decimal("3"), "EUR") * 2).amount == Decimal("6")
    assert Money(Decimal("1234.5"), "RUB").format("ru").replace("\xa0", " ") == "1 234,50 ₽"
    with pytest.raises(ValidationError, match="exchange rate"):
        _ = Money(Decimal(1), "USD") + Money(Decimal(1), "EUR")


def test_fixed_clock_and_day_parsing() -> None:
    clock = FixedClock.on(date(2026, 2, 3))
    assert clock.today() == date(2026, 2, 3) and clock.now().tzinfo is UTC
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 2, 3))
    assert parse_day("2026-02-03") == date(2026, 2, 3)
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        parse_day("03.02.2026", what="--today")


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEWIND_DATABASE_URL", "sqlite:////tmp/x.db")
    monkeypatch.setenv("TRADEWIND_DAYS_OF_COVER", "10")
    settings = Settings()
    assert settings.database_url == "sqlite:////tmp/x.db" and settings.days_of_cover == 10
    monkeypatch.setenv("TRADEWIND_DAYS_OF_COVER", "-1")
    with pytest.raises(ValueError):
        Settings()
    assert database_url_for_path("postgresql://u@h/db") == "postgresql://u@h/db"
    assert database_url_for_path("shop.db").startswith("sqlite:////")


def test_input_file_error_names_every_row() -> None:
    error = InputFileError(
        [RowError("orders.csv", 3, "quantity", "must be ≥ 0"), RowError("orders.csv", 9, "sku", "x")]
    )
    assert error.message.startswith("orders.csv:3 [quantity]: must be ≥ 0 (and 1 more)")
    assert [e["line"] for e in error.to_dict()["details"]["errors"]] == [3, 9]
