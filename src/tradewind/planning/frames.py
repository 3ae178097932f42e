"""The edge between the records and the kernels: load one shop's history into arrays (SKUs × days), and nothing
else. Days are UTC calendar days; day index `n_days - 1` is yesterday, today's sales are not complete yet.

Stock-outs: a SKU's stock history starts at its first stock record (its earliest movement or count); before that
its stock is unknown, and an unknown day counts like a day in stock (its sales, or their absence, are demand).
From the first record on, the end-of-day level is rebuilt backwards from today's on-hand through the movements (a
stock take is recorded as the difference to the level before it, so walking back through it restores the earlier
records' level). A day whose rebuilt level is negative proves the records before it incomplete: the history is
unknown from that day back. Only a known day with nothing on hand all day and no sale is out of stock (missing
demand for the kernels rather than zero demand): a first stock count changes no demand estimate.
A purchase order marked received without its receipt movement leaves the levels from its day on short of its
units: those days are unknown too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from tradewind.catalog.models import Sku
from tradewind.catalog.service import active_skus
from tradewind.clock import as_utc, start_of_day
from tradewind.inventory.service import (
    Inbound,
    first_stock_record_by_sku,
    inbound_by_sku,
    missing_receipts,
    movements_since,
    on_hand_by_sku,
)
from tradewind.planning.demand_store import daily_demand_columns, day_number

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PlanInputs:
    """Everything the kernels need about a shop's SKUs, as arrays aligned on `skus`."""

    today: date
    first_day: date
    skus: list[Sku]
    history: FloatArray  # (n_skus, n_days) units demanded per day, oldest first
    in_stock: NDArray[np.bool_]  # (n_skus, n_days) the SKU could be sold that day
    on_hand: FloatArray  # (n_skus,)
    inbound: FloatArray  # (n_skus, horizon) units arriving on each day from tomorrow (every unit on order, once)
    inbound_overdue: FloatArray  # (n_skus,) the part of inbound[:, 0] whose expected date has passed
    price: FloatArray  # (n_skus,) selling price in the shop's currency

    @property
    def n_skus(self) -> int:
        return len(self.skus)

    def revenue(self, days: int = 90) -> FloatArray:
        return np.asarray(np.nansum(self.history[:, -days:], axis=1) * self.price, dtype=np.float64)


def day_index(moments: list[datetime], first_day: date) -> NDArray[np.int64]:
    origin = start_of_day(first_day)
    return np.fromiter(((as_utc(m) - origin).days for m in moments), dtype=np.int64, count=len(moments))


def rows_of(sku_ids: NDArray[np.int64], wanted: NDArray[np.int64]) -> NDArray[np.int64]:
    """For each of `wanted`, its row in `sku_ids` (distinct ids, any order), or -1 when it has none."""
    if len(sku_ids) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    order = np.argsort(sku_ids, kind="stable")
    ranked = sku_ids[order]
    at = np.minimum(np.searchsorted(ranked, wanted), len(ranked) - 1)
    return np.where(ranked[at] == wanted, order[at], -1).astype(np.int64)


def load_inputs(session: Session, *, shop_id: int, today: date, history_days: int, horizon: int) -> PlanInputs:
    skus = active_skus(session, shop_id=shop_id)
    position = {sku.id: i for i, sku in enumerate(skus)}
    n_skus = len(skus)
    first_day = today - timedelta(days=history_days)
    history = np.zeros((n_skus, history_days))
    # The units per SKU and day from the daily demand store (planning/demand_store.py), brought up to date first.
    cell_skus, cell_days, cell_units = daily_demand_columns(session, shop_id=shop_id, start=first_day, end=today)
    rows = rows_of(np.fromiter(position, dtype=np.int64, count=n_skus), cell_skus)
    known = rows >= 0
    if known.any():
        days = cell_days[known] - day_number(first_day)
        np.add.at(history, (rows[known], days), cell_units[known].astype(np.float64))

    stock_now = on_hand_by_sku(session, shop_id=shop_id)
    on_hand = np.array([float(stock_now.get(sku.id, 0)) for sku in skus])
    in_stock = _rebuild_in_stock(session, shop_id, position, on_hand, history, first_day)

    inbound, overdue = inbound_arrays(inbound_by_sku(session, shop_id=shop_id), position, today=today, horizon=horizon)
    price = np.array([float(sku.price or Decimal(0)) for sku in skus])
    return PlanInputs(today, first_day, skus, history, in_stock, on_hand, inbound, overdue, price)


