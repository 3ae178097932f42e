"""Accounts: creating users and granting them shops, signing in (argon2, rate-limited), browser sessions with
their form token, and API tokens. Services take a session and never commit; the request or command owns it."""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from tradewind.accounts.models import ApiToken, LoginAttempt, Role, ShopMembership, User, WebhookSecret, WebSession
from tradewind.db.changes import mark_shop_changed
from tradewind.errors import NotFoundError, TradewindError, ValidationError
from tradewind.shops.models import Shop
from tradewind.wording import LOCALES as BRIEF_LOCALES

TOKEN_PREFIX = "tw_"
# A user's interface language is one the brief speaks too (en, zh, ru): the dashboard's menus and the brief's
# titles and reasons read in the same language.
LOCALES = BRIEF_LOCALES
WRITE_ROLES = frozenset({Role.OWNER, Role.STAFF})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class AuthenticationError(TradewindError):
    code = "unauthenticated"
    exit_code = 2
    http_status = 401


class PermissionDeniedError(TradewindError):
    code = "forbidden"
    exit_code = 2
    http_status = 403


class TooManyAttemptsError(TradewindError):
    code = "too_many_attempts"
    exit_code = 2
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after_seconds": retry_after})
        self.retry_after = retry_after


@dataclass(frozen=True)
class AccountRules:
    """How long sessions last, how many wrong passwords are allowed, and how hard password hashes are."""

    session_hours: int = 24 * 14
    idle_hours: int = 24 * 3
    login_max_failures: int = 5  # per e-mail (and 4× that per client address) within the window
    login_window_minutes: int = 15
    password_min_length: int = 10
    # argon2id parameters (the argon2-cffi defaults, RFC 9106's second recommendation); tests may lower them.
    hash_time_cost: int = 3
    hash_memory_kib: int = 65536
    hash_parallelism: int = 4

    def hasher(self) -> PasswordHasher:
        return PasswordHasher(
            time_cost=self.hash_time_cost, memory_cost=self.hash_memory_kib, parallelism=self.hash_parallelism
        )


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 200:
        raise ValidationError(f"not an e-mail address: {email!r}")
    return cleaned


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise ValidationError(f"interface language must be one of {', '.join(LOCALES)}, not {locale!r}")
    return locale


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise ValidationError(f"role must be owner, staff or viewer, not {text!r}") from None


# --- users and shops -----------------------------------------------------------------------------------------------


def find_user(session: Session, *, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def get_user(session: Session, *, email: str) -> User:
    user = find_user(session, email=email)
    if user is None:
        raise NotFoundError(f"no user {email!r}", details={"user": email})
    return user


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    name: str | None = None,
    locale: str = "en",
    rules: AccountRules | None = None,
) -> User:
    config = rules or AccountRules()
    address = normalise_email(email)
    if find_user(session, email=address) is not None:
        raise ValidationError(f"a user {address!r} exists already")
    user = User(
        email=address,
        name=(name or address.split("@")[0]).strip()[:200],
        password_hash=hash_password(password, config),
        locale=check_locale(locale),
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def hash_password(password: str, rules: AccountRules) -> str:
    if len(password) < rules.password_min_length:
        raise ValidationError(f"a password needs at least {rules.password_min_length} characters")
    return rules.hasher().hash(password)


def set_password(session: Session, *, user: User, password: str, rules: AccountRules | None = None) -> None:
    user.password_hash = hash_password(password, rules or AccountRules())
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))  # sign out everywhere
    session.flush()


def set_locale(session: Session, *, user: User, locale: str) -> None:
    user.locale = check_locale(locale)
    session.flush()


def grant(session: Session, *, user: User, shop: Shop, role: Role) -> tuple[ShopMembership, bool]:
    """Give `user` a role in `shop` (or change it); returns (membership, changed)."""
    membership = session.scalar(
        select(ShopMembership).where(ShopMembership.user_id == user.id, ShopMembership.shop_id == shop.id)
    )
    if membership is None:
        membership = ShopMembership(user_id=user.id, shop_id=shop.id, role=role)
        session.add(membership)
        session.flush()
        return membership, True
    if membership.role == role:
        return membership, False
    membership.role = role
    session.flush()
    return membership, True


