"""What a shop's country says about the rest of its settings: its main time zone, its currency and its language;
and the checks every shop setting passes (IANA zone, ISO 4217 currency, ISO 3166 country, a known platform)."""

from __future__ import annotations

import importlib.resources
from datetime import time
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pycountry
from babel import Locale, UnknownLocaleError
from babel.numbers import get_territory_currencies

from tradewind.errors import ValidationError
from tradewind.money import validate_currency

# The platforms Tradewind reads exports of (`tradewind import orders --format …`), and "other" for a shop anywhere
# else (its own website, a marketplace without an importer yet). Orders imported from a Tradewind CSV take it as
# their channel.
PLATFORMS = ("aliexpress", "shopify", "woocommerce", "other")

# tzdata's zone.tab lists a country's zones by position, not by weight (Brazil starts with Noronha, Russia with
# Kaliningrad): where the first listed zone is not where most of the country's people and sellers are, this says.
_MAIN_ZONE = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "UZ": "Asia/Tashkent",
}


def invalid(field: str, message: str) -> ValidationError:
    """A refused setting, naming its field first so that the seller knows which option to fix."""
    return ValidationError(f"{field}: {message}", details={"field": field})


def check_country(code: str) -> str:
    """The upper-case ISO 3166-1 alpha-2 code, or an error naming the field."""
    normalized = code.strip().upper()
    if normalized == "UK":  # the one code people write that ISO gives to no one
        raise invalid("country", "unknown country 'UK': the United Kingdom's ISO 3166 code is GB")
    if len(normalized) != 2 or pycountry.countries.get(alpha_2=normalized) is None:
        raise invalid("country", f"unknown country {code!r}: use an ISO 3166 code such as GB, US, DE, CN")
    return normalized


def check_timezone(name: str) -> str:
    """An IANA time zone name such as Europe/London, or an error naming the field."""
    cleaned = name.strip()
    try:
        if not cleaned or cleaned not in _zone_names():
            raise ZoneInfoNotFoundError(cleaned)
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid(
            "timezone", f"unknown time zone {name!r}: use an IANA name such as Europe/London or America/New_York"
        ) from None
    return cleaned


def check_digest_time(text: str) -> time:
    """A wall-clock time written HH:MM (24-hour), or an error naming the field."""
    cleaned = text.strip()
    try:
        hours, minutes = cleaned.split(":")
        if len(minutes) != 2 or not hours.isdigit() or not minutes.isdigit():
            raise ValueError(cleaned)
        return time(int(hours), int(minutes))
    except ValueError:
        raise invalid("digest_at", f"{text!r} is not a time of day: write it HH:MM, e.g. 07:30") from None


def check_currency(code: str) -> str:
    try:
        return validate_currency(code)
    except ValidationError as exc:
        raise invalid("currency", exc.message) from None


def check_language(code: str) -> str:
    """A language the seller reads, as a CLDR locale code (`en`, `de`, `pt_BR`), or an error naming the field."""
    cleaned = code.strip().replace("-", "_")
    try:
        locale = Locale.parse(cleaned)
    except (UnknownLocaleError, ValueError, TypeError):
        raise invalid("language", f"unknown language {code!r}: use a code such as en, de, zh or pt_BR") from None
    normalized = str(locale)
    if len(normalized) > 8:  # the column's width; a language with its territory always fits ("pt_BR", "zh_Hant")
        normalized = locale.language
    return normalized


def check_platform(name: str) -> str:
    normalized = name.strip().lower()
    if normalized not in PLATFORMS:
        raise invalid("platform", f"unknown platform {name!r}: choose one of {', '.join(PLATFORMS)}")
    return normalized


def country_timezone(country: str) -> str:
    """The country's time zone: its only one, or the one of its capital and most of its people."""
    zones = _zones_by_country().get(country, [])
    if country in _MAIN_ZONE:
        return _MAIN_ZONE[country]
    if not zones:
        raise invalid("timezone", f"the time zone of {country} is not known: give one with --timezone")
    return zones[0]


def country_currency(country: str) -> str:
    """The currency the country uses today (CLDR's territory currencies)."""
    found = get_territory_currencies(country)
    if not found:
        raise invalid("currency", f"the currency of {country} is not known: give one with --currency")
    return str(found[0])


def country_language(country: str) -> str:
    """The language most likely spoken in the country (CLDR's likely subtags: GB → en, BR → pt, CN → zh)."""
    try:
        return Locale.parse(f"und_{country}").language
    except (UnknownLocaleError, ValueError):
        return "en"


def country_zone_count(country: str) -> int:
    return len(_zones_by_country().get(country, []))


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def _zones_by_country() -> dict[str, list[str]]:
    """tzdata's zone.tab: one line per zone, `country<TAB>coordinates<TAB>zone`, in the order tzdata lists them."""
    try:
        text = (importlib.resources.files("tzdata.zoneinfo") / "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        text = Path("/usr/share/zoneinfo/zone.tab").read_text(encoding="utf-8")
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            zones.setdefault(fields[0], []).append(fields[2])
    return zones
