"""The replenishment plan of a shop: load its history, know its suppliers' state, choose a supplier per SKU,
run the kernels over every SKU at once, and store the result; and one SKU's stock outlook (its chart: sales, the
stored plan's forecast, the projected stock with its inbound orders). With `stored_plan` (which reads the stored
rows back), the only planning module that touches the database (through the other domains' services)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Table, delete, insert
from sqlalchemy.orm import Session

from tradewind.catalog.models import Sku
from tradewind.config import Settings
from tradewind.db.changes import mark_shop_changed
from tradewind.figure_sets import check_shape, shape_fields
from tradewind.inventory.service import inbound_by_sku
from tradewind.orders.service import demand_lines
from tradewind.planning.demand_store import DAILY_DEMAND as DAILY_DEMAND
from tradewind.planning.estimate_store import plan_estimate, plan_inputs
from tradewind.planning.frames import FloatArray, PlanInputs, inbound_arrays
from tradewind.planning.kernels import PlanResult, plan
from tradewind.planning.kernels.projection import project_stock
from tradewind.planning.lead_time import LeadTime, SupplierDelays, offer_lead_time, supplier_delays
from tradewind.planning.models import SkuPlan
from tradewind.planning.schemas import (
    DECISION_DERIVED,
    DECISION_INTERNAL,
    DECISION_RENAMED,
    OUTLOOK,
    PLAN,
    STORED_COLUMNS,
    UNSOURCED_LEVELS,
    decision_values,
)
from tradewind.planning.stored_plan import PlanRow, plan_of
from tradewind.suppliers.models import Supplier, SupplyOffer
from tradewind.suppliers.service import (
    AVAILABILITY_WORDS,
    Availability,
    SupplierState,
    latest_status_reports,
    offers_by_sku,
    supplier_state,
    suppliers_by_id,
    unanswered_since,
)
from tradewind.wording import Day, Phrase, phrase

KernelRunner = Callable[..., PlanResult]


@dataclass(frozen=True)
class SupplyOption:
    offer: SupplyOffer
    supplier: Supplier
    lead_time: LeadTime


@dataclass(frozen=True)
class SkuDecision:
    """One SKU's plan, with the supplier chosen and why."""

    sku: Sku
    method: str
    demand_per_day: float
    demand_sigma: float
    service_level: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    on_hand: int
    on_order: int
    days_of_cover: float | None
    stockout_on: date | None
    order_by: date | None
    quantity: int
    chosen: SupplyOption | None
    preferred: SupplyOption | None
    switch_reason: str | None
    earliest_arrival: date | None
    earliest_option: SupplyOption | None
    purchasing_paused: bool
    # Units the MOQ or pack size would force beyond the cover cap: left to the seller, not ordered (0 = none).
    moq_choice: int = 0
    # No sale for `dormant_after_days` (and the SKU is at least that old): dead stock, not a stockout.
    dormant: bool = False
    # `switch_reason` in the reader's language.
    switch_reason_phrase: Phrase | None = None

    @property
    def position(self) -> int:
        return self.on_hand + self.on_order

    @property
    def no_source(self) -> bool:
        """No live supplier offer: nothing can be ordered, so the SKU has no lead time and no stock levels."""
        return self.chosen is None

    @property
    def moq_choice_cover_days(self) -> float | None:
        """Days of demand the stock position would cover if the MOQ-forced quantity were ordered."""
        if self.moq_choice <= 0 or self.demand_per_day <= 0:
            return None
        return (self.position + self.moq_choice) / self.demand_per_day

    @property
    def stockout_unavoidable(self) -> bool:
        """The stock runs out before anything ordered today could arrive, even from the fastest source."""
        if self.stockout_on is None or self.dormant:
            return False
        return self.earliest_arrival is None or self.earliest_arrival > self.stockout_on


# A decision holds the figures `schemas.PLAN` declares, and nothing else but what they are made from: checked when
# this module is imported (a field added to one and not the other stops it, saying which).
check_shape(
    PLAN,
    "SkuDecision",
    shape_fields(SkuDecision),
    renamed=DECISION_RENAMED,
    internal=DECISION_INTERNAL,
    derived=DECISION_DERIVED,
)


