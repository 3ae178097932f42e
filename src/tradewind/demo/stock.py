"""The demo shop's stock: the Yiwu warehouse and the Madrid overseas one, today's stock levels (some SKUs about
to run out or already out, most healthy, a few heavily overstocked), the movements since the last stock take and
the purchase orders: a year of received ones and those still on their way."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from numpy.typing import NDArray

from tradewind.demo.catalog import Catalog
from tradewind.demo.demand import SEASONS
from tradewind.demo.orders import CANCELLED, CLOSED, DAY, OrderBook, OrderSkeleton
from tradewind.demo.purchasing import Receipts, write_purchase_orders
from tradewind.demo.story import DemoStory
from tradewind.demo.suppliers import CLOSED_FACTORY, FACTORY_INDEX, SILENT_FACTORY, Sourcing
from tradewind.demo.writer import BulkWriter, Row
from tradewind.inventory.models import (
    MovementReason,
    StockLevel,
    StockMovement,
    Warehouse,
    WarehouseKind,
)

HEALTHY, SHORT, ZERO, OVERSTOCK = range(4)
SALES_WINDOW_DAYS = 28
CN_WAREHOUSE, OVERSEAS_WAREHOUSE = "CN-YIWU", "ES-MAD"


@dataclass(frozen=True)
class StockPlan:
    """Decided before the orders: which SKUs are stocked in Madrid, which ran short, and when some ran out."""

    overseas: NDArray[np.bool_]
    kind: NDArray[np.int64]
    cover_days: NDArray[np.float64]
    stockout_at: NDArray[np.float64]


@dataclass(frozen=True)
class StockResult:
    on_hand: NDArray[np.int64]
    stock_shown: NDArray[np.int64]
    stale_listing: NDArray[np.bool_]
    units_sold_28_days: NDArray[np.float64]


def write_warehouses(writer: BulkWriter, *, shop_id: int) -> tuple[int, int]:
    first = writer.reserve_ids(Warehouse, 2)
    writer.write(
        Warehouse,
        [
            {
                "id": first,
                "shop_id": shop_id,
                "code": CN_WAREHOUSE,
                "name": "Yiwu warehouse (own)",
                "kind": WarehouseKind.OWN,
                "country": "CN",
            },
            {
                "id": first + 1,
                "shop_id": shop_id,
                "code": OVERSEAS_WAREHOUSE,
                "name": "Madrid overseas warehouse (3PL)",
                "kind": WarehouseKind.OVERSEAS,
                "country": "ES",
            },
        ],
    )
    return first, first + 1


def _cutoff_seconds(story: DemoStory) -> float:
    return (story.cutoff - story.history_start).total_seconds()


def plan_stock(
    rng: np.random.Generator,
    catalog: Catalog,
    skeleton: OrderSkeleton,
    story: DemoStory,
    sourcing: Sourcing,
    scale: int,
) -> StockPlan:
    """Choose the SKUs that are short (most of them from the closed and the silent factory), out of stock and
    overstocked (out-of-season ones first), from the sales of the last 28 days."""
    cutoff = _cutoff_seconds(story)
    line_placed = skeleton.placed[skeleton.line_order()]
    recent = line_placed >= cutoff - SALES_WINDOW_DAYS * DAY
    rate = (
        np.bincount(skeleton.line_sku[recent], weights=skeleton.line_quantity[recent], minlength=catalog.size)
        / SALES_WINDOW_DAYS
    )
    base_share = catalog.model_appeal[catalog.sku_model] * catalog.sku_size_share * catalog.sku_colour_share
    overseas = np.zeros(catalog.size, dtype=bool)
    overseas[np.argsort(-base_share, kind="stable")[: catalog.size // 4]] = True

    troubled = np.isin(sourcing.preferred, [FACTORY_INDEX[CLOSED_FACTORY], FACTORY_INDEX[SILENT_FACTORY]])
    order = rng.permutation(catalog.size)
    candidates = order[rate[order] >= 0.2]
    wanted = min(len(candidates), int(rng.integers(18, 27)) * scale)
    first_pick = candidates[troubled[candidates]][: round(wanted * 0.6)]
    others = candidates[~np.isin(candidates, first_pick)][: wanted - len(first_pick)]
    short = np.concatenate([first_pick, others])
    kind = np.full(catalog.size, HEALTHY, dtype=np.int64)
    kind[short] = SHORT
    kind[short[: max(1, round(len(short) * 0.3))] if len(short) else short] = ZERO

    season_now = np.array([_season_factor(catalog.model_of(s).category, story.today) for s in range(catalog.size)])
    loose = np.flatnonzero((kind == HEALTHY) & (rate > 0.03) & (rate < 0.6))
    loose = loose[np.lexsort((rng.random(len(loose)), season_now[loose]))]
    kind[loose[: 6 * scale]] = OVERSTOCK

    cover = rng.uniform(18, 70, catalog.size)
    cover[kind == SHORT] = rng.uniform(0.5, 6.5, int((kind == SHORT).sum()))
    cover[kind == ZERO] = 0.0
    cover[kind == OVERSTOCK] = rng.uniform(150, 400, int((kind == OVERSTOCK).sum()))
    stockout_at = np.full(catalog.size, np.inf)
    zero = kind == ZERO
    stockout_at[zero] = cutoff - rng.uniform(1.0, 5.0, int(zero.sum())) * DAY
    return StockPlan(overseas, kind, cover, stockout_at)


def _season_factor(category: str, today: date) -> float:
    peak, swing = SEASONS[category]
    return 1 + swing * math.cos(2 * math.pi * (today.timetuple().tm_yday - peak) / 365.25)


def write_stock(
    writer: BulkWriter,
    rng: np.random.Generator,
    catalog: Catalog,
    book: OrderBook,
    plan: StockPlan,
    sourcing: Sourcing,
    story: DemoStory,
    *,
    shop_id: int,
    warehouse_ids: tuple[int, int],
) -> StockResult:
    """Stock levels whose days of cover (on hand ÷ average daily sales of the last 28 days) follow the plan."""
    cutoff = _cutoff_seconds(story)
    skeleton = book.skeleton
    line_order = skeleton.line_order()
    counted = (skeleton.placed[line_order] >= cutoff - SALES_WINDOW_DAYS * DAY) & ~np.isin(
        book.status[line_order], [CANCELLED, CLOSED]
    )
    sold = np.bincount(skeleton.line_sku[counted], weights=skeleton.line_quantity[counted], minlength=catalog.size)
    rate = sold / SALES_WINDOW_DAYS
    on_hand = np.floor(rate * plan.cover_days).astype(np.int64)
    # A short SKU still has a pair or two; only the ones planned at zero are out.
    on_hand[plan.kind == SHORT] = np.maximum(on_hand[plan.kind == SHORT], 1)
    idle = rate * plan.cover_days < 3
    on_hand[idle & (plan.kind == HEALTHY)] = rng.integers(3, 16, int((idle & (plan.kind == HEALTHY)).sum()))
    on_hand[plan.kind == OVERSTOCK] = np.maximum(on_hand[plan.kind == OVERSTOCK], 120)
    on_hand[plan.kind == ZERO] = 0
    share = np.where(
        plan.overseas & (plan.kind != SHORT) & (plan.kind != ZERO), rng.uniform(0.2, 0.45, catalog.size), 0
    )
    overseas_on_hand = np.round(on_hand * share).astype(np.int64)
    cn_on_hand = on_hand - overseas_on_hand

    receipts = write_purchase_orders(
        writer,
        rng,
        catalog,
        sourcing,
        story,
        rate=rate,
        short=np.flatnonzero((plan.kind == SHORT) | (plan.kind == ZERO)),
        healthy=np.flatnonzero(plan.kind == HEALTHY),
        overseas_healthy=np.flatnonzero(plan.overseas & (plan.kind == HEALTHY)),
        cn_on_hand=cn_on_hand,
        shop_id=shop_id,
        warehouse_ids=warehouse_ids,
    )
    _write_levels_and_movements(
        writer,
        catalog,
        book,
        story,
        plan,
        cn_on_hand,
        overseas_on_hand,
        receipts,
        shop_id=shop_id,
        warehouse_ids=warehouse_ids,
    )
    shown = on_hand.copy()
    stale = plan.kind == ZERO
    shown[stale] = rng.integers(5, 26, int(stale.sum()))
    return StockResult(
        on_hand=on_hand, stock_shown=shown, stale_listing=stale, units_sold_28_days=sold.astype(np.float64)
    )


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _write_levels_and_movements(
    writer: BulkWriter,
    catalog: Catalog,
    book: OrderBook,
    story: DemoStory,
    plan: StockPlan,
    cn_on_hand: NDArray[np.int64],
    overseas_on_hand: NDArray[np.int64],
    receipts: Receipts,
    *,
    shop_id: int,
    warehouse_ids: tuple[int, int],
) -> None:
    """The stock take two weeks ago, then one sale movement per SKU, warehouse and day, and the receipts since."""
    counted_at = _at(story.stocktake_on, 2)
    since = (counted_at - story.history_start).total_seconds()
    skeleton = book.skeleton
    line_order = skeleton.line_order()
    shipped = book.shipped[line_order]
    moved = shipped >= since
    warehouse = book.overseas[line_order][moved].astype(np.int64)
    sku = skeleton.line_sku[moved]
    day = np.floor(shipped[moved] / DAY).astype(np.int64)
    key = (warehouse * catalog.size + sku) * 1_000 + (day - int(np.floor(since / DAY)))
    keys, inverse = np.unique(key, return_inverse=True)
    units = np.bincount(inverse, weights=skeleton.line_quantity[moved]).astype(np.int64)
    last_shipped = np.full(len(keys), -np.inf)
    np.maximum.at(last_shipped, inverse, shipped[moved])
    sold_since = np.zeros((2, catalog.size), dtype=np.int64)
    np.add.at(sold_since, ((keys // 1_000) // catalog.size, (keys // 1_000) % catalog.size), units)

    received = np.zeros(catalog.size, dtype=np.int64)
    for s, arrivals in receipts.items():
        received[s] = sum(quantity for quantity, _, _ in arrivals)
    levels: list[Row] = []
    movements: list[Row] = []
    stocked = [(0, s) for s in range(catalog.size)] + [(1, s) for s in np.flatnonzero(plan.overseas).tolist()]
    level_first = writer.reserve_ids(StockLevel, len(stocked))
    for n, (w, s) in enumerate(stocked):
        on_hand = int(cn_on_hand[s] if w == 0 else overseas_on_hand[s])
        arrived = int(received[s]) if w == 0 else 0
        opening = on_hand + int(sold_since[w, s]) - arrived
        levels.append(
            {
                "id": level_first + n,
                "shop_id": shop_id,
                "warehouse_id": warehouse_ids[w],
                "sku_id": int(catalog.sku_ids[s]),
                "on_hand": on_hand,
                "counted_at": counted_at,
                "updated_at": counted_at,
            }
        )
        movements.append(
            {
                "shop_id": shop_id,
                "warehouse_id": warehouse_ids[w],
                "sku_id": int(catalog.sku_ids[s]),
                "occurred_at": counted_at,
                "quantity": opening,
                "reason": MovementReason.STOCKTAKE,
                "reference": f"stocktake {story.stocktake_on.isoformat()}",
                "note": "opening count",
            }
        )
        for quantity, when, reference in receipts.get(s, []) if w == 0 else []:
            movements.append(
                {
                    "shop_id": shop_id,
                    "warehouse_id": warehouse_ids[w],
                    "sku_id": int(catalog.sku_ids[s]),
                    "occurred_at": when,
                    "quantity": quantity,
                    "reason": MovementReason.RECEIPT,
                    "reference": reference,
                    "note": None,
                }
            )
            levels[-1]["updated_at"] = max(levels[-1]["updated_at"], when)
    level_of = {(w, s): n for n, (w, s) in enumerate(stocked)}
    for k in range(len(keys)):
        w, s = divmod(int(keys[k] // 1_000), catalog.size)
        when = story.history_start + timedelta(seconds=int(last_shipped[k]))
        movements.append(
            {
                "shop_id": shop_id,
                "warehouse_id": warehouse_ids[w],
                "sku_id": int(catalog.sku_ids[s]),
                "occurred_at": when,
                "quantity": -int(units[k]),
                "reason": MovementReason.SALE,
                "reference": f"shipped {when.date().isoformat()}",
                "note": None,
            }
        )
        level = levels[level_of[(w, s)]]
        level["updated_at"] = max(level["updated_at"], when)
    movements.sort(key=lambda row: (row["occurred_at"], row["warehouse_id"], row["sku_id"]))
    first = writer.reserve_ids(StockMovement, len(movements))
    for offset, row in enumerate(movements):
        row["id"] = first + offset
    writer.write(StockLevel, levels)
    writer.write(StockMovement, movements)
