"""Drafting messages (the shop's own wording first, the shipped templates otherwise), the shop's template overrides,
and the seller's edits; the outbox itself lives in `outbox`. The messaging domain's public surface: what the brief
uses of the outbox (queueing and cancelling its digest, a rendered message) and of `voice` (one message per order)
is re-exported here by name.

Services take a session and never commit: the edge (CLI command, API request, job) owns the transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradewind.db.session import memoized
from tradewind.errors import ValidationError
from tradewind.messaging.models import MessageTemplate, OutboxMessage, OutboxState
from tradewind.messaging.outbox import Recipient as Recipient
from tradewind.messaging.outbox import cancel_message as cancel_message
from tradewind.messaging.outbox import edit_message, list_outbox
from tradewind.messaging.outbox import queue_message as queue_message
from tradewind.messaging.situations import sample_facts, situation
from tradewind.messaging.templates import Rendered as Rendered
from tradewind.messaging.templates import TemplateSource, check_template, render, validate_locale
from tradewind.messaging.voice import one_message_per_order as one_message_per_order
from tradewind.shops.models import Shop


def shop_templates(session: Session, *, shop_id: int) -> dict[tuple[str, str], TemplateSource]:
    """The shop's own wordings by (situation, locale): a handful of rows, read in one query once per `read_memo`
    (the brief drafts hundreds of messages in dozens of situations and locales; it read them one pair at a time)."""

    def read() -> dict[tuple[str, str], TemplateSource]:
        rows = session.execute(
            select(MessageTemplate.situation, MessageTemplate.locale, MessageTemplate.subject, MessageTemplate.body)
            .where(MessageTemplate.shop_id == shop_id)
            .order_by(MessageTemplate.id)
        )
        return {
            (situation, locale): TemplateSource(subject=subject, body=body) for situation, locale, subject, body in rows
        }

    return memoized(session, ("shop_templates", shop_id), read)


def draft(session: Session, *, shop_id: int, situation: str, locale: str, facts: dict[str, Any]) -> Rendered:
    """Render a message with the shop's own wording when it has one, else the shipped template."""
    wanted = validate_locale(locale)
    own = shop_templates(session, shop_id=shop_id)
    override = own.get((situation, wanted))
    if override is None and "_" in wanted:
        override = own.get((situation, wanted.split("_")[0]))
    return render(situation, wanted, facts, override=override)


def set_shop_template(
    session: Session, *, shop: Shop, situation_name: str, locale: str, subject: str, body: str
) -> MessageTemplate:
    """Store the shop's own wording for a situation and locale, after checking it parses and renders with realistic
    facts (a broken template is refused: nothing is stored)."""
    situation(situation_name)
    wanted = validate_locale(locale)
    source = TemplateSource(subject=subject.strip(), body=body)
    name = f"{situation_name}/{wanted} (shop template)"
    check_template(source, name=name)
    render(situation_name, wanted, sample_facts(situation_name), override=source)
    row = session.scalar(
        select(MessageTemplate).where(
            MessageTemplate.shop_id == shop.id,
            MessageTemplate.situation == situation_name,
            MessageTemplate.locale == wanted,
        )
    )
    if row is None:
        row = MessageTemplate(shop_id=shop.id, situation=situation_name, locale=wanted, subject="", body="")
        session.add(row)
    row.subject, row.body = source.subject, source.body
    session.flush()
    return row


def edit_draft(
    session: Session,
    *,
    shop: Shop,
    message_id: int,
    subject: str | None = None,
    body: str | None = None,
    now: datetime,
    actor: str = "seller",
) -> OutboxMessage:
    """The seller's own words for a message before it goes (a draft, or queued and not being sent)."""
    return edit_message(
        session, shop_id=shop.id, message_id=message_id, subject=subject, body=body, now=now, actor=actor
    )


def outbox(session: Session, *, shop_id: int, state: OutboxState | None = None) -> list[OutboxMessage]:
    return list_outbox(session, shop_id=shop_id, state=state)


def queued_per_channel(session: Session, *, shop_id: int) -> dict[str, int]:
    """How many of the shop's messages wait in the queue, per channel ("email", "export"); a channel with none
    queued is left out."""
    rows = session.execute(
        select(OutboxMessage.channel, func.count())
        .where(OutboxMessage.shop_id == shop_id, OutboxMessage.state == OutboxState.QUEUED)
        .group_by(OutboxMessage.channel)
    )
    return {channel: int(n) for channel, n in rows.all()}


def json_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts as they are stored with a message and shown in the brief: money as {amount, currency}, days as ISO."""
    clean: dict[str, Any] = {}
    for name, value in facts.items():
        if isinstance(value, tuple) and len(value) == 2:
            clean[name] = {"amount": str(value[0]), "currency": value[1]}
        elif isinstance(value, date | datetime):
            clean[name] = value.isoformat()
        elif isinstance(value, list):
            clean[name] = [json_facts(v) if isinstance(v, dict) else v for v in value]
        elif isinstance(value, dict):
            clean[name] = json_facts(value)
        else:
            clean[name] = value
    return clean


def require_text(text: str, what: str) -> str:
    if not text.strip():
        raise ValidationError(f"{what} cannot be empty")
    return text