# The queries every request runs (who is asking, which shop), built once: building a statement costs more than
# running it on an indexed column.
_SHOPS_OF_USER = (
    select(Shop, ShopMembership.role)
    .join(ShopMembership, ShopMembership.shop_id == Shop.id)
    .where(ShopMembership.user_id == bindparam("user_id"))
    .order_by(Shop.code)
)
_SHOP_OF_USER = (
    select(Shop, ShopMembership.role)
    .join(ShopMembership, ShopMembership.shop_id == Shop.id)
    .where(ShopMembership.user_id == bindparam("user_id"), Shop.code == bindparam("shop_code"))
)
_USER_BY_SESSION = (
    select(User, WebSession).join(WebSession, WebSession.user_id == User.id).where(WebSession.digest == bindparam("d"))
)
_USER_BY_TOKEN = (
    select(User, ApiToken).join(ApiToken, ApiToken.user_id == User.id).where(ApiToken.digest == bindparam("d"))
)


def shops_of(session: Session, *, user_id: int) -> list[tuple[Shop, Role]]:
    """The shops a user belongs to, with their role, by shop code."""
    rows = session.execute(_SHOPS_OF_USER, {"user_id": user_id})
    return [(shop, role) for shop, role in rows]


def shop_for(session: Session, *, user_id: int, shop_code: str) -> tuple[Shop, Role]:
    """The shop `shop_code` and the user's role in it. A shop the user does not belong to is 'not found', exactly
    like one that does not exist, so that nobody learns which shops exist."""
    row = session.execute(_SHOP_OF_USER, {"user_id": user_id, "shop_code": shop_code}).first()
    if row is None:
        raise NotFoundError(f"no shop {shop_code!r}", details={"shop": shop_code})
    return row[0], row[1]


def require_write(role: Role) -> None:
    if role not in WRITE_ROLES:
        raise PermissionDeniedError("a viewer can look but not change anything in this shop", details={"role": role})


def require_owner(role: Role) -> None:
    if role != Role.OWNER:
        raise PermissionDeniedError("only an owner of the shop can do this", details={"role": role})


# --- signing in ----------------------------------------------------------------------------------------------------


def authenticate(
    session: Session, *, email: str, password: str, client: str, now: datetime, rules: AccountRules | None = None
) -> User | None:
    """The user with this e-mail and password, or None when they do not match. Every try is recorded (so the caller
    commits a failed one too); too many failures in the window (for the e-mail, or from the client address) raise
    `TooManyAttemptsError` until the window has passed, right password or not."""
    config = rules or AccountRules()
    address = email.strip().lower()[:200]
    client = client[:64]
    _check_rate(session, email=address, client=client, now=now, rules=config)
    forget_old_attempts(session, now=now, rules=config)  # what the window no longer counts: the table stays small
    user = session.scalar(select(User).where(User.email == address))
    if user is None or not user.active:
        # The same argon2 work as for a known address, so that the answer's time does not tell who has an account.
        _verify_dummy(password, config)
        ok = False
    else:
        ok = _verify(user, password, config)
    session.add(LoginAttempt(email=address, client=client, at=now, succeeded=ok))
    session.flush()
    if not ok or user is None:
        return None
    user.last_login_at = now
    return user


def _verify(user: User, password: str, rules: AccountRules) -> bool:
    hasher = rules.hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


@functools.lru_cache(maxsize=4)
def _dummy_hash(rules: AccountRules) -> str:
    return rules.hasher().hash(secrets.token_urlsafe(16))


def _verify_dummy(password: str, rules: AccountRules) -> None:
    with contextlib.suppress(VerificationError, InvalidHashError):
        rules.hasher().verify(_dummy_hash(rules), password)