@dataclass(frozen=True)
class ShopPlan:
    today: date
    inputs: PlanInputs
    decisions: list[SkuDecision]
    supplier_states: dict[int, SupplierState]


def build_plan(
    session: Session,
    *,
    shop_id: int,
    today: date,
    now: datetime,
    settings: Settings,
    runner: KernelRunner = plan,
) -> ShopPlan:
    inputs = plan_inputs(session, shop_id=shop_id, today=today, settings=settings)
    suppliers = suppliers_by_id(session, shop_id=shop_id)
    if not inputs.skus:
        return ShopPlan(today=today, inputs=inputs, decisions=[], supplier_states={})
    states = supplier_states(session, suppliers, shop_id=shop_id, today=today, now=now, settings=settings)
    offers = offers_by_sku(session, shop_id=shop_id)
    delays: dict[int, SupplierDelays] = {}  # each supplier's part of its offers' lead times, worked out once
    options = [_options(offers.get(sku.id, []), suppliers, states, today, settings, delays) for sku in inputs.skus]
    service_level = service_levels(inputs.revenue(), settings)
    # The demand estimate depends on the history alone (not on the supplier chosen): read back when stored for
    # these very inputs (planning/estimate_store.py), else computed once for both runs of the kernel below.
    estimate = plan_estimate(session, shop_id=shop_id, inputs=inputs)
    common: dict[str, Any] = {
        "history": inputs.history,
        "in_stock": inputs.in_stock,
        "on_hand": inputs.on_hand,
        "inbound": inputs.inbound,
        "service_level": service_level,
        "max_cover_days": float(settings.max_cover_days),
        "review_period": float(settings.review_period_days),
        "estimate": estimate,
    }
    preferred = [opts[0] if opts else None for opts in options]
    first = runner(**common, **_supply_arrays(preferred))
    stockout_on = _dates(first.stockout_day, today)
    chosen: list[SupplyOption | None] = []
    reasons: list[Phrase | None] = []
    for opts, runs_out in zip(options, stockout_on, strict=True):
        pick, reason = choose_option(opts, runs_out, today)
        chosen.append(pick)
        reasons.append(reason)
    result = runner(**common, **_supply_arrays(chosen))
    dormant = dormant_skus(inputs, today=today, days=settings.dormant_after_days)
    decisions = _decisions(inputs, result, options, chosen, reasons, service_level, dormant, today)
    return ShopPlan(today=today, inputs=inputs, decisions=decisions, supplier_states=states)


def supplier_states(
    session: Session, suppliers: dict[int, Supplier], *, shop_id: int, today: date, now: datetime, settings: Settings
) -> dict[int, SupplierState]:
    """Whether each supplier can take an order today (from its status reports and unanswered messages)."""
    reports = latest_status_reports(session, shop_id=shop_id, as_of=today, supplier_ids=list(suppliers))
    silent = unanswered_since(session, shop_id=shop_id)
    return {
        sid: supplier_state(s, reports.get(sid), silent.get(sid), today=today, now=now, settings=settings)
        for sid, s in suppliers.items()
    }


def supply_options(
    session: Session, *, shop_id: int, sku_id: int, today: date, now: datetime, settings: Settings
) -> list[SupplyOption]:
    """One SKU's live offers, preferred first, each with its lead time for an order placed today: the lead times
    the plan, the brief's cards and the SKU page show (`offer_lead_time`: production time, holidays, closures and
    doubt about the supplier on top of the offer's own days)."""
    offers = offers_by_sku(session, shop_id=shop_id, sku_id=sku_id).get(sku_id, [])
    suppliers = suppliers_by_id(session, shop_id=shop_id, supplier_ids=[o.supplier_id for o in offers])
    states = supplier_states(session, suppliers, shop_id=shop_id, today=today, now=now, settings=settings)
    return _options(offers, suppliers, states, today, settings)


