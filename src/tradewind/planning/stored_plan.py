"""The stored plan (one `SkuPlan` row per SKU, written by every brief refresh and `tradewind plan`) as the faces
read it: one SKU's plan, and the whole plan as a sortable, searchable list (`PlanIndex`, which the faces keep per
shop a while, and `plan_page`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.catalog.models import Sku
from tradewind.catalog.service import get_sku
from tradewind.errors import NotFoundError
from tradewind.figure_sets import check_shape, shape_fields, table_fields
from tradewind.planning.models import SkuPlan
from tradewind.planning.schemas import STORED_DERIVED, STORED_PLAN
from tradewind.suppliers.models import Supplier


class PlanSort(StrEnum):
    SKU = "sku"
    DAYS_OF_COVER = "days_of_cover"
    STOCKOUT_ON = "stockout_on"
    ORDER_BY = "order_by"
    ON_HAND = "on_hand"
    DEMAND = "demand_per_day"
    QUANTITY = "suggested_quantity"


@dataclass(frozen=True)
class PlanFigures:
    """A SKU's stored plan as the faces show it (the `SkuPlan` columns, read without loading the record). The
    figures of `schemas.STORED_PLAN` but the labels joined in (`STORED_DERIVED`); checked below."""

    planned_on: date
    method: str
    demand_per_day: float
    demand_sigma: float
    lead_time_mean_days: float | None
    lead_time_p90_days: float | None
    service_level: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    on_hand: int
    on_order: int
    days_of_cover: float | None
    stockout_on: date | None
    order_by: date | None
    suggested_quantity: int

    @classmethod
    def of(cls, plan: SkuPlan) -> PlanFigures:
        return cls(*(getattr(plan, name) for name in _FIGURES))


# The stored plan, its table and the figures read from it declare the same figures (`figure_sets.check_shape`): a
# column or a field added to one and not the others stops the import, saying which.
check_shape(STORED_PLAN, "PlanFigures", shape_fields(PlanFigures), derived=STORED_DERIVED)
check_shape(
    STORED_PLAN,
    "SkuPlan",
    table_fields(SkuPlan),
    internal=("id", "shop_id", "sku_id", "supplier_id", "created_at"),
    derived=STORED_DERIVED,
)
_FIGURES = tuple(PlanFigures.__dataclass_fields__)
_FIGURE_COLUMNS = tuple(getattr(SkuPlan, name) for name in _FIGURES)


@dataclass(frozen=True)
class SkuLabel:
    id: int
    code: str
    title: str


@dataclass(frozen=True)
class PlanRow:
    plan: PlanFigures
    sku: SkuLabel
    supplier_code: str | None
    supplier_name: str | None


_SORT_COLUMNS = {
    PlanSort.SKU: Sku.code,
    PlanSort.DAYS_OF_COVER: SkuPlan.days_of_cover,
    PlanSort.STOCKOUT_ON: SkuPlan.stockout_on,
    PlanSort.ORDER_BY: SkuPlan.order_by,
    PlanSort.ON_HAND: SkuPlan.on_hand,
    PlanSort.DEMAND: SkuPlan.demand_per_day,
    PlanSort.QUANTITY: SkuPlan.suggested_quantity,
}


MAX_SEARCHES_KEPT = 64


class PlanIndex:
    """The shop's stored plan as the list needs it to sort, search and page: one small tuple per SKU, and each
    ordering computed once (the faces keep it per shop: `server/figures.py` `plan_index`)."""

    def __init__(self, rows: list[tuple[int, str, str, dict[PlanSort, Any]]]) -> None:
        self._rows = rows  # (plan id, SKU code, lower-case "code title", sort values)
        self._orders: dict[tuple[PlanSort, bool], list[int]] = {}
        self._text = {plan_id: text for plan_id, _, text, _ in rows}
        self._at_risk = {plan_id for plan_id, _, _, values in rows if values[PlanSort.STOCKOUT_ON] is not None}
        self._searches: dict[tuple[PlanSort, bool, str, bool], list[int]] = {}

    def ordered(self, sort: PlanSort, descending: bool) -> list[int]:
        key = (sort, descending)
        if key not in self._orders:
            by_code = sorted(self._rows, key=lambda row: row[1])
            known = [row for row in by_code if row[3][sort] is not None]
            unknown = [row for row in by_code if row[3][sort] is None]  # empty values last, either way
            known.sort(key=lambda row: row[3][sort], reverse=descending)  # stable: ties stay in code order
            self._orders[key] = [row[0] for row in known + unknown]
        return self._orders[key]

    def matching(self, sort: PlanSort, descending: bool, search: str | None, only_at_risk: bool) -> list[int]:
        """The plans in this order that match; the last few searches are kept (paging through one repeats it)."""
        ids = self.ordered(sort, descending)
        needle = (search or "").strip().lower()
        if not needle and not only_at_risk:
            return ids
        key = (sort, descending, needle, only_at_risk)
        found = self._searches.get(key)
        if found is None:
            found = [
                i for i in ids if (not needle or needle in self._text[i]) and (not only_at_risk or i in self._at_risk)
            ]
            if len(self._searches) >= MAX_SEARCHES_KEPT:
                self._searches.pop(next(iter(self._searches)), None)
            self._searches[key] = found
        return found


def load_plan_index(session: Session, *, shop_id: int) -> PlanIndex:
    """The shop's stored plan as `PlanIndex` needs it (one query; the faces keep the result a while)."""
    rows = session.execute(
        select(
            SkuPlan.id,
            Sku.code,
            Sku.title,
            SkuPlan.days_of_cover,
            SkuPlan.stockout_on,
            SkuPlan.order_by,
            SkuPlan.on_hand,
            SkuPlan.demand_per_day,
            SkuPlan.suggested_quantity,
        )
        .join(Sku, Sku.id == SkuPlan.sku_id)
        .where(SkuPlan.shop_id == shop_id)
    )
    return PlanIndex(
        [
            (
                plan_id,
                code,
                f"{code} {title}".lower(),
                {
                    PlanSort.SKU: code,
                    PlanSort.DAYS_OF_COVER: cover,
                    PlanSort.STOCKOUT_ON: stockout,
                    PlanSort.ORDER_BY: order_by,
                    PlanSort.ON_HAND: on_hand,
                    PlanSort.DEMAND: demand,
                    PlanSort.QUANTITY: quantity,
                },
            )
            for plan_id, code, title, cover, stockout, order_by, on_hand, demand, quantity in rows
        ]
    )


