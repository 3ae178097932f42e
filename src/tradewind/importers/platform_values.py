"""Parsers for the cells of platforms' exports, which are looser than Tradewind's own CSV: dates in the shop's time
zone or with an offset of their own, dotted dates, Excel serial numbers, money with an apostrophe or a symbol in
front, countries by English name, and the language a buyer in a country most likely reads."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache

import pycountry
from babel.languages import get_official_languages

from tradewind.errors import ValidationError
from tradewind.importers import values
from tradewind.money import parse_amount

# The languages Tradewind writes buyer messages in (DESIGN.md §6): a country's first official one of these wins.
MESSAGE_LANGUAGES = ("en", "ru", "uk", "es", "pt", "fr", "de", "it", "pl", "nl", "tr", "he", "ar", "ko", "ja", "zh")
# Names exports use that ISO 3166 spells differently, and regions that are no country.
_COUNTRY_NAMES = {
    "EIRE": "IE",
    "RSA": "ZA",
    "USA": "US",
    "UK": "GB",
    "ENGLAND": "GB",
    "RUSSIA": "RU",
    "TURKEY": "TR",
    "KOREA": "KR",
    "SOUTH KOREA": "KR",
    "CZECH REPUBLIC": "CZ",
    "MOLDOVA": "MD",
    "VIETNAM": "VN",
    "IRAN": "IR",
    "TAIWAN": "TW",
    "BOLIVIA": "BO",
    "VENEZUELA": "VE",
    "TANZANIA": "TZ",
    "MACEDONIA": "MK",
    "KOSOVO": "XK",
    "CHANNEL ISLANDS": "JE",
}
_NO_COUNTRY = frozenset({"UNSPECIFIED", "EUROPEAN COMMUNITY", "EUROPEAN UNION", "EU", "OTHER", "-", "N/A"})
_MOMENT = re.compile(
    r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})"
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
    r"\s*(Z|UTC|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_SERIAL = re.compile(r"\d{4,6}(\.\d+)?")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_MONEY_NOISE = re.compile(r"^(?:[A-Z]{2,3}\s*)?[$€£¥₽₴]|[$€£¥₽₴]$|\s")
_SLUG = re.compile(r"[^0-9A-Za-z]+")


def moment_in(zone: tzinfo, *, serial_numbers: bool = False) -> MomentParser:
    """A parser of dates and times as exports write them: ISO or dotted, with their own offset or in `zone`; with
    `serial_numbers` also Excel's day numbers (a workbook whose date column is not formatted as dates)."""
    return MomentParser(zone, serial_numbers)


class MomentParser:
    def __init__(self, zone: tzinfo, serial_numbers: bool) -> None:
        self.zone = zone
        self.serial_numbers = serial_numbers
        self._cache: dict[str, datetime] = {}

    def __call__(self, value: str) -> datetime:
        found = self._cache.get(value)
        if found is None:
            found = self._parse(value)
            if len(self._cache) < 200_000:
                self._cache[value] = found
        return found

    def _parse(self, value: str) -> datetime:
        text = value.strip()
        if self.serial_numbers and _SERIAL.fullmatch(text):
            local = values.within_years(_EXCEL_EPOCH + timedelta(days=float(text)), text)
            return local.replace(microsecond=0, tzinfo=self.zone).astimezone(UTC)
        match = _MOMENT.fullmatch(text)
        if match is None:
            raise ValidationError(
                f"must be a date and time such as 2024-03-31 14:05:00 (or 2024.03.31 14:05, with an offset such as "
                f"+0200 when the file gives one), not {value.strip()!r}"
            )
        year, month, day, hour, minute, second, fraction, offset = match.groups()
        try:
            local = datetime(
                int(year),
                int(month),
                int(day),
                int(hour or 0),
                int(minute or 0),
                int(second or 0),
                int((fraction or "0").ljust(6, "0")),
            )
        except ValueError:
            raise ValidationError(f"{value.strip()!r} is not a real date") from None
        values.within_years(local, value.strip())  # before moving it to UTC, which overflows beyond years 1 and 9999
        if offset is None:
            return local.replace(tzinfo=self.zone).astimezone(UTC)
        if offset.upper() in ("Z", "UTC"):
            return local.replace(tzinfo=UTC)
        digits = offset.replace(":", "")
        if int(digits[1:3]) > 14 or int(digits[3:5]) > 59:
            raise ValidationError(
                f"{offset!r} in {value.strip()!r} is not a UTC offset (they run from -12:00 to +14:00)"
            )
        delta = timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
        return (local - delta if digits[0] == "+" else local + delta).replace(tzinfo=UTC)


def money(value: str) -> Decimal:
    """An amount as exports write it: '150', '150.00', "'-69.00", '$12.50', 'US $12.50', '1,234.50'."""
    cleaned = _MONEY_NOISE.sub("", value.strip().lstrip("'"))
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1 and len(cleaned.split(",")[1]) in (1, 2):
        cleaned = cleaned.replace(",", ".")  # decimal comma: '12,50'
    amount = parse_amount(cleaned)
    if abs(amount) >= Decimal(10) ** 14:
        raise ValidationError(f"{value!r} is too large an amount")
    return amount


def quantity(value: str) -> int:
    """A whole number of units; text ('two', '2 pcs') is an error, for the seller to fix in the file."""
    cleaned = value.strip().lstrip("'")
    try:
        number = Decimal(cleaned)
    except ArithmeticError:
        raise ValidationError(f"must be a whole number of units, not {value!r}") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValidationError(f"must be a whole number of units, not {value!r}")
    if abs(number) > 10**9:
        raise ValidationError(f"{value!r} is too large a quantity")
    return int(number)


@lru_cache(maxsize=2048)
def country_code(value: str) -> str | None:
    """ISO 3166 alpha-2 from a code or an English name; None for regions that are no country ('Unspecified')."""
    cleaned = value.strip().lstrip("'")
    upper = cleaned.upper()
    if upper in _NO_COUNTRY:
        return None
    alias = _COUNTRY_NAMES.get(upper)
    if alias is not None:
        return alias
    try:
        return values.country(cleaned)
    except ValidationError:
        pass
    try:
        found = pycountry.countries.search_fuzzy(cleaned)
    except LookupError:
        found = []
    if len(found) >= 1 and cleaned.casefold() in str(found[0].name).casefold():
        return str(found[0].alpha_2)
    raise ValidationError(f"unknown country {cleaned!r}: use an ISO 3166 code such as DE, US, RU, or the English name")


@lru_cache(maxsize=512)
def likely_language(country: str | None) -> str:
    """The language to write to a buyer in `country` in: its first official language Tradewind writes in, else en."""
    if not country:
        return "en"
    official = [str(code).split("_")[0] for code in get_official_languages(country, de_facto=True)]
    for code in official:
        if code in MESSAGE_LANGUAGES:
            return code
    return "en"


def derived_sku(title: str) -> str:
    """A SKU code for an item the platform gives none for: its title, upper-cased to letters and digits (a hash of
    the full title keeps long titles apart)."""
    slug = _SLUG.sub("-", title.strip()).strip("-").upper() or "ITEM"
    if len(slug) <= 60:
        return slug
    digest = hashlib.sha1(title.strip().encode("utf-8")).hexdigest()[:8].upper()
    return f"{slug[:51].rstrip('-')}-{digest}"
