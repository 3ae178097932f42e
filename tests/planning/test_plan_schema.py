"""The plan's figures are declared once (`planning/schemas.py` PLAN, STORED_PLAN, OUTLOOK) and the shapes that hold
them — a fresh decision (`SkuDecision`), the stored row (`SkuPlan`), the stored figures as read (`PlanFigures`), a
stock outlook (`StockOutlook`) — are checked against that declaration (`figure_sets.check_shape`): a field added to
one and not the other, a figure of another type, or a declaration left behind stops the import, saying which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.config import Settings
from tradewind.figure_sets import Figure, FigureSet, ShapeMismatchError, check_shape, shape_fields, table_fields
from tradewind.planning.models import SkuPlan
from tradewind.planning.schemas import (
    DECISION_DERIVED,
    DECISION_INTERNAL,
    DECISION_RENAMED,
    OUTLOOK,
    PLAN,
    STORED_COLUMNS,
    STORED_DERIVED,
    STORED_PLAN,
    UNSOURCED_LEVELS,
    run_figures,
    stored_figures,
)
from tradewind.planning.service import SkuDecision, StockOutlook, build_plan, store_plan
from tradewind.planning.stored_plan import PlanFigures, plan_of
from tradewind.shops.models import Shop

TODAY = date(2026, 2, 3)
NOW = datetime(2026, 2, 3, 9, tzinfo=UTC)
SKU_PLAN_KEYS = ("id", "shop_id", "sku_id", "supplier_id", "created_at")


def check_decision(shape: type, figures: FigureSet = PLAN, **changes: object) -> dict[str, str]:
    declared: dict[str, object] = {
        "renamed": DECISION_RENAMED,
        "internal": DECISION_INTERNAL,
        "derived": DECISION_DERIVED,
    } | changes
    return check_shape(figures, shape.__name__, shape_fields(shape), **declared)  # type: ignore[arg-type]


def test_the_plans_shapes_hold_the_declared_figures() -> None:
    published = check_decision(SkuDecision)
    assert published["suggested_quantity"] == "quantity" and published["supplier_note"] == "switch_reason"
    assert published["no_source"] == "no_source"  # a property is a figure too
    assert set(published) | set(DECISION_DERIVED) == set(PLAN.by_name)
    stored = check_shape(STORED_PLAN, "PlanFigures", shape_fields(PlanFigures), derived=STORED_DERIVED)
    assert tuple(stored) == STORED_COLUMNS == tuple(PlanFigures.__dataclass_fields__)
    columns = check_shape(STORED_PLAN, "SkuPlan", table_fields(SkuPlan), internal=SKU_PLAN_KEYS, derived=STORED_DERIVED)
    assert set(columns) == set(STORED_COLUMNS)
    assert set(check_shape(OUTLOOK, "StockOutlook", shape_fields(StockOutlook))) == set(OUTLOOK.by_name)


def test_a_field_of_the_decision_the_schema_does_not_declare_is_refused() -> None:
    @dataclass(frozen=True)
    class Wider(SkuDecision):
        margin_per_unit: float = 0.0

    with pytest.raises(ShapeMismatchError, match=r"Wider\.margin_per_unit is not a figure of SkuPlanFigures"):
        check_decision(Wider)
    # Named internal (what the figures are made from), it is no figure.
    check_decision(Wider, internal=(*DECISION_INTERNAL, "margin_per_unit"))


def test_a_figure_the_decision_does_not_hold_is_refused() -> None:
    wider = FigureSet(PLAN.name, PLAN.doc, (*PLAN.figures, Figure("margin_per_unit", float, "Margin", "USD", 2)))
    with pytest.raises(ShapeMismatchError, match=r"SkuPlanFigures\.margin_per_unit is not a field of SkuDecision"):
        check_decision(SkuDecision, wider)


def test_a_figure_of_another_type_or_a_stale_declaration_is_refused() -> None:
    @dataclass(frozen=True)
    class Loose:
        planned_on: date
        demand_per_day: float | None  # the published figure is never None

    narrow = STORED_PLAN.pick("Narrow", "Two figures.", ("planned_on", "demand_per_day"))
    with pytest.raises(ShapeMismatchError, match=r"Loose\.demand_per_day is float \| None, but Narrow\.demand_per_day"):
        check_shape(narrow, "Loose", shape_fields(Loose))
    with pytest.raises(ShapeMismatchError, match="'quantity' is declared but is not a field of PlanFigures"):
        check_shape(
            STORED_PLAN,
            "PlanFigures",
            shape_fields(PlanFigures),
            renamed={"quantity": "suggested_quantity"},
            derived=STORED_DERIVED,
        )


def test_a_column_of_the_stored_plan_the_schema_does_not_declare_is_refused() -> None:
    columns = table_fields(SkuPlan)
    assert columns["on_hand"] is int and columns["stockout_on"] == date | None and columns["method"] is str
    with pytest.raises(ShapeMismatchError, match=r"SkuPlan\.margin_per_unit is not a figure of PlanOut"):
        check_shape(
            STORED_PLAN,
            "SkuPlan",
            columns | {"margin_per_unit": float},
            internal=SKU_PLAN_KEYS,
            derived=STORED_DERIVED,
        )
    without = {name: kind for name, kind in columns.items() if name != "order_by"}
    with pytest.raises(ShapeMismatchError, match=r"PlanOut\.order_by is not a field of SkuPlan"):
        check_shape(STORED_PLAN, "SkuPlan", without, internal=SKU_PLAN_KEYS, derived=STORED_DERIVED)


def test_a_plan_stored_and_read_back_publishes_what_the_fresh_plan_said(session: Session, shop: Shop) -> None:
    warehouse = f.warehouse(session, shop)
    sourced, orphan = f.sku(session, shop, "BOOT-38"), f.sku(session, shop, "ORPHAN-40")
    f.offer(session, shop, f.supplier(session, shop, "SUP-WZ"), sourced, moq=24, lead_time_days=12)
    for sku, on_hand, per_day in ((sourced, 40, 5), (orphan, 10, 3)):
        f.stock(session, shop, warehouse, sku, on_hand)
        f.daily_sales(session, shop, sku, today=TODAY, per_day=per_day)
    shop_plan = build_plan(session, shop_id=shop.id, today=TODAY, now=NOW, settings=Settings())
    assert store_plan(session, shop_id=shop.id, shop_plan=shop_plan) == 2
    for decision in shop_plan.decisions:
        fresh = run_figures(decision)
        stored = stored_figures(plan_of(session, shop_id=shop.id, sku_code=decision.sku.code))
        shared = set(fresh) & set(stored)
        assert len(shared) == len(STORED_PLAN.figures) - 3  # all but the title, the day and the supplier's name
        assert {n: stored[n] for n in shared} == {n: fresh[n] for n in shared}
        assert stored["planned_on"] == TODAY.isoformat() and stored["title"] == decision.sku.title
    (orphan_plan,) = [d for d in shop_plan.decisions if d.no_source]
    assert all(run_figures(orphan_plan)[n] is None for n in UNSOURCED_LEVELS)
    # The columns have no NULL: a SKU without a source stores 0 for its levels (published as none, above).
    levels = session.execute(
        select(SkuPlan.safety_stock, SkuPlan.reorder_point, SkuPlan.order_up_to).where(SkuPlan.sku_id == orphan.id)
    ).one()
    assert tuple(levels) == (0.0, 0.0, 0.0)
    sourced_plan = plan_of(session, shop_id=shop.id, sku_code="BOOT-38").plan
    assert sourced_plan.reorder_point > 0 and sourced_plan.suggested_quantity >= 0
