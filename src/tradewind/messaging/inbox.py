"""`reply_needed`: every incoming buyer message still unanswered, with its language, intent and a suggested reply in
the buyer's language filled with the order's facts. The triage is the one stored when the message arrived
(messaging.triage): the brief loads no language model. The reply is drafted into the outbox (the seller edits it there);
applying the action queues it and marks the message answered.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.action import Action, BriefContext, StoredAction
from tradewind.messaging.groups import buyers, drafts_in, gathered, tally, top_words
from tradewind.messaging.models import InboundMessage, OutboxState, RecipientKind
from tradewind.messaging.notices import message_step, queue_message_steps
from tradewind.messaging.outbox import DraftWanted, Recipient, keys_in_outbox, save_drafts
from tradewind.messaging.settings import messaging_settings
from tradewind.messaging.triage.inbound import TriageResult, expected_deliveries, stored_triage
from tradewind.orders.models import Buyer, Order
from tradewind.shops.models import Shop
from tradewind.wording import Number, Phrase, phrase

# What a message is about (`intent.INTENTS`), as a member's title says it ("order status").
INTENT_WORDS = {
    "order_status": phrase("order status"),
    "cancel_order": phrase("cancel order"),
    "refund_return": phrase("refund return"),
    "payment": phrase("payment"),
    "product_question": phrase("product question"),
    "change_order": phrase("change order"),
    "covid_safety": phrase("covid safety"),
    "other": phrase("other"),
}
RESPONSE_HOURS = 24  # the platforms count a reply within 24 hours toward the shop's response rate
ASKING = {
    "order_status": phrase("Answer %(buyers)s asking where their order is: suggested replies in %(languages)s"),
    "cancel_order": phrase("Answer %(buyers)s asking to cancel: suggested replies in %(languages)s"),
    "refund_return": phrase("Answer %(buyers)s asking for a refund or a return: suggested replies in %(languages)s"),
    "payment": phrase("Answer %(buyers)s asking about paying: suggested replies in %(languages)s"),
    "product_question": phrase("Answer %(buyers)s asking about a product: suggested replies in %(languages)s"),
    "change_order": phrase("Answer %(buyers)s asking to change their order: suggested replies in %(languages)s"),
    "covid_safety": phrase("Answer %(buyers)s asking whether the parcel is safe: suggested replies in %(languages)s"),
    "other": phrase("Answer %(buyers)s waiting for an answer: suggested replies in %(languages)s"),
}


class ReplyNeededProducer:
    """One action per intent and day ("answer 12 buyers asking where their order is"), each message's suggested
    reply a step; applying it queues the replies and marks the messages answered."""

    kinds: tuple[str, ...] = ("reply_needed",)

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        groups: dict[str, list[Action]] = {}
        for action in self.message_actions(session, shop=shop, context=context):
            groups.setdefault(str(action.figures["intent"]), []).append(action)
        found = []
        for intent, members in sorted(groups.items()):
            members.sort(key=lambda a: (-float(a.figures["hours_waiting"]), a.subject))
            oldest = members[0]
            asking = ASKING.get(intent, ASKING["other"]).msgid
            title = phrase(
                asking,
                buyers=buyers(len(members)),
                languages=drafts_in(str(a.figures.get("reply_locale")) for a in members),
            )
            why = phrase(
                "Oldest waiting %(hours)s h: %(title)s. Replies within %(within)s h count toward the response rate.",
                hours=Number.of(float(oldest.figures["hours_waiting"]), grouped=False),
                title=oldest.title_phrase or oldest.title,
                within=RESPONSE_HOURS,
            )
            untemplated = tally(str(a.figures["fallback_from"]) for a in members if a.figures.get("fallback_from"))
            if untemplated:
                why = phrase(
                    "%(why)s No wording yet in %(languages)s: those drafts are in English.",
                    why=why,
                    languages=top_words(untemplated),
                )
            found.append(gathered("reply_needed", intent, members, title=title, why=why))
        return found

    def message_actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        """One action per unanswered message, its suggested reply the step: the members of `actions`' groups."""
        window = messaging_settings(context.settings).reply_window_days
        since = context.now - timedelta(days=window)
        waiting = list(
            session.scalars(
                select(InboundMessage)
                .where(
                    InboundMessage.shop_id == shop.id,
                    InboundMessage.answered_at.is_(None),
                    InboundMessage.received_at >= since,
                    InboundMessage.received_at <= context.now,
                )
                .order_by(InboundMessage.received_at)
            )
        )
        if not waiting:
            return []
        expected = expected_deliveries(session, shop=shop, today=context.today, now=context.now)
        results = stored_triage(
            session, waiting, shop=shop, settings=context.settings, now=context.now, expected=expected
        )
        buyers = {
            b.id: b
            for b in session.scalars(select(Buyer).where(Buyer.id.in_([m.buyer_id for m in waiting if m.buyer_id])))
        }
        known = keys_in_outbox(session, shop_id=shop.id, keys=[f"reply:{m.external_id}" for m in waiting])
        # The replies are drafted in one batch (one flush of the new drafts, in the messages' order), then read
        # with their orders (one query) into actions.
        todo: list[tuple[InboundMessage, TriageResult, Buyer | None]] = []
        wanted: list[DraftWanted] = []
        for message, result in zip(waiting, results, strict=True):
            key = f"reply:{message.external_id}"
            existing = known.get(key)
            if existing is not None and existing.state != OutboxState.DRAFT:
                continue
            assert result.reply is not None
            buyer = buyers.get(message.buyer_id or 0)
            recipient = Recipient(
                kind=RecipientKind.BUYER,
                buyer_id=message.buyer_id,
                order_id=message.order_id,
                address=buyer.email if buyer else None,
                channel="export",
            )
            todo.append((message, result, buyer))
            wanted.append(
                DraftWanted(
                    idempotency_key=key,
                    rendered=result.reply,
                    recipient=recipient,
                    facts={"intent": result.intent, "language": result.language, "inbound": message.external_id},
                )
            )
        saved = save_drafts(session, shop_id=shop.id, shop_code=shop.code, drafts=wanted, now=context.now, known=known)
        order_ids = sorted({message.order_id for message, _, _ in todo if message.order_id})
        orders = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_(order_ids)))} if order_ids else {}
        found = []
        for (message, result, buyer), (reply, _) in zip(todo, saved, strict=True):
            assert result.reply is not None
            order = orders.get(message.order_id) if message.order_id else None
            step = message_step(result.reply, reply, order=order.number if order else None)
            waited = (context.now - message.received_at).total_seconds() / 3600
            who: str | Phrase = (buyer.name if buyer and buyer.name else None) or phrase("a buyer")
            snippet = message.text if len(message.text) <= 70 else message.text[:67] + "…"
            fallback = ""
            if result.reply.fell_back:  # a language detected but without templates: Czech, Swedish, Thai…
                fallback = f" No {result.reply.requested_locale} wording yet: the draft is in English."
            due = (message.received_at + timedelta(hours=RESPONSE_HOURS)).date()
            found.append(
                Action(
                    kind="reply_needed",
                    key=f"reply_needed:{message.external_id}",
                    subject_kind="message",
                    subject=message.external_id,
                    due=max(due, context.today) if due >= context.today else due,
                    title=(
                        title := phrase(
                            "Reply to %(who)s (%(language)s, %(intent)s)%(about)s: “%(snippet)s”",
                            who=who,
                            language=result.language or "?",
                            intent=INTENT_WORDS.get(result.intent, result.intent.replace("_", " ")),
                            about=phrase(" about order %(order)s", order=order.number) if order else "",
                            snippet=snippet,
                        )
                    ).english(),
                    title_phrase=title,
                    why=(
                        f"Received {message.received_at:%d %b %H:%M} UTC, {waited:.0f} h ago; intent {result.intent} "
                        f"({result.confidence:.0%} sure), language {result.language or 'unknown'} "
                        f"({result.language_confidence:.0%}). Replies within {RESPONSE_HOURS} h count toward the "
                        "response rate."
                    )
                    + fallback,
                    value_at_risk=order.total if order is not None else Decimal(0),
                    weight=1.0,
                    figures={
                        "message": message.external_id,
                        "text": message.text,
                        "language": result.language,
                        "language_confidence": result.language_confidence,
                        "intent": result.intent,
                        "confidence": result.confidence,
                        "order": order.number if order else result.order,
                        "reply_locale": result.reply.locale,
                        "fallback_from": result.reply.requested_locale if result.reply.fell_back else None,
                        "hours_waiting": round(waited, 1),
                        "outbox_id": reply.id,
                        "buyer_country": (buyer.country if buyer else None)
                        or (order.destination_country if order else None),
                    },
                    steps=[step],
                )
            )
        return found

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        done = queue_message_steps(session, shop=shop, action=action, context=context)
        # A reply held back for a more pressing message to the same buyer (messaging.voice) was not sent: its
        # message stays unanswered, and comes back once that other message has gone.
        ids = [str(n["message"]) for n in action.figures.get("notices") or [] if not n.get("held_back_for")]
        for message in session.scalars(
            select(InboundMessage).where(InboundMessage.shop_id == shop.id, InboundMessage.external_id.in_(ids))
        ):
            if message.answered_at is None:
                message.answered_at = context.now
                done.append(f"message {message.external_id} marked answered")
        return done
