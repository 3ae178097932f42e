"""What the tests of the places records arrive assert about the per-shop stores: each store (`SHOP_STORES`) with
its watermarks is what a rebuild from the records makes, without a brief having run."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from tradewind.brief.stores import SHOP_STORES
from tradewind.db.base import Base
from tradewind.db.stores import watermarks

Snapshot = dict[str, tuple[list[tuple[Any, ...]], dict[str, int]]]


def store_snapshot(session: Session, shop_id: int) -> Snapshot:
    """Every store's rows of the shop (without their own ids) and its watermarks."""
    found: Snapshot = {}
    for store in SHOP_STORES:
        table: Table | None = Base.metadata.tables.get(store.name)  # a store kept in a table of its name
        rows: list[tuple[Any, ...]] = []
        if table is not None:
            columns = [column for column in table.columns if column.name != "id"]
            query = select(*columns).where(table.c.shop_id == shop_id).order_by(*columns)
            rows = [tuple(row) for row in session.execute(query)]
        found[store.name] = (rows, watermarks(session, shop_id=shop_id, store=store.name))
    return found


def assert_stores_equal_a_rebuild(session: Session, shop_id: int, *, built: Collection[str]) -> Snapshot:
    """The shop's stores named in `built` were built, and every store built equals the store rebuilt from the
    records (with the same watermarks); a store never built (no watermarks) is left as it is."""
    session.flush()
    kept = store_snapshot(session, shop_id)
    assert {name for name, (_, marks) in kept.items() if marks} >= set(built)
    for store in SHOP_STORES:
        if kept[store.name][1]:
            store.rebuild(session, shop_id=shop_id)
    assert store_snapshot(session, shop_id) == kept
    return kept
