"""Messaging's voice in the brief: buyer notices (unpaid_reminder, cancellation_followup, notify_delay), each one
draft per buyer in the buyer's language filled with that order's facts; and `with_buyer_messages`, which adds the
per-buyer drafts to the actions other domains produce (pickup_reminder, protection_expiring, stalled_tracking,
stockout_playbook, switch_shipping) without taking their kinds. The producers kept beside what they draft from are
re-exported here, so that the brief finds all of messaging's producers in this module: `banner_update`
(`BannerUpdateProducer`, banner.py), `reply_needed` (`ReplyNeededProducer`, inbox.py) and `supplier_check`
(`SupplierCheckProducer`, supplier_checks.py).

Drafts go into the outbox when the brief is built (the seller can edit them); applying the action queues them, once
per situation and order.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tradewind.action import Action, ActionProducer, BriefContext, StoredAction
from tradewind.catalog.models import Sku
from tradewind.errors import InvalidTransitionError
from tradewind.logistics.models import ShippingMethod, TrackingStatus
from tradewind.logistics.service import OrderAtRisk, list_disruptions, orders_at_risk
from tradewind.messaging.banner import BannerUpdateProducer as BannerUpdateProducer
from tradewind.messaging.delays import delay_reason
from tradewind.messaging.groups import buyers, drafts_in, gathered, tally, top, top_words
from tradewind.messaging.inbox import ReplyNeededProducer as ReplyNeededProducer
from tradewind.messaging.notices import BuyerNotice, draft_notices, queue_message_steps
from tradewind.messaging.outbox import cancel_stale_drafts
from tradewind.messaging.parcels import latest_shipments, method_names, parcel_view
from tradewind.messaging.supplier_checks import SupplierCheckProducer as SupplierCheckProducer
from tradewind.orders.models import CancelledBy, Order
from tradewind.orders.service import cancelled_orders, unpaid_orders
from tradewind.shops.models import Shop
from tradewind.wording import Amount, Capitalized, Day, Joined, Number, Phrase, phrase

# Orders whose promise passed this long ago are lost-parcel cases, not delays to announce.
DELAY_NOTICE_HORIZON_DAYS = 60
# Parcels that have reached the buyer's town (waiting for pickup, out for delivery, a missed delivery) or the buyer:
# a delay notice ("arrives about 28 March") would contradict where the parcel is.
ARRIVED_NEAR_BUYER = frozenset(
    {
        TrackingStatus.AVAILABLE_FOR_PICKUP.value,
        TrackingStatus.OUT_FOR_DELIVERY.value,
        TrackingStatus.ATTEMPT_FAIL.value,
        TrackingStatus.DELIVERED.value,
    }
)


class BuyerNoticeProducer(ABC):
    """Buyers who need a message: one draft per buyer (one step each), gathered into one action per group and day
    ("remind 12 buyers to pay: drafts in ru, es, fr"), so a busy shop's brief stays a list a person can read.
    Applying the action queues every draft, each once."""

    situation: str
    kinds: tuple[str, ...]

    @abstractmethod
    def notices(self, session: Session, *, shop: Shop, context: BriefContext) -> list[BuyerNotice]: ...

    @abstractmethod
    def describe(self, notice: BuyerNotice, context: BriefContext) -> tuple[Phrase, str, date]:
        """(title, why, due) for one order."""

    @abstractmethod
    def describe_group(
        self, group: str, members: list[Action], context: BriefContext
    ) -> tuple[Phrase, str] | tuple[Phrase, Phrase]:
        """(title, why) of the action gathering `members` (most urgent first)."""

    def describe_why(self, notice: BuyerNotice, context: BriefContext) -> Phrase | None:
        """`describe`'s why as a phrase, for the reader's language (None: English only)."""
        return None

    def group_of(self, action: Action) -> str:
        """Which action an order's notice joins ("" = the one action of the day)."""
        return ""

    def member_order(self, action: Action) -> tuple[Any, ...]:
        """Most urgent first: soonest due, then the most money at stake."""
        return (action.due, -action.weight * float(action.value_at_risk), action.subject)

    def weight(self, notice: BuyerNotice) -> float:
        return 1.0

    def figures(self, notice: BuyerNotice) -> dict[str, Any]:
        return {}

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        groups: dict[str, list[Action]] = {}
        for action in self.order_actions(session, shop=shop, context=context):
            groups.setdefault(self.group_of(action), []).append(action)
        found = []
        for group, members in sorted(groups.items()):
            members.sort(key=self.member_order)
            title, why = self.describe_group(group, members, context)
            found.append(gathered(self.kinds[0], group, members, title=title, why=why))
        return found

    def order_actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        """One action per order, its draft the one step: the members of `actions`' groups."""
        notices = self.notices(session, shop=shop, context=context)
        found = []
        for notice, rendered, step in draft_notices(session, shop=shop, notices=notices, context=context):
            order, buyer = notice.order, notice.order.buyer
            title, why, due = self.describe(notice, context)
            why_phrase = self.describe_why(notice, context)
            if rendered.fell_back:
                why += f" No {rendered.requested_locale} wording yet: the draft is in English."
                if why_phrase is not None:
                    why_phrase = phrase(
                        "%(why)s No %(locale)s wording yet: the draft is in English.",
                        why=why_phrase,
                        locale=rendered.requested_locale,
                    )
            found.append(
                Action(
                    kind=self.kinds[0],
                    key=f"{self.kinds[0]}:{order.number}",
                    subject_kind="order",
                    subject=order.number,
                    due=due,
                    title=title.english(),
                    title_phrase=title,
                    why=why,
                    why_phrase=why_phrase,
                    value_at_risk=order.total,
                    weight=self.weight(notice),
                    figures={
                        "order": order.number,
                        "order_total": str(order.total),
                        "currency": order.currency,
                        "buyer_country": (buyer.country if buyer else None) or order.destination_country,
                        "buyer_language": buyer.language if buyer else None,
                        "draft_locale": rendered.locale,
                        "outbox_id": step["outbox_id"],
                        **self.figures(notice),
                    },
                    steps=[step],
                )
            )
        cancel_stale_drafts(
            session,
            shop_id=shop.id,
            situation=self.situation,
            keep={n.key for n in notices},
            now=context.now,
            prefix=f"{self.situation}:",  # only this producer's notices, not replies that share the situation
        )
        return found

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        return queue_message_steps(session, shop=shop, action=action, context=context)


