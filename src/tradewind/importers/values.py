"""Parsers for the values found in an import file's cells: each takes the stripped text of one non-empty cell and
returns the typed value, or raises `ValidationError` with a reason a seller can act on."""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

import holidays
import pycountry

from tradewind.clock import parse_day
from tradewind.errors import ValidationError
from tradewind.money import parse_amount, validate_currency

E = TypeVar("E", bound=enum.Enum)

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?", re.I)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Names sellers write that ISO 3166 spells differently.
_COUNTRY_ALIASES = {"UK": "GB", "RUSSIA": "RU", "TURKEY": "TR", "ENGLAND": "GB"}
# Money columns are NUMERIC(18, 4): more decimals would be rounded on the way in and never compare equal again.
_MAX_DECIMALS = 4
_MAX_AMOUNT = Decimal(10) ** 14
# Dates an import accepts: a shop's records fall well within these years; a date beyond them is a typo or a
# placeholder (0001-01-01, 9999-12-31), which would otherwise overflow on its way to UTC.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


def text(max_length: int) -> Callable[[str], str]:
    """Free text of at most `max_length` characters."""

    def parse(value: str) -> str:
        if len(value) > max_length:
            raise ValidationError(f"is {len(value)} characters long; at most {max_length} fit")
        return value

    return parse


def code(value: str) -> str:
    """A key such as a SKU, supplier or warehouse code: up to 64 characters."""
    return text(64)(value)


def day(value: str) -> date:
    """A calendar date written YYYY-MM-DD."""
    if not _DAY.fullmatch(value):
        raise ValidationError(f"must be a date written YYYY-MM-DD (e.g. 2024-03-31), not {value!r}")
    return within_years(parse_day(value), value)


D = TypeVar("D", date, datetime)


