"""Message templates a shop overrides, the outbox (idempotent: one notice per situation and order, claimed with a
lease while a worker delivers it, every state change an event row), and incoming buyer messages with their triage."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradewind.db.base import Base, ShopOwned, str_enum, utcnow


class MessageTemplate(ShopOwned, Base):
    """A shop's own wording for a situation in a locale; the shipped templates apply where there is none."""

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("shop_id", "situation", "locale"),)

    situation: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)


class OutboxState(enum.StrEnum):
    DRAFT = "draft"
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RecipientKind(enum.StrEnum):
    BUYER = "buyer"
    SUPPLIER = "supplier"
    SHOP = "shop"


class OutboxMessage(ShopOwned, Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("shop_id", "idempotency_key"),
        Index("ix_outbox_messages_state", "shop_id", "state"),
    )

    idempotency_key: Mapped[str] = mapped_column(String(200))
    situation: Mapped[str] = mapped_column(String(64))
    recipient_kind: Mapped[RecipientKind] = mapped_column(str_enum(RecipientKind))
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id", ondelete="SET NULL"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(32), default="export")
    address: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # An HTML alternative of `body` (the morning digest); None: the message is plain text only.
    body_html: Mapped[str | None] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[OutboxState] = mapped_column(str_enum(OutboxState), default=OutboxState.DRAFT)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The RFC 5322 Message-ID, derived from the idempotency key: a resend after a crash carries the same one.
    mail_message_id: Mapped[str | None] = mapped_column(String(250))
    # A worker's claim: nobody else delivers the message until the lease runs out.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claim_expires_at: Mapped[datetime | None]
    queued_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]


class OutboxEvent(ShopOwned, Base):
    """One change of an outbox message's state (or of its text): the message's timeline."""

    __tablename__ = "outbox_events"

    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64), default="tradewind")
    note: Mapped[str | None] = mapped_column(Text)


class InboundMessage(ShopOwned, Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("shop_id", "external_id"),)

    external_id: Mapped[str] = mapped_column(String(100))
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id", ondelete="SET NULL"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    received_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    intent: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float | None]
    answered_at: Mapped[datetime | None]
    triaged_at: Mapped[datetime | None]
    # The triage stored when the message arrives (messaging.triage): the brief reads it and loads no language model.
    language_confidence: Mapped[float | None]
    triage_order: Mapped[str | None] = mapped_column(String(64))  # the order number found, or the first in the text
    triage_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    triage_model: Mapped[str | None] = mapped_column(String(64))  # the models' version; None: not triaged yet


class MailTls(enum.StrEnum):
    NONE = "none"  # plain SMTP (a relay on the same host or network)
    STARTTLS = "starttls"  # connect in plain text, then upgrade (usually port 587)
    TLS = "tls"  # implicit TLS from the first byte (usually port 465)


class ShopMailServer(ShopOwned, Base):
    """The SMTP server a shop's e-mail leaves through. The password is kept as given (logging in needs it) and is
    never shown back: the dashboard says only whether one is set."""

    __tablename__ = "shop_mail_servers"
    __table_args__ = (UniqueConstraint("shop_id"),)

    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int]
    username: Mapped[str | None] = mapped_column(String(200))
    password: Mapped[str | None] = mapped_column(String(500))
    from_address: Mapped[str] = mapped_column(String(200))
    tls: Mapped[MailTls] = mapped_column(str_enum(MailTls), default=MailTls.STARTTLS)
    # The dashboard's address as the owners reach it, for the links in the digest (e.g. https://shop.example.com).
    dashboard_url: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(200))
