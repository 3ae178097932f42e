"""The shop's notice to new visitors, per language: delivery-time ranges per destination region (from the shop's own
transit statistics: p50 to p90 days), the Spring Festival closure, and what slows parcels now (disruptions).

The current banner of a language is the last one queued for it; `banner_update` proposes a new one when the ranges
move by `MATERIAL_DAYS` or more, or the notices change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.action import Action, BriefContext, StoredAction
from tradewind.logistics.models import DisruptionKind
from tradewind.logistics.service import lane_statistics, list_disruptions, region_of
from tradewind.messaging.delays import EPIDEMIC_WORDS, spring_festival_closure
from tradewind.messaging.models import OutboxMessage, OutboxState, RecipientKind
from tradewind.messaging.notices import message_step, queue_message_steps
from tradewind.messaging.outbox import Recipient, save_draft
from tradewind.messaging.schemas import REASON_CODES
from tradewind.messaging.service import draft, json_facts
from tradewind.messaging.situations import BUYER_LOCALES
from tradewind.messaging.templates import Rendered
from tradewind.orders.models import Buyer, Order
from tradewind.shops.models import Shop
from tradewind.suppliers.models import Supplier, SupplierStatus
from tradewind.suppliers.service import latest_status_reports
from tradewind.wording import Day, Joined, phrase

MATERIAL_DAYS = 2
COUNTRIES_PER_REGION = 4
LANGUAGE_WINDOW_DAYS = 90


@dataclass(frozen=True)
class BannerFacts:
    ranges: list[dict[str, Any]]
    closure_until: Any
    delay_reasons: list[str]

    def facts(self, shop: Shop) -> dict[str, Any]:
        return {
            "shop_name": shop.name,
            "ranges": self.ranges,
            "closure_until": self.closure_until,
            "delay_reasons": self.delay_reasons,
        }


def banner_facts(session: Session, *, shop: Shop, context: BriefContext) -> BannerFacts:
    """Delivery ranges per region from the lanes the shop ships on, and today's notices.

    A range comes only from a lane with enough delivered parcels (`banner_min_delivered_parcels`): four parcels
    still travelling say nothing about how long delivery takes."""
    enough = context.settings.banner_min_delivered_parcels
    per_country: dict[str, tuple[int, int, int]] = {}
    for stats in lane_statistics(session, shop=shop, now=context.now):
        estimate = stats.estimate
        if estimate.blocked or estimate.p50_days is None or estimate.p90_days is None:
            continue
        if estimate.n_delivered < enough:
            continue
        weight = estimate.n_delivered
        low, high = estimate.p50_days + estimate.slowed_by_days, estimate.p90_days + estimate.slowed_by_days
        known = per_country.get(estimate.lane.destination)
        if known is None or weight > known[2]:
            per_country[estimate.lane.destination] = (low, high, weight)
    regions: dict[str, list[tuple[int, str, int, int]]] = {}
    for country, (low, high, weight) in per_country.items():
        regions.setdefault(region_of(country), []).append((weight, country, low, high))
    ranges = []
    for _, members in sorted(regions.items(), key=lambda kv: -sum(m[0] for m in kv[1])):
        members.sort(reverse=True)
        ranges.append(
            {
                "countries": [country for _, country, _, _ in members[:COUNTRIES_PER_REGION]],
                "low": min(low for _, _, low, _ in members),
                "high": max(high for _, _, _, high in members),
            }
        )
    closure_until = _suppliers_closed_until(session, shop=shop, context=context)
    reasons: list[str] = []
    for disruption in list_disruptions(session, shop=shop, on=context.today):
        if disruption.kind == DisruptionKind.CAPACITY_CUT:
            reasons.append("flights_cut")
        elif disruption.kind == DisruptionKind.SUSPENDED_ROUTE:
            reasons.append("route_blocked")
        else:
            reasons.append("customs")
        if EPIDEMIC_WORDS.search(disruption.source):
            reasons.append("epidemic")
    return BannerFacts(ranges=ranges, closure_until=closure_until, delay_reasons=sorted(set(reasons)))


def _suppliers_closed_until(session: Session, *, shop: Shop, context: BriefContext) -> date | None:
    """When the shop's suppliers closed for the Spring Festival reopen, or None when none of them is: the banner
    speaks of the shop's own active suppliers on the Chinese calendar, less those reported working through it.
    A supplier that reported its own reopening day is taken at its word."""
    closure = spring_festival_closure(context.today, context.settings)
    if closure is None:
        return None
    starts, reopens = closure
    suppliers = [
        s
        for s in session.scalars(select(Supplier).where(Supplier.shop_id == shop.id, Supplier.active.is_(True)))
        if (s.calendar or s.country or "").upper().startswith("CN")
    ]
    reports = latest_status_reports(
        session, shop_id=shop.id, as_of=context.today, supplier_ids=[s.id for s in suppliers]
    )
    until: list[date] = []
    for supplier in suppliers:
        report = reports.get(supplier.id)
        if report is not None and report.status == SupplierStatus.OPERATING and report.reported_on >= starts:
            continue  # working through the festival
        closed = report is not None and report.status == SupplierStatus.CLOSED
        if closed and report is not None and report.reopens_on is not None and report.reopens_on >= starts:
            until.append(max(report.reopens_on, context.today))
        else:
            until.append(reopens)
    return max(until) if until else None


def banner_languages(session: Session, *, shop: Shop, context: BriefContext) -> list[str]:
    """The languages of the shop's recent buyers, the shop's own, and English."""
    since = context.now - timedelta(days=LANGUAGE_WINDOW_DAYS)
    rows = session.scalars(
        select(Buyer.language)
        .join(Order, Order.buyer_id == Buyer.id)
        .where(Order.shop_id == shop.id, Order.placed_at >= since)
        .distinct()
    )
    languages = {(lang or "en").split("_")[0] for lang in rows} | {shop.language.split("_")[0], "en"}
    return sorted(lang for lang in languages if lang in BUYER_LOCALES)


def current_banners(session: Session, *, shop: Shop) -> dict[str, OutboxMessage]:
    """The banner in force per language: the last one queued or published."""
    found: dict[str, OutboxMessage] = {}
    for message in session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.shop_id == shop.id,
            OutboxMessage.situation == "shop_banner",
            OutboxMessage.state.in_([OutboxState.QUEUED, OutboxState.SENT]),
        )
        .order_by(OutboxMessage.queued_at, OutboxMessage.id)
    ):
        found[message.locale] = message
    return found


# `material_change`'s fixed answers, for the reader's language (the others name countries and days).
CHANGE_WORDS = {
    "no banner yet": phrase("no banner yet"),
    "the delays to mention changed": phrase("the delays to mention changed"),
    "the Spring Festival notice changed": phrase("the Spring Festival notice changed"),
    "destinations changed": phrase("destinations changed"),
}


def material_change(old: dict[str, Any] | None, new: dict[str, Any]) -> str | None:
    """Why the banner should change, or None when the difference is noise."""
    if old is None:
        return "no banner yet"
    if sorted(old.get("delay_reasons") or []) != sorted(new.get("delay_reasons") or []):
        return "the delays to mention changed"
    if (old.get("closure_until") or None) != (new.get("closure_until") or None):
        return "the Spring Festival notice changed"
    before = {tuple(r["countries"]): (r["low"], r["high"]) for r in old.get("ranges") or []}
    for entry in new.get("ranges") or []:
        countries = tuple(entry["countries"])
        if countries not in before:
            return f"new destinations: {', '.join(countries)}"
        low, high = before[countries]
        if abs(low - entry["low"]) >= MATERIAL_DAYS or abs(high - entry["high"]) >= MATERIAL_DAYS:
            return f"{', '.join(countries)}: {low}–{high} → {entry['low']}–{entry['high']} days"
    if len(before) != len(new.get("ranges") or []):
        return "destinations changed"
    return None


class BannerUpdateProducer:
    kinds: tuple[str, ...] = ("banner_update",)

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        found = banner_facts(session, shop=shop, context=context)
        if not found.ranges:
            return []
        facts = found.facts(shop)
        stored = json_facts(facts)
        digest = hashlib.sha256(json.dumps(stored, sort_keys=True).encode()).hexdigest()[:12]
        current = current_banners(session, shop=shop)
        steps, changes = [], []
        for language in banner_languages(session, shop=shop, context=context):
            old = current.get(language)
            change = material_change(old.facts if old is not None else None, stored)
            if change is None:
                continue
            rendered = draft(session, shop_id=shop.id, situation="shop_banner", locale=language, facts=facts)
            message, is_draft = save_draft(
                session,
                shop_id=shop.id,
                shop_code=shop.code,
                idempotency_key=f"shop_banner:{language}:{digest}",
                rendered=rendered,
                recipient=Recipient(kind=RecipientKind.SHOP, channel="export"),
                facts=stored,
                now=context.now,
            )
            if is_draft:
                steps.append(message_step(rendered, message, order=None, to="shop"))
                changes.append(change)
        if not steps:
            return []
        ranges = Joined(
            tuple(
                phrase(
                    "%(countries)s %(low)s–%(high)s d",
                    countries="/".join(r["countries"]),
                    low=str(r["low"]),
                    high=str(r["high"]),
                )
                for r in found.ranges
            ),
            "; ",
        )
        parts = [phrase("Delivery times from the shop's own parcels (p50–p90): %(ranges)s.", ranges=ranges)]
        if found.closure_until:
            parts.append(phrase("Spring Festival: suppliers back on %(day)s.", day=Day(found.closure_until)))
        if found.delay_reasons:
            reasons = Joined(tuple(REASON_CODES.get(code, code) for code in found.delay_reasons))
            parts.append(phrase("Delays to mention: %(reasons)s.", reasons=reasons))
        why = phrase("%(text)s", text=Joined(tuple(parts), " "))
        return [
            Action(
                kind="banner_update",
                key="banner_update",
                subject_kind="shop",
                subject=shop.code,
                due=context.today,
                title=(
                    title := phrase(
                        "Update the shop banner in %(languages)s language(s): %(change)s",
                        languages=len(steps),
                        change=CHANGE_WORDS.get(changes[0], changes[0]),
                    )
                ).english(),
                title_phrase=title,
                why=why.english(),
                why_phrase=why,
                value_at_risk=_recent_sales(session, shop, context),
                weight=0.3,
                figures={"ranges": found.ranges, "delay_reasons": found.delay_reasons, "changes": changes}
                | {"closure_until": found.closure_until.isoformat() if found.closure_until else None},
                steps=steps,
            )
        ]

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        done = queue_message_steps(session, shop=shop, action=action, context=context)
        return [*done, "paste each banner into the shop's notice (tradewind messages export --situation shop_banner)"]


def _recent_sales(session: Session, shop: Shop, context: BriefContext) -> Any:
    from decimal import Decimal

    from sqlalchemy import func

    total = session.scalar(
        select(func.sum(Order.total)).where(
            Order.shop_id == shop.id, Order.placed_at >= context.now - timedelta(days=7)
        )
    )
    # A clearer banner converts a few more first visits: count a small share of a week's sales.
    return (Decimal(total or 0) * Decimal("0.02")).quantize(Decimal("0.01"))


def render_banner(session: Session, *, shop: Shop, locale: str, context: BriefContext) -> Rendered:
    """The banner as it would read today (without storing anything)."""
    return draft(
        session,
        shop_id=shop.id,
        situation="shop_banner",
        locale=locale,
        facts=banner_facts(session, shop=shop, context=context).facts(shop),
    )