def _check_rate(session: Session, *, email: str, client: str, now: datetime, rules: AccountRules) -> None:
    """Failures within the window before `now` (the real time: never a `--today`), per e-mail and per client
    address. A successful sign-in ends the e-mail's count (its owner knows the password) but not the address's:
    otherwise an attacker could sign in to an account of their own between guesses. Attempts dated after `now`
    (recorded by a server whose clock was ahead) do not count."""
    since = now - timedelta(minutes=rules.login_window_minutes)
    for column, value, limit, reset_by_success in (
        (LoginAttempt.email, email, rules.login_max_failures, True),
        (LoginAttempt.client, client, rules.login_max_failures * 4, False),
    ):
        start = since
        if reset_by_success:
            last_success = session.scalar(
                select(func.max(LoginAttempt.at)).where(
                    column == value, LoginAttempt.succeeded, LoginAttempt.at >= since, LoginAttempt.at <= now
                )
            )
            start = max(since, last_success) if last_success is not None else since
        failures = session.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(
                column == value, LoginAttempt.at >= start, LoginAttempt.at <= now, LoginAttempt.succeeded.is_(False)
            )
        ).one()
        if failures[0] >= limit:
            oldest = failures[1]
            retry = int((oldest + timedelta(minutes=rules.login_window_minutes) - now).total_seconds()) + 1
            raise TooManyAttemptsError(
                f"too many failed sign-ins: try again in {max(retry, 1) // 60 + 1} minutes", retry_after=max(retry, 1)
            )


def forget_old_attempts(session: Session, *, now: datetime, rules: AccountRules | None = None) -> int:
    """Delete login attempts older than the window (they no longer count)."""
    config = rules or AccountRules()
    result = session.execute(
        delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(minutes=config.login_window_minutes))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- browser sessions ----------------------------------------------------------------------------------------------


def masked(secret: str) -> str:
    """A form token as a page shows it: XOR-ed with a fresh random pad, the pad in front (URL-safe base64). Every
    response then carries different bytes for the same token, so a compressed page that also echoes what a
    visitor typed cannot be used to find the token a byte at a time (the BREACH attack on HTTP compression).
    `matches_masked` checks what comes back."""
    raw = secret.encode()
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(pad, raw, strict=True))).decode("ascii")


def matches_masked(given: str, secret: str) -> bool:
    """Whether `given` is `secret` as `masked` shows it (any pad); compared in constant time."""
    expected = secret.encode()
    try:
        raw = base64.urlsafe_b64decode(given.encode("ascii"))
    except (UnicodeEncodeError, binascii.Error, ValueError):
        return False
    if not expected or len(raw) != 2 * len(expected):
        return False
    pad, hidden = raw[: len(expected)], raw[len(expected) :]
    return hmac.compare_digest(bytes(a ^ b for a, b in zip(pad, hidden, strict=True)), expected)


def start_session(
    session: Session, *, user: User, now: datetime, rules: AccountRules | None = None
) -> tuple[str, WebSession]:
    """A new signed-in session; returns the cookie value (shown once, stored only as a digest) and the row."""
    config = rules or AccountRules()
    token = secrets.token_urlsafe(32)
    row = WebSession(
        user_id=user.id,
        digest=digest(token),
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(hours=config.session_hours),
        last_seen_at=now,
    )
    session.add(row)
    session.flush()
    return token, row


def user_for_session(
    session: Session, *, token: str, now: datetime, rules: AccountRules | None = None
) -> tuple[User, WebSession] | None:
    """The signed-in user of a cookie, or None when it is unknown, expired or idle too long. Reads only: the
    caller notes the visit with `touch_session` now and then, in a short transaction of its own (a write on every
    request would serialise every page view on SQLite)."""
    if not token or len(token) > 200:
        return None
    config = rules or AccountRules()
    row = session.execute(_USER_BY_SESSION, {"d": digest(token)}).first()
    if row is None:
        return None
    user, web_session = row
    if not user.active or web_session.expires_at <= now:
        return None
    if now - web_session.last_seen_at > timedelta(hours=config.idle_hours):
        return None
    return user, web_session


