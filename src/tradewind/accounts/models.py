"""Who may use Tradewind: users, their role in each shop they belong to, API tokens, browser sessions and the
login attempts that rate-limit guessing. Secrets are never stored: passwords as argon2 hashes, tokens and session
cookies as SHA-256 digests (they are long random strings, so a fast digest is enough)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradewind.db.base import Base, IdMixin, ShopOwned, str_enum, utcnow


class Role(enum.StrEnum):
    OWNER = "owner"  # everything, including who else may see the shop
    STAFF = "staff"  # works the brief: apply, dismiss, snooze, edit drafts, register disruptions
    VIEWER = "viewer"  # reads only


class User(IdMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    memberships: Mapped[list[ShopMembership]] = relationship(back_populates="user", cascade="all, delete-orphan")


class ShopMembership(ShopOwned, Base):
    """A user's role in one shop; a user sees the shops they are a member of, and nothing else."""

    __tablename__ = "shop_memberships"
    __table_args__ = (UniqueConstraint("shop_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")


class ApiToken(IdMixin, Base):
    """A bearer token for scripts and integrations; it acts as its user. Only the digest is kept."""

    __tablename__ = "api_tokens"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to recognise a token in a list
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WebSession(IdMixin, Base):
    """A signed-in browser: the cookie holds a random token, the row its digest and the form (CSRF) token."""

    __tablename__ = "web_sessions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class LoginAttempt(IdMixin, Base):
    """One try at signing in, kept for the rate limit (per e-mail and per client address)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_client_at", "client", "at"),
    )

    email: Mapped[str] = mapped_column(String(200))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    succeeded: Mapped[bool]


class WebhookSecret(ShopOwned, Base):
    """The key a shop's tracking provider signs its webhooks with (HMAC-SHA256). Kept as given, not as a digest:
    checking a signature needs the key itself. One per shop: a provider that knows one shop's key cannot write
    into another's parcels."""

    __tablename__ = "webhook_secrets"
    __table_args__ = (UniqueConstraint("shop_id"),)

    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
