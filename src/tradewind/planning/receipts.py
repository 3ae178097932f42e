"""`receipt_missing`: a purchase order marked received whose units never entered the stock records. The on-hand of
its SKUs lacks those units (a stock-out read from it may be false), so the seller is asked to record the receipt
or count the stock. Applying the action records the receipt: a `receipt` movement per line, and the stock levels
raised by as much."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.action import Action, BriefContext, StoredAction
from tradewind.catalog.models import Sku
from tradewind.inventory.service import MissingReceipt, missing_receipts, record_missing_receipt
from tradewind.shops.models import Shop
from tradewind.wording import Day, nphrase, phrase

# How far back a receipt without a stock movement is still worth a question: a quarter (older ones are better
# settled by a stock take, which ends the finding anyway).
LOOKBACK_DAYS = 90


class ReceiptMissingProducer:
    kinds: tuple[str, ...] = ("receipt_missing",)

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        since = context.today - timedelta(days=LOOKBACK_DAYS)
        missing = [m for m in missing_receipts(session, shop_id=shop.id, since=since) if m.received_on <= context.today]
        if not missing:
            return []
        skus = {sku.id: sku for sku in session.scalars(select(Sku).where(Sku.id.in_({m.sku_id for m in missing})))}
        by_order: dict[str, list[MissingReceipt]] = {}
        for m in missing:
            by_order.setdefault(m.purchase_order, []).append(m)
        return [self._action(code, lines, skus, context) for code, lines in by_order.items()]

    def _action(self, code: str, lines: list[MissingReceipt], skus: dict[int, Sku], context: BriefContext) -> Action:
        units = sum(m.quantity for m in lines)
        value = sum((m.quantity * (skus[m.sku_id].price or Decimal(0)) for m in lines), Decimal(0))
        received_on = lines[0].received_on
        codes = [skus[m.sku_id].code for m in lines]
        return Action(
            kind="receipt_missing",
            key=f"receipt_missing:{code}",
            subject_kind="purchase_order",
            subject=code,
            due=context.today,
            title=(
                title := phrase(
                    "%(code)s was received on %(day)s but its %(units)s units never entered stock",
                    code=code,
                    day=Day(received_on, "day_month"),
                    units=units,
                )
            ).english(),
            title_phrase=title,
            why=(
                why := nphrase(
                    "%(num)s SKU (%(skus)s) show an on-hand without the units received: record the receipt, or count "
                    "them; until then a stock-out of theirs may be false.",
                    "%(num)s SKUs (%(skus)s) show an on-hand without the units received: record the receipt, or "
                    "count them; until then a stock-out of theirs may be false.",
                    len(lines),
                    skus=", ".join(codes[:5]) + (", …" if len(codes) > 5 else ""),
                )
            ).english(),
            why_phrase=why,
            value_at_risk=value.quantize(Decimal("0.01")),
            weight=1.0,
            figures={
                "purchase_order": code,
                "received_on": received_on.isoformat(),
                "units": units,
                "lines": [{"sku": skus[m.sku_id].code, "quantity": m.quantity} for m in lines],
            },
            steps=[
                {
                    "type": "record_receipt",
                    "purchase_order": code,
                    "lines": [{"sku": skus[m.sku_id].code, "quantity": m.quantity} for m in lines],
                }
            ],
        )

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        done: list[str] = []
        for step in action.steps:
            written = record_missing_receipt(session, shop_id=shop.id, code=step["purchase_order"])
            units = sum(m.quantity for m in written)
            done.append(
                f"recorded the receipt of {step['purchase_order']}: {units} units in stock"
                if written
                else f"{step['purchase_order']}: its receipt is already recorded"
            )
        return done
