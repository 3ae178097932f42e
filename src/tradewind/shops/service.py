"""Finding and creating shops."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.errors import NotFoundError, ValidationError
from tradewind.money import validate_currency
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


def create_shop(
    session: Session,
    *,
    code: str,
    name: str,
    currency: str = "USD",
    country: str = "CN",
    timezone: str = "Asia/Shanghai",
    platform: str = "aliexpress",
) -> Shop:
    if session.scalar(select(Shop).where(Shop.code == code)) is not None:
        raise ValidationError(f"a shop {code!r} exists already")
    shop = Shop(
        code=code,
        name=name,
        currency=validate_currency(currency),
        country=country.upper(),
        timezone=timezone,
        platform=platform,
    )
    session.add(shop)
    session.flush()
    return shop