def plan_page(
    session: Session,
    index: PlanIndex,
    *,
    search: str | None = None,
    sort: PlanSort = PlanSort.STOCKOUT_ON,
    descending: bool = False,
    offset: int = 0,
    limit: int = 50,
    only_at_risk: bool = False,
) -> tuple[list[PlanRow], int]:
    """One page of the stored plan (as `index`, the shop's, orders and searches it) and the number of rows
    matching. Empty values (no stockout in sight, no sales to cover) sort last either way; ties in SKU order."""
    wanted = index.matching(sort, descending, search, only_at_risk)
    page = wanted[offset : offset + limit]
    if not page:
        return [], len(wanted)
    # Columns, not records: a page of plans is read-only, and loading records costs more than the query.
    rows = session.execute(
        select(SkuPlan.id, Sku.id, Sku.code, Sku.title, Supplier.code, Supplier.name, *_FIGURE_COLUMNS)
        .join(Sku, Sku.id == SkuPlan.sku_id)
        .outerjoin(Supplier, Supplier.id == SkuPlan.supplier_id)
        .where(SkuPlan.id.in_(page))
    )
    loaded = {row[0]: PlanRow(PlanFigures(*row[6:]), SkuLabel(row[1], row[2], row[3]), row[4], row[5]) for row in rows}
    return [loaded[i] for i in page if i in loaded], len(wanted)


def plan_of(session: Session, *, shop_id: int, sku_code: str) -> PlanRow:
    sku = get_sku(session, shop_id=shop_id, code=sku_code)
    row = session.execute(
        select(SkuPlan, Supplier.code, Supplier.name)
        .outerjoin(Supplier, Supplier.id == SkuPlan.supplier_id)
        .where(SkuPlan.shop_id == shop_id, SkuPlan.sku_id == sku.id)
    ).first()
    if row is None:
        raise NotFoundError(
            f"SKU {sku_code!r} has no stored plan yet: refresh the brief or run `tradewind plan`",
            details={"sku": sku_code},
        )
    return PlanRow(PlanFigures.of(row[0]), SkuLabel(sku.id, sku.code, sku.title), row[1], row[2])