def _options(
    offers: list[SupplyOffer],
    suppliers: dict[int, Supplier],
    states: dict[int, SupplierState],
    today: date,
    settings: Settings,
    delays: dict[int, SupplierDelays] | None = None,
) -> list[SupplyOption]:
    """Each offer with its lead time; `delays` keeps each supplier's part (`supplier_delays`) for the next SKU."""
    known = {} if delays is None else delays
    options = []
    for o in offers:
        supplier, state = suppliers[o.supplier_id], states[o.supplier_id]
        found = known.get(o.supplier_id)
        if found is None:
            found = known[o.supplier_id] = supplier_delays(supplier, state, today=today, settings=settings)
        lead = offer_lead_time(o, supplier, state, today=today, settings=settings, delays=found)
        options.append(SupplyOption(o, supplier, lead))
    return options


def dormant_skus(inputs: PlanInputs, *, today: date, days: int) -> list[bool]:
    """Per SKU: no unit sold in the last `days` days of history although the SKU has existed that long."""
    sold = np.nansum(inputs.history[:, -days:], axis=1) > 0
    return [not bool(sold[i]) and (today - sku.created_at.date()).days >= days for i, sku in enumerate(inputs.skus)]


def service_levels(revenue: FloatArray, settings: Settings) -> FloatArray:
    """Best-sellers (the SKUs making the first 20% of revenue) get the highest target, the next 30% the middle
    one, the tail the lowest (ABC classification by revenue)."""
    levels = np.full(revenue.shape, settings.service_level_c)
    total = float(revenue.sum())
    if total <= 0:
        return levels
    order = np.argsort(-revenue, kind="stable")
    share_before = (np.cumsum(revenue[order]) - revenue[order]) / total
    ranked = np.where(
        share_before < 0.2,
        settings.service_level_a,
        np.where(share_before < 0.5, settings.service_level_b, settings.service_level_c),
    )
    levels[order] = ranked
    return levels


def choose_option(
    options: list[SupplyOption], runs_out: date | None, today: date
) -> tuple[SupplyOption | None, Phrase | None]:
    """The preferred supplier when it can deliver in time; else the first alternative (by priority) that is
    operating and can; else whoever arrives soonest at p90 (an operating one on a tie): a silent supplier's doubt
    is already in its p90, so a slower alternative is never chosen over it."""
    if not options:
        return None, None
    preferred = options[0]

    def in_time(option: SupplyOption) -> bool:
        return runs_out is None or option.lead_time.arrival(today)[1] <= runs_out

    operating = [o for o in options if o.lead_time.availability == Availability.OPERATING]
    if preferred in operating and in_time(preferred):
        return preferred, None
    timely = [o for o in operating if in_time(o)]
    pick = (
        timely[0]
        if timely
        else min(
            options,
            key=lambda o: (o.lead_time.p90_days, o.lead_time.availability != Availability.OPERATING, o.offer.priority),
        )
    )
    if pick is preferred:
        return preferred, None
    state = preferred.lead_time
    if state.availability != Availability.OPERATING:
        availability = AVAILABILITY_WORDS[state.availability]
        return pick, phrase(
            "%(supplier)s is %(availability)s: %(why)s",
            supplier=preferred.supplier.name,
            availability=availability,
            why=state.notes_phrase if state.note_phrases else availability,
        )
    _, late = state.arrival(today)
    assert runs_out is not None  # an operating preferred supplier not in time: there is a stockout to be late for
    return pick, phrase(
        "%(supplier)s is too slow: p90 arrival %(late)s, after the stockout on %(stockout)s",
        supplier=preferred.supplier.name,
        late=Day(late, "day_month"),
        stockout=Day(runs_out, "day_month"),
    )


