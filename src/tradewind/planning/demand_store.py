"""The daily demand store: units of real demand per SKU and UTC day, kept per shop in `daily_demand`.

The plan reads a year of demand per SKU every brief; read from the order lines that is every line of the year
joined with its order and its instant parsed (SQLite keeps it as text), to be summed per day in Python. The store
keeps the sums, read with one column select of integers.

Real demand is `orders.service.counts_as_demand`. The store is brought up to date (`refresh_daily_demand`) where
order lines arrive (the importers) and by the day's brief before its producers run (and built by the demo): the
order lines past the `order_lines` watermark are folded in. An edit below the watermark (an order cancelled by its
buyer or closed, a line's quantity or an order's day corrected, an order deleted) is noted by the editing session
(`db/changes.py`): edited in the refreshing transaction, the cells of the edited orders' SKUs are made afresh; an
edit another transaction committed (an edit count moved), a line deleted or moved to another SKU, is found by
comparing three sums of the counted lines up to the watermark — units, units × day, units × SKU id — with the
same sums of the store, one SQL query each, and the shop's part is then rebuilt. A reader never writes: it reads
the store when it is up to date (`is_up_to_date`: the watermark and edit counts) and the order lines otherwise.
`rebuild_daily_demand` makes it from scratch (`tradewind stores rebuild`), and a test holds the two equal.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import ColumnElement, delete, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from tradewind.clock import as_utc, start_of_day
from tradewind.db.session import memoized
from tradewind.db.stores import (
    Edits,
    ShopStore,
    as_int,
    edits_to_take_in,
    epoch_seconds,
    lock_store,
    set_watermarks,
    took_in,
    watermarks,
)
from tradewind.orders.models import Order, OrderLine
from tradewind.orders.service import counts_as_demand
from tradewind.planning.models import DailyDemand

STORE = "daily_demand"
# An order's status, day or cancellation and a line's units or SKU decide the demand: edits of either count.
EDITED = ("orders", "order_lines")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CHUNK = 500

logger = logging.getLogger(__name__)


def day_number(day: date) -> int:
    """A day as the store keeps it: days since 1970-01-01."""
    return (day - EPOCH.date()).days


def _counted_lines(session: Session, *, shop_id: int, where: ColumnElement[bool]) -> Iterable[tuple[int, int, int]]:
    """(SKU id, day number, units) of the shop's counted lines `where` selects."""
    rows = session.execute(
        select(OrderLine.sku_id, Order.placed_at, OrderLine.quantity)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.shop_id == shop_id, counts_as_demand(), where)
    )
    for sku_id, placed_at, units in rows:
        yield int(sku_id), (as_utc(placed_at) - EPOCH).days, int(units)


def _sums_per_day(lines: Iterable[tuple[int, int, int]]) -> dict[tuple[int, int], int]:
    found: dict[tuple[int, int], int] = defaultdict(int)
    for sku_id, day, units in lines:
        found[(sku_id, day)] += units
    return found


def _highest(session: Session, *, shop_id: int) -> int:
    return as_int(session.scalar(select(func.max(OrderLine.id)).where(OrderLine.shop_id == shop_id)))


def rebuild_daily_demand(session: Session, *, shop_id: int) -> int:
    """The shop's daily demand made afresh from its order lines; the number of (SKU, day) cells."""
    lock_store(session, shop_id=shop_id, store=STORE)
    edits = edits_to_take_in(session, store=STORE, shop_id=shop_id, tables=EDITED, marks={})
    highest = _highest(session, shop_id=shop_id)
    session.execute(delete(DailyDemand).where(DailyDemand.shop_id == shop_id))
    written = _insert_cells(session, shop_id, OrderLine.id <= highest)
    set_watermarks(session, shop_id=shop_id, store=STORE, marks={"order_lines": highest, **edits.marks})
    took_in(session, store=STORE, shop_id=shop_id)
    return written


def _insert_cells(session: Session, shop_id: int, where: ColumnElement[bool]) -> int:
    cells = _sums_per_day(_counted_lines(session, shop_id=shop_id, where=where))
    rows = [{"shop_id": shop_id, "sku_id": s, "day": d, "units": u} for (s, d), u in sorted(cells.items())]
    for start in range(0, len(rows), 5000):
        session.execute(insert(DailyDemand), rows[start : start + 5000])
    return len(rows)