def inbound_arrays(
    deliveries: Mapping[int, Iterable[Inbound]], position: Mapping[int, int], *, today: date, horizon: int
) -> tuple[FloatArray, FloatArray]:
    """Open purchase-order lines as arrays on the rows `position` gives each SKU id (other SKUs are left out):
    units arriving on each day from tomorrow, (n_skus, horizon), and units whose expected date has passed, (n_skus,).
    A line without an expected date, or overdue, is assumed to arrive tomorrow (day 0); one after the horizon is
    not in the first array."""
    inbound = np.zeros((len(position), horizon))
    overdue = np.zeros(len(position))
    for sku_id, lines in deliveries.items():
        if sku_id not in position:
            continue
        for delivery in lines:
            expected = delivery.expected_on or today + timedelta(days=1)
            offset = (expected - today).days - 1  # day 0 is tomorrow
            if offset < 0:
                overdue[position[sku_id]] += delivery.quantity
                offset = 0
            if offset < horizon:
                inbound[position[sku_id], offset] += delivery.quantity
    return inbound, overdue


def _rebuild_in_stock(
    session: Session,
    shop_id: int,
    position: dict[int, int],
    on_hand: FloatArray,
    history: FloatArray,
    first_day: date,
) -> NDArray[np.bool_]:
    n_skus, n_days = history.shape
    first_records = {
        position[s]: when for s, when in first_stock_record_by_sku(session, shop_id=shop_id).items() if s in position
    }
    if not first_records:
        return np.ones((n_skus, n_days), dtype=bool)
    net = np.zeros((n_skus, n_days + 1))  # the last column is today
    moves = [m for m in movements_since(session, shop_id=shop_id, start=start_of_day(first_day)) if m[0] in position]
    if moves:
        rows = np.fromiter((position[s] for s, _, _ in moves), dtype=np.int64, count=len(moves))
        days = np.minimum(day_index([when for _, when, _ in moves], first_day), n_days)
        np.add.at(net, (rows, days), np.fromiter((q for _, _, q in moves), dtype=np.float64, count=len(moves)))
    tracked = np.fromiter(first_records, dtype=np.int64, count=len(first_records))
    starts = day_index(list(first_records.values()), first_day)
    # A receipt marked on a purchase order but never recorded as a movement: the levels from that day on lack its
    # units, so those days are unknown again.
    known_until = np.full(n_skus, n_days, dtype=np.int64)
    for missing in missing_receipts(session, shop_id=shop_id):
        if missing.sku_id in position:
            row = position[missing.sku_id]
            known_until[row] = min(known_until[row], max((missing.received_on - first_day).days, 0))
    return known_stockouts(on_hand, net, history, tracked, starts, known_until)


def known_stockouts(
    on_hand: FloatArray,
    net: FloatArray,
    history: FloatArray,
    tracked: NDArray[np.int64],
    first_record_day: NDArray[np.int64],
    known_until: NDArray[np.int64] | None = None,
) -> NDArray[np.bool_]:
    """The in-stock mask from the records: `net` (n_skus, n_days + 1) holds each day's signed stock movements, the
    last column today's; `tracked` are the rows with a stock record, the first on day `first_record_day` (an index
    on the history's calendar, negative when before it); `known_until` (per row) the first day whose level the
    records no longer give (default: none). False only on a known day with nothing on hand all day and no sale."""
    n_skus, n_days = history.shape
    # End-of-day level of day d = on hand now − every movement after day d.
    after = np.cumsum(net[:, ::-1], axis=1)[:, ::-1]  # after[:, d] = Σ net[d:]
    end_of_day = on_hand[:, None] - after[:, 1:]
    start_of_day_level = np.concatenate([end_of_day[:, :1] - net[:, :1], end_of_day[:, :-1]], axis=1)
    empty = (np.maximum(start_of_day_level, end_of_day) <= 1e-9) & (history <= 0)
    known_from = np.full(n_skus, n_days, dtype=np.int64)  # no record: never known
    known_from[tracked] = np.maximum(first_record_day, 0)
    negative = end_of_day < -1e-9  # the records before the end of this day are incomplete
    last_negative = np.where(negative.any(axis=1), n_days - 1 - np.argmax(negative[:, ::-1], axis=1), -1)
    known_from = np.maximum(known_from, last_negative + 1)
    days = np.arange(n_days)[None, :]
    known = days >= known_from[:, None]
    if known_until is not None:
        known &= days < known_until[:, None]
    return np.asarray(~(known & empty), dtype=np.bool_)
