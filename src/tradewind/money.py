"""Money as `Decimal` with an ISO 4217 currency, formatted with Babel for the reader's locale."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import pycountry
from babel.numbers import format_currency, get_currency_precision

from tradewind.errors import ValidationError


def validate_currency(code: str) -> str:
    """The upper-case ISO 4217 code, or a clear error."""
    normalized = code.strip().upper()
    if len(normalized) != 3 or pycountry.currencies.get(alpha_3=normalized) is None:
        raise ValidationError(f"unknown currency {code!r}: use an ISO 4217 code such as USD, EUR, CNY, RUB")
    return normalized


def parse_amount(text: str) -> Decimal:
    """A decimal amount as written in a file ("150", "150.00", "'-69.00"), or a clear error."""
    cleaned = text.strip().lstrip("'").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(f"{text!r} is not an amount of money") from None
    if not value.is_finite():
        raise ValidationError(f"{text!r} is not an amount of money")
    return value


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", validate_currency(self.currency))
        object.__setattr__(self, "amount", Decimal(self.amount))

    def quantized(self) -> Money:
        exponent = Decimal(1).scaleb(-get_currency_precision(self.currency))
        return Money(self.amount.quantize(exponent, rounding=ROUND_HALF_EVEN), self.currency)

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValidationError(f"cannot add {other.currency} to {self.currency} without an exchange rate")
        return Money(self.amount + other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        return Money(self.amount * Decimal(factor), self.currency)

    def format(self, locale: str = "en") -> str:
        return format_currency(self.amount, self.currency, locale=locale)

    def __str__(self) -> str:
        return self.format("en")


def convert(amount: Decimal, source: str, target: str, usd_per_unit: dict[str, Decimal]) -> Decimal:
    """`amount` of `source` in `target`, through the seller's USD rates; a missing rate is a clear error."""
    if source == target:
        return amount
    missing = [code for code in (source, target) if code not in usd_per_unit]
    if missing:
        raise ValidationError(
            f"no exchange rate for {', '.join(missing)}: set TRADEWIND_USD_PER_UNIT (e.g. '{{\"{missing[0]}\": 0.14}}')"
        )
    return amount * usd_per_unit[source] / usd_per_unit[target]
