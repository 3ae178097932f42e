"""One message per buyer, in the buyer's language, filled with that order's facts: drafted into the outbox when the
brief is built (so the seller can read and edit it) and queued when the seller applies the action.

Every notice has an idempotency key `<situation>:<order>[:<round>]`; a notice whose key is already queued, sent or
cancelled is never drafted again, whatever the brief says on later days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tradewind.action import BriefContext, StoredAction
from tradewind.errors import NotFoundError, ValidationError
from tradewind.messaging.models import OutboxMessage, RecipientKind
from tradewind.messaging.outbox import DraftWanted, Recipient, keys_in_outbox, queue_message, save_drafts
from tradewind.messaging.service import draft, json_facts
from tradewind.messaging.settings import messaging_settings
from tradewind.messaging.situations import with_defaults
from tradewind.messaging.templates import Rendered
from tradewind.orders.models import Order
from tradewind.orders.service import get_order
from tradewind.shops.models import Shop


@dataclass(frozen=True)
class BuyerNotice:
    """A message to the buyer of `order` about `situation`, with the facts beyond the order's own."""

    situation: str
    key: str
    order: Order
    facts: dict[str, Any] = field(default_factory=dict)


def buyer_locale(order: Order, shop: Shop) -> str:
    buyer = order.buyer
    return (buyer.language if buyer and buyer.language else None) or shop.language or "en"


def order_facts(order: Order, shop: Shop) -> dict[str, Any]:
    buyer = order.buyer
    return {
        "shop_name": shop.name,
        "order_number": order.number,
        "order_total": (order.total, order.currency),
        "placed_on": order.placed_at.date(),
        "buyer_name": _first_name((buyer.name if buyer else None) or ""),
    }


def _first_name(name: str) -> str:
    """'Анна Соколова' → 'Анна': buyers are greeted by their first name, as the platforms' chats do."""
    parts = name.split()
    return parts[0] if parts else ""


def buyer_recipient(order: Order, channel: str) -> Recipient:
    """Where a message to the order's buyer goes: `channel` (the shop's buyer channel, `messaging_settings`), or
    the export channel when that is e-mail and the buyer left no address."""
    buyer = order.buyer
    address = buyer.email if buyer else None
    if channel == "email" and not address:
        channel = "export"
    return Recipient(
        kind=RecipientKind.BUYER,
        buyer_id=order.buyer_id,
        order_id=order.id,
        address=address,
        channel=channel,
    )


def message_step(rendered: Rendered, message: OutboxMessage, *, order: str | None, to: str = "buyer") -> dict[str, Any]:
    return {
        "type": "message",
        "to": to,
        "order": order,
        "situation": rendered.situation,
        "outbox_id": message.id,
        "channel": message.channel,
        "address": message.address,
        "locale": message.locale,
        "fallback_from": rendered.requested_locale if rendered.fell_back else None,
        "subject": message.subject,
        "body": message.body,
        "edited": message.edited_at is not None,
        "idempotency_key": message.idempotency_key,
    }


def render_notice(session: Session, *, shop: Shop, notice: BuyerNotice) -> Rendered:
    facts = with_defaults(notice.situation, order_facts(notice.order, shop) | notice.facts)
    return draft(
        session, shop_id=shop.id, situation=notice.situation, locale=buyer_locale(notice.order, shop), facts=facts
    )


def draft_notices(
    session: Session, *, shop: Shop, notices: list[BuyerNotice], context: BriefContext
) -> list[tuple[BuyerNotice, Rendered, dict[str, Any]]]:
    """Draft each notice into the outbox (refreshing an unedited draft); notices already on their way are skipped.
    Returns (notice, rendering, brief step) for the drafted ones."""
    known = keys_in_outbox(session, shop_id=shop.id, keys=[n.key for n in notices])
    done = {key for key, message in known.items() if message.state.value != "draft"}
    channel = messaging_settings(context.settings).buyer_channel
    # Everything read first (templates, buyers), then the drafts saved in one batch: no flush per draft.
    todo = [notice for notice in notices if notice.key not in done]
    # One key, one message: when two notices of a batch share a key (an order with two out-of-stock SKUs in two
    # actions), the first one's words are the message's, and every step of that key shows those words (the text
    # stored is the text shown; a later notice would otherwise overwrite the row behind an earlier step).
    first: dict[str, DraftWanted] = {}
    wanted = []
    for notice in todo:
        if notice.key not in first:
            first[notice.key] = DraftWanted(
                idempotency_key=notice.key,
                rendered=render_notice(session, shop=shop, notice=notice),
                recipient=buyer_recipient(notice.order, channel),
                facts=json_facts(notice.facts),
            )
        wanted.append(first[notice.key])
    saved = save_drafts(session, shop_id=shop.id, shop_code=shop.code, drafts=wanted, now=context.now, known=known)
    return [
        (notice, one.rendered, message_step(one.rendered, message, order=notice.order.number))
        for notice, one, (message, is_draft) in zip(todo, wanted, saved, strict=True)
        if is_draft
    ]


def queue_message_steps(session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
    """Queue every message step of an applied action, as the seller last saw (and maybe edited) it; once per key."""
    done = []
    channel = messaging_settings(context.settings).buyer_channel
    for step in action.steps:
        if step.get("type") != "message":
            continue
        recipient = _recipient_of(session, shop, step, channel)
        rendered = Rendered(
            situation=step.get("situation") or action.kind,
            locale=step["locale"],
            requested_locale=step.get("fallback_from") or step["locale"],
            subject=step["subject"],
            body=step["body"],
        )
        message, queued = queue_message(
            session,
            shop_id=shop.id,
            shop_code=shop.code,
            idempotency_key=step["idempotency_key"],
            rendered=rendered,
            recipient=recipient,
            facts=dict(action.figures),
            now=context.now,
            action_id=action.id,
            actor="seller",
        )
        who = f"the buyer of order {step['order']}" if step.get("order") else f"the {step.get('to', 'recipient')}"
        verb = "queued" if queued else f"already {message.state.value}:"
        done.append(f"{verb} message #{message.id} ({message.locale}, {message.channel}) to {who}")
    return done


def _recipient_of(session: Session, shop: Shop, step: dict[str, Any], channel: str) -> Recipient:
    number = step.get("order")
    if step.get("to") == "buyer" and number:
        try:
            order = get_order(session, shop_id=shop.id, number=number)
        except NotFoundError:
            raise ValidationError(f"order {number} is no longer in Tradewind: message not queued") from None
        recipient = buyer_recipient(order, channel)
        return Recipient(
            kind=recipient.kind,
            buyer_id=recipient.buyer_id,
            order_id=recipient.order_id,
            address=step.get("address") or recipient.address,
            channel=step.get("channel") or recipient.channel,
        )
    kind = RecipientKind(step.get("to", "buyer"))
    return Recipient(
        kind=kind,
        supplier_id=step.get("supplier_id"),
        address=step.get("address"),
        channel=step.get("channel", "export"),
    )


def when(value: date | None) -> str:
    return value.isoformat() if value else "?"
