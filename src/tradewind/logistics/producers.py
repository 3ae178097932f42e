"""Logistics' voice in the brief.

`ShipmentWatchProducer`: stalled_tracking (no first carrier scan within the platforms' days, or no news for too
long; after `expired_after_days` of silence the parcel is probably lost: a carrier inquiry, then a refund or a resend
before buyer protection ends), pickup_reminder (the parcel waits at a pickup point) and protection_expiring (the
buyer-protection deadline is near and the parcel is not delivered). `ShippingChoiceProducer`: switch_shipping (a
destination's default method misses its promise, or another meets it for clearly less) and lane_blocked (a
restriction blocks a lane: the orders on it, and whether to re-route or hold them).

Each action's figures carry what a message to the buyer needs (status in plain words, pickup point, days waiting,
tracking number): the drafts are the messaging domain's. Applying an action records what the seller did in
Tradewind's own records, once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.action import Action, BriefContext, StoredAction, gather, members_digest
from tradewind.errors import InvalidTransitionError
from tradewind.logistics.choice import DestinationChoice, MethodOption, choose_methods
from tradewind.logistics.disruptions import BLOCKING, covers, describe, describe_phrase, list_disruptions
from tradewind.logistics.models import (
    Disruption,
    DisruptionKind,
    FollowUpKind,
    Shipment,
    ShipmentFollowUp,
    TrackingStatus,
)
from tradewind.logistics.rerouting import (
    OpenOrder,
    hold_orders,
    open_order_lanes,
    reroute_orders,
    route_back,
    unshipped_orders,
)
from tradewind.logistics.rules import LogisticsRules
from tradewind.logistics.shipping import (
    follow_ups_by_shipment,
    lane_statistics,
    record_follow_up,
    set_preferred_method,
)
from tradewind.logistics.tracking.codes import plain_phrase
from tradewind.logistics.transit.lanes import Lane
from tradewind.logistics.watch import WatchFinding, watch_shipments
from tradewind.orders.models import Order
from tradewind.orders.service import get_order
from tradewind.shops.models import Shop
from tradewind.wording import Arg, Day, Joined, Number, Phrase, nphrase, percent, phrase


def _rules(rules: LogisticsRules | None, context: BriefContext) -> LogisticsRules:
    return rules or LogisticsRules.from_settings(context.settings)


def _order_figures(order: Order | None) -> dict[str, Any]:
    if order is None:
        return {"order": None}
    buyer = order.buyer
    return {
        "order": order.number,
        "order_total": str(order.total),
        "currency": order.currency,
        "buyer_country": (buyer.country if buyer else None) or order.destination_country,
        "buyer_language": buyer.language if buyer else None,
        "promised_delivery_on": order.promised_delivery_on.isoformat() if order.promised_delivery_on else None,
        "protection_ends_on": order.protection_ends_on.isoformat() if order.protection_ends_on else None,
    }


def _round_key(base: str, rounds: int) -> str:
    return base if rounds == 0 else f"{base}#{rounds + 1}"


def _recently(follow_ups: Sequence[ShipmentFollowUp], now: datetime, days: int) -> bool:
    return bool(follow_ups) and now - follow_ups[-1].noted_at < timedelta(days=days)


# The watch's situations answered by writing to the carrier (a stalled_tracking action).
CHASED_SITUATIONS = ("no_first_scan", "stalled", "probably_lost")


def _protection_end(order: Order | None) -> date | None:
    return (order.protection_ends_on or order.promised_delivery_on) if order is not None else None


def _lost_steps(finding: WatchFinding, order: Order | None) -> list[dict[str, Any]]:
    """A parcel probably lost: an inquiry with the carrier (recorded as a chase when applied), then the seller's
    choice of a refund or a resend before buyer protection ends, and the buyer told which."""
    facts, by = finding.facts, _protection_end(order)
    steps: list[dict[str, Any]] = [
        {
            "type": "chase_carrier",
            "inquiry": True,
            "tracking_number": facts.tracking_number,
            "method": facts.carrier_method,
        }
    ]
    if order is not None:
        steps.append(
            {
                "type": "refund_or_resend",
                "order": order.number,
                "choices": ["refund", "resend"],
                "by": by.isoformat() if by else None,
            }
        )
        steps.append({"type": "tell_buyer", "order": order.number, "situation": finding.situation})
    return steps


class ShipmentWatchProducer:
    """Parcels that need the seller today."""

    kinds: tuple[str, ...] = ("stalled_tracking", "pickup_reminder", "protection_expiring")

    def __init__(self, rules: LogisticsRules | None = None) -> None:
        self.rules = rules

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        rules = _rules(self.rules, context)
        chased = follow_ups_by_shipment(session, shop=shop, kind=FollowUpKind.CHASED_CARRIER)
        reminded = follow_ups_by_shipment(session, shop=shop, kind=FollowUpKind.PICKUP_REMINDED)
        found: dict[str, Action] = {}
        for finding in watch_shipments(session, shop=shop, now=context.now, rules=rules):
            history = (chased if finding.situation in CHASED_SITUATIONS else reminded).get(finding.shipment.id, [])
            action: Action | None
            if finding.situation in CHASED_SITUATIONS:
                if _recently(history, context.now, rules.chase_again_days):
                    continue
                action = self._stalled(finding, len(history), context)
            elif finding.situation == "waiting_at_pickup":
                if _recently(history, context.now, rules.pickup_remind_again_days):
                    continue
                action = self._pickup(finding, len(history), context)
            else:
                action = self._protection(finding, rules, context)
            if action is not None:
                found.setdefault(action.key, action)
        return _group_pickups(_group_stalled(list(found.values()), context))

    def _stalled(self, finding: WatchFinding, rounds: int, context: BriefContext) -> Action:
        facts, order = finding.facts, finding.order
        tracking = facts.tracking_number
        shipped = Day(facts.shipped_on)
        status = plain_phrase(TrackingStatus(facts.status), facts.substatus)
        title = _stalled_title(finding.situation, finding.days, tracking, facts.carrier_method, chase=True)
        why: Phrase
        if finding.situation == "no_first_scan":
            why = phrase(
                "Handed over on %(shipped)s; the platforms expect a first carrier scan within %(days)s days, or the "
                "order counts as not shipped.",
                shipped=shipped,
                days=_rules(self.rules, context).first_scan_within_days,
            )
            weight = 1.3
        elif finding.situation == "probably_lost":
            by = _protection_end(order)
            why = phrase(
                "Shipped %(shipped)s, %(days)s days ago; status %(status)s. Open an inquiry with the carrier, then "
                "refund the buyer or send the order again%(before)s",
                shipped=shipped,
                days=facts.days_since_shipping,
                status=status,
                before=phrase(" before buyer protection ends on %(by)s.", by=Day(by)) if by else ".",
            )
            weight = 1.4
        else:
            why = phrase(
                "Shipped %(shipped)s, %(days)s days ago; status %(status)s%(last)s.",
                shipped=shipped,
                days=facts.days_since_shipping,
                status=status,
                last=phrase(" (last: “%(event)s”)", event=facts.last_event) if facts.last_event else "",
            )
            weight = 1.0
        if rounds:
            why = nphrase(
                "%(why)s Chased %(num)s time(s) already.", "%(why)s Chased %(num)s time(s) already.", rounds, why=why
            )
        if order:
            title = phrase("%(title)s — order %(order)s", title=title, order=order.number)
        return Action(
            kind="stalled_tracking",
            key=_round_key(f"stalled_tracking:{tracking}", rounds),
            subject_kind="shipment",
            subject=tracking,
            due=context.today,
            title=title.english(),
            title_phrase=title,
            why=why.english(),
            why_phrase=why,
            value_at_risk=order.total if order else Decimal(0),
            weight=weight,
            figures=facts.to_dict()
            | _order_figures(order)
            | {"situation": finding.situation, "days": finding.days, "times_chased": rounds},
            steps=_lost_steps(finding, order)
            if finding.situation == "probably_lost"
            else [
                {"type": "chase_carrier", "tracking_number": tracking, "method": facts.carrier_method},
                {"type": "tell_buyer", "order": order.number if order else None, "situation": finding.situation},
            ],
        )

    def _pickup(self, finding: WatchFinding, rounds: int, context: BriefContext) -> Action:
        facts, order = finding.facts, finding.order
        place = facts.location or "the pickup point"
        back_on = finding.deadline
        title = nphrase(
            "Parcel %(tracking)s has waited %(num)s days at %(place)s: remind the buyer",
            "Parcel %(tracking)s has waited %(num)s days at %(place)s: remind the buyer",
            finding.days,
            tracking=facts.tracking_number,
            place=facts.location or phrase("the pickup point"),
        )
        if order:
            title = phrase("%(title)s (order %(order)s)", title=title, order=order.number)
        return Action(
            kind="pickup_reminder",
            key=_round_key(f"pickup_reminder:{facts.tracking_number}", rounds),
            subject_kind="shipment",
            subject=facts.tracking_number,
            due=context.today,
            title=title.english(),
            title_phrase=title,
            why=(
                why := phrase(
                    "Waiting since %(since)s; post offices send unclaimed parcels back after about %(days)s days "
                    "(from %(back_on)s).",
                    since=Day(date.fromisoformat(str(finding.extra["waiting_since"]))),
                    days=_rules(self.rules, context).pickup_hold_days,
                    back_on=Day(back_on) if back_on else str(back_on),
                )
            ).english(),
            why_phrase=why,
            value_at_risk=order.total if order else Decimal(0),
            weight=1.2,
            figures=facts.to_dict()
            | _order_figures(order)
            | {
                "pickup_point": facts.location,
                "days_waiting": finding.days,
                "waiting_since": finding.extra["waiting_since"],
                "back_to_sender_from": back_on.isoformat() if back_on else None,
                "times_reminded": rounds,
            },
            steps=[
                {
                    "type": "remind_buyer_to_collect",
                    "order": order.number if order else None,
                    "pickup_point": place,
                    "tracking_number": facts.tracking_number,
                }
            ],
        )

    def _protection(self, finding: WatchFinding, rules: LogisticsRules, context: BriefContext) -> Action | None:
        facts, order, deadline = finding.facts, finding.order, finding.deadline
        if order is None or deadline is None:
            return None
        left = finding.days
        if left < 0:
            return None  # the protection is over: the platform has closed the order, nothing to extend
        new_end = max(deadline, context.today) + timedelta(days=rules.protection_extension_days)
        title = phrase(
            "Buyer protection of order %(order)s %(when)s (%(deadline)s); parcel %(status)s: extend it to %(new_end)s",
            order=order.number,
            when=phrase("ends today") if left == 0 else nphrase("ends in %(num)s days", "ends in %(num)s days", left),
            deadline=Day(deadline),
            status=plain_phrase(TrackingStatus(facts.status), facts.substatus),
            new_end=Day(new_end),
        )
        why = phrase(
            "Parcel %(tracking)s shipped %(shipped)s is %(status)s; when the protection ends undelivered the buyer can "
            "open a dispute and the platform refunds.",
            tracking=facts.tracking_number,
            shipped=Day(facts.shipped_on),
            status=plain_phrase(TrackingStatus(facts.status), facts.substatus),
        )
        return Action(
            kind="protection_expiring",
            key=f"protection_expiring:{order.number}:{deadline.isoformat()}",
            subject_kind="order",
            subject=order.number,
            due=max(context.today, deadline - timedelta(days=2)),
            title=title.english(),
            title_phrase=title,
            why=why.english(),
            why_phrase=why,
            value_at_risk=order.total,
            weight=1.5,
            figures=facts.to_dict()
            | _order_figures(order)
            | {"deadline": deadline.isoformat(), "days_left": left, "extend_to": new_end.isoformat()},
            steps=[
                {
                    "type": "extend_protection",
                    "order": order.number,
                    "days": rules.protection_extension_days,
                    "from": deadline.isoformat(),
                    "to": new_end.isoformat(),
                }
            ],
        )

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        if action.kind == "protection_expiring":
            return self._extend(session, shop, action, context)
        if action.subject_kind in ("shipping_method", "destination"):  # a group of stalled or waiting parcels
            return [
                line
                for step in action.steps
                if step.get("type") in ("chase_carrier", "remind_buyer_to_collect")
                for line in self._follow_up(session, shop, action, step["tracking_number"], context)
            ]
        return self._follow_up(session, shop, action, action.subject, context)

    def _follow_up(
        self, session: Session, shop: Shop, action: StoredAction, tracking: str, context: BriefContext
    ) -> list[str]:
        shipment = session.scalar(
            select(Shipment).where(Shipment.shop_id == shop.id, Shipment.tracking_number == tracking)
        )
        if shipment is None:
            return [f"parcel {tracking} is no longer in Tradewind; nothing recorded"]
        kind = FollowUpKind.CHASED_CARRIER if action.kind == "stalled_tracking" else FollowUpKind.PICKUP_REMINDED
        what = "chased the carrier" if kind == FollowUpKind.CHASED_CARRIER else "reminded the buyer to collect it"
        _, created = record_follow_up(
            session,
            shop=shop,
            key=f"{action.key}@{action.id}:{tracking}",
            kind=kind,
            note=f"{what} (brief action #{action.id}, status: {action.figures.get('status_words')})",
            now=context.now,
            shipment_id=shipment.id,
            order_id=shipment.order_id,
            action_id=action.id,
        )
        verb = "recorded" if created else "already recorded"
        return [f"{verb}: {what} about parcel {shipment.tracking_number}"]

    def _extend(self, session: Session, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        order = get_order(session, shop_id=shop.id, number=action.subject)
        done = []
        for step in action.steps:
            if step.get("type") != "extend_protection":
                continue
            new_end = date.fromisoformat(step["to"])
            _, created = record_follow_up(
                session,
                shop=shop,
                key=f"{action.key}@{action.id}",
                kind=FollowUpKind.PROTECTION_EXTENDED,
                note=f"buyer protection extended by {step['days']} days to {new_end} (brief action #{action.id})",
                now=context.now,
                order_id=order.id,
                action_id=action.id,
            )
            if created and (order.protection_ends_on is None or order.protection_ends_on < new_end):
                order.protection_ends_on = new_end
            verb = "extended" if created else "already extended"
            done.append(
                f"{verb} buyer protection of order {order.number} to {order.protection_ends_on}; request the same "
                "extension on the platform"
            )
        session.flush()
        return done


class ShippingChoiceProducer:
    """The method per destination, and lanes that restrictions block."""

    kinds: tuple[str, ...] = ("switch_shipping", "lane_blocked")

    def __init__(self, rules: LogisticsRules | None = None) -> None:
        self.rules = rules

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        rules = _rules(self.rules, context)
        statistics = lane_statistics(session, shop=shop, now=context.now, rules=rules)
        choices = choose_methods(
            session, shop=shop, today=context.today, now=context.now, rules=rules, statistics=statistics
        )
        found = [a for a in (self._switch(session, shop, c, rules, context) for c in choices) if a is not None]
        blocking = [d for d in list_disruptions(session, shop=shop, on=context.today) if d.kind in BLOCKING]
        if blocking:
            since = context.now - timedelta(days=rules.watch_window_days)
            affected = open_order_lanes(session, shop, choices, since=since)
            by_destination = {c.destination: c for c in choices}
            for disruption in blocking:
                action = self._blocked(disruption, affected, by_destination, context)
                if action is not None:
                    found.append(action)
        return found

    def _switch(
        self, session: Session, shop: Shop, choice: DestinationChoice, rules: LogisticsRules, context: BriefContext
    ) -> Action | None:
        current, proposed = choice.current, choice.recommended
        if current is None or proposed is None or proposed.method == current.method or current.blocked:
            return None
        if choice.orders_last_window == 0:
            return None
        if not current.meets_promise and proposed.meets_promise:
            reason = "slower"
            opening = phrase(
                "%(current)s to %(destination)s: p90 %(current_p90)s days, but the promise leaves %(budget)s days "
                "after %(handling)s days of handling (%(late)s of parcels would be late); %(method)s: p90 %(p90)s "
                "days%(cost)s.",
                current=current.method,
                destination=choice.destination,
                current_p90=_days(current.p90_days),
                budget=choice.transit_budget_days,
                handling=choice.handling_days,
                late=percent(current.late_share, 0),
                method=proposed.method,
                p90=_days(proposed.p90_days),
                cost=_cost_words(proposed),
            )
        elif (
            current.meets_promise
            and proposed.meets_promise
            and current.cost is not None
            and proposed.cost is not None
            and proposed.cost <= current.cost * (1 - rules.switch_min_saving)
        ):
            reason = "cheaper"
            opening = phrase(
                "Both meet the %(promise)s-day promise to %(destination)s; %(method)s costs %(cost)s vs "
                "%(current_cost)s %(currency)s per parcel (p90 %(p90)s vs %(current_p90)s days), %(orders)s in "
                "%(window)s days.",
                promise=choice.promise_days,
                destination=choice.destination,
                method=proposed.method,
                cost=_money(proposed.cost),
                current_cost=_money(current.cost),
                currency=choice.currency,
                p90=_days(proposed.p90_days),
                current_p90=_days(current.p90_days),
                orders=nphrase("%(num)s orders", "%(num)s orders", choice.orders_last_window),
                window=rules.method_window_days,
            )
        else:
            return None
        case = shipping_switch_case(choice, current, proposed, rules)
        cause = _temporary_cause(session, shop, choice, current, proposed, context) if reason == "slower" else None
        permanent = case.pays and cause is None
        unshipped = unshipped_orders(session, shop, choice.destination, current.method)
        numbers = [o.number for o in unshipped]
        if not permanent and (reason == "cheaper" or not numbers):
            # One-off advice needs orders to route today: a cheaper method whose extra late parcels cost more than
            # it saves is no advice at all, and a slow spell with no order waiting has nothing to re-route.
            return None
        figures: dict[str, Any] = {
            "destination": choice.destination,
            "origin": choice.origin,
            "reason": reason,
            "current": current.to_dict(),
            "proposed": proposed.to_dict(),
            "promise_days": choice.promise_days,
            "handling_days": choice.handling_days,
            "transit_budget_days": choice.transit_budget_days,
            "orders_last_window": choice.orders_last_window,
            "unshipped_orders": numbers,
            "permanent": permanent,
        } | case.to_dict()
        reroute = {
            "type": "reroute_orders",
            "orders": numbers,
            "from_method": current.method,
            "to_method": proposed.method,
        }
        if permanent:
            if reason == "slower":
                value = choice.order_value_last_window * Decimal(str(current.late_share))
            else:
                assert current.cost is not None and proposed.cost is not None
                value = (current.cost - proposed.cost) * choice.orders_last_window
            lanes = {"destination": choice.destination, "method": proposed.method, "current": current.method}
            title = (
                phrase(
                    "Ship to %(destination)s by %(method)s instead of %(current)s for good "
                    "(the current method misses the promise)",
                    **lanes,
                )
                if reason == "slower"
                else phrase(
                    "Ship to %(destination)s by %(method)s instead of %(current)s for good (cheaper, still on time)",
                    **lanes,
                )
            )
            closing = phrase("%(case)s: the default method changes.", case=case.phrase())
            steps: list[dict[str, Any]] = [
                {
                    "type": "set_default_method",
                    "origin": choice.origin,
                    "destination": choice.destination,
                    "method": proposed.method,
                    "previous": current.method,
                },
                reroute,
            ]
            key = f"switch_shipping:{choice.origin}-{choice.destination}:{proposed.method}"
        else:
            # One-off: these orders go by the other method, the default stays (nothing to remember to switch back
            # when the disruption ends; the orders that come while it lasts get their own action).
            value = sum((o.total for o in unshipped), Decimal(0)) * Decimal(str(current.late_share))
            if cause is not None:
                figures |= {"temporary_cause": describe(cause), "cause_ends_on": _iso(cause.ends_on)}
                while_: Phrase = WHILE_WORDS[cause.kind]
                if cause.ends_on:
                    while_ = phrase("%(during)s (until %(day)s)", during=while_, day=Day(cause.ends_on))
                closing = phrase(
                    "The delay comes from a temporary disruption (%(cause)s): this time only.",
                    cause=describe_phrase(cause),
                )
            else:
                while_ = phrase("this time")
                closing = phrase("%(case)s: this time only.", case=case.phrase())
            title = phrase(
                "Ship %(orders)s open order(s) to %(destination)s by %(method)s instead of %(current)s %(during)s: "
                "one-off, %(current)s stays the default",
                orders=len(numbers),
                destination=choice.destination,
                method=proposed.method,
                current=current.method,
                during=while_,
            )
            steps = [reroute]
            key = (
                f"switch_shipping:{choice.origin}-{choice.destination}:{proposed.method}:once:{members_digest(numbers)}"
            )
        return Action(
            kind="switch_shipping",
            key=key,
            subject_kind="lane",
            subject=f"{choice.origin}-{choice.destination}",
            due=context.today,
            title=title.english(),
            title_phrase=title,
            why=(why := phrase("%(sentence)s %(next)s", sentence=opening, next=closing)).english(),
            why_phrase=why,
            value_at_risk=value.quantize(Decimal("0.01")),
            weight=1.1,
            figures=figures,
            steps=steps,
        )

    def _blocked(
        self,
        disruption: Disruption,
        affected: list[tuple[OpenOrder, Lane, bool]],
        by_destination: dict[str, DestinationChoice],
        context: BriefContext,
    ) -> Action | None:
        # Thousands of open orders go by a few dozen lanes: whether the disruption covers each lane, asked once.
        covered = {lane: covers(disruption, lane) for lane in {lane for _, lane, _ in affected}}
        hit = [(order, lane, shipped) for order, lane, shipped in affected if covered[lane]]
        if not hit:
            return None
        reroute: dict[str, list[str]] = {}
        hold: list[str] = []
        alternatives: dict[str, str] = {}
        for order, lane, shipped in hit:
            if shipped:
                continue
            choice = by_destination.get(lane.destination)
            alternative = _open_alternative(choice, disruption, lane)
            if alternative is None:
                hold.append(order.number)
            else:
                alternatives[lane.destination] = alternative.method
                reroute.setdefault(alternative.method, []).append(order.number)
        in_transit = [order.number for order, _, shipped in hit if shipped]
        steps: list[dict[str, Any]] = [
            {"type": "reroute_orders", "orders": numbers, "from_method": None, "to_method": method}
            for method, numbers in sorted(reroute.items())
        ]
        if hold:
            steps.append(
                {"type": "hold_orders", "orders": hold, "until": "the route reopens, or refund if the buyer asks"}
            )
        steps.append({"type": "notify_buyers", "orders": sorted(set(in_transit) | set(hold))})
        rerouted = sum(len(n) for n in reroute.values())
        told = len(set(in_transit) | set(hold))
        title = phrase(
            "%(kind)s %(scope)s: %(orders)s orders affected — re-route %(rerouted)s, hold %(held)s, "
            "tell %(told)s buyers",
            kind=KIND_TITLES[disruption.kind],
            scope=_scope_phrase(disruption),
            orders=len(hit),
            rerouted=rerouted,
            held=len(hold),
            told=told,
        )
        return Action(
            kind="lane_blocked",
            key=f"lane_blocked:{disruption.id}",
            subject_kind="lane",
            subject=_scope(disruption),
            due=context.today,
            title=title.english(),
            title_phrase=title,
            why=(why := describe_phrase(disruption)).english(),
            why_phrase=why,
            value_at_risk=sum((order.total for order, _, _ in hit), Decimal(0)),
            weight=1.5,
            figures={
                "disruption": disruption.id,
                "kind": disruption.kind.value,
                "scope": _scope(disruption),
                "source": disruption.source,
                "starts_on": disruption.starts_on.isoformat(),
                "ends_on": disruption.ends_on.isoformat() if disruption.ends_on else None,
                "unshipped_orders": [order.number for order, _, shipped in hit if not shipped],
                "in_transit_orders": in_transit,
                "alternatives": alternatives,
            },
            steps=steps,
        )

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        done = []
        for step in action.steps:
            kind = step.get("type")
            if kind == "set_default_method":
                _, changed = set_preferred_method(
                    session,
                    shop=shop,
                    origin=step["origin"],
                    destination=step["destination"],
                    method=step["method"],
                    now=context.now,
                    reason=f"brief action #{action.id}: {action.figures.get('reason', 'switch')}",
                )
                verb = "set" if changed else "already set:"
                done.append(f"{verb} default method to {step['destination']}: {step['method']}")
            elif kind == "reroute_orders":
                done.extend(reroute_orders(session, shop, action, step, context))
            elif kind == "hold_orders":
                done.extend(hold_orders(session, shop, action, step, context))
            elif kind == "notify_buyers" and step.get("orders"):
                done.append(f"{len(step['orders'])} buyers to tell: their notify_delay drafts are in the brief")
        session.flush()
        return done

    def undo(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        """Restore the default method applying the action replaced and route the orders it moved (those not
        shipped since) back. Held orders and a default set where there was none cannot be undone, and say so."""
        blocked = [
            str(step.get("type"))
            for step in action.steps
            if step.get("type") == "hold_orders"
            or (step.get("type") == "set_default_method" and not step.get("previous"))
        ]
        if blocked:
            raise InvalidTransitionError(
                f"action #{action.id} cannot be reopened: {', '.join(sorted(set(blocked)))} cannot be undone "
                "(orders held, or no default method before)",
                details={"action": action.id, "steps": sorted(set(blocked))},
            )
        done = []
        for step in action.steps:
            if step.get("type") == "set_default_method":
                _, changed = set_preferred_method(
                    session,
                    shop=shop,
                    origin=step["origin"],
                    destination=step["destination"],
                    method=step["previous"],
                    now=context.now,
                    reason=f"brief action #{action.id} reopened: default restored",
                )
                verb = "restored" if changed else "already back to"
                done.append(f"{verb} default method to {step['destination']}: {step['previous']}")
            elif step.get("type") == "reroute_orders":
                done.extend(route_back(session, shop, action, step))
        session.flush()
        return done


@dataclass(frozen=True)
class ShippingSwitchCase:
    """Whether changing a destination's default method for good pays, over a year of that destination's parcels (the
    last `method_window_days` of orders, scaled to 365 days): the cost difference per parcel, plus the parcels that
    would no longer be late (the share of the current method's parcels later than the promise minus the proposed
    method's) at the destination's mean order value, the money a late parcel puts at risk (a refund or a dispute, as
    the action's value at risk already counts it). Positive pays: permanent."""

    parcels_per_year: float
    cost_change: Decimal | None  # proposed − current, per parcel; None when either cost is unknown
    late_share_change: float  # proposed − current (negative: fewer parcels late)
    order_value: Decimal  # mean order value to the destination
    gain_per_year: Decimal

    @property
    def pays(self) -> bool:
        return self.gain_per_year > 0

    def phrase(self) -> Phrase:
        """The case in one sentence, in the reader's language."""
        terms: list[Arg] = []
        if self.cost_change is not None and self.cost_change:
            amount = Number.of(abs(self.cost_change), 2, grouped=False)
            terms.append(
                phrase("%(amount)s dearer a parcel", amount=amount)
                if self.cost_change > 0
                else phrase("%(amount)s cheaper a parcel", amount=amount)
            )
        elif self.cost_change is None:
            terms.append(phrase("cost unknown"))
        if self.late_share_change:
            late: dict[str, Arg] = {
                "share": percent(abs(self.late_share_change), 1),
                "value": Number.of(self.order_value, 2, grouped=False),
            }
            terms.append(
                phrase("%(share)s more parcels late (orders average %(value)s)", **late)
                if self.late_share_change > 0
                else phrase("%(share)s fewer parcels late (orders average %(value)s)", **late)
            )
        verdict = (
            phrase("gains %(amount)s a year", amount=Number.of(self.gain_per_year, 2, grouped=False))
            if self.pays
            else phrase("costs %(amount)s a year", amount=Number.of(-self.gain_per_year, 2, grouped=False))
        )
        return phrase(
            "For good (%(parcels)s parcels a year): %(terms)s; %(verdict)s",
            parcels=Number.of(self.parcels_per_year, 0, grouped=False),
            terms=Joined(tuple(terms)) if terms else phrase("no difference"),
            verdict=verdict,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "parcels_per_year": round(self.parcels_per_year, 1),
            "cost_change_per_parcel": str(self.cost_change) if self.cost_change is not None else None,
            "late_share_change": round(self.late_share_change, 3),
            "mean_order_value": str(self.order_value),
            "gain_per_year": str(self.gain_per_year),
        }


def shipping_switch_case(
    choice: DestinationChoice, current: MethodOption, proposed: MethodOption, rules: LogisticsRules
) -> ShippingSwitchCase:
    parcels = choice.orders_last_window * 365 / max(rules.method_window_days, 1)
    order_value = (
        (choice.order_value_last_window / choice.orders_last_window).quantize(Decimal("0.01"))
        if choice.orders_last_window
        else Decimal(0)
    )
    cost_change = proposed.cost - current.cost if proposed.cost is not None and current.cost is not None else None
    late_change = proposed.late_share - current.late_share
    per_parcel = -(cost_change or Decimal(0)) - Decimal(str(late_change)) * order_value
    gain = (per_parcel * Decimal(str(parcels))).quantize(Decimal("0.01"))
    return ShippingSwitchCase(parcels, cost_change, late_change, order_value, gain)


# Disruptions that pass: a suspended route or a capacity cut (cut flights) is lifted in time; any other with an end.
PASSING = frozenset({DisruptionKind.SUSPENDED_ROUTE, DisruptionKind.CAPACITY_CUT})


def _temporary_cause(
    session: Session,
    shop: Shop,
    choice: DestinationChoice,
    current: MethodOption,
    proposed: MethodOption,
    context: BriefContext,
) -> Disruption | None:
    """The temporary disruption in force today that slows the current method and not the proposed one: the reason
    the current method misses the promise, for as long as it lasts."""
    now_lane = Lane(choice.origin, choice.destination, current.method)
    new_lane = Lane(choice.origin, choice.destination, proposed.method)
    for disruption in list_disruptions(session, shop=shop, on=context.today):
        passing = disruption.kind in PASSING or disruption.ends_on is not None
        if passing and covers(disruption, now_lane) and not covers(disruption, new_lane):
            return disruption
    return None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _cost_words(option: MethodOption) -> str | Phrase:
    return phrase(" at %(cost)s per parcel", cost=_money(option.cost)) if option.cost is not None else ""


def _money(amount: Decimal | None) -> Number | Phrase:
    """A lane's cost per parcel (two decimals, as the lane statistics keep it), or "unknown"."""
    return Number.of(amount, 2, grouped=False) if amount is not None else phrase("unknown")


def _days(days: int | None) -> int | Phrase:
    return days if days is not None else phrase("unknown")


# The disruption kinds (`disruptions.KIND_WORDS`) as the brief's titles say them.
KIND_TITLES = {
    DisruptionKind.IMPORT_BAN: phrase("Import ban"),
    DisruptionKind.SUSPENDED_ROUTE: phrase("Suspended route"),
    DisruptionKind.CAPACITY_CUT: phrase("Capacity cut"),
    DisruptionKind.CUSTOMS_DELAY: phrase("Customs delay"),
}
WHILE_WORDS = {
    DisruptionKind.IMPORT_BAN: phrase("while the import ban lasts"),
    DisruptionKind.SUSPENDED_ROUTE: phrase("while the suspended route lasts"),
    DisruptionKind.CAPACITY_CUT: phrase("while the capacity cut lasts"),
    DisruptionKind.CUSTOMS_DELAY: phrase("while the customs delay lasts"),
}


def _scope_phrase(disruption: Disruption) -> str | Phrase:
    lane = "-".join([disruption.origin_country or "*", disruption.destination_country or "*"])
    return (
        phrase("%(lane)s by %(method)s", lane=lane, method=disruption.method_code) if disruption.method_code else lane
    )


def _scope(disruption: Disruption) -> str:
    parts = [disruption.origin_country or "*", disruption.destination_country or "*"]
    return "-".join(parts) + (f" by {disruption.method_code}" if disruption.method_code else "")


def _open_alternative(choice: DestinationChoice | None, disruption: Disruption, lane: Lane) -> MethodOption | None:
    if choice is None:
        return None
    candidates = [
        o
        for o in choice.options
        if not o.blocked
        and o.method != lane.method
        and not covers(disruption, Lane(lane.origin, lane.destination, o.method))
    ]
    meeting = [o for o in candidates if o.meets_promise]
    pool = meeting or candidates
    return min(pool, key=lambda o: (o.cost is None, o.cost or Decimal(0), o.p90_days or 999)) if pool else None


# This many stalled parcels on one method, or parcels waiting at pickup points in one country, make one action.
GROUP_FROM = 3


def _gathered(
    actions: list[Action],
    kind: str,
    group_of: Callable[[Action], tuple[str, ...]],
    build: Callable[[tuple[str, ...], list[Action]], Action],
) -> list[Action]:
    """Actions of `kind` that fall in one group (`group_of`) GROUP_FROM times or more become one action (`build`);
    the others stay as they are."""
    groups: dict[tuple[str, ...], list[Action]] = {}
    others: list[Action] = []
    for action in actions:
        if action.kind == kind:
            groups.setdefault(group_of(action), []).append(action)
        else:
            others.append(action)
    for group, members in sorted(groups.items()):
        if len(members) < GROUP_FROM:
            others += members
        else:
            others.append(build(group, members))
    return others


def _stalled_title(
    situation: str, days: int, tracking: str, method: str, *, chase: bool = False, order: Any = None
) -> Phrase:
    """A stalled parcel's title: "Chase parcel …" with `chase`, "parcel …" (the one a gathered chase names) without;
    "Parcel … is probably lost" either way; "— order …" when `order` is given."""
    if situation == "probably_lost":
        title = nphrase(
            "Parcel %(tracking)s (%(method)s) is probably lost: no carrier news for %(num)s days",
            "Parcel %(tracking)s (%(method)s) is probably lost: no carrier news for %(num)s days",
            days,
            tracking=tracking,
            method=method,
        )
    elif situation == "no_first_scan":
        title = (
            nphrase(
                "Chase parcel %(tracking)s (%(method)s): no carrier scan %(num)s days after shipping",
                "Chase parcel %(tracking)s (%(method)s): no carrier scan %(num)s days after shipping",
                days,
                tracking=tracking,
                method=method,
            )
            if chase
            else nphrase(
                "parcel %(tracking)s (%(method)s): no carrier scan %(num)s days after shipping",
                "parcel %(tracking)s (%(method)s): no carrier scan %(num)s days after shipping",
                days,
                tracking=tracking,
                method=method,
            )
        )
    else:
        title = (
            nphrase(
                "Chase parcel %(tracking)s (%(method)s): no tracking news for %(num)s days",
                "Chase parcel %(tracking)s (%(method)s): no tracking news for %(num)s days",
                days,
                tracking=tracking,
                method=method,
            )
            if chase
            else nphrase(
                "parcel %(tracking)s (%(method)s): no tracking news for %(num)s days",
                "parcel %(tracking)s (%(method)s): no tracking news for %(num)s days",
                days,
                tracking=tracking,
                method=method,
            )
        )
    return phrase("%(title)s — order %(order)s", title=title, order=str(order)) if order is not None else title


def _group_stalled(actions: list[Action], context: BriefContext) -> list[Action]:
    """Stalled parcels of one method (and situation) become one chase action for the day: the seller writes to
    the carrier once, with the list."""

    def build(group: tuple[str, ...], members: list[Action]) -> Action:
        situation, method = group
        members.sort(key=lambda a: (-int(a.figures.get("days") or 0), a.subject))
        longest = members[0]
        what = {
            "no_first_scan": phrase("no carrier scan"),
            "probably_lost": phrase("probably lost, no tracking news"),
        }.get(situation) or phrase("no tracking news")
        days = [int(a.figures.get("days") or 0) for a in members]
        return gather(
            members,
            kind="stalled_tracking",
            key=f"stalled_tracking:{situation}:{method}:{context.today.isoformat()}",
            subject_kind="shipping_method",
            subject=method,
            title=phrase(
                "Chase %(parcels)s %(method)s parcels: %(what)s for %(low)s–%(high)s days",
                parcels=len(members),
                method=method,
                what=what,
                low=min(days),
                high=max(days),
            ),
            why=phrase(
                "Longest: %(parcel)s. %(why)s",
                parcel=_stalled_title(
                    situation,
                    int(longest.figures.get("days") or 0),
                    longest.subject,
                    str(longest.figures.get("method")),
                    order=longest.figures.get("order"),
                ),
                why=longest.why_phrase or longest.why,
            ),
            figures={
                "method": method,
                "situation": situation,
                "parcels": len(members),
                "days_min": min(days),
                "days_max": max(days),
                "shipments": [a.figures for a in members],
            },
        )

    def method_of(action: Action) -> tuple[str, ...]:
        return str(action.figures.get("situation")), str(action.figures.get("method") or "unknown")

    return _gathered(actions, "stalled_tracking", method_of, build)


def _waiting_parcel(action: Action) -> Phrase:
    """A pickup reminder's title without its opening "Parcel " (the parcel that a gathered reminder names)."""
    figures = action.figures
    waited = nphrase(
        "%(tracking)s has waited %(num)s days at %(place)s: remind the buyer",
        "%(tracking)s has waited %(num)s days at %(place)s: remind the buyer",
        int(figures["days_waiting"]),
        tracking=str(figures["tracking_number"]),
        place=str(figures["pickup_point"]) if figures.get("pickup_point") else phrase("the pickup point"),
    )
    order = figures.get("order")
    return phrase("%(title)s (order %(order)s)", title=waited, order=str(order)) if order else waited


def _group_pickups(actions: list[Action]) -> list[Action]:
    """Parcels waiting at pickup points in one country become one reminder action: one message to each buyer,
    one click. Keyed by its parcels, so the same parcels tomorrow are the same action."""

    def build(group: tuple[str, ...], members: list[Action]) -> Action:
        (country,) = group
        members.sort(key=lambda a: (str(a.figures.get("back_to_sender_from") or "9999"), a.subject))
        first = members[0]
        days = [int(a.figures.get("days_waiting") or 0) for a in members]
        return gather(
            members,
            kind="pickup_reminder",
            key=f"pickup_reminder:{country}:{members_digest(a.subject for a in members)}",
            subject_kind="destination",
            subject=country,
            title=phrase(
                "Remind %(buyers)s buyers in %(country)s to collect their parcels: waiting %(low)s–%(high)s days at "
                "the post office",
                buyers=len(members),
                country=country,
                low=min(days),
                high=max(days),
            ),
            why=phrase(
                "First to go back: %(parcel)s. %(why)s",
                parcel=_waiting_parcel(first),
                why=first.why_phrase or first.why,
            ),
            figures={
                "destination": country,
                "parcels": len(members),
                "days_min": min(days),
                "days_max": max(days),
                "shipments": [a.figures for a in members],
            },
        )

    return _gathered(actions, "pickup_reminder", lambda a: (str(a.figures.get("buyer_country") or "?"),), build)