class UnpaidReminderProducer(BuyerNoticeProducer):
    """Orders placed but not paid: remind the buyer how to pay before the platform closes the order."""

    situation = "unpaid_reminder"
    kinds: tuple[str, ...] = ("unpaid_reminder",)

    def notices(self, session: Session, *, shop: Shop, context: BriefContext) -> list[BuyerNotice]:
        settings = context.settings
        orders = unpaid_orders(
            session,
            shop_id=shop.id,
            placed_after=context.now - timedelta(days=settings.unpaid_expires_after_days),
            placed_before=context.now - timedelta(hours=settings.unpaid_reminder_after_hours),
        )
        return [
            BuyerNotice(
                self.situation,
                f"unpaid_reminder:{o.number}",
                o,
                {"pay_by": o.placed_at.date() + timedelta(days=settings.unpaid_expires_after_days)},
            )
            for o in orders
        ]

    def weight(self, notice: BuyerNotice) -> float:
        return 0.6  # a sale that may or may not happen

    def figures(self, notice: BuyerNotice) -> dict[str, Any]:
        return {"pay_by": notice.facts["pay_by"].isoformat()}

    def describe(self, notice: BuyerNotice, context: BriefContext) -> tuple[Phrase, str, date]:
        order = notice.order
        days = (context.now - order.placed_at).total_seconds() / 86400
        country = order.buyer.country if order.buyer else order.destination_country
        title = phrase(
            "Remind the buyer of order %(order)s (%(country)s) to pay: %(total)s waiting %(days)s days",
            order=order.number,
            country=country or "?",
            total=Amount(order.total, order.currency),
            days=Number.of(days, 1, grouped=False),
        )
        why = (
            f"Placed {order.placed_at:%Y-%m-%d %H:%M} UTC, unpaid for {days:.1f} days; "
            f"the platform closes it on {notice.facts['pay_by']:%Y-%m-%d}."
        )
        return title, why, context.today

    def describe_why(self, notice: BuyerNotice, context: BriefContext) -> Phrase | None:
        order = notice.order
        return phrase(
            "Placed %(placed)s UTC, unpaid for %(days)s days; the platform closes it on %(pay_by)s.",
            placed=f"{order.placed_at:%Y-%m-%d %H:%M}",
            days=Number.of((context.now - order.placed_at).total_seconds() / 86400, 1, grouped=False),
            pay_by=Day(notice.facts["pay_by"]),
        )

    def describe_group(self, group: str, members: list[Action], context: BriefContext) -> tuple[Phrase, Phrase]:
        closing = min(str(a.figures["pay_by"]) for a in members)
        first = members[0]
        title = phrase(
            "Remind %(buyers)s to pay (%(money)s waiting): drafts in %(languages)s",
            buyers=buyers(len(members)),
            money=_amounts_by_currency(members),
            languages=drafts_in(str(a.figures["draft_locale"]) for a in members),
        )
        why = phrase(
            "Unpaid orders by destination: %(destinations)s. The platform closes the first of them on %(closing)s. "
            "First: order %(order)s: %(why)s",
            destinations=top_words(tally(str(a.figures["buyer_country"] or "?") for a in members)),
            closing=Day(date.fromisoformat(closing)),
            order=first.subject,
            why=first.why_phrase or first.why,
        )
        return title, why


