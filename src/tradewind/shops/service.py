"""Finding, creating and describing shops: their time zone, currency, country, language, platform and opening day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.errors import NotFoundError, ValidationError
from tradewind.shops.country import (
    check_country,
    check_currency,
    check_digest_time,
    check_language,
    check_platform,
    check_timezone,
    country_currency,
    country_language,
    country_timezone,
    country_zone_count,
)
from tradewind.shops.models import Shop


def get_shop(session: Session, *, code: str | None = None) -> Shop:
    """The shop named `code`; without a code, the only shop in the database."""
    if code is not None:
        shop = session.scalar(select(Shop).where(Shop.code == code))
        if shop is None:
            raise NotFoundError(f"no shop {code!r} in this database", details={"shop": code})
        return shop
    shops = list(session.scalars(select(Shop).order_by(Shop.id).limit(2)))
    if not shops:
        raise NotFoundError(
            "this database has no shop yet: run `tradewind demo` or `tradewind init --shop CODE`",
        )
    if len(shops) > 1:
        raise ValidationError("this database holds several shops: choose one with --shop CODE")
    return shops[0]


def shop_by_id(session: Session, shop_id: int) -> Shop:
    """The shop with this id, as a record of `session` (a job that keeps shop ids between its transactions)."""
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise NotFoundError(f"no shop with id {shop_id} in this database", details={"shop_id": shop_id})
    return shop


def all_shops(session: Session) -> list[Shop]:
    """Every shop in the database, in the order they were created (by id): what a job over all shops walks."""
    return list(session.scalars(select(Shop).order_by(Shop.id)))


def create_shop(
    session: Session,
    *,
    code: str,
    name: str,
    currency: str = "USD",
    country: str = "CN",
    timezone: str = "Asia/Shanghai",
    platform: str = "aliexpress",
    language: str = "en",
    opened_on: date | None = None,
) -> Shop:
    """A new shop; every setting is checked (an unknown one raises `ValidationError` naming its field)."""
    if session.scalar(select(Shop).where(Shop.code == code)) is not None:
        raise ValidationError(f"a shop {code!r} exists already")
    shop = Shop(
        code=code,
        name=name,
        currency=check_currency(currency),
        country=check_country(country),
        timezone=check_timezone(timezone),
        platform=check_platform(platform),
        language=check_language(language),
        opened_on=opened_on,
    )
    session.add(shop)
    session.flush()
    return shop


@dataclass(frozen=True)
class CountrySettings:
    """A shop's country with the time zone, currency and language it implies, where the seller gave none."""

    country: str
    timezone: str
    currency: str
    language: str
    zones_in_country: int


def settings_for_country(
    country: str, *, timezone: str | None = None, currency: str | None = None, language: str | None = None
) -> CountrySettings:
    """The settings given, checked; those not given from the country: its main time zone (tzdata's zone.tab), its
    currency and its likely language (CLDR, through Babel)."""
    code = check_country(country)
    return CountrySettings(
        country=code,
        timezone=check_timezone(timezone) if timezone is not None else country_timezone(code),
        currency=check_currency(currency) if currency is not None else country_currency(code),
        language=check_language(language) if language is not None else country_language(code),
        zones_in_country=country_zone_count(code),
    )


def update_shop(
    session: Session,
    *,
    shop: Shop,
    currency: str | None = None,
    country: str | None = None,
    timezone: str | None = None,
    platform: str | None = None,
    language: str | None = None,
    opened_on: date | None = None,
    digest_at: str | None = None,
    today: date | None = None,
) -> dict[str, tuple[object, object]]:
    """Change the settings given (the others stay); every one is checked before any is changed. Returns what
    changed, as `{field: (before, after)}`. An opening day after `today` is refused: a shop cannot open tomorrow
    and have milestones today."""
    wanted: dict[str, object] = {}
    if currency is not None:
        wanted["currency"] = check_currency(currency)
    if country is not None:
        wanted["country"] = check_country(country)
    if timezone is not None:
        wanted["timezone"] = check_timezone(timezone)
    if platform is not None:
        wanted["platform"] = check_platform(platform)
    if language is not None:
        wanted["language"] = check_language(language)
    if opened_on is not None:
        if today is not None and opened_on > today:
            raise ValidationError(
                f"opened_on: {opened_on.isoformat()} is after today ({today.isoformat()})",
                details={"field": "opened_on"},
            )
        wanted["opened_on"] = opened_on
    if digest_at is not None:
        wanted["digest_at"] = check_digest_time(digest_at)
    changed: dict[str, tuple[object, object]] = {}
    for field, value in wanted.items():
        before = getattr(shop, field)
        if before != value:
            setattr(shop, field, value)
            changed[field] = (before, value)
    session.flush()
    return changed


def shop_zone(shop: Shop) -> tzinfo:
    """The shop's time zone; a zone that no longer exists in tzdata (stored before it was checked) reads as UTC."""
    try:
        return ZoneInfo(shop.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def shop_settings(shop: Shop) -> dict[str, Any]:
    """The shop's own settings as `tradewind shop show --json` and the API print them."""
    return {
        "code": shop.code,
        "name": shop.name,
        "country": shop.country,
        "timezone": shop.timezone,
        "currency": shop.currency,
        "language": shop.language,
        "platform": shop.platform,
        "opened_on": shop.opened_on.isoformat() if shop.opened_on else None,
        "digest_at": shop.digest_at.strftime("%H:%M"),
    }
