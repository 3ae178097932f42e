"""The per-shop stores of derived figures the brief reads, in the order they are brought up to date (a store read
by another's refresh comes first). A new store is one more line here: its domain describes it as a
`db.stores.ShopStore`, and it is then refreshed where records arrive (the importers, the tracking webhook,
`tradewind track import`), before the day's brief, and rebuilt by `tradewind stores rebuild`."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from tradewind.db.stores import ShopStore, refresh_stores
from tradewind.logistics.service import LANE_SAMPLES, OUTLOOK_INPUTS
from tradewind.planning.service import DAILY_DEMAND

SHOP_STORES: tuple[ShopStore, ...] = (
    LANE_SAMPLES,
    DAILY_DEMAND,
    OUTLOOK_INPUTS,
)


def bring_stores_up_to_date(
    session: Session, *, shop_id: int, touched: Collection[str] | None = None
) -> dict[str, int]:
    """Fold the shop's new and edited records into its stores, in the caller's transaction: every store, or with
    `touched` (the tables the caller wrote) the stores made from them. The rows written, per store."""
    return refresh_stores(session, shop_ids=[shop_id], stores=SHOP_STORES, touched=touched)
