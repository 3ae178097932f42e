"""Triage of incoming buyer messages: the language (ISO 639-1), the intent, the order the message is about (a number
in the text, or the sender's order), and a suggested reply in the buyer's language filled with that order's facts.

`triage_messages` works on plain texts (with or without a database); `triage_inbox` stores the triage of the shop's
`InboundMessage` rows (language and its confidence, intent and its confidence, the order, the models' version) when
they arrive, or all of them again after a model change (`tradewind messages retriage`). `stored_triage` gives the
brief's `reply_needed` the stored results with their suggested replies, without loading a language model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tradewind.config import Settings
from tradewind.logistics.service import expected_deliveries as open_orders_expected
from tradewind.messaging.models import InboundMessage
from tradewind.messaging.parcels import latest_shipments, method_names, parcel_view
from tradewind.messaging.service import draft
from tradewind.messaging.situations import blank_buyer_facts, with_defaults
from tradewind.messaging.templates import Rendered, render
from tradewind.messaging.triage.intent import classify_intents, training_digest
from tradewind.messaging.triage.language import detect_languages, detection_version
from tradewind.orders.models import Order, OrderStatus, PaymentState
from tradewind.shops.models import Shop

if TYPE_CHECKING:
    from tradewind.logistics.models import Shipment

# Order numbers as buyers type them: 6+ digits, sometimes grouped with spaces or dashes.
_NUMBER = re.compile(r"(?<!\d)\d(?:[\s-]?\d){5,24}(?!\d)")
SHIPPED = (OrderStatus.SHIPPED, OrderStatus.DELIVERED)


@dataclass(frozen=True)
class TriageResult:
    text: str
    language: str | None
    language_confidence: float
    intent: str
    confidence: float
    order: str | None
    reply: Rendered | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "language": self.language,
            "intent": self.intent,
            "confidence": self.confidence,
            "order": self.order,
            "reply": None if self.reply is None else f"{self.reply.subject}\n\n{self.reply.body}",
            "reply_language": None if self.reply is None else self.reply.locale,
        }


def numbers_in(text: str) -> list[str]:
    return [re.sub(r"\D", "", match) for match in _NUMBER.findall(text)]


@dataclass
class OrderLookup:
    """Finds the order a message is about in one shop; orders are loaded in batches and kept."""

    session: Session
    shop: Shop
    _by_number: dict[str, Order | None]

    @classmethod
    def of(cls, session: Session, shop: Shop) -> OrderLookup:
        return cls(session, shop, {})

    def preload(self, numbers: Sequence[str]) -> None:
        wanted = sorted({n for n in numbers if n not in self._by_number})
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found = {
                o.number: o
                for o in self.session.scalars(
                    select(Order)
                    .options(selectinload(Order.buyer))
                    .where(Order.shop_id == self.shop.id, Order.number.in_(chunk))
                )
            }
            for number in chunk:
                self._by_number[number] = found.get(number)

    def find(self, text: str, *, buyer_id: int | None, order_id: int | None) -> Order | None:
        numbers = numbers_in(text)
        self.preload(numbers)
        for number in numbers:
            order = self._by_number.get(number)
            if order is not None:
                return order
        if order_id is not None:
            return self.session.get(Order, order_id)
        if buyer_id is None:
            return None
        orders = list(
            self.session.scalars(
                select(Order)
                .options(selectinload(Order.buyer))
                .where(Order.shop_id == self.shop.id, Order.buyer_id == buyer_id)
                .order_by(Order.placed_at.desc())
                .limit(20)
            )
        )
        for number in numbers:  # a partial number ("8012…", the last digits) among the sender's orders
            partial = [
                o for o in orders if len(number) >= 4 and (o.number.startswith(number) or o.number.endswith(number))
            ]
            if len(partial) == 1:
                return partial[0]
        open_orders = [o for o in orders if o.status not in (OrderStatus.CANCELLED, OrderStatus.CLOSED)]
        candidates = open_orders or orders
        return candidates[0] if candidates else None


@dataclass(frozen=True)
class ReplyRecords:
    """What the suggested replies of a batch of messages read besides each message and its order: the latest
    parcel of each order whose reply tells of its parcel, and the shop's shipping method names. Read once for the
    batch (`reply_records`), not once per message."""

    shipments: dict[int, Shipment]
    methods: dict[int, str]


def _tells_parcel(intent: str, order: Order) -> bool:
    """Whether the reply to a message of `intent` about `order` names its parcel (`_reply_situation`)."""
    if intent == "covid_safety" or (intent == "payment" and order.payment_state == PaymentState.UNPAID):
        return False
    return intent == "order_status" or order.status in SHIPPED


def reply_records(session: Session, *, shop: Shop, about: Sequence[tuple[str, Order | None]]) -> ReplyRecords:
    """The records the replies to messages of these (intent, order) read, a few queries for the whole batch: the
    parcels of the orders asked about (with their events, for where the parcel is), the tracking numbers of the
    other shipped orders, the method names."""
    told = [(intent, order) for intent, order in about if order is not None and _tells_parcel(intent, order)]
    if not told:
        return ReplyRecords({}, {})
    viewed = sorted({order.id for intent, order in told if intent == "order_status"})
    tracked = sorted({order.id for _, order in told} - set(viewed))
    shipments = latest_shipments(session, order_ids=viewed) if viewed else {}
    if tracked:
        shipments |= latest_shipments(session, order_ids=tracked, with_events=False)
    return ReplyRecords(shipments, method_names(session, shop_id=shop.id))


def reply_locale(language: str | None, order: Order | None, shop: Shop | None) -> str:
    """The language the buyer wrote in; the draft falls back to English (and says so) where there is no wording in
    it. Only a message without a language (an order number alone) is answered in the buyer's or shop's language."""
    if language is not None:
        return language
    if order is not None and order.buyer is not None and order.buyer.language:
        return order.buyer.language
    return shop.language if shop is not None else "en"


def suggested_reply(
    intent: str,
    locale: str,
    *,
    session: Session | None,
    shop: Shop | None,
    order: Order | None,
    now: datetime,
    settings: Settings,
    expected: dict[int, date | None] | None = None,
    records: ReplyRecords | None = None,
) -> Rendered:
    """The reply to a message of `intent`, in `locale`, filled with the order's facts where there is an order.
    `records` are the batch's parcels and method names (`reply_records`); without them, the order's are read."""
    facts = blank_buyer_facts(shop.name if shop else "")
    if order is not None:
        buyer = order.buyer
        facts |= {
            "order_number": order.number,
            "order_total": (order.total, order.currency),
            "placed_on": order.placed_at.date(),
            "buyer_name": ((buyer.name or "").split() or [""])[0] if buyer else "",
        }
    if records is None and session is not None and shop is not None:
        records = reply_records(session, shop=shop, about=[(intent, order)])
    situation, extra = _reply_situation(intent, order, now, settings, expected or {}, records)
    facts = with_defaults(situation, facts | extra)
    if session is not None and shop is not None:
        return draft(session, shop_id=shop.id, situation=situation, locale=locale, facts=facts)
    return render(situation, locale, facts)


def _reply_situation(
    intent: str,
    order: Order | None,
    now: datetime,
    settings: Settings,
    expected: dict[int, date | None],
    records: ReplyRecords | None,
) -> tuple[str, dict[str, Any]]:
    if intent == "covid_safety":
        return "covid_safety", {}
    if order is not None and intent == "payment" and order.payment_state == PaymentState.UNPAID:
        return "unpaid_reminder", {
            "pay_by": order.placed_at.date() + timedelta(days=settings.unpaid_expires_after_days)
        }
    if order is not None and intent == "order_status" and records is not None:
        shipment = records.shipments.get(order.id)
        view = parcel_view(order, shipment, now=now, methods=records.methods)
        return "order_status", view.facts() | {"expected_on": expected.get(order.id), "ship_by": order.ship_by}
    shipped = order is not None and order.status in SHIPPED
    tracking = ""
    if shipped and order is not None and records is not None:
        shipment = records.shipments.get(order.id)
        tracking = shipment.tracking_number if shipment else ""
    reply_intent = (
        intent if intent in ("cancel_order", "refund_return", "change_order", "product_question") else "other"
    )
    return "reply", {
        "intent": reply_intent,
        "shipped": shipped,
        "delivered": order is not None and order.status == OrderStatus.DELIVERED,
        "tracking_number": tracking,
    }


def triage_messages(
    texts: Sequence[str],
    *,
    settings: Settings,
    now: datetime,
    session: Session | None = None,
    shop: Shop | None = None,
    senders: Sequence[tuple[int | None, int | None]] | None = None,
    with_replies: bool = True,
    expected: dict[int, date | None] | None = None,
) -> list[TriageResult]:
    """Triage many messages at once. `senders` gives (buyer id, order id) per message when they are known."""
    languages = detect_languages(texts)
    intents = classify_intents(texts)
    lookup = OrderLookup.of(session, shop) if session is not None and shop is not None else None
    if lookup is not None:
        lookup.preload([n for t in texts for n in numbers_in(t)])
    results, orders = [], []
    for index, text in enumerate(texts):
        language, (intent, confidence) = languages[index], intents[index]
        buyer_id, order_id = senders[index] if senders else (None, None)
        order = lookup.find(text, buyer_id=buyer_id, order_id=order_id) if lookup is not None else None
        orders.append(order)
        results.append(
            TriageResult(
                text=text,
                language=language.code,
                language_confidence=language.confidence,
                intent=intent,
                confidence=confidence,
                order=order.number if order is not None else next(iter(numbers_in(text)), None),
                reply=None,
            )
        )
    if not with_replies:
        return results
    return with_replies_batch(
        results, orders, session=session, shop=shop, now=now, settings=settings, expected=expected
    )


def with_reply(
    result: TriageResult,
    order: Order | None,
    *,
    session: Session | None,
    shop: Shop | None,
    now: datetime,
    settings: Settings,
    expected: dict[int, date | None] | None,
    records: ReplyRecords | None = None,
) -> TriageResult:
    """The result with its suggested reply, about `order` (the order triage found)."""
    reply = suggested_reply(
        result.intent,
        reply_locale(result.language, order, shop),
        session=session,
        shop=shop,
        order=order,
        now=now,
        settings=settings,
        expected=expected,
        records=records,
    )
    return replace(result, reply=reply)


def with_replies_batch(
    results: Sequence[TriageResult],
    orders: Sequence[Order | None],
    *,
    session: Session | None,
    shop: Shop | None,
    now: datetime,
    settings: Settings,
    expected: dict[int, date | None] | None,
) -> list[TriageResult]:
    """`with_reply` for each result about its order, the records the replies read (parcels, method names) read
    once for the batch."""
    records = None
    if session is not None and shop is not None:
        about = [(result.intent, order) for result, order in zip(results, orders, strict=True)]
        records = reply_records(session, shop=shop, about=about)
    return [
        with_reply(
            result, order, session=session, shop=shop, now=now, settings=settings, expected=expected, records=records
        )
        for result, order in zip(results, orders, strict=True)
    ]


def expected_deliveries(session: Session, *, shop: Shop, today: date, now: datetime) -> dict[int, date | None]:
    """Expected delivery (p90) of every open order, for replies about where an order is."""
    found = open_orders_expected(session, shop=shop, today=today, now=now)
    return {order_id: p90 for order_id, p90 in found.items() if p90 is None or p90 > today}


def triage_version() -> str:
    """The version of the models triage runs (language detection, intent weights): stored with each message's
    triage, so that a stored triage can be told from one the current models would give."""
    digest = hashlib.sha256(f"{detection_version()}|{training_digest()}".encode()).hexdigest()
    return f"triage-{digest[:16]}"


def triage_inbox(
    session: Session,
    *,
    shop: Shop,
    settings: Settings,
    now: datetime,
    since: datetime | None = None,
    retriage: bool = False,
    with_replies: bool = True,
) -> list[tuple[InboundMessage, TriageResult]]:
    """Triage the shop's incoming messages (those without a stored triage, or all with `retriage`) and store it:
    language and intent with their confidence, the order found (and the message's order where it had none), the
    models' version. Returns each message with its result (and suggested reply)."""
    query = select(InboundMessage).where(InboundMessage.shop_id == shop.id).order_by(InboundMessage.received_at)
    if since is not None:
        query = query.where(InboundMessage.received_at >= since)
    if not retriage:
        query = query.where(InboundMessage.triage_model.is_(None))
    messages = list(session.scalars(query))
    if not messages:
        return []
    expected = expected_deliveries(session, shop=shop, today=now.date(), now=now) if with_replies else {}
    results = triage_messages(
        [m.text for m in messages],
        settings=settings,
        now=now,
        session=session,
        shop=shop,
        senders=[(m.buyer_id, m.order_id) for m in messages],
        with_replies=with_replies,
        expected=expected,
    )
    orders = {
        o.number: o.id
        for o in session.scalars(
            select(Order).where(
                Order.shop_id == shop.id, Order.number.in_(sorted({r.order for r in results if r.order}))
            )
        )
    }
    version = triage_version()
    for message, result in zip(messages, results, strict=True):
        message.language = result.language
        message.language_confidence = result.language_confidence
        message.intent = result.intent
        message.confidence = result.confidence
        message.triage_order = result.order
        message.triage_order_id = orders.get(result.order) if result.order else None
        if message.order_id is None and result.order in orders:
            message.order_id = orders[result.order]
        message.triage_model = version
        message.triaged_at = now
    session.flush()
    return list(zip(messages, results, strict=True))


def stored_triage(
    session: Session,
    messages: Sequence[InboundMessage],
    *,
    shop: Shop,
    settings: Settings,
    now: datetime,
    expected: dict[int, date | None] | None = None,
) -> list[TriageResult]:
    """The stored triage of messages (triage_inbox stored it), each with its suggested reply filled with the facts
    of now: no language model is loaded. A message without a stored triage is triaged (and stored) first."""
    if any(m.triage_model is None for m in messages):
        triage_inbox(session, shop=shop, settings=settings, now=now, with_replies=False)
    ids = sorted({m.triage_order_id for m in messages if m.triage_order_id is not None})
    orders = {
        o.id: o for o in session.scalars(select(Order).options(selectinload(Order.buyer)).where(Order.id.in_(ids)))
    }
    results = []
    for message in messages:
        assert message.intent is not None and message.confidence is not None
        results.append(
            TriageResult(
                text=message.text,
                language=message.language,
                language_confidence=message.language_confidence or 0.0,
                intent=message.intent,
                confidence=message.confidence,
                order=message.triage_order,
                reply=None,
            )
        )
    about = [orders.get(m.triage_order_id) if m.triage_order_id is not None else None for m in messages]
    return with_replies_batch(results, about, session=session, shop=shop, now=now, settings=settings, expected=expected)
