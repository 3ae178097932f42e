"""Reading and changing the catalog: SKUs, listings and their promotions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from tradewind.catalog.models import Listing, ListingState, Product, Promotion, PromotionState, Sku
from tradewind.catalog.schemas import sku_figures
from tradewind.db.changes import mark_shop_changed
from tradewind.errors import NotFoundError
from tradewind.wording import Phrase, nphrase, phrase


def active_skus(session: Session, *, shop_id: int) -> list[Sku]:
    return list(session.scalars(select(Sku).where(Sku.shop_id == shop_id, Sku.active).order_by(Sku.code)))


def find_skus(
    session: Session,
    *,
    shop_id: int,
    search: str | None = None,
    active: bool | None = None,
    before_id: int | None = None,
    limit: int | None = None,
) -> list[Sku]:
    """The shop's SKUs, newest first (by id, so that a page ends where the next begins: keyset paging with
    `before_id`), optionally only those whose code or title contains `search` or that are (in)active. What
    `tradewind sku list` and `GET /shops/{shop}/skus` both show: the codes an import made from titles among them."""
    query = select(Sku).where(Sku.shop_id == shop_id)
    if search and search.strip():
        pattern = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Sku.code.ilike(pattern, escape="\\"), Sku.title.ilike(pattern, escape="\\")))
    if active is not None:
        query = query.where(Sku.active == active)
    if before_id is not None:
        query = query.where(Sku.id < before_id)
    query = query.order_by(Sku.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def sku_to_dict(sku: Sku) -> dict[str, Any]:
    """A SKU as the API and `tradewind sku list --json` write it (`schemas.SKU`)."""
    return sku_figures(sku)


def skus_by_code(session: Session, *, shop_id: int, codes: Sequence[str]) -> dict[str, Sku]:
    if not codes:
        return {}
    rows = session.scalars(select(Sku).where(Sku.shop_id == shop_id, Sku.code.in_(list(codes))))
    return {sku.code: sku for sku in rows}


def sku_codes(session: Session, *, shop_id: int, sku_ids: Sequence[int]) -> dict[int, str]:
    """The code of each of these SKUs of the shop, by SKU id (ids of no SKU of the shop are left out)."""
    if not sku_ids:
        return {}
    # dict() of the rows, not of the Result (a Result has keys(): dict() would read it as a mapping) nor of
    # Result.tuples(), deprecated and no longer iterable on SQLAlchemy 2.1.
    rows = session.execute(select(Sku.id, Sku.code).where(Sku.shop_id == shop_id, Sku.id.in_(list(set(sku_ids)))))
    return dict(rows.all())


def get_sku(session: Session, *, shop_id: int, code: str) -> Sku:
    sku = session.scalar(select(Sku).where(Sku.shop_id == shop_id, Sku.code == code))
    if sku is None:
        raise NotFoundError(f"no SKU {code!r} in this shop", details={"sku": code})
    return sku


def listings_of(session: Session, *, shop_id: int, sku_id: int) -> list[Listing]:
    return list(
        session.scalars(
            select(Listing).where(Listing.shop_id == shop_id, Listing.sku_id == sku_id).order_by(Listing.channel)
        )
    )


def set_listing_stock(session: Session, *, shop_id: int, sku_id: int, stock_shown: int) -> int:
    """Show `stock_shown` units on every listing of the SKU; returns how many listings changed."""
    mark_shop_changed(session, shop_id)
    result = session.execute(
        update(Listing)
        .where(Listing.shop_id == shop_id, Listing.sku_id == sku_id, Listing.stock_shown != stock_shown)
        .values(stock_shown=stock_shown)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def pause_listings(session: Session, *, shop_id: int, sku_id: int) -> int:
    mark_shop_changed(session, shop_id)
    result = session.execute(
        update(Listing)
        .where(Listing.shop_id == shop_id, Listing.sku_id == sku_id, Listing.state == ListingState.ACTIVE)
        .values(state=ListingState.PAUSED)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def active_promotions(session: Session, *, shop_id: int, sku_id: int) -> list[Promotion]:
    return list(
        session.scalars(
            select(Promotion)
            .join(Listing, Listing.id == Promotion.listing_id)
            .where(
                Promotion.shop_id == shop_id,
                Listing.sku_id == sku_id,
                Promotion.state == PromotionState.ACTIVE,
            )
            .order_by(Promotion.id)
        )
    )


def active_promotions_by_sku(session: Session, *, shop_id: int) -> dict[int, list[Promotion]]:
    """Every running paid promotion, per SKU id (one query for the whole catalogue)."""
    rows = session.execute(
        select(Listing.sku_id, Promotion)
        .join(Listing, Listing.id == Promotion.listing_id)
        .where(Promotion.shop_id == shop_id, Promotion.state == PromotionState.ACTIVE)
        .order_by(Listing.sku_id, Promotion.id)
    )
    found: dict[int, list[Promotion]] = {}
    for sku_id, promotion in rows:
        found.setdefault(int(sku_id), []).append(promotion)
    return found


def pause_promotions(session: Session, *, shop_id: int, sku_id: int) -> int:
    promotions = active_promotions(session, shop_id=shop_id, sku_id=sku_id)
    for promotion in promotions:
        promotion.state = PromotionState.PAUSED
    return len(promotions)


def active_listings_by_channel(session: Session, *, shop_id: int) -> dict[str, list[Listing]]:
    """Active listings per channel, in SKU order."""
    rows = session.scalars(
        select(Listing)
        .where(Listing.shop_id == shop_id, Listing.state == ListingState.ACTIVE)
        .order_by(Listing.channel, Listing.sku_id)
    )
    channels: dict[str, list[Listing]] = {}
    for listing in rows:
        channels.setdefault(listing.channel, []).append(listing)
    return channels


def pause_channel(session: Session, *, shop_id: int, channel: str) -> int:
    """Vacation mode on a channel: pause every active listing on it; returns how many were paused."""
    mark_shop_changed(session, shop_id)
    result = session.execute(
        update(Listing)
        .where(Listing.shop_id == shop_id, Listing.channel == channel, Listing.state == ListingState.ACTIVE)
        .values(state=ListingState.PAUSED)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def pause_purchasing(session: Session, *, shop_id: int, sku_code: str, until: date) -> bool:
    """Stop purchase suggestions for a SKU until a day; False when it was already paused that long."""
    sku = get_sku(session, shop_id=shop_id, code=sku_code)
    if sku.purchasing_paused_until is not None and sku.purchasing_paused_until >= until:
        return False
    sku.purchasing_paused_until = until
    return True


def product_codes(session: Session, *, shop_id: int) -> dict[int, str]:
    """Product code per product id (the model a SKU is a size or colour of)."""
    return {p.id: p.code for p in session.scalars(select(Product).where(Product.shop_id == shop_id))}


def unit_label(units: Sequence[str], count: int) -> str:
    """'pairs' when every SKU is counted in pairs, else 'units' (singular for one)."""
    word = units[0] if units and all(u == units[0] for u in units) else "unit"
    return word if count == 1 else f"{word}s"


def quantity_phrase(units: Sequence[str], count: int) -> Phrase:
    """`count` with its unit as `unit_label` names it ("4318 pairs"), in the reader's language."""
    word = units[0] if units and all(u == units[0] for u in units) else "unit"
    known = {
        "pair": nphrase("%(num)s pair", "%(num)s pairs", count),
        "piece": nphrase("%(num)s piece", "%(num)s pieces", count),
        "unit": nphrase("%(num)s unit", "%(num)s units", count),
        "set": nphrase("%(num)s set", "%(num)s sets", count),
    }
    return known.get(word) or phrase("%(num)s %(unit)s", num=count, unit=unit_label(units, count))