def refresh_daily_demand(session: Session, *, shop_id: int) -> int:
    """Bring the shop's daily demand up to date with its order lines (see the module's docstring); the number of
    (SKU, day) cells written (all of them when the store was rebuilt)."""
    lock_store(session, shop_id=shop_id, store=STORE)
    marks = watermarks(session, shop_id=shop_id, store=STORE)
    if "order_lines" not in marks:
        return rebuild_daily_demand(session, shop_id=shop_id)
    edits = edits_to_take_in(session, store=STORE, shop_id=shop_id, tables=EDITED, marks=marks)
    highest = _highest(session, shop_id=shop_id)
    written = 0
    if highest != marks["order_lines"]:
        new = (OrderLine.id > marks["order_lines"]) & (OrderLine.id <= highest)
        written = _add(session, shop_id, _sums_per_day(_counted_lines(session, shop_id=shop_id, where=new)))
    skus = _edited_skus(session, edits)
    if skus:
        written += _redo_skus(session, shop_id, sorted(skus), highest)
    # Edits another transaction committed, or edits of this one whose SKUs cannot be told (a line deleted or moved
    # to another SKU, a statement that named no rows): only the full comparison of the lines with the store can.
    if (edits.unseen or skus is None) and _line_sums(session, shop_id, highest) != _store_sums(session, shop_id):
        logger.info("daily demand of shop %s edited below the watermark: rebuilt", shop_id)
        written = rebuild_daily_demand(session, shop_id=shop_id)
    else:
        new_marks = {"order_lines": highest, **edits.marks}
        if new_marks != marks:
            set_watermarks(session, shop_id=shop_id, store=STORE, marks=new_marks)
        took_in(session, store=STORE, shop_id=shop_id)
    memoized(session, (STORE, shop_id), lambda: True)  # the brief's readers need not check again
    return written


def _edited_skus(session: Session, edits: Edits) -> set[int] | None:
    """The SKUs whose demand this transaction's edits of orders and lines may have changed (their lines' SKUs now),
    or None when that cannot be told: a row deleted, a line's SKU changed, a statement that named no rows."""
    orders, lines = edits.ids("orders"), edits.ids("order_lines")
    if orders is None or lines is None:
        return None
    for note in edits.notes:
        if note.deleted or (note.table == "order_lines" and (note.columns is None or "sku_id" in note.columns)):
            return None
    skus: set[int] = set()
    for column, ids in ((OrderLine.order_id, sorted(orders)), (OrderLine.id, sorted(lines))):
        for start in range(0, len(ids), _CHUNK):
            skus.update(session.scalars(select(OrderLine.sku_id).where(column.in_(ids[start : start + _CHUNK]))))
    return skus


def _redo_skus(session: Session, shop_id: int, skus: list[int], highest: int) -> int:
    """The cells of these SKUs made afresh from their lines."""
    written = 0
    for start in range(0, len(skus), _CHUNK):
        chunk = skus[start : start + _CHUNK]
        session.execute(delete(DailyDemand).where(DailyDemand.shop_id == shop_id, DailyDemand.sku_id.in_(chunk)))
        written += _insert_cells(session, shop_id, OrderLine.sku_id.in_(chunk) & (OrderLine.id <= highest))
    return written


DAILY_DEMAND = ShopStore(
    STORE,
    sources=frozenset({"order_lines", "orders"}),
    refresh=refresh_daily_demand,
    rebuild=rebuild_daily_demand,
)


def is_up_to_date(session: Session, *, shop_id: int) -> bool:
    """Whether the shop's daily demand says what its order lines say now: no line past the watermark, and no order
    or line edited since the store last took the edits in (their edit counts, this transaction's notes). Checked
    once per `read_memo`."""

    def check() -> bool:
        marks = watermarks(session, shop_id=shop_id, store=STORE)
        if "order_lines" not in marks:
            return False
        edits = edits_to_take_in(session, store=STORE, shop_id=shop_id, tables=EDITED, marks=marks)
        if edits.unseen or edits.notes:
            return False
        return _highest(session, shop_id=shop_id) == marks["order_lines"]

    return memoized(session, (STORE, shop_id), check)


