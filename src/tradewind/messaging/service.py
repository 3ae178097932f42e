"""Drafts and the outbox: one message per (situation, recipient record), never the same notice twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.messaging.models import MessageTemplate, OutboxMessage, OutboxState, RecipientKind
from tradewind.messaging.templates import Rendered, TemplateSource, render


def shop_template(session: Session, *, shop_id: int, situation: str, locale: str) -> TemplateSource | None:
    row = session.scalar(
        select(MessageTemplate).where(
            MessageTemplate.shop_id == shop_id,
            MessageTemplate.situation == situation,
            MessageTemplate.locale == locale,
        )
    )
    return None if row is None else TemplateSource(subject=row.subject, body=row.body)


def draft(session: Session, *, shop_id: int, situation: str, locale: str, facts: dict[str, Any]) -> Rendered:
    """Render a message with the shop's own wording when it has one, else the shipped template."""
    override = shop_template(session, shop_id=shop_id, situation=situation, locale=locale)
    return render(situation, locale, facts, override=override)


def queue_message(
    session: Session,
    *,
    shop_id: int,
    idempotency_key: str,
    rendered: Rendered,
    recipient_kind: RecipientKind,
    facts: dict[str, Any],
    now: datetime,
    buyer_id: int | None = None,
    supplier_id: int | None = None,
    order_id: int | None = None,
    action_id: int | None = None,
    address: str | None = None,
    channel: str = "export",
) -> tuple[OutboxMessage, bool]:
    """Put a message in the outbox once per idempotency key; returns (message, created)."""
    existing = session.scalar(
        select(OutboxMessage).where(OutboxMessage.shop_id == shop_id, OutboxMessage.idempotency_key == idempotency_key)
    )
    if existing is not None:
        return existing, False
    message = OutboxMessage(
        shop_id=shop_id,
        idempotency_key=idempotency_key,
        situation=rendered.situation,
        recipient_kind=recipient_kind,
        buyer_id=buyer_id,
        supplier_id=supplier_id,
        order_id=order_id,
        action_id=action_id,
        channel=channel,
        address=address,
        locale=rendered.locale,
        subject=rendered.subject,
        body=rendered.body,
        facts=facts,
        state=OutboxState.QUEUED,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message, True


def outbox(session: Session, *, shop_id: int, state: OutboxState | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.shop_id == shop_id).order_by(OutboxMessage.id)
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    return list(session.scalars(query))
