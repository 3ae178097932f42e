"""The planning engine's voice in the brief: `restock`, `switch_supplier`, `stockout_playbook`, `vacation_mode`
and `overstock`, each with the figures behind it, and what applying each one does in Tradewind's records; and
`receipt_missing` (`ReceiptMissingProducer`, in receipts.py), so that the brief finds all of planning's producers
here."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from tradewind.action import Action, BriefContext, StoredAction, gather, members_digest
from tradewind.catalog.models import Promotion
from tradewind.catalog.service import (
    active_listings_by_channel,
    active_promotions_by_sku,
    get_sku,
    pause_channel,
    pause_promotions,
    pause_purchasing,
    product_codes,
    quantity_phrase,
    set_listing_stock,
)
from tradewind.errors import InvalidTransitionError
from tradewind.inventory.models import PurchaseOrderState
from tradewind.inventory.service import (
    PurchaseLine,
    cancel_purchase_order,
    place_purchase_order,
    reinstate_purchase_order,
    unreceived_skus,
)
from tradewind.orders.service import open_order_units, stale_cutoff
from tradewind.planning.decisions import SupplierOrder, moq_choices, supplier_orders, switch_case
from tradewind.planning.receipts import LOOKBACK_DAYS as RECEIPT_LOOKBACK_DAYS
from tradewind.planning.receipts import ReceiptMissingProducer as ReceiptMissingProducer
from tradewind.planning.schemas import METHOD_CODES, card_figures
from tradewind.planning.service import ShopPlan, SkuDecision, build_plan, store_plan
from tradewind.shops.models import Shop
from tradewind.suppliers.service import (
    AVAILABILITY_WORDS,
    Availability,
    get_supplier,
    make_preferred,
)
from tradewind.wording import Arg, Day, Joined, Number, Phrase, joined, nphrase, phrase


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _num(value: float | None, digits: int = 1) -> float | None:
    return None if value is None or math.isnan(value) else round(value, digits)


def _cover_phrase(d: SkuDecision) -> Phrase:
    """`_cover_text` in the reader's language."""
    cover = (
        phrase("%(days)s d", days=Number.of(d.days_of_cover, 1, grouped=False))
        if d.days_of_cover is not None
        else phrase("no sales")
    )
    return phrase(
        "%(on_hand)s on hand + %(on_order)s on order (%(cover)s at %(rate)s/day%(runs_out)s)",
        on_hand=d.on_hand,
        on_order=d.on_order,
        cover=cover,
        rate=Number.of(d.demand_per_day, 2, grouped=False),
        runs_out=phrase(", out on %(day)s", day=Day(d.stockout_on, "day_month")) if d.stockout_on else "",
    )


def _cover_text(d: SkuDecision) -> str:
    return _cover_phrase(d).english()


def _vacation_why(listed: int, back: date | None) -> Phrase:
    """Why a channel should go on vacation: all its listed SKUs are out, and when stock could be back."""
    if back is None:
        return nphrase(
            "All %(num)s listed SKUs are out of stock; the first stock could arrive — no date yet. Orders taken now "
            "would ship late and count against the shop.",
            "All %(num)s listed SKUs are out of stock; the first stock could arrive — no date yet. Orders taken now "
            "would ship late and count against the shop.",
            listed,
        )
    return nphrase(
        "All %(num)s listed SKUs are out of stock; the first stock could arrive %(day)s. Orders taken now would "
        "ship late and count against the shop.",
        "All %(num)s listed SKUs are out of stock; the first stock could arrive %(day)s. Orders taken now would "
        "ship late and count against the shop.",
        listed,
        day=Day(back, "day_month"),
    )


