"""Brief producers for buyer notices: one draft per buyer in the buyer's language, filled with that order's facts.

Applying such an action queues the draft (as the seller last saw it) in the outbox, once per situation and order.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tradewind.action import Action, BriefContext, StoredAction
from tradewind.messaging.models import RecipientKind
from tradewind.messaging.service import draft, queue_message
from tradewind.messaging.templates import Rendered
from tradewind.orders.models import CancelledBy, Order
from tradewind.orders.service import cancelled_orders, get_order, unpaid_orders
from tradewind.shops.models import Shop


def order_facts(order: Order, shop: Shop) -> dict[str, Any]:
    buyer = order.buyer
    return {
        "shop_name": shop.name,
        "order_number": order.number,
        "order_total": (order.total, order.currency),
        "placed_on": order.placed_at.date(),
        "buyer_name": (buyer.name if buyer else None) or "",
    }


def message_step(rendered: Rendered, *, key: str, address: str | None) -> dict[str, Any]:
    return {
        "type": "message",
        "to": "buyer",
        "channel": "export",
        "address": address,
        "locale": rendered.locale,
        "fallback_from": rendered.requested_locale if rendered.fell_back else None,
        "subject": rendered.subject,
        "body": rendered.body,
        "idempotency_key": key,
    }


def _json_facts(facts: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in facts.items():
        if isinstance(value, tuple):
            clean[name] = {"amount": str(value[0]), "currency": value[1]}
        elif isinstance(value, date):
            clean[name] = value.isoformat()
        else:
            clean[name] = value
    return clean


class BuyerNoticeProducer(ABC):
    """One action per order that needs a message to its buyer."""

    situation: str
    kinds: tuple[str, ...]

    @abstractmethod
    def orders(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Order]: ...

    @abstractmethod
    def describe(self, order: Order, facts: dict[str, Any], context: BriefContext) -> tuple[str, str, date]:
        """(title, why, due) for one order."""

    @abstractmethod
    def extra_facts(self, order: Order, context: BriefContext) -> dict[str, Any]: ...

    def weight(self, order: Order) -> float:
        return 1.0

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        found = []
        for order in self.orders(session, shop=shop, context=context):
            buyer = order.buyer
            locale = (buyer.language if buyer else None) or shop.language
            facts = order_facts(order, shop) | self.extra_facts(order, context)
            rendered = draft(session, shop_id=shop.id, situation=self.situation, locale=locale, facts=facts)
            title, why, due = self.describe(order, facts, context)
            if rendered.fell_back:
                why += f" No {rendered.requested_locale} wording yet: the draft is in English."
            key = f"{self.situation}:{order.number}"
            found.append(
                Action(
                    kind=self.kinds[0],
                    key=key,
                    subject_kind="order",
                    subject=order.number,
                    due=due,
                    title=title,
                    why=why,
                    value_at_risk=order.total,
                    weight=self.weight(order),
                    figures={
                        "order": order.number,
                        "order_total": str(order.total),
                        "currency": order.currency,
                        "buyer_country": buyer.country if buyer else None,
                        "buyer_language": locale,
                        "draft_locale": rendered.locale,
                        **_json_facts(self.extra_facts(order, context)),
                    },
                    steps=[message_step(rendered, key=key, address=buyer.email if buyer else None)],
                )
            )
        return found

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        order = get_order(session, shop_id=shop.id, number=action.subject)
        done = []
        for step in action.steps:
            if step.get("type") != "message":
                continue
            rendered = Rendered(
                situation=self.situation,
                locale=step["locale"],
                requested_locale=step.get("fallback_from") or step["locale"],
                subject=step["subject"],
                body=step["body"],
            )
            message, created = queue_message(
                session,
                shop_id=shop.id,
                idempotency_key=step["idempotency_key"],
                rendered=rendered,
                recipient_kind=RecipientKind.BUYER,
                facts=action.figures,
                now=context.now,
                buyer_id=order.buyer_id,
                order_id=order.id,
                action_id=action.id,
                address=step.get("address"),
                channel=step.get("channel", "export"),
            )
            verb = "queued" if created else "already in the outbox as"
            done.append(f"{verb} message #{message.id} ({message.locale}) to the buyer of order {order.number}")
        return done


class UnpaidReminderProducer(BuyerNoticeProducer):
    """Orders placed but not paid: remind the buyer how to pay before the platform closes the order."""

    situation = "unpaid_reminder"
    kinds: tuple[str, ...] = ("unpaid_reminder",)

    def orders(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Order]:
        settings = context.settings
        return unpaid_orders(
            session,
            shop_id=shop.id,
            placed_after=context.now - timedelta(days=settings.unpaid_expires_after_days),
            placed_before=context.now - timedelta(hours=settings.unpaid_reminder_after_hours),
        )

    def extra_facts(self, order: Order, context: BriefContext) -> dict[str, Any]:
        return {"pay_by": order.placed_at.date() + timedelta(days=context.settings.unpaid_expires_after_days)}

    def weight(self, order: Order) -> float:
        return 0.6  # a sale that may or may not happen

    def describe(self, order: Order, facts: dict[str, Any], context: BriefContext) -> tuple[str, str, date]:
        waited = context.now - order.placed_at
        days = waited.total_seconds() / 86400
        country = order.buyer.country if order.buyer else order.destination_country
        title = (
            f"Remind the buyer of order {order.number} ({country or '?'}) to pay: "
            f"{order.currency} {order.total:,.2f} waiting {days:.1f} days"
        )
        why = (
            f"Placed {order.placed_at:%Y-%m-%d %H:%M} UTC, unpaid for {days:.1f} days; "
            f"the platform closes it on {facts['pay_by']:%Y-%m-%d}."
        )
        return title, why, context.today


class CancellationFollowupProducer(BuyerNoticeProducer):
    """Recent cancellations: ask the buyer why; seller-caused ones count against the shop."""

    situation = "cancellation_followup"
    kinds: tuple[str, ...] = ("cancellation_followup",)

    def orders(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Order]:
        return cancelled_orders(
            session,
            shop_id=shop.id,
            cancelled_after=context.now - timedelta(days=context.settings.cancellation_followup_days),
            cancelled_before=context.now,
        )

    def extra_facts(self, order: Order, context: BriefContext) -> dict[str, Any]:
        assert order.cancelled_at is not None
        return {
            "cancelled_on": order.cancelled_at.date(),
            "seller_cancelled": order.cancelled_by == CancelledBy.SELLER,
            "cancel_reason": order.cancel_reason or "",
            "cancelled_by": order.cancelled_by.value if order.cancelled_by else "",
        }

    def weight(self, order: Order) -> float:
        return 1.5 if order.cancelled_by == CancelledBy.SELLER else 0.4

    def describe(self, order: Order, facts: dict[str, Any], context: BriefContext) -> tuple[str, str, date]:
        assert order.cancelled_at is not None
        by = order.cancelled_by.value if order.cancelled_by else "unknown"
        reason = order.cancel_reason or "no reason given"
        title = f"Ask why order {order.number} was cancelled ({by}: {reason})"
        why = (
            f"Cancelled {order.cancelled_at:%Y-%m-%d} by the {by}, {order.currency} {order.total:,.2f}; "
            f"reason recorded: {reason}."
        )
        if order.cancelled_by == CancelledBy.SELLER:
            why += " Seller-caused cancellations count against the shop's cancellation rate."
        due = max(context.today, order.cancelled_at.date() + timedelta(days=3))
        return title, why, due