def _supply_arrays(options: list[SupplyOption | None]) -> dict[str, FloatArray]:
    """Kernel inputs per SKU. A SKU without a source gets lead time 0 only so that the arrays are complete: its
    stock levels and order dates are dropped (see `_decisions`), never reported with a made-up lead time."""
    mean = np.array([o.lead_time.mean_days if o else 0.0 for o in options])
    p90 = np.array([o.lead_time.p90_days if o else 0.0 for o in options])
    moq = np.array([float(o.offer.moq) if o else 0.0 for o in options])
    pack = np.array([float(max(o.offer.pack_size, 1)) if o else 1.0 for o in options])
    return {"lead_time_mean": mean, "lead_time_p90": p90, "moq": moq, "pack_size": pack}


def _dates(days: FloatArray, today: date) -> list[date | None]:
    """Kernel day numbers (0 = tomorrow, NaN = none) as dates."""
    return [None if math.isnan(d) else today + timedelta(days=int(d) + 1) for d in days]


def _decisions(
    inputs: PlanInputs,
    result: PlanResult,
    options: list[list[SupplyOption]],
    chosen: list[SupplyOption | None],
    reasons: list[Phrase | None],
    service_level: FloatArray,
    dormant: list[bool],
    today: date,
) -> list[SkuDecision]:
    stockouts = _dates(result.stockout_day, today)
    order_bys = _dates(result.order_by_day, today)
    methods = result.method_name
    on_order = inputs.inbound.sum(axis=1)  # overdue lines are in it, on tomorrow
    decisions = []
    for i, sku in enumerate(inputs.skus):
        fastest = min(options[i], key=lambda o: o.lead_time.mean_days, default=None)
        paused = sku.purchasing_paused_until is not None and sku.purchasing_paused_until > today
        cover = float(result.days_of_cover[i])
        order_by = order_bys[i]
        sourced = chosen[i] is not None
        # Without a source there is nothing to order and no lead time to protect: no levels, no order date.
        levels = (
            (float(result.safety_stock[i]), float(result.reorder_point[i]), float(result.order_up_to[i]))
            if sourced
            else (math.nan, math.nan, math.nan)
        )
        blocked = paused or dormant[i] or not sourced
        reason = reasons[i]
        decisions.append(
            SkuDecision(
                sku=sku,
                method=methods[i],
                demand_per_day=float(result.demand_per_day[i]),
                demand_sigma=float(result.demand_sigma[i]),
                service_level=float(service_level[i]),
                safety_stock=levels[0],
                reorder_point=levels[1],
                order_up_to=levels[2],
                on_hand=int(inputs.on_hand[i]),
                on_order=int(on_order[i]),
                days_of_cover=None if math.isinf(cover) else cover,
                stockout_on=stockouts[i],
                order_by=None if order_by is None or not sourced else max(order_by, today),
                quantity=0 if blocked else int(result.suggested_quantity[i]),
                chosen=chosen[i],
                preferred=options[i][0] if options[i] else None,
                switch_reason=reason.english() if reason is not None else None,
                switch_reason_phrase=reason,
                earliest_arrival=fastest.lead_time.arrival(today)[0] if fastest else None,
                earliest_option=fastest,
                purchasing_paused=paused,
                moq_choice=0 if blocked else int(result.moq_choice_quantity[i]),
                dormant=dormant[i],
            )
        )
    return decisions


def store_plan(session: Session, *, shop_id: int, shop_plan: ShopPlan) -> int:
    """Replace the shop's stored plan with this one; returns the number of SKU rows."""
    mark_shop_changed(session, shop_id)
    session.execute(delete(SkuPlan).where(SkuPlan.shop_id == shop_id))
    rows = [_stored_row(d, shop_id=shop_id, today=shop_plan.today) for d in shop_plan.decisions]
    if rows:
        # A Core statement on the table: the ORM's bulk insert takes twice as long for the same rows.
        table = SkuPlan.__table__
        assert isinstance(table, Table)
        session.execute(insert(table), rows)
    return len(rows)