class ReplenishmentProducer:
    kinds: tuple[str, ...] = ("restock", "switch_supplier", "stockout_playbook", "vacation_mode", "overstock")

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        shop_plan = build_plan(
            session, shop_id=shop.id, today=context.today, now=context.now, settings=context.settings
        )
        store_plan(session, shop_id=shop.id, shop_plan=shop_plan)
        found: list[Action] = []
        orders = supplier_orders(
            shop_plan.decisions, today=context.today, shop_currency=shop.currency, settings=context.settings
        )
        found += [self._restock(order, context) for order in orders]
        found += [self._moq_choice(group, context) for _, group in sorted(moq_choices(shop_plan.decisions).items())]
        products = product_codes(session, shop_id=shop.id)
        # A SKU whose received purchase order never reached its stock records has an on-hand that lacks those
        # units: its stockout may be false, and the receipt_missing action asks the seller to record it first.
        unrecorded = unreceived_skus(
            session, shop_id=shop.id, since=context.today - timedelta(days=RECEIPT_LOOKBACK_DAYS)
        )
        unavoidable: dict[str, list[SkuDecision]] = {}
        for d in shop_plan.decisions:
            if d.stockout_unavoidable and d.demand_per_day > 0 and d.sku.id not in unrecorded:
                model = products.get(d.sku.product_id or 0, d.sku.code)
                unavoidable.setdefault(model, []).append(d)
        open_orders = open_order_units(
            session, shop_id=shop.id, stale_before=stale_cutoff(context.today, context.settings.stale_order_days)
        )
        promotions = active_promotions_by_sku(session, shop_id=shop.id)
        found += [
            self._playbook(model, group, open_orders, promotions, context)
            for model, group in sorted(unavoidable.items())
        ]
        switches: dict[tuple[str, str], list[SkuDecision]] = {}
        for d in shop_plan.decisions:
            if d.switch_reason and d.quantity > 0 and d.chosen and d.preferred:
                switches.setdefault((d.preferred.supplier.code, d.chosen.supplier.code), []).append(d)
        found += [self._switch(group, shop.currency, context) for _, group in sorted(switches.items())]
        overstocked: dict[str, list[tuple[SkuDecision, Action]]] = {}
        for d in shop_plan.decisions:
            if (action := self._overstock(d, context)) is not None:
                overstocked.setdefault(products.get(d.sku.product_id or 0, d.sku.code), []).append((d, action))
        found += [
            _overstock_of_model(model, members, context.settings.dormant_after_days)
            for model, members in sorted(overstocked.items())
        ]
        found += self._vacation(session, shop, shop_plan, context)
        return found

    # restock ---------------------------------------------------------------------------------------------------

    @staticmethod
    def _restock_why_parts(
        order: SupplierOrder, urgent: SkuDecision, mean: float, p90: float, context: BriefContext
    ) -> list[Phrase]:
        service = Number(Decimal(f"{urgent.service_level:.0%}".rstrip("%")), grouped=False)
        parts = [
            phrase(
                "%(sku)s: %(cover)s; reorder point %(reorder_point)s (safety %(safety)s for %(service)s%% service, "
                "%(method)s); lead time %(mean)s d, p90 %(p90)s d.",
                sku=urgent.sku.code,
                cover=_cover_phrase(urgent),
                reorder_point=Number.of(urgent.reorder_point, grouped=False),
                safety=Number.of(urgent.safety_stock, grouped=False),
                service=service,
                method=METHOD_CODES.get(urgent.method, urgent.method),
                mean=Number.of(mean, grouped=False),
                p90=Number.of(p90, grouped=False),
            )
        ]
        if order.joined_early:
            parts.append(
                phrase(
                    "%(skus)s SKU(s) due soon added to share the shipment: carrying them early costs %(cost)s, less "
                    "than the %(shipment)s shipment it saves.",
                    skus=order.joined_early,
                    cost=Number.of(order.holding_cost, 2, grouped=False),
                    shipment=str(context.settings.shipment_cost),
                )
            )
        if urgent.switch_reason:
            parts.append(
                phrase(
                    "Not from the usual supplier: %(reason)s.",
                    reason=urgent.switch_reason_phrase or urgent.switch_reason,
                )
            )
        availability = order.option.lead_time.availability
        if availability != Availability.OPERATING:
            parts.append(
                phrase(
                    "%(supplier)s is %(availability)s and no alternative can do better (%(notes)s): ordering now "
                    "holds a place in its queue.",
                    supplier=order.option.supplier.name,
                    availability=AVAILABILITY_WORDS[availability],
                    notes=order.option.lead_time.notes_phrase,
                )
            )
        return parts

    def _restock(self, order: SupplierOrder, context: BriefContext) -> Action:
        supplier, offer_currency = order.option.supplier, order.option.offer.currency
        urgent = order.lines[0].decision
        lines = [
            card_figures(line.decision)
            | {
                "quantity": line.quantity,
                "unit_cost": str(line.unit_cost),
                "pulled_forward_days": line.pulled_forward_days,
            }
            for line in order.lines
        ]
        mean = max(line.decision.chosen.lead_time.mean_days for line in order.lines if line.decision.chosen)
        p90 = max(line.decision.chosen.lead_time.p90_days for line in order.lines if line.decision.chosen)
        quantity = quantity_phrase([line.decision.sku.unit for line in order.lines], order.total_units)
        due = Day(order.due, "day_month")
        title = (
            nphrase(
                "Order %(quantity)s from %(supplier)s by %(due)s (%(num)s SKU)",
                "Order %(quantity)s from %(supplier)s by %(due)s (%(num)s SKUs)",
                len(order.lines),
                quantity=quantity,
                supplier=supplier.name,
                due=due,
            )
            if len(order.lines) > 1
            else phrase(
                "Order %(quantity)s from %(supplier)s by %(due)s: %(sku)s",
                quantity=quantity,
                supplier=supplier.name,
                due=due,
                sku=urgent.sku.code,
            )
        )
        why = (
            f"{urgent.sku.code}: {_cover_text(urgent)}; reorder point {urgent.reorder_point:.0f} "
            f"(safety {urgent.safety_stock:.0f} for {urgent.service_level:.0%} service, {urgent.method}); "
            f"lead time {mean:.0f} d, p90 {p90:.0f} d."
        )
        if order.joined_early:
            why += (
                f" {order.joined_early} SKU(s) due soon added to share the shipment: carrying them early costs "
                f"{order.holding_cost:.2f}, less than the {context.settings.shipment_cost} shipment it saves."
            )
        if urgent.switch_reason:
            why += f" Not from the usual supplier: {urgent.switch_reason}."
        availability = order.option.lead_time.availability
        if availability != Availability.OPERATING:
            why += (
                f" {supplier.name} is {availability.value} and no alternative can do better "
                f"({'; '.join(order.option.lead_time.notes)}): ordering now holds a place in its queue."
            )
        why_phrase = phrase(
            "%(text)s", text=Joined(tuple(self._restock_why_parts(order, urgent, mean, p90, context)), " ")
        )
        if why_phrase.english() != why:  # a part not in the phrase yet: the English stays as it was
            why_phrase = phrase("%(text)s", text=why)
        value = sum(
            (
                Decimal(str(max(line.decision.order_up_to - line.decision.position, 0.0)))
                * (line.decision.sku.price or 0)
                for line in order.lines
                if line.pulled_forward_days == 0
            ),
            Decimal(0),
        )
        expected = context.today + timedelta(days=math.ceil(mean))
        return Action(
            kind="restock",
            key=f"restock:{supplier.code}",
            subject_kind="supplier",
            subject=supplier.code,
            due=order.due,
            title=title.english(),
            title_phrase=title,
            why=why,
            why_phrase=why_phrase,
            value_at_risk=value,
            weight=1.2,
            figures={
                "supplier": supplier.code,
                "supplier_name": supplier.name,
                "total_units": order.total_units,
                "total_cost": str(order.total_cost),
                "cost_currency": offer_currency,
                "lead_time_mean_days": round(mean, 1),
                "lead_time_p90_days": round(p90, 1),
                "expected_on": expected.isoformat(),
                "joined_early": order.joined_early,
                "holding_cost_of_combining": str(order.holding_cost.quantize(Decimal("0.01"))),
                "lines": lines,
            },
            steps=[
                {
                    "type": "purchase_order",
                    "supplier": supplier.code,
                    "currency": offer_currency,
                    "expected_on": expected.isoformat(),
                    "lines": [
                        {"sku": ln["sku"], "quantity": ln["quantity"], "unit_cost": ln["unit_cost"]} for ln in lines
                    ],
                }
            ],
        )

    def _moq_choice(self, group: list[SkuDecision], context: BriefContext) -> Action:
        """SKUs due now whose MOQ or pack would buy more than the cover cap: the seller negotiates or skips; nothing
        is ordered silently."""
        group = sorted(group, key=lambda d: (d.stockout_on or date.max, d.sku.code))
        first = group[0]
        assert first.chosen is not None
        supplier, offer = first.chosen.supplier, first.chosen.offer
        cap = context.settings.max_cover_days

        def forces_phrase(d: SkuDecision) -> Phrase:
            """`forces` in the reader's language."""
            assert d.chosen is not None
            offer = d.chosen.offer
            what = (
                phrase("MOQ %(moq)s", moq=offer.moq)
                if offer.moq > 1
                else phrase("pack of %(pack)s", pack=offer.pack_size)
            )
            if offer.moq > 1 and d.moq_choice > offer.moq:
                what = phrase(
                    "%(what)s in packs of %(pack)s (%(units)s units)",
                    what=what,
                    pack=offer.pack_size,
                    units=d.moq_choice,
                )
            cover = Number.of(d.moq_choice_cover_days or 0, grouped=False)
            return phrase("%(what)s forces %(cover)s days of cover", what=what, cover=cover)

        title = (
            phrase(
                "%(forces)s of %(sku)s from %(supplier)s: negotiate, or skip",
                forces=forces_phrase(first),
                sku=first.sku.code,
                supplier=supplier.name,
            )
            if len(group) == 1
            else nphrase(
                "MOQs force more than %(cap)s days of cover on %(num)s SKU from %(supplier)s: negotiate, or skip",
                "MOQs force more than %(cap)s days of cover on %(num)s SKUs from %(supplier)s: negotiate, or skip",
                len(group),
                cap=cap,
                supplier=supplier.name,
            )
        )
        lines = Joined(
            tuple(
                phrase(
                    "%(sku)s: %(cover)s, %(forces)s (cap %(cap)s d)",
                    sku=d.sku.code,
                    cover=_cover_phrase(d),
                    forces=forces_phrase(d),
                    cap=cap,
                )
                for d in group[:6]
            ),
            "; ",
        )
        why = phrase(
            "%(lines)s%(more)s. Nothing is ordered: ask for a smaller minimum, or skip until demand catches up.",
            lines=lines,
            more=phrase(" and %(more)s more", more=len(group) - 6) if len(group) > 6 else "",
        )
        return Action(
            kind="restock",
            key=f"restock_choice:{supplier.code}:{members_digest(d.sku.code for d in group)}",
            subject_kind="supplier",
            subject=supplier.code,
            due=min((d.order_by or context.today for d in group), default=context.today),
            title=title.english(),
            title_phrase=title,
            why=why.english(),
            why_phrase=why,
            value_at_risk=Decimal(0),
            weight=0.6,
            figures={
                "supplier": supplier.code,
                "supplier_name": supplier.name,
                "choice": "negotiate_or_skip",
                "max_cover_days": cap,
                "cost_currency": offer.currency,
                "lines": [
                    card_figures(d)
                    | {
                        "moq": d.chosen.offer.moq,
                        "pack_size": d.chosen.offer.pack_size,
                        "unit_cost": str(d.chosen.offer.unit_cost),
                    }
                    for d in group
                    if d.chosen is not None
                ],
            },
            steps=[],
        )

    # stockout playbook -----------------------------------------------------------------------------------------

    def _playbook(
        self,
        model: str,
        group: list[SkuDecision],
        open_orders: dict[int, list[tuple[str, int]]],
        running_promotions: dict[int, list[Promotion]],
        context: BriefContext,
    ) -> Action:
        group = sorted(group, key=lambda d: (d.stockout_on or date.max, d.sku.code))
        lines, steps, uncovered_all, promoted = [], [], [], []
        value = Decimal(0)
        for d in group:
            orders = open_orders.get(d.sku.id, [])
            sellable = max(d.on_hand - sum(units for _, units in orders), 0)
            uncovered, left = [], d.on_hand
            for number, units in orders:
                if units > left:
                    uncovered.append(number)
                left = max(left - units, 0)
            promotions = running_promotions.get(d.sku.id, [])
            arrival = d.earliest_arrival
            gap = (arrival - d.stockout_on).days if arrival and d.stockout_on else None
            lines.append(
                card_figures(d)
                | {
                    "earliest_arrival": _day(arrival),
                    "earliest_supplier": d.earliest_option.supplier.code if d.earliest_option else None,
                    "days_without_stock": gap,
                    "stock_to_show": sellable,
                    "open_orders_uncovered": uncovered,
                    "promotions_active": len(promotions),
                }
            )
            steps.append({"type": "set_listing_stock", "sku": d.sku.code, "stock_shown": sellable})
            if promotions:
                promoted.append(d.sku.code)
                steps.append(
                    {"type": "pause_promotions", "sku": d.sku.code, "promotions": [p.name for p in promotions]}
                )
            uncovered_all += uncovered
            value += Decimal(str(round(d.demand_per_day * max(gap if gap is not None else 30, 1), 2))) * (
                d.sku.price or Decimal(0)
            )
        if uncovered_all:
            steps.append(
                {
                    "type": "notify_orders",
                    "sku": model,
                    "orders": uncovered_all,
                    "reason": "out of stock: offer an exchange or a refund",
                }
            )
        first = group[0]
        which: str | Phrase = (
            first.sku.code
            if len(group) == 1
            else nphrase("%(model)s (%(num)s SKU)", "%(model)s (%(num)s SKUs)", len(group), model=model)
        )
        todo: list[Phrase] = [phrase("pause paid promotion")] if promoted else []
        todo.append(phrase("show only the stock left"))
        if uncovered_all:
            todo.append(nphrase("notify %(num)s open orders", "notify %(num)s open orders", len(uncovered_all)))
        title = phrase(
            "Stockout of %(which)s from %(day)s is now unavoidable: %(steps)s",
            which=which,
            day=Day(first.stockout_on or context.today, "day_month"),
            steps=joined(*todo),
        )
        arrival = first.earliest_arrival
        source = first.earliest_option.supplier.name if first.earliest_option else None
        parts: list[Phrase] = [
            phrase(
                "%(sku)s: %(cover)s; the earliest any supplier can deliver is %(day)s (%(source)s).",
                sku=first.sku.code,
                cover=_cover_phrase(first),
                day=Day(arrival, "day_month"),
                source=source or "",
            )
            if arrival
            else phrase(
                "%(sku)s: %(cover)s; no source: no supplier offer on file, nothing can be ordered or arrive.",
                sku=first.sku.code,
                cover=_cover_phrase(first),
            )
        ]
        if len(group) > 1:
            also = joined(
                *(
                    phrase("%(sku)s out %(day)s", sku=d.sku.code, day=Day(d.stockout_on, "day_month"))
                    for d in group[1:6]
                    if d.stockout_on
                )
            )
            parts.append(
                phrase("Also %(skus)s and %(more)s more.", skus=also, more=len(group) - 6)
                if len(group) > 6
                else phrase("Also %(skus)s.", skus=also)
            )
        why = phrase("%(text)s", text=Joined(tuple(parts), " "))
        return Action(
            kind="stockout_playbook",
            key=f"stockout_playbook:{model}",
            subject_kind="product" if len(group) > 1 or model != first.sku.code else "sku",
            subject=model,
            due=context.today,
            title=title.english(),
            title_phrase=title,
            why=why.english(),
            why_phrase=why,
            value_at_risk=value,
            weight=1.5,
            figures={
                "product": model,
                "skus": lines,
                "open_orders_uncovered": uncovered_all,
                "promotions_to_pause": promoted,
                "first_stockout_on": _day(first.stockout_on),
                "earliest_arrival": _day(arrival),
                "no_source": [d.sku.code for d in group if d.no_source],
            },
            steps=steps,
        )

    # switch supplier -------------------------------------------------------------------------------------------

    def _switch(self, group: list[SkuDecision], shop_currency: str, context: BriefContext) -> Action:
        """A switch is for this order only unless, on both offers' normal terms, the alternative's p90 or cost pays
        for moving the SKU for good (decisions.switch_case); only then does applying it change the preferred
        supplier."""
        first = group[0]
        assert first.chosen is not None and first.preferred is not None and first.switch_reason is not None
        new, old = first.chosen, first.preferred
        cases = {
            d.sku.code: switch_case(
                d.preferred, d.chosen, d.demand_per_day, shop_currency=shop_currency, settings=context.settings
            )
            for d in group
            if d.preferred is not None and d.chosen is not None
        }
        permanent = [code for code, case in cases.items() if case.permanent]
        case = cases[first.sku.code]
        new_mean, new_p90 = new.lead_time.arrival(context.today)
        old_mean, old_p90 = old.lead_time.arrival(context.today)
        skus = [d.sku.code for d in group]
        which: str | Phrase = skus[0] if len(skus) == 1 else nphrase("%(num)s SKU", "%(num)s SKUs", len(skus))
        names = {"which": which, "new": new.supplier.name, "old": old.supplier.name}
        title = (
            phrase("Source %(which)s from %(new)s instead of %(old)s from now on", **names)
            if len(permanent) == len(skus)
            else phrase("Order %(which)s from %(new)s this once; %(old)s stays preferred", **names)
            if not permanent
            else phrase(
                "Order %(which)s from %(new)s instead of %(old)s; %(permanent)s of them for good",
                permanent=len(permanent),
                **names,
            )
        )
        lines = [
            {
                "sku": d.sku.code,
                "from_lead_time_mean_days": round(d.preferred.lead_time.mean_days, 1) if d.preferred else None,
                "from_lead_time_p90_days": round(d.preferred.lead_time.p90_days, 1) if d.preferred else None,
                "to_lead_time_mean_days": round(d.chosen.lead_time.mean_days, 1) if d.chosen else None,
                "to_lead_time_p90_days": round(d.chosen.lead_time.p90_days, 1) if d.chosen else None,
                "from_unit_cost": str(d.preferred.offer.unit_cost) if d.preferred else None,
                "to_unit_cost": str(d.chosen.offer.unit_cost) if d.chosen else None,
                "stockout_on": _day(d.stockout_on),
                "quantity": d.quantity,
                "permanent": cases[d.sku.code].permanent,
                "gain_per_year": str(cases[d.sku.code].gain_per_year),
            }
            for d in group
        ]
        value = sum(
            (Decimal(str(round(max(d.order_up_to - d.position, 0.0), 2))) * (d.sku.price or Decimal(0)) for d in group),
            Decimal(0),
        )
        return Action(
            kind="switch_supplier",
            key=f"switch_supplier:{old.supplier.code}>{new.supplier.code}",
            subject_kind="supplier",
            subject=old.supplier.code,
            due=min((d.order_by or context.today for d in group), default=context.today),
            title=title.english(),
            title_phrase=title,
            why=(
                why := phrase(
                    "%(reason)s. For %(sku)s: %(new)s delivers by %(mean)s (p90 %(p90)s) vs %(old_mean)s (p90 "
                    "%(old_p90)s); %(cover)s. %(case)s.",
                    reason=first.switch_reason_phrase or first.switch_reason,
                    sku=first.sku.code,
                    new=new.supplier.name,
                    mean=Day(new_mean, "day_month"),
                    p90=Day(new_p90, "day_month"),
                    old_mean=Day(old_mean, "day_month"),
                    old_p90=Day(old_p90, "day_month"),
                    cover=_cover_phrase(first),
                    case=case.phrase(old.supplier.name, new.supplier.name),
                )
            ).english(),
            why_phrase=why,
            value_at_risk=value,
            weight=0.8,
            figures={
                "from_supplier": old.supplier.code,
                "to_supplier": new.supplier.code,
                "reason": first.switch_reason,
                "from_lead_time_mean_days": round(old.lead_time.mean_days, 1),
                "from_lead_time_p90_days": round(old.lead_time.p90_days, 1),
                "to_lead_time_mean_days": round(new.lead_time.mean_days, 1),
                "to_lead_time_p90_days": round(new.lead_time.p90_days, 1),
                "permanent": bool(permanent) and len(permanent) == len(skus),
                "permanent_skus": permanent,
                "skus": lines,
            },
            # One-off: the restock order to the new supplier is the whole change.
            steps=[{"type": "make_preferred_supplier", "supplier": new.supplier.code, "skus": permanent}]
            if permanent
            else [],
        )

    # overstock -------------------------------------------------------------------------------------------------

    def _overstock(self, d: SkuDecision, context: BriefContext) -> Action | None:
        settings = context.settings
        if d.purchasing_paused:
            return None
        if d.dormant:
            # Nothing sold in `dormant_after_days`: every unit held or on order is above cover.
            excess = float(d.position)
        elif d.days_of_cover is None or d.days_of_cover <= settings.overstock_cover_days:
            return None
        else:
            target = 0.0 if math.isnan(d.order_up_to) else d.order_up_to
            excess = d.position - max(target, d.demand_per_day * settings.overstock_cover_days)
        value = Decimal(str(round(max(excess, 0.0), 2))) * (d.sku.price or Decimal(0))
        if excess <= 0 or value < settings.overstock_min_value:
            return None
        until = context.today + timedelta(days=settings.purchasing_pause_days)
        carrying = value * settings.holding_cost_rate_per_year
        title = phrase(
            "Overstock %(sku)s: %(state)s — pause purchasing, promote it",
            sku=d.sku.code,
            state=_no_sale_in(settings.dormant_after_days) if d.dormant else _days_of_cover(d.days_of_cover),
        )
        excess_units = Number.of(excess, grouped=False)
        why = phrase(
            "%(cover)s; %(state)s (%(value)s at selling price, about %(carrying)s a year to carry). Spend promotion "
            "budget here rather than on SKUs that are short.",
            cover=_cover_phrase(d),
            state=nphrase(
                "not one sold in %(days)s days, so all %(units)s units are dead stock",
                "not one sold in %(days)s days, so all %(units)s units are dead stock",
                int(excess_units.value),
                days=settings.dormant_after_days,
                units=excess_units,
            )
            if d.dormant
            else nphrase(
                "%(units)s units above %(days)s days of cover",
                "%(units)s units above %(days)s days of cover",
                int(excess_units.value),
                days=settings.overstock_cover_days,
                units=excess_units,
            ),
            value=Number.of(value, 2, grouped=False),
            carrying=Number.of(carrying, 2, grouped=False),
        )
        return Action(
            kind="overstock",
            key=f"overstock:{d.sku.code}",
            subject_kind="sku",
            subject=d.sku.code,
            due=context.today + timedelta(days=7),
            # In English only once it stands alone (`_overstock_of_model`): a model's action words its SKUs itself.
            title="",
            title_phrase=title,
            why="",
            why_phrase=why,
            value_at_risk=value * settings.holding_cost_rate_per_year,
            weight=1.0,
            figures=card_figures(d)
            | {
                "excess_units": round(excess),
                "excess_value": str(value.quantize(Decimal("0.01"))),
                "pause_purchasing_until": until.isoformat(),
            },
            steps=[{"type": "pause_purchasing", "sku": d.sku.code, "until": until.isoformat()}],
        )

    # vacation mode ---------------------------------------------------------------------------------------------

    def _vacation(self, session: Session, shop: Shop, shop_plan: ShopPlan, context: BriefContext) -> list[Action]:
        by_sku = {d.sku.id: d for d in shop_plan.decisions}
        found = []
        for channel, listings in active_listings_by_channel(session, shop_id=shop.id).items():
            planned = [by_sku[listing.sku_id] for listing in listings if listing.sku_id in by_sku]
            if not planned or any(d.on_hand > 0 for d in planned):
                continue
            daily = sum((Decimal(str(d.demand_per_day)) * (d.sku.price or 0) for d in planned), Decimal(0))
            back = min((d.earliest_arrival for d in planned if d.earliest_arrival), default=None)
            found.append(
                Action(
                    kind="vacation_mode",
                    key=f"vacation_mode:{channel}",
                    subject_kind="channel",
                    subject=channel,
                    due=context.today,
                    title=(
                        vacation := phrase(
                            "Turn on vacation mode on %(channel)s: none of its %(listings)s listings can ship",
                            channel=channel,
                            listings=len(listings),
                        )
                    ).english(),
                    title_phrase=vacation,
                    why=(why := _vacation_why(len(planned), back)).english(),
                    why_phrase=why,
                    value_at_risk=daily * 7,
                    weight=2.0,
                    figures={
                        "channel": channel,
                        "listings": len(listings),
                        "stock_back_on": _day(back),
                        "daily_revenue_at_risk": str(daily.quantize(Decimal("0.01"))),
                    },
                    steps=[{"type": "pause_channel", "channel": channel}],
                )
            )
        return found

    # apply -----------------------------------------------------------------------------------------------------

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        done = [STEP_HANDLERS[step["type"]](session, shop, action, step, context) for step in action.steps]
        session.flush()
        return done

    def undo(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        """Cancel the purchase order applying the action placed, when it has not shipped. The other steps
        (listings, promotions, preferred supplier, paused purchasing or channel) keep no record of what they
        replaced: an action with one of them cannot be undone, and says so."""
        others = sorted({str(step["type"]) for step in action.steps if step["type"] not in UNDOABLE_STEPS})
        if others:
            raise InvalidTransitionError(
                f"action #{action.id} cannot be reopened: {', '.join(others)} cannot be undone from Tradewind",
                details={"action": action.id, "steps": others},
            )
        done = []
        for step in action.steps:
            if step["type"] == "purchase_order":
                order = cancel_purchase_order(session, shop_id=shop.id, code=purchase_order_code(action))
                done.append(f"cancelled purchase order {order.code}" if order else "no purchase order to cancel")
        session.flush()
        return done


Step = dict[str, Any]


def purchase_order_code(action: StoredAction) -> str:
    """The code of the purchase order an action places: one per action, so applying twice places it once."""
    return f"TW-{action.id:06d}"


UNDOABLE_STEPS = frozenset({"purchase_order", "notify_orders"})


def _purchase_order(session: Session, shop: Shop, action: StoredAction, step: Step, context: BriefContext) -> str:
    supplier = get_supplier(session, shop_id=shop.id, code=step["supplier"])
    lines = [
        PurchaseLine(
            get_sku(session, shop_id=shop.id, code=ln["sku"]).id, int(ln["quantity"]), Decimal(ln["unit_cost"])
        )
        for ln in step["lines"]
    ]
    order, created = place_purchase_order(
        session,
        shop_id=shop.id,
        code=purchase_order_code(action),
        supplier_id=supplier.id,
        ordered_on=context.today,
        expected_on=date.fromisoformat(step["expected_on"]),
        currency=step["currency"],
        lines=lines,
        note=f"From brief action #{action.id}",
    )
    units = sum(line.quantity for line in lines)
    if not created and order.state == PurchaseOrderState.CANCELLED:  # the action was reopened, then applied again
        reinstate_purchase_order(
            session,
            order,
            ordered_on=context.today,
            expected_on=date.fromisoformat(step["expected_on"]),
            currency=step["currency"],
            lines=lines,
        )
        created = True
    verb = "placed" if created else "already placed:"
    return f"{verb} purchase order {order.code}: {units} units in {len(lines)} lines from {supplier.code}"


def _listing_stock(session: Session, shop: Shop, action: StoredAction, step: Step, context: BriefContext) -> str:
    sku = get_sku(session, shop_id=shop.id, code=step["sku"])
    changed = set_listing_stock(session, shop_id=shop.id, sku_id=sku.id, stock_shown=int(step["stock_shown"]))
    return f"listings of {sku.code} show {step['stock_shown']} in stock ({changed} changed)"


def _promotions(session: Session, shop: Shop, action: StoredAction, step: Step, context: BriefContext) -> str:
    sku = get_sku(session, shop_id=shop.id, code=step["sku"])
    return f"paused {pause_promotions(session, shop_id=shop.id, sku_id=sku.id)} promotion(s) of {sku.code}"


def _notify(session: Session, shop: Shop, action: StoredAction, step: Step, context: BriefContext) -> str:
    return f"orders flagged for an out-of-stock notice: {', '.join(step['orders'])}"


def _preferred(session: Session, shop: Shop, action: StoredAction, step: Step, context: BriefContext) -> str:
    supplier = get_supplier(session, shop_id=shop.id, code=step["supplier"])
    switched = [
        code
        for code in step["skus"]
        if make_preferred(
            session, shop_id=shop.id, sku_id=get_sku(session, shop_id=shop.id, code=code).id, supplier_id=supplier.id
        )
    ]
    already = len(step["skus"]) - len(switched)
    return f"{supplier.code} is now the preferred supplier of {len(switched)} SKU(s)" + (
        f"; it already was for {already}" if already else ""
    )


def _pause_purchasing(session: Session, shop: Shop, action: StoredAction, step: Step, context: BriefContext) -> str:
    paused = pause_purchasing(session, shop_id=shop.id, sku_code=step["sku"], until=date.fromisoformat(step["until"]))
    return f"purchasing of {step['sku']} {'paused' if paused else 'already paused'} until {step['until']}"


def _vacation(session: Session, shop: Shop, action: StoredAction, step: Step, context: BriefContext) -> str:
    paused = pause_channel(session, shop_id=shop.id, channel=step["channel"])
    return f"vacation mode on {step['channel']}: {paused} listings paused"


STEP_HANDLERS = {
    "purchase_order": _purchase_order,
    "set_listing_stock": _listing_stock,
    "pause_promotions": _promotions,
    "notify_orders": _notify,
    "make_preferred_supplier": _preferred,
    "pause_purchasing": _pause_purchasing,
    "pause_channel": _vacation,
}


def _no_sale_in(days: int) -> Phrase:
    return nphrase("no sale in %(num)s days", "no sale in %(num)s days", days)


def _days_of_cover(days: float | None) -> Phrase:
    cover = Number.of(days or 0.0, grouped=False)
    return nphrase("%(days)s days of cover", "%(days)s days of cover", int(cover.value), days=cover)


def _overstock_of_model(model: str, members: list[tuple[SkuDecision, Action]], dormant_days: int) -> Action:
    """The overstocked sizes and colours of one product model as one action (one SKU stays its own action): the
    seller pauses purchasing and promotes the model, not each size. Keyed by its SKUs, so one more SKU makes it a
    new action."""
    if len(members) == 1:
        alone = members[0][1]
        assert alone.title_phrase is not None and alone.why_phrase is not None  # made by `_overstock`
        return replace(alone, title=alone.title_phrase.english(), why=alone.why_phrase.english())
    members.sort(key=lambda m: (-float(m[1].value_at_risk), m[0].sku.code))
    actions = [a for _, a in members]
    covers = [float(d.days_of_cover) for d, _ in members if d.days_of_cover is not None and not d.dormant]
    dormant = sum(1 for d, _ in members if d.dormant)
    units = sum(int(a.figures["excess_units"]) for a in actions)
    value = sum((Decimal(str(a.figures["excess_value"])) for a in actions), Decimal(0))
    first = actions[0]
    # Built step by step: pybabel does not find a phrase inside a starred list in another call's arguments.
    state: list[Arg] = []
    if covers:
        state.append(
            phrase(
                "%(low)s–%(high)s days of cover",
                low=Number.of(min(covers), grouped=False),
                high=Number.of(max(covers), grouped=False),
            )
        )
    if dormant:
        state.append(
            nphrase(
                "%(num)s without a sale in %(days)s days",
                "%(num)s without a sale in %(days)s days",
                dormant,
                days=dormant_days,
            )
        )
    return gather(
        actions,
        kind="overstock",
        key=f"overstock:{model}:{members_digest(a.subject for a in actions)}",
        subject_kind="product",
        subject=model,
        title=nphrase(
            "Overstock %(model)s (%(num)s SKU): %(state)s — pause purchasing, promote it",
            "Overstock %(model)s (%(num)s SKUs): %(state)s — pause purchasing, promote it",
            len(actions),
            model=model,
            state=Joined(tuple(state)),
        ),
        why=nphrase(
            "%(units)s units above target cover (%(value)s at selling price). Largest: %(sku)s: %(why)s",
            "%(units)s units above target cover (%(value)s at selling price). Largest: %(sku)s: %(why)s",
            units,
            units=units,
            value=Number.of(value, 2, grouped=False),
            sku=first.subject,
            why=first.why_phrase or first.why,
        ),
        figures={
            "product": model,
            "excess_units": units,
            "excess_value": str(value.quantize(Decimal("0.01"))),
            "pause_purchasing_until": first.figures["pause_purchasing_until"],
            "skus": [a.figures for a in actions],
        },
    )