def within_years(moment: D, value: str) -> D:
    """`moment` if its year is within EARLIEST_YEAR..LATEST_YEAR, else an error naming the range."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValidationError(
            f"{value!r} is not a plausible date: dates must fall within the years {EARLIEST_YEAR}-{LATEST_YEAR}"
        )
    return moment


def moment(value: str) -> datetime:
    """An ISO 8601 date and time, in UTC; without an offset the time is taken as UTC."""
    return moment_in(UTC)(value)


def moment_in(zone: tzinfo) -> Callable[[str], datetime]:
    """An ISO 8601 date and time, in UTC; a time without an offset is read on the shop's clock (`zone`), a date
    alone as that day's midnight there."""

    def parse(value: str) -> datetime:
        parsed = _as_written(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
        return parsed.astimezone(UTC)

    return parse


@lru_cache(maxsize=4096)
def _as_written(value: str) -> datetime:
    problem = (
        f"must be a date and time in ISO 8601, e.g. 2024-03-31T14:05:00+08:00 "
        f"(without an offset the time is the shop's), not {value!r}"
    )
    if not _MOMENT.fullmatch(value):
        raise ValidationError(problem)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(problem) from None
    return within_years(parsed, value)  # before moving it to UTC, which overflows beyond year 1 and 9999


def amount(value: str) -> Decimal:
    """A non-negative amount of money with at most four decimals."""
    parsed = parse_amount(value)
    if parsed < 0:
        raise ValidationError(f"must not be negative, not {value!r}")
    if parsed >= _MAX_AMOUNT:
        raise ValidationError(f"{value!r} is too large an amount")
    exponent = parsed.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -_MAX_DECIMALS:
        raise ValidationError(f"{value!r} has more than {_MAX_DECIMALS} decimals")
    return parsed


@lru_cache(maxsize=512)
def currency(value: str) -> str:
    """An ISO 4217 currency code, upper case."""
    return validate_currency(value)


def whole_number(minimum: int) -> Callable[[str], int]:
    """A whole number of at least `minimum` ("3" and "3.0" both read as 3)."""

    def parse(value: str) -> int:
        try:
            number = Decimal(value.replace(" ", ""))
        except ArithmeticError:
            raise ValidationError(f"must be a whole number, not {value!r}") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise ValidationError(f"must be a whole number, not {value!r}")
        if number < 0:
            raise ValidationError(f"must not be negative, not {value!r}")
        if number < minimum:
            raise ValidationError(f"must be at least {minimum}, not {value!r}")
        if number > 2**31 - 1:
            raise ValidationError(f"{value!r} is too large")
        return int(number)

    return parse


def flag(value: str) -> bool:
    """true/false, yes/no, y/n or 1/0."""
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValidationError(f"must be true or false (yes/no, 1/0), not {value!r}")


@lru_cache(maxsize=1024)
def country(value: str) -> str:
    """An ISO 3166 country as alpha-2, from alpha-2, alpha-3 or its English name."""
    alias = _COUNTRY_ALIASES.get(value.upper())
    if alias is not None:
        return alias
    try:
        found = pycountry.countries.lookup(value)
    except LookupError:
        raise ValidationError(
            f"unknown country {value!r}: use an ISO 3166 code such as DE, US, RU (or DEU, or the English name)"
        ) from None
    return str(found.alpha_2)


# pycountry's subdivision database has no type hints.
_SUBDIVISIONS: Any = pycountry.subdivisions


def region(value: str, country: str | None) -> str:
    """A state or province as its ISO 3166-2 code (`BR-SP`), from the code itself or, within `country`, the part
    after the dash (`SP`, as Shopify's `Shipping Province Code` and WooCommerce's state give it) or its name."""
    cleaned = value.strip()
    candidates = [cleaned.upper()]
    if country:
        candidates.append(f"{country.upper()}-{cleaned.upper()}")
    for candidate in candidates:
        found: Any = _SUBDIVISIONS.get(code=candidate)
        if found is not None and (country is None or found.country_code == country.upper()):
            return str(found.code)
    if country:
        named = [
            sub
            for sub in _SUBDIVISIONS.get(country_code=country.upper()) or ()
            # pycountry writes a second name in brackets: "Catalunya [Cataluña]"
            if _folded(cleaned) in {_folded(name.strip(" ]")) for name in sub.name.split("[")}
        ]
        if len(named) == 1:
            return str(named[0].code)
    where = f" of {country.upper()}" if country else ""
    raise ValidationError(
        f"unknown state or province{where} {value!r}: use its ISO 3166-2 code such as BR-SP, RU-MOW, ES-CT"
    )


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold().strip()


@lru_cache(maxsize=512)
def language(value: str) -> str:
    """An ISO 639-1 language code, from the code itself, an ISO 639-2 code or the English name."""
    found: Any = pycountry.languages.get(alpha_2=value.lower())
    if found is None:
        try:
            found = pycountry.languages.lookup(value)
        except LookupError:
            found = None
    alpha_2 = getattr(found, "alpha_2", None)
    if alpha_2 is None:
        raise ValidationError(f"unknown language {value!r}: use an ISO 639-1 code such as en, ru, zh, es")
    return str(alpha_2)


@lru_cache(maxsize=256)
def holiday_calendar(value: str) -> str:
    """A public-holiday calendar: a country the `holidays` library knows, optionally with a subdivision (CN, ES-CT)."""
    supported = holidays.list_supported_countries()
    country_part, _, subdivision = value.upper().partition("-")
    if country_part not in supported:
        raise ValidationError(f"no public-holiday calendar for {value!r}: use a country code such as CN, VN, DE")
    if subdivision and subdivision not in supported[country_part]:
        raise ValidationError(f"{country_part} has no subdivision {subdivision!r} in its holiday calendar")
    normalized = f"{country_part}-{subdivision}" if subdivision else country_part
    return text(8)(normalized)


def default_calendar(country_code: str) -> str | None:
    """The supplier country's own holiday calendar, when the `holidays` library has one."""
    return country_code if country_code in holidays.list_supported_countries() else None


def email(value: str) -> str:
    """An e-mail address (checked for shape only)."""
    if not _EMAIL.fullmatch(value):
        raise ValidationError(f"{value!r} is not an e-mail address")
    return text(200)(value)


def attributes(value: str) -> dict[str, Any]:
    """SKU attributes written `size=38;color=black`."""
    result: dict[str, Any] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        key, equals, attribute = part.partition("=")
        key = key.strip()
        if not equals or not key:
            raise ValidationError(
                f"attributes must be written name=value;name=value, e.g. size=38;color=black, not {value!r}"
            )
        if key in result:
            raise ValidationError(f"attribute {key!r} is given twice")
        result[key] = attribute.strip()
    return result


def choice(enum_class: type[E]) -> Callable[[str], E]:
    """One of an enum's values, written in any case."""
    by_value = {str(member.value).lower(): member for member in enum_class}

    def parse(value: str) -> E:
        member = by_value.get(value.lower().replace(" ", "_").replace("-", "_"))
        if member is None:
            allowed = ", ".join(str(member.value) for member in enum_class)
            raise ValidationError(f"{value!r} is not one of: {allowed}")
        return member

    return parse