def _totals_by_currency(members: list[Action]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for action in members:
        currency = str(action.figures.get("currency") or "")
        totals[currency] = totals.get(currency, Decimal(0)) + Decimal(str(action.figures.get("order_total") or 0))
    return dict(sorted(totals.items()))


def _money_by_currency(members: list[Action]) -> str:
    return " + ".join(f"{currency} {amount:,.2f}".strip() for currency, amount in _totals_by_currency(members).items())


def _amounts_by_currency(members: list[Action]) -> Joined | str:
    """`_money_by_currency` for the reader's language: "USD 1,234.50 + EUR 80.00"."""
    totals = _totals_by_currency(members)
    if "" in totals:
        return _money_by_currency(members)  # an order without a currency: as it is
    return Joined(tuple(Amount(amount, currency) for currency, amount in totals.items()), " + ")


# Who cancelled, as the brief says it ("by the buyer").
CANCELLED_BY_WORDS = {
    "buyer": phrase("buyer"),
    "seller": phrase("seller"),
    "platform": phrase("platform"),
    "unknown": phrase("unknown"),
}


class CancellationFollowupProducer(BuyerNoticeProducer):
    """Recent cancellations: ask the buyer why; seller-caused ones count against the shop."""

    situation = "cancellation_followup"
    kinds: tuple[str, ...] = ("cancellation_followup",)

    def notices(self, session: Session, *, shop: Shop, context: BriefContext) -> list[BuyerNotice]:
        orders = cancelled_orders(
            session,
            shop_id=shop.id,
            cancelled_after=context.now - timedelta(days=context.settings.cancellation_followup_days),
            cancelled_before=context.now,
        )
        found = []
        for order in orders:
            assert order.cancelled_at is not None
            facts = {
                "cancelled_on": order.cancelled_at.date(),
                "seller_cancelled": order.cancelled_by == CancelledBy.SELLER,
                "cancel_reason": order.cancel_reason or "",
                "cancelled_by": order.cancelled_by.value if order.cancelled_by else "",
            }
            found.append(BuyerNotice(self.situation, f"cancellation_followup:{order.number}", order, facts))
        return found

    def weight(self, notice: BuyerNotice) -> float:
        return 1.5 if notice.order.cancelled_by == CancelledBy.SELLER else 0.4

    def figures(self, notice: BuyerNotice) -> dict[str, Any]:
        facts = notice.facts
        return {
            "cancelled_on": facts["cancelled_on"].isoformat(),
            "seller_cancelled": facts["seller_cancelled"],
            "cancel_reason": facts["cancel_reason"],
            "cancelled_by": facts["cancelled_by"],
        }

    def describe(self, notice: BuyerNotice, context: BriefContext) -> tuple[Phrase, str, date]:
        order = notice.order
        assert order.cancelled_at is not None
        by = order.cancelled_by.value if order.cancelled_by else "unknown"
        reason = order.cancel_reason or "no reason given"
        title = phrase(
            "Ask why order %(order)s was cancelled (%(by)s: %(reason)s)",
            order=order.number,
            by=CANCELLED_BY_WORDS.get(by, by),
            reason=reason,
        )
        why = (
            f"Cancelled {order.cancelled_at:%Y-%m-%d} by the {by}, {order.currency} {order.total:,.2f}; "
            f"reason recorded: {reason}."
        )
        if order.cancelled_by == CancelledBy.SELLER:
            why += " Seller-caused cancellations count against the shop's cancellation rate."
        due = max(context.today, order.cancelled_at.date() + timedelta(days=3))
        return title, why, due

    def describe_why(self, notice: BuyerNotice, context: BriefContext) -> Phrase | None:
        order = notice.order
        if order.cancelled_at is None or not order.currency:
            return None  # said in English only
        by = order.cancelled_by.value if order.cancelled_by else "unknown"
        why = phrase(
            "Cancelled %(day)s by the %(by)s, %(money)s; reason recorded: %(reason)s.",
            day=Day(order.cancelled_at.date()),
            by=CANCELLED_BY_WORDS.get(by, by),
            money=Amount(order.total, order.currency),
            reason=order.cancel_reason or phrase("no reason given"),
        )
        if order.cancelled_by == CancelledBy.SELLER:
            why = phrase("%(why)s Seller-caused cancellations count against the shop's cancellation rate.", why=why)
        return why

    def group_of(self, action: Action) -> str:
        return str(action.figures.get("cancelled_by") or "unknown")

    def describe_group(self, group: str, members: list[Action], context: BriefContext) -> tuple[Phrase, Phrase]:
        reasons = tally(str(a.figures.get("cancel_reason") or "no reason given") for a in members)
        title = phrase(
            "Ask %(buyers)s why their order was cancelled (by the %(by)s: %(reasons)s): drafts in %(languages)s",
            buyers=buyers(len(members)),
            by=CANCELLED_BY_WORDS.get(group, group),
            reasons=top(reasons, 3),
            languages=drafts_in(str(a.figures["draft_locale"]) for a in members),
        )
        why = phrase(
            "%(money)s cancelled; reasons recorded: %(reasons)s.",
            money=_amounts_by_currency(members),
            reasons=top_words(reasons),
        )
        if group == CancelledBy.SELLER.value:
            why = phrase(
                "%(why)s Seller-caused cancellations count against the shop's cancellation rate: find out what went "
                "wrong.",
                why=why,
            )
        return title, why


REASON_WORDS = {
    "spring_festival": phrase("Spring Festival closure"),
    "epidemic": phrase("the epidemic"),
    "flights_cut": phrase("cut flights"),
    "customs": phrase("customs"),
    "route_blocked": phrase("a blocked route"),
    "carrier_delay": phrase("the carrier running late"),
}


class NotifyDelayProducer(BuyerNoticeProducer):
    """Open orders that will miss their promised date: tell the buyer first, with the real reason."""

    situation = "shipping_delay"
    kinds: tuple[str, ...] = ("notify_delay",)

    def notices(self, session: Session, *, shop: Shop, context: BriefContext) -> list[BuyerNotice]:
        outlooks = orders_at_risk(session, shop=shop, today=context.today, now=context.now)
        horizon = context.today - timedelta(days=DELAY_NOTICE_HORIZON_DAYS)
        disruptions = list_disruptions(session, shop=shop, on=context.today)
        found = []
        for outlook in outlooks:
            if outlook.parcel is not None and outlook.parcel.status in ARRIVED_NEAR_BUYER:
                continue  # it is at the buyer's post office or door: not a delay to explain, an arrival
            late = outlook.days_late > 0 or "lane_blocked" in outlook.reasons
            customs = outlook.parcel is not None and outlook.parcel.substatus in ("customs_hold", "awaiting_duties")
            if not (late or customs) or (outlook.promised_on is not None and outlook.promised_on < horizon):
                continue
            reason = delay_reason(outlook, disruptions, today=context.today, settings=context.settings)
            # "Later than promised" only when the estimate says so; a parcel held by customs or a blocked lane
            # whose estimate is still within the promise is held up, and the estimate (which does not see the
            # hold) is not given as a date.
            facts: dict[str, Any] = {
                "reason": reason.code,
                "reason_until": reason.until,
                "late": outlook.days_late > 0,
                "promised_on": outlook.promised_on,
                "expected_on": _expected(outlook, context.today) if outlook.days_late > 0 else None,
                "tracking_number": outlook.parcel.tracking_number if outlook.parcel else "",
                "shipped": outlook.parcel is not None,
            }
            found.append(BuyerNotice(self.situation, f"shipping_delay:{outlook.order.number}", outlook.order, facts))
            self._outlooks[outlook.order.number] = (outlook, reason.source)
        return found

    def __init__(self) -> None:
        self._outlooks: dict[str, tuple[OrderAtRisk, str | None]] = {}

    def order_actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        try:
            return super().order_actions(session, shop=shop, context=context)
        finally:
            # Every late order's outlook, with its order and buyer as records: read by the notices' wording only.
            # Kept, they would stay in memory through the rest of the brief (41,000 records at scale 100).
            self._outlooks.clear()

    def group_of(self, action: Action) -> str:
        return str(action.figures["reason"])  # "14 buyers will be late: cut flights — drafts in ru, es, fr"

    def member_order(self, action: Action) -> tuple[Any, ...]:
        return (-int(action.figures.get("days_late") or 0), action.subject)

    def describe_group(self, group: str, members: list[Action], context: BriefContext) -> tuple[Phrase, Phrase]:
        drafts = ", ".join(sorted({str(a.figures.get("draft_locale")) for a in members}))
        worst = members[0]
        countries = tally(str(a.figures.get("buyer_country") or "?") for a in members)
        title = phrase(
            "Tell %(buyers)s their orders will be late (%(reason)s): drafts in %(languages)s",
            buyers=buyers(len(members)),
            reason=REASON_WORDS.get(group, group),
            languages=drafts,
        )
        why = phrase(
            "Orders by destination: %(destinations)s. Latest: order %(order)s: %(why)s",
            destinations=top_words(countries),
            order=worst.subject,
            why=worst.why_phrase or worst.why,
        )
        return title, why

    def describe_why(self, notice: BuyerNotice, context: BriefContext) -> Phrase:
        outlook, _ = self._outlooks[notice.order.number]
        reason = Capitalized(outlook.reason_phrase or outlook.reason_words)
        if outlook.promised_on and outlook.expected_p90_on:
            return phrase(
                "%(reason)s; promised %(promised)s, expected by %(expected)s (p90); a buyer told early waits, one who "
                "finds out opens a dispute.",
                reason=reason,
                promised=Day(outlook.promised_on),
                expected=Day(outlook.expected_p90_on),
            )
        return phrase("%(reason)s; a buyer told early waits, one who finds out opens a dispute.", reason=reason)

    def weight(self, notice: BuyerNotice) -> float:
        return 1.3  # a buyer told first opens fewer disputes

    def figures(self, notice: BuyerNotice) -> dict[str, Any]:
        outlook, source = self._outlooks[notice.order.number]
        return {
            "reason": notice.facts["reason"],
            "reason_source": source,
            "promised_on": outlook.promised_on.isoformat() if outlook.promised_on else None,
            "expected_p50_on": outlook.expected_p50_on.isoformat() if outlook.expected_p50_on else None,
            "expected_p90_on": outlook.expected_p90_on.isoformat() if outlook.expected_p90_on else None,
            "days_late": outlook.days_late,
            "risk_reasons": list(outlook.reasons),
            "tracking_number": notice.facts["tracking_number"] or None,
        }

    def describe(self, notice: BuyerNotice, context: BriefContext) -> tuple[Phrase, str, date]:
        outlook, _ = self._outlooks[notice.order.number]
        title = phrase(
            "Tell the buyer of order %(order)s (%(country)s) it will be late (%(reason)s)",
            order=notice.order.number,
            country=notice.order.destination_country or "?",
            reason=REASON_WORDS[notice.facts["reason"]],
        )
        why = f"{outlook.reason_words[:1].upper()}{outlook.reason_words[1:]}"
        if outlook.promised_on and outlook.expected_p90_on:
            why += f"; promised {outlook.promised_on}, expected by {outlook.expected_p90_on} (p90)"
        why += "; a buyer told early waits, one who finds out opens a dispute."
        return title, why, context.today


def _expected(outlook: OrderAtRisk, today: date) -> date | None:
    """The date a buyer may be told: the p90 (the date we can stand behind). Where the lane's curve cannot give one
    (a lost parcel, a lane without enough deliveries), the median is no promise either: no date."""
    expected = outlook.expected_p90_on
    if expected is not None and expected <= today:
        return None  # the estimate has run out: promise no date rather than a past one
    return expected


# --- drafts for other domains' actions --------------------------------------------------------------------------


def buyer_notices_for_action(
    session: Session, *, shop: Shop, action: Action, context: BriefContext
) -> list[BuyerNotice]:
    """The buyer messages an action of another domain calls for (empty for kinds that tell no buyer)."""
    figures = action.figures
    if action.kind == "pickup_reminder":
        parcels = [p for p in figures.get("shipments") or [figures] if p.get("order")]  # a country's group, or one
        orders = _orders(session, shop, [str(p["order"]) for p in parcels])
        notices = []
        for parcel in parcels:
            order = orders.get(str(parcel["order"]))
            if order is None:
                continue
            rounds = int(parcel.get("times_reminded") or 0)
            facts = {
                "tracking_number": parcel.get("tracking_number") or "",
                "pickup_point": parcel.get("pickup_point") or "",
                "back_to_sender_from": _day(parcel.get("back_to_sender_from")),
            }
            key = f"pickup_reminder:{order.number}" + (f"#{rounds + 1}" if rounds else "")
            notices.append(BuyerNotice("pickup_reminder", key, order, facts))
        return notices
    if action.kind == "protection_expiring" and figures.get("order"):
        order = _orders(session, shop, [figures["order"]]).get(figures["order"])
        if order is None:
            return []
        facts = {"tracking_number": figures.get("tracking_number") or "", "extend_to": _day(figures.get("extend_to"))}
        return [
            BuyerNotice(
                "protection_extended", f"protection_extended:{order.number}:{figures.get('deadline')}", order, facts
            )
        ]
    if action.kind == "stalled_tracking" and figures.get("order"):
        order = _orders(session, shop, [figures["order"]]).get(figures["order"])
        if order is None:
            return []
        if figures.get("situation") == "probably_lost":
            return [_inquiry_notice(order, figures, context)]
        shipment = latest_shipments(session, order_ids=[order.id]).get(order.id)
        view = parcel_view(order, shipment, now=context.now, methods=method_names(session, shop_id=shop.id))
        state = "label_created" if figures.get("situation") == "no_first_scan" else "stalled"
        facts = view.facts() | {"parcel_state": state, "expected_on": None, "ship_by": order.ship_by}
        return [BuyerNotice("order_status", f"order_status:{order.number}:{action.key}", order, facts)]
    if action.kind == "stockout_playbook":
        return _stockout_notices(session, shop, action, context)
    if action.kind == "switch_shipping" and figures.get("reason") == "slower":
        numbers = list(figures.get("unshipped_orders") or [])
        names = _method_names_by_code(session, shop)
        proposed, current = figures.get("proposed") or {}, figures.get("current") or {}
        new_method = names.get(proposed.get("method"), proposed.get("method") or "")
        old_method = names.get(current.get("method"), current.get("method") or "")
        p90 = proposed.get("p90_days")
        expected = context.today + timedelta(days=int(p90) + 3) if p90 else None
        notices = []
        for number, order in sorted(_orders(session, shop, numbers).items()):
            facts = {
                "old_method": old_method,
                "new_method": new_method,
                "change_reason": "faster",
                "expected_on": expected,
            }
            notices.append(BuyerNotice("shipping_method_changed", f"shipping_method_changed:{number}", order, facts))
        return notices
    return []


def _inquiry_notice(order: Order, figures: dict[str, Any], context: BriefContext) -> BuyerNotice:
    """A parcel probably lost: the buyer is told of the carrier inquiry and asked to choose a refund or a resend,
    should it not be found by the end of buyer protection (no date once that has passed: "in the next few days").
    Once per order, however often the carrier is chased again."""
    ends = _day(figures.get("protection_ends_on") or figures.get("promised_delivery_on"))
    facts = {
        "tracking_number": figures.get("tracking_number") or "",
        "decide_by": ends if ends is not None and ends >= context.today else None,
    }
    return BuyerNotice("parcel_inquiry", f"parcel_inquiry:{order.number}", order, facts)


def _stockout_notices(session: Session, shop: Shop, action: Action, context: BriefContext) -> list[BuyerNotice]:
    lines = list(action.figures.get("skus") or [])
    arrival = {ln["sku"]: _day(ln.get("earliest_arrival")) for ln in lines}
    wanted = {number: ln["sku"] for ln in lines for number in ln.get("open_orders_uncovered") or []}
    if not wanted:
        return []
    titles = {
        s.code: s.title for s in session.scalars(select(Sku).where(Sku.shop_id == shop.id, Sku.code.in_(list(arrival))))
    }
    notices = []
    for number, order in sorted(_orders(session, shop, list(wanted)).items()):
        code = wanted[number]
        title = titles.get(code) or code
        facts = {
            "item": f"{title} ({code})" if title != code else code,
            "restock_on": arrival.get(code),
            "reply_by": context.today + timedelta(days=3),
        }
        notices.append(BuyerNotice("out_of_stock", f"out_of_stock:{number}", order, facts))
    return notices


def _orders(session: Session, shop: Shop, numbers: list[str]) -> dict[str, Order]:
    if not numbers:
        return {}
    rows = session.scalars(
        select(Order).options(selectinload(Order.buyer)).where(Order.shop_id == shop.id, Order.number.in_(numbers))
    )
    return {o.number: o for o in rows}


def _method_names_by_code(session: Session, shop: Shop) -> dict[str | None, str]:
    return {m.code: m.name for m in session.scalars(select(ShippingMethod).where(ShippingMethod.shop_id == shop.id))}


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class WithBuyerMessages:
    """Another domain's producer, with the buyer drafts its actions call for added as message steps.

    The kinds stay the inner producer's own; applying an action does what the inner producer does, then queues the
    drafts (as the seller last edited them), once per situation and order.
    """

    def __init__(self, inner: ActionProducer) -> None:
        self.inner = inner
        self.kinds: tuple[str, ...] = tuple(inner.kinds)

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        inner = self.inner.actions(session, shop=shop, context=context)
        notices = [buyer_notices_for_action(session, shop=shop, action=action, context=context) for action in inner]
        # Every action's notices drafted in one batch (one read of their outbox rows, one flush of the new drafts),
        # in the actions' order: the same drafts, ids and steps as drafting action by action.
        everyone = [notice for some in notices for notice in some]
        drafted = draft_notices(session, shop=shop, notices=everyone, context=context) if everyone else []
        owner = {id(notice): index for index, some in enumerate(notices) for notice in some}
        steps_of: dict[int, list[dict[str, Any]]] = {}
        for notice, _, step in drafted:
            steps_of.setdefault(owner[id(notice)], []).append(step)
        found = []
        for index, action in enumerate(inner):
            steps = steps_of.get(index, [])
            if steps:
                languages = sorted({step["locale"] for step in steps})
                action = replace(
                    action,
                    steps=list(action.steps) + steps,
                    why=action.why + f" {len(steps)} buyer message draft(s) ready ({', '.join(languages)}).",
                    why_phrase=phrase(
                        "%(why)s %(drafts)s buyer message draft(s) ready (%(languages)s).",
                        why=action.why_phrase,
                        drafts=len(steps),
                        languages=", ".join(languages),
                    )
                    if action.why_phrase is not None
                    else None,
                    figures=dict(action.figures) | {"message_drafts": [step["outbox_id"] for step in steps]},
                )
            found.append(action)
        return found

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        done = list(self.inner.apply(session, shop=shop, action=action, context=context))
        done += queue_message_steps(session, shop=shop, action=action, context=context)
        return done

    def undo(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        """The inner producer's undo, when applying queued no buyer message: a message handed to the outbox cannot
        be called back from here."""
        if any(step.get("type") == "message" for step in action.steps):
            raise InvalidTransitionError(
                f"action #{action.id} cannot be reopened: its buyer messages were queued and cannot be called back",
                details={"action": action.id},
            )
        undo = getattr(self.inner, "undo", None)
        if undo is None:
            raise InvalidTransitionError(
                f"action #{action.id} cannot be reopened: what applying it did cannot be undone",
                details={"action": action.id},
            )
        return list(undo(session, shop=shop, action=action, context=context))


def with_buyer_messages(producer: ActionProducer) -> ActionProducer:
    return WithBuyerMessages(producer)
