"""The `restock` producer by the rule sellers use today (`seeds/004`): average daily sales over the last 28 days
× days of cover (7 by default), compared with stock on hand and on order. Rounded up to the preferred supplier's
MOQ and pack size.
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from tradewind.action import Action, BriefContext, StoredAction
from tradewind.catalog.service import active_skus, get_sku
from tradewind.inventory.service import PurchaseLine, inbound_by_sku, on_hand_by_sku, place_purchase_order
from tradewind.orders.service import units_sold_by_sku
from tradewind.shops.models import Shop
from tradewind.suppliers.service import get_supplier, offers_by_sku, suppliers_by_id


def round_order_quantity(needed: float, *, moq: int, pack_size: int) -> int:
    """The smallest whole number of packs that covers `needed` and is at least the MOQ."""
    if needed <= 0:
        return 0
    pack = max(1, pack_size)
    quantity = max(float(moq), needed)
    return int(math.ceil(quantity / pack - 1e-9) * pack)


class SellerRuleRestock:
    kinds: tuple[str, ...] = ("restock",)

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        window = context.settings.sales_window_days
        cover = context.settings.days_of_cover
        today = context.today
        sold = units_sold_by_sku(session, shop_id=shop.id, start=today - timedelta(days=window), end=today)
        on_hand = on_hand_by_sku(session, shop_id=shop.id)
        inbound = inbound_by_sku(session, shop_id=shop.id)
        offers = offers_by_sku(session, shop_id=shop.id)
        suppliers = suppliers_by_id(session, shop_id=shop.id)
        found: list[Action] = []
        for sku in active_skus(session, shop_id=shop.id):
            units = sold.get(sku.id, 0)
            if units <= 0:
                continue
            rate = units / window
            target = rate * cover
            stock = on_hand.get(sku.id, 0)
            on_order = sum(line.quantity for line in inbound.get(sku.id, []))
            position = stock + on_order
            if position >= target:
                continue
            offer = offers.get(sku.id, [None])[0]
            days_of_cover = stock / rate
            stockout_on = today + timedelta(days=int(days_of_cover))
            price = sku.price or Decimal(0)
            shortfall = target - position
            figures: dict[str, object] = {
                "sku": sku.code,
                "sold_units": units,
                "window_days": window,
                "demand_per_day": round(rate, 2),
                "days_of_cover_target": cover,
                "target_units": round(target, 1),
                "on_hand": stock,
                "on_order": on_order,
                "days_of_cover": round(days_of_cover, 1),
                "stockout_on": stockout_on.isoformat(),
            }
            if offer is None:
                found.append(
                    Action(
                        kind="restock",
                        key=f"restock:{sku.code}",
                        subject_kind="sku",
                        subject=sku.code,
                        due=today,
                        title=f"Restock {sku.code}: no supplier offer on file",
                        why=self._why(figures) + " No live supplier offer: add one to order.",
                        value_at_risk=price * Decimal(str(round(shortfall, 2))),
                        figures=figures,
                        steps=[{"type": "add_supplier_offer", "sku": sku.code}],
                        weight=1.2,
                    )
                )
                continue
            supplier = suppliers[offer.supplier_id]
            quantity = round_order_quantity(shortfall, moq=offer.moq, pack_size=offer.pack_size)
            order_by = max(today, stockout_on - timedelta(days=offer.lead_time_days))
            figures |= {
                "quantity": quantity,
                "supplier": supplier.code,
                "supplier_name": supplier.name,
                "unit_cost": str(offer.unit_cost),
                "cost_currency": offer.currency,
                "moq": offer.moq,
                "pack_size": offer.pack_size,
                "lead_time_days": offer.lead_time_days,
                "order_by": order_by.isoformat(),
            }
            found.append(
                Action(
                    kind="restock",
                    key=f"restock:{sku.code}",
                    subject_kind="sku",
                    subject=sku.code,
                    due=order_by,
                    title=f"Restock {sku.code}: order {quantity} from {supplier.name} by {order_by:%d %b}",
                    why=self._why(figures) + self._terms(offer.moq, offer.pack_size, offer.lead_time_days),
                    value_at_risk=price * Decimal(str(round(shortfall, 2))),
                    figures=figures,
                    steps=[
                        {
                            "type": "purchase_order",
                            "supplier": supplier.code,
                            "sku": sku.code,
                            "quantity": quantity,
                            "unit_cost": str(offer.unit_cost),
                            "currency": offer.currency,
                            "expected_on": (today + timedelta(days=offer.lead_time_days)).isoformat(),
                        }
                    ],
                    weight=1.2,
                )
            )
        return found

    @staticmethod
    def _why(f: dict[str, object]) -> str:
        return (
            f"Sold {f['sold_units']} in {f['window_days']} days ({f['demand_per_day']}/day); "
            f"{f['days_of_cover_target']} days of cover needs {f['target_units']}; "
            f"on hand {f['on_hand']} ({f['days_of_cover']} days, out on {f['stockout_on']}), on order {f['on_order']}."
        )

    @staticmethod
    def _terms(moq: int, pack_size: int, lead_time_days: int) -> str:
        return f" Rounded to MOQ {moq} and packs of {pack_size}; lead time {lead_time_days} d."

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        done = []
        for step in action.steps:
            if step.get("type") != "purchase_order":
                continue
            supplier = get_supplier(session, shop_id=shop.id, code=step["supplier"])
            sku = get_sku(session, shop_id=shop.id, code=step["sku"])
            order, created = place_purchase_order(
                session,
                shop_id=shop.id,
                code=f"TW-{action.id:06d}",
                supplier_id=supplier.id,
                ordered_on=context.today,
                expected_on=context.today + timedelta(days=int(action.figures.get("lead_time_days", 7))),
                currency=step["currency"],
                lines=[PurchaseLine(sku.id, int(step["quantity"]), Decimal(step["unit_cost"]))],
                note=f"From brief action #{action.id}",
            )
            verb = "placed" if created else "already placed:"
            done.append(f"{verb} purchase order {order.code}: {step['quantity']} × {sku.code} from {supplier.code}")
        return done