def touch_session(session: Session, *, session_id: int, now: datetime) -> None:
    session.execute(update(WebSession).where(WebSession.id == session_id).values(last_seen_at=now))


def end_session(session: Session, *, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.digest == digest(token)))


def forget_expired_sessions(session: Session, *, now: datetime) -> int:
    result = session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- API tokens ----------------------------------------------------------------------------------------------------


def issue_token(
    session: Session, *, user: User, name: str, now: datetime, expires_at: datetime | None = None
) -> tuple[str, ApiToken]:
    """A new API token for `user`; the secret is returned once and stored only as a digest."""
    label = name.strip()
    if not label:
        raise ValidationError("give the token a name (what uses it)")
    if expires_at is not None and expires_at <= now:
        raise ValidationError("a token must expire after now")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=label[:100],
        digest=digest(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return secret, row


def user_for_token(session: Session, *, secret: str, now: datetime) -> tuple[User, ApiToken] | None:
    """The user of a live token (and the token), or None for an unknown, revoked or expired one. Reads only (see
    `user_for_session`); `touch_token` notes the use."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    row = session.execute(_USER_BY_TOKEN, {"d": digest(secret)}).first()
    if row is None:
        return None
    user, token = row
    if not user.active or token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    return user, token


def touch_token(session: Session, *, token_id: int, now: datetime) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def tokens_of(session: Session, *, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)))


def revoke_token(session: Session, *, user_id: int, token_id: int, now: datetime) -> ApiToken:
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.id == token_id))
    if token is None:
        raise NotFoundError(f"no token #{token_id}", details={"token": token_id})
    if token.revoked_at is None:
        token.revoked_at = now
        session.flush()
    return token


# --- webhook secrets -----------------------------------------------------------------------------------------------

WEBHOOK_SECRET_MIN_LENGTH = 16


def set_webhook_secret(session: Session, *, shop: Shop, secret: str | None = None) -> str:
    """Give `shop` its own tracking-webhook key: `secret` as the provider shows it, or a new random one. Returns
    the key (the caller shows it once, to paste into the provider's settings). Replaces the shop's previous key."""
    key = secrets.token_urlsafe(32) if secret is None else secret.strip()
    if len(key) < WEBHOOK_SECRET_MIN_LENGTH or len(key) > 200 or not key.isprintable():
        raise ValidationError(
            f"a webhook secret needs {WEBHOOK_SECRET_MIN_LENGTH} to 200 printable characters",
            details={"field": "secret"},
        )
    row = session.scalar(select(WebhookSecret).where(WebhookSecret.shop_id == shop.id))
    if row is None:
        session.add(WebhookSecret(shop_id=shop.id, secret=key))
    else:
        row.secret = key
    session.flush()
    return key


def clear_webhook_secret(session: Session, *, shop: Shop) -> bool:
    """Remove the shop's own key; returns whether it had one."""
    mark_shop_changed(session, shop.id)
    result = session.execute(delete(WebhookSecret).where(WebhookSecret.shop_id == shop.id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


_WEBHOOK_KEY_OF_SHOP = (
    select(Shop.id, WebhookSecret.secret)
    .outerjoin(WebhookSecret, WebhookSecret.shop_id == Shop.id)
    .where(Shop.code == bindparam("shop_code"))
)


def webhook_key(session: Session, *, shop_code: str, fallback: str | None) -> str | None:
    """The key that signs webhooks for `shop_code`: the shop's own; the server-wide `fallback` (the older
    TRADEWIND_TRACKING_WEBHOOK_SECRET) only for a shop without one of its own; None for an unknown shop or when
    there is no key (every call refused)."""
    row = session.execute(_WEBHOOK_KEY_OF_SHOP, {"shop_code": shop_code}).first()
    if row is None:
        return None
    own: str | None = row[1]
    return own if own is not None else (fallback or None)
