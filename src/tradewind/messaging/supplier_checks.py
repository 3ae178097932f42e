"""`supplier_check`: a supplier whose status or restock date is unknown or stale gets a message in its language
(zh or en): a status check, a restock-date request when it is closed with no date, a second message when the first
has waited too long; and, while lanes are disrupted, the most responsive supplier is asked which shipping method
works. Applying the action queues the message and records it in the supplier's thread (so its silence is measured).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.action import Action, BriefContext, StoredAction
from tradewind.logistics.schemas import KIND_CODES
from tradewind.logistics.service import list_disruptions
from tradewind.messaging.delays import spring_festival_closure
from tradewind.messaging.models import OutboxMessage, OutboxState, RecipientKind
from tradewind.messaging.notices import message_step
from tradewind.messaging.outbox import Recipient, cancel_stale_drafts, find_by_key, queue_message, save_draft
from tradewind.messaging.service import draft, json_facts
from tradewind.messaging.settings import messaging_settings
from tradewind.messaging.situations import SUPPLIER_LOCALES
from tradewind.messaging.templates import Rendered
from tradewind.shops.models import Shop
from tradewind.suppliers.models import MessageDirection, Supplier
from tradewind.suppliers.schemas import RESPONSE_TIMES
from tradewind.suppliers.service import (
    CheckRules,
    SupplierCheck,
    SupplierRoster,
    checks_due,
    fastest_responder,
    record_supplier_message,
    supplier_roster,
    value_at_risk,
)
from tradewind.wording import Joined, Number, phrase

SITUATIONS = ("supplier_status_check", "restock_date_request", "shipping_advice_request")
ADVICE_EVERY_DAYS = 30


def _supplier_locale(supplier: Supplier) -> str:
    language = (supplier.language or "zh").split("_")[0]
    return language if language in SUPPLIER_LOCALES else "en"


class SupplierCheckProducer:
    """Composes the suppliers' checks (suppliers/checks.py: who needs one and why) into actions with a drafted
    message each."""

    kinds: tuple[str, ...] = ("supplier_check",)

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        config = messaging_settings(context.settings)
        roster = supplier_roster(session, shop_id=shop.id, today=context.today)
        if not roster.suppliers:
            return []
        rules = CheckRules(
            silence_hours=context.settings.supplier_silence_hours, stale_days=config.supplier_status_stale_days
        )
        checks = checks_due(
            roster,
            now=context.now,
            today=context.today,
            closure=spring_festival_closure(context.today, context.settings),
            rules=rules,
        )
        risk = value_at_risk(session, supplier_ids=[s.id for s in roster.suppliers])
        found: list[Action] = []
        keep: set[str] = set()
        for check in checks:
            keep.add(check.key)
            action = self._action(session, shop, check, risk[check.supplier.id], context)
            if action is not None:
                found.append(action)
        advice = self._advice(session, shop, roster, risk, context)
        if advice is not None:
            keep.add(advice.steps[0]["idempotency_key"])
            found.append(advice)
        for situation in SITUATIONS:
            cancel_stale_drafts(
                session, shop_id=shop.id, situation=situation, keep=keep, now=context.now, prefix=f"{situation}:"
            )
        return found

    def _action(
        self, session: Session, shop: Shop, check: SupplierCheck, risk: Decimal, context: BriefContext
    ) -> Action | None:
        supplier, situation, key, times = check.supplier, check.why.situation, check.key, check.times
        reason_phrase = check.why.reason
        facts: dict[str, Any] = {
            "supplier_name": supplier.name,
            "shop_name": shop.name,
            "skus": list(check.skus[:5]),
            "chase": check.why.chase,
            "reopens_on": check.report.reopens_on if check.report else None,
        }
        existing = find_by_key(session, shop_id=shop.id, idempotency_key=key)
        if existing is not None and existing.state != OutboxState.DRAFT:
            return None
        rendered = draft(session, shop_id=shop.id, situation=situation, locale=_supplier_locale(supplier), facts=facts)
        message, _ = save_draft(
            session,
            shop_id=shop.id,
            shop_code=shop.code,
            idempotency_key=key,
            rendered=rendered,
            recipient=_recipient(supplier, context),
            facts=json_facts(facts),
            now=context.now,
        )
        step = message_step(rendered, message, order=None, to="supplier") | {
            "supplier": supplier.code,
            "supplier_id": supplier.id,
        }
        median, waiting = times.median_hours, times.waiting_since
        reason = reason_phrase.english()
        asks = {
            ("supplier_status_check", False): phrase("Ask %(name)s for its status: %(reason)s"),
            ("supplier_status_check", True): phrase("Ask %(name)s for its status again: %(reason)s"),
            ("restock_date_request", False): phrase("Ask %(name)s for a restock date: %(reason)s"),
            ("restock_date_request", True): phrase("Ask %(name)s for a restock date again: %(reason)s"),
        }
        title = phrase(asks[situation, bool(facts["chase"])].msgid, name=supplier.name, reason=reason_phrase)
        return Action(
            kind="supplier_check",
            key=f"supplier_check:{supplier.code}",
            subject_kind="supplier",
            subject=supplier.code,
            due=context.today,
            title=title.english(),
            title_phrase=title,
            why=(
                why := phrase(
                    "%(name)s: %(reason)s. %(usually)sPlanning counts a supplier with an unknown or stale status as "
                    "uncertain.",
                    name=supplier.name,
                    reason=reason_phrase,
                    usually=phrase("It usually answers in %(hours)s h. ", hours=Number.of(median, 0, grouped=False))
                    if median is not None
                    else "",
                )
            ).english(),
            why_phrase=why,
            value_at_risk=risk,
            weight=0.8,
            figures={
                "supplier": supplier.code,
                "situation": situation,
                "reason": reason,
                "skus": facts["skus"],
                "median_response_hours": RESPONSE_TIMES.round("median_hours", median),
                "unanswered_since": waiting.isoformat() if waiting else None,
                "language": rendered.locale,
                "outbox_id": message.id,
            },
            steps=[step],
        )

    def _advice(
        self,
        session: Session,
        shop: Shop,
        roster: SupplierRoster,
        risk: dict[int, Decimal],
        context: BriefContext,
    ) -> Action | None:
        disruptions = list_disruptions(session, shop=shop, on=context.today)
        if not disruptions:
            return None
        recent = session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.shop_id == shop.id,
                OutboxMessage.situation == "shipping_advice_request",
                OutboxMessage.state.in_([OutboxState.QUEUED, OutboxState.SENT]),
                OutboxMessage.created_at >= context.now - timedelta(days=ADVICE_EVERY_DAYS),
            )
        )
        if recent is not None:
            return None
        fastest = fastest_responder(roster)
        if fastest is None:
            return None
        supplier, median = fastest
        destinations = sorted({d.destination_country for d in disruptions if d.destination_country})
        methods = sorted({d.method_code for d in disruptions if d.method_code})
        facts = {
            "supplier_name": supplier.name,
            "shop_name": shop.name,
            "destinations": destinations or ["RU", "US", "BR"],
            "methods": methods,
        }
        key = f"shipping_advice_request:{supplier.code}:{context.today:%Y%m}"
        rendered = draft(
            session,
            shop_id=shop.id,
            situation="shipping_advice_request",
            locale=_supplier_locale(supplier),
            facts=facts,
        )
        message, is_draft = save_draft(
            session,
            shop_id=shop.id,
            shop_code=shop.code,
            idempotency_key=key,
            rendered=rendered,
            recipient=_recipient(supplier, context),
            facts=json_facts(facts),
            now=context.now,
        )
        if not is_draft:
            return None
        step = message_step(rendered, message, order=None, to="supplier") | {
            "supplier": supplier.code,
            "supplier_id": supplier.id,
        }
        title = phrase(
            "Ask %(name)s which shipping method works now (%(count)s disruption(s) on record)",
            name=supplier.name,
            count=len(disruptions),
        )
        return Action(
            kind="supplier_check",
            key="supplier_check:shipping_advice",
            subject_kind="supplier",
            subject=supplier.code,
            due=context.today,
            title=title.english(),
            title_phrase=title,
            why=(
                why := phrase(
                    "%(kinds)s in force; suppliers ship every day and know which routes move. %(name)s answers "
                    "fastest (median %(hours)s h).",
                    kinds=Joined(tuple(KIND_CODES[d.kind] for d in disruptions)),
                    name=supplier.name,
                    hours=Number.of(median, 0, grouped=False),
                )
            ).english(),
            why_phrase=why,
            value_at_risk=risk[supplier.id],
            weight=0.5,
            figures={"supplier": supplier.code, "situation": "shipping_advice_request", "outbox_id": message.id},
            steps=[step],
        )

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        done = []
        for step in action.steps:
            if step.get("type") != "message":
                continue
            supplier = session.scalar(
                select(Supplier).where(Supplier.shop_id == shop.id, Supplier.code == step["supplier"])
            )
            if supplier is None:
                done.append(f"supplier {step['supplier']} is no longer in Tradewind: nothing sent")
                continue
            rendered = Rendered(
                situation=step["situation"],
                locale=step["locale"],
                requested_locale=step["locale"],
                subject=step["subject"],
                body=step["body"],
            )
            message, queued = queue_message(
                session,
                shop_id=shop.id,
                shop_code=shop.code,
                idempotency_key=step["idempotency_key"],
                rendered=rendered,
                recipient=_recipient(supplier, context),
                facts=dict(action.figures),
                now=context.now,
                action_id=action.id,
                actor="seller",
            )
            if queued:
                record_supplier_message(
                    session,
                    shop=shop,
                    supplier_code=supplier.code,
                    direction=MessageDirection.OUTGOING,
                    text=f"{message.subject}\n\n{message.body}",
                    at=context.now,
                    language=message.locale,
                )
                done.append(
                    f"queued message #{message.id} ({message.locale}, {message.channel}) to {supplier.code}; "
                    "recorded in its thread"
                )
            else:
                done.append(f"message #{message.id} to {supplier.code} already {message.state.value}")
        return done


def _recipient(supplier: Supplier, context: BriefContext) -> Recipient:
    channel = messaging_settings(context.settings).supplier_channel
    if channel == "email" and not supplier.email:
        channel = "export"
    return Recipient(kind=RecipientKind.SUPPLIER, supplier_id=supplier.id, address=supplier.email, channel=channel)
