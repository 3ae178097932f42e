"""The orders domain's voice in the brief: `stale_orders`, the orders still open far past the platform's life of an
order (a WooCommerce order 'processing' since 2021). They are records to close, not buyers to write to: one action
lists them, a step per order, and applying it marks them closed in Tradewind's records (those still stale then)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from tradewind.action import Action, BriefContext, StoredAction, members_digest
from tradewind.orders.service import close_stale_orders, stale_cutoff, stale_orders
from tradewind.shops.models import Shop
from tradewind.wording import Day, nphrase, phrase


class StaleOrdersProducer:
    kinds: tuple[str, ...] = ("stale_orders",)

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        days = context.settings.stale_order_days
        found = stale_orders(session, shop_id=shop.id, cutoff=stale_cutoff(context.today, days))
        if not found:
            return []
        oldest = found[0]
        steps = [
            {
                "type": "close_order",
                "order": order.number,
                "status": order.status.value,
                "placed_on": order.placed_at.date().isoformat(),
                "ship_by": order.ship_by.isoformat() if order.ship_by else None,
                "text": f"Close order {order.number} ({order.status.value.replace('_', ' ')} since "
                f"{order.placed_at:%Y-%m-%d}) on {order.channel} and in Tradewind",
            }
            for order in found
        ]
        count = len(found)
        title = nphrase(
            "Close %(num)s order left open for more than %(days)s days past their ship-by day",
            "Close %(num)s orders left open for more than %(days)s days past their ship-by day",
            count,
            days=days,
        )
        why = phrase(
            "The oldest, %(order)s, was placed on %(day)s. The platform's life of an order is long over: they are no "
            "buyers to write to and no demand to serve, and no message is drafted for them.",
            order=str(oldest.number),
            day=Day(oldest.placed_at.date()),
        )
        return [
            Action(
                kind="stale_orders",
                key=f"stale_orders:{members_digest(o.number for o in found)}",
                subject_kind="shop",
                subject="stale_orders",
                due=context.today,
                title=title.english(),
                title_phrase=title,
                why=why.english(),
                why_phrase=why,
                # Nothing is at risk: closing them only keeps the records true.
                value_at_risk=Decimal(0),
                weight=0.5,
                figures={"orders": count, "stale_after_days": days, "oldest": oldest.number},
                steps=steps,
            )
        ]

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        numbers = [str(step["order"]) for step in action.steps if step.get("type") == "close_order"]
        cutoff = stale_cutoff(context.today, context.settings.stale_order_days)
        closed = close_stale_orders(session, shop_id=shop.id, numbers=numbers, cutoff=cutoff, now=context.now)
        done = [f"closed order {number}" for number in closed]
        left = len(numbers) - len(closed)
        if left:
            done.append(f"{left} order{'s' if left != 1 else ''} no longer stale (shipped, paid or closed since): left")
        return done