def _stored_row(d: SkuDecision, *, shop_id: int, today: date) -> dict[str, Any]:
    """A decision as its `SkuPlan` row: the stored plan's figures (`schemas.STORED_COLUMNS`) as the decision gives
    them to every face (`schemas.decision_values`), the levels of a SKU without a source (NaN) stored as 0 (the
    columns have no NULL; the NULL lead time says there was no source)."""
    values = decision_values(d)
    values["planned_on"] = today
    row = {name: values[name] for name in STORED_COLUMNS}
    for name in UNSOURCED_LEVELS:
        if math.isnan(row[name]):
            row[name] = 0.0
    row["shop_id"] = shop_id
    row["sku_id"] = d.sku.id
    row["supplier_id"] = d.chosen.supplier.id if d.chosen else None
    return row


def daily_demand(session: Session, *, shop_id: int, sku_id: int, start: date, end: date) -> list[float]:
    """Units of one SKU demanded per day on [start, end), as planning counts demand (`demand_lines`)."""
    units = [0.0] * (end - start).days
    for _, placed_at, quantity in demand_lines(session, shop_id=shop_id, start=start, end=end, sku_id=sku_id):
        index = (placed_at.date() - start).days
        if 0 <= index < len(units):
            units[index] += quantity
    return units


@dataclass(frozen=True)
class StockOutlook:
    """One SKU's past and projected stock, day by day, for its chart (rounded as `schemas.OUTLOOK` publishes it)."""

    sku: str
    today: date
    on_hand: int
    history_days: list[date]
    sales: list[float]
    projection_days: list[date]
    forecast: list[float]
    projected_stock: list[float]
    inbound: list[float]
    reorder_point: float
    safety_stock: float
    stockout_on: date | None
    order_by: date | None
    inbound_orders: list[tuple[date | None, int, str]]  # open purchase-order lines: (expected on, units, order code)


check_shape(OUTLOOK, "StockOutlook", shape_fields(StockOutlook))


def stock_outlook(
    session: Session,
    *,
    shop_id: int,
    sku_code: str,
    today: date,
    history_days: int = 90,
    horizon: int = 90,
    row: PlanRow | None = None,
) -> StockOutlook:
    """The chart's data: the stored plan's demand, reorder point and dates; the projection is the planning
    kernel's (`project_stock`), run for this one SKU with its open purchase orders on the plan's inbound array
    (`frames.inbound_arrays`: an overdue or undated line arrives tomorrow). `row`: the SKU's plan, when the caller
    has read it already."""
    if row is None:
        row = plan_of(session, shop_id=shop_id, sku_code=sku_code)
    plan_figures = row.plan
    start = today - timedelta(days=history_days)
    sales = daily_demand(session, shop_id=shop_id, sku_id=row.sku.id, start=start, end=today)
    open_lines = inbound_by_sku(session, shop_id=shop_id, sku_id=row.sku.id)
    arriving, _ = inbound_arrays(open_lines, {row.sku.id: 0}, today=today, horizon=horizon)
    demand = np.array([plan_figures.demand_per_day])
    projection = project_stock(
        np.array([float(plan_figures.on_hand)]), arriving, demand, np.array([plan_figures.lead_time_p90_days or 0.0])
    )
    return StockOutlook(
        sku=row.sku.code,
        today=today,
        on_hand=plan_figures.on_hand,
        history_days=[start + timedelta(days=d) for d in range(history_days)],
        sales=sales,
        projection_days=[today + timedelta(days=d + 1) for d in range(horizon)],
        forecast=OUTLOOK.round("forecast", [plan_figures.demand_per_day] * horizon),
        projected_stock=OUTLOOK.round("projected_stock", [float(v) for v in projection.stock[0]]),
        inbound=[float(v) for v in arriving[0]],
        reorder_point=OUTLOOK.round("reorder_point", plan_figures.reorder_point),
        safety_stock=OUTLOOK.round("safety_stock", plan_figures.safety_stock),
        stockout_on=plan_figures.stockout_on,
        order_by=plan_figures.order_by,
        inbound_orders=[
            (line.expected_on, line.quantity, line.purchase_order) for line in open_lines.get(row.sku.id, [])
        ],
    )