def _add(session: Session, shop_id: int, cells: dict[tuple[int, int], int]) -> int:
    """Add the units to the store's cells (a cell not there yet is made)."""
    keys = sorted(cells)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        existing = {
            (int(s), int(d)): int(i)
            for i, s, d in session.execute(
                select(DailyDemand.id, DailyDemand.sku_id, DailyDemand.day).where(
                    DailyDemand.shop_id == shop_id, tuple_(DailyDemand.sku_id, DailyDemand.day).in_(chunk)
                )
            )
        }
        fresh = [
            {"shop_id": shop_id, "sku_id": s, "day": d, "units": cells[(s, d)]}
            for s, d in chunk
            if (s, d) not in existing
        ]
        if fresh:
            session.execute(insert(DailyDemand), fresh)
        for key, cell_id in existing.items():
            session.execute(
                update(DailyDemand).where(DailyDemand.id == cell_id).values(units=DailyDemand.units + cells[key])
            )
    return len(keys)


def _line_sums(session: Session, shop_id: int, up_to: int) -> tuple[int, int, int]:
    """Σ units, Σ units × day, Σ units × SKU id of the counted lines up to the watermark."""
    day = epoch_seconds(Order.placed_at) // 86_400
    found = session.execute(
        select(
            func.sum(OrderLine.quantity),
            func.sum(OrderLine.quantity * day),
            func.sum(OrderLine.quantity * OrderLine.sku_id),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.shop_id == shop_id, OrderLine.id <= up_to, counts_as_demand())
    ).one()
    return as_int(found[0]), as_int(found[1]), as_int(found[2])


def _store_sums(session: Session, shop_id: int) -> tuple[int, int, int]:
    found = session.execute(
        select(
            func.sum(DailyDemand.units),
            func.sum(DailyDemand.units * DailyDemand.day),
            func.sum(DailyDemand.units * DailyDemand.sku_id),
        ).where(DailyDemand.shop_id == shop_id)
    ).one()
    return as_int(found[0]), as_int(found[1]), as_int(found[2])


def daily_demand(session: Session, *, shop_id: int, start: date, end: date) -> list[tuple[int, int, int]]:
    """(SKU id, day number, units) of every cell of days [start, end) with demand: from the store when it is up to
    date, else (lines came in since the last brief, or were edited) from the order lines themselves. Never writes
    (a reader may run beside the brief's transaction that folds the lines in)."""
    first, last = day_number(start), day_number(end)
    if not is_up_to_date(session, shop_id=shop_id):
        window = (Order.placed_at >= start_of_day(start)) & (Order.placed_at < start_of_day(end))
        cells = _sums_per_day(_counted_lines(session, shop_id=shop_id, where=window))
        return [(s, d, u) for (s, d), u in cells.items() if first <= d < last]
    rows = session.execute(
        select(DailyDemand.sku_id, DailyDemand.day, DailyDemand.units).where(
            DailyDemand.shop_id == shop_id, DailyDemand.day >= first, DailyDemand.day < last
        )
    )
    return [(int(s), int(d), int(u)) for s, d, u in rows]


def daily_demand_columns(
    session: Session, *, shop_id: int, start: date, end: date
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """`daily_demand` as three integer columns (SKU ids, day numbers, units), read from the store without a Python
    object per value (the plan reads a year of every SKU: 65,000 cells at scale 10)."""
    if not is_up_to_date(session, shop_id=shop_id):
        cells = daily_demand(session, shop_id=shop_id, start=start, end=end)
        flat = np.fromiter(itertools.chain.from_iterable(cells), dtype=np.int64, count=3 * len(cells))
    else:
        rows = session.execute(
            select(DailyDemand.sku_id, DailyDemand.day, DailyDemand.units).where(
                DailyDemand.shop_id == shop_id,
                DailyDemand.day >= day_number(start),
                DailyDemand.day < day_number(end),
            )
        ).all()
        flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=3 * len(rows))
    table = flat.reshape(-1, 3)
    return table[:, 0], table[:, 1], table[:, 2]
