"""The outbox: every message Tradewind writes waits here, once per idempotency key, and moves
draft → queued → sent | failed | cancelled (a failed attempt goes back to queued with a back-off until it runs out of
attempts). Every change appends an `OutboxEvent`.

A worker claims a queued message with a lease (`claimed_by`, `claim_expires_at`) in one transaction, sends it outside
any transaction, and records the outcome in another. The claim is a compare-and-set on the row, so it works the same
on SQLite and PostgreSQL; a worker killed mid-way leaves a claim that expires, and the next worker sends the message
again with the same Message-ID (derived from the idempotency key). See docs/messaging.md for the exact guarantee.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, insert, or_, select, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from tradewind.db.changes import mark_shop_changed
from tradewind.errors import InvalidTransitionError, NotFoundError, StateChangedError, ValidationError
from tradewind.messaging.models import OutboxEvent, OutboxMessage, OutboxState, RecipientKind
from tradewind.messaging.templates import Rendered

S = OutboxState

TRANSITIONS: dict[OutboxState, frozenset[OutboxState]] = {
    S.DRAFT: frozenset({S.QUEUED, S.CANCELLED}),
    S.QUEUED: frozenset({S.SENT, S.FAILED, S.CANCELLED, S.QUEUED}),  # queued → queued: a retry after a failure
    S.FAILED: frozenset({S.QUEUED, S.CANCELLED}),
    S.SENT: frozenset(),
    S.CANCELLED: frozenset(),
}

CHANNELS = ("email", "export")
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 3600


def transition(
    message: OutboxMessage,
    to: OutboxState,
    *,
    at: datetime,
    actor: str = "tradewind",
    note: str | None = None,
    unclaimed_at: datetime | None = None,
) -> None:
    """Move a stored message to `to`, or raise saying why it cannot; appends the event row.

    The change is a compare-and-set on the row (`UPDATE … WHERE state = :from`): when another transaction changed
    the message first (a worker recording it sent while the seller cancels it, two cancels), this one raises
    `StateChangedError` and `message` holds the state that won. With `unclaimed_at`, the message must also not be
    claimed by a worker whose lease runs past that time (it may be on its way to the server)."""
    if to not in TRANSITIONS[message.state]:
        raise InvalidTransitionError(
            f"message #{message.id} is {message.state.value}: it cannot become {to.value}",
            details={"message": message.id, "state": message.state.value, "to": to.value},
        )
    session = object_session(message)
    if session is None or message.id is None:
        raise RuntimeError("an outbox message must be stored before its state changes")
    expected = message.state
    session.flush()
    mark_shop_changed(session, message.shop_id)
    unchanged = [OutboxMessage.id == message.id, OutboxMessage.state == expected]
    if unclaimed_at is not None:
        unchanged.append(or_(OutboxMessage.claimed_by.is_(None), OutboxMessage.claim_expires_at < unclaimed_at))
    result = session.execute(
        update(OutboxMessage).where(*unchanged).values(state=to).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(message)
        if unclaimed_at is not None and message.state == expected:
            raise _being_sent(message)
        raise StateChangedError(
            f"message #{message.id} was {expected.value} but has just become {message.state.value} "
            "(another change won): nothing was done",
            details={"message": message.id, "expected": expected.value, "state": message.state.value, "to": to.value},
        )
    set_committed_value(message, "state", to)
    _event(message, from_state=expected.value, to_state=to.value, at=at, actor=actor, note=note)


def _event(
    message: OutboxMessage, *, from_state: str | None, to_state: str, at: datetime, actor: str, note: str | None
) -> None:
    session = object_session(message)
    if session is None or message.id is None:
        raise RuntimeError("an outbox message must be stored before its state changes")
    session.add(
        OutboxEvent(
            shop_id=message.shop_id,
            message_id=message.id,
            at=at,
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            note=note,
        )
    )


def mail_message_id(shop_code: str, idempotency_key: str) -> str:
    """A stable RFC 5322 Message-ID for a notice: the same key always gives the same id."""
    digest = hashlib.sha256(f"{shop_code}\x00{idempotency_key}".encode()).hexdigest()[:32]
    host = re.sub(r"[^A-Za-z0-9-]+", "-", shop_code).strip("-").lower() or "shop"
    return f"<tw.{digest}@{host}.tradewind>"


def valid_address(address: str) -> str:
    """A syntactically valid e-mail address (no DNS look-up), or a clear error."""
    from email_validator import EmailNotValidError, validate_email  # its tables load in some 30 ms: only to check

    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(f"{address!r} is not an e-mail address: {exc}", details={"address": address}) from None


def find_by_key(session: Session, *, shop_id: int, idempotency_key: str) -> OutboxMessage | None:
    return session.scalar(
        select(OutboxMessage).where(OutboxMessage.shop_id == shop_id, OutboxMessage.idempotency_key == idempotency_key)
    )


def keys_in_outbox(session: Session, *, shop_id: int, keys: list[str]) -> dict[str, OutboxMessage]:
    """The outbox rows of these idempotency keys, by key."""
    found: dict[str, OutboxMessage] = {}
    for start in range(0, len(keys), 500):
        for message in session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.shop_id == shop_id, OutboxMessage.idempotency_key.in_(keys[start : start + 500])
            )
        ):
            found[message.idempotency_key] = message
    return found


@dataclass(frozen=True)
class Recipient:
    kind: RecipientKind
    buyer_id: int | None = None
    supplier_id: int | None = None
    order_id: int | None = None
    address: str | None = None
    channel: str = "export"


def _check_channel(recipient: Recipient) -> str | None:
    if recipient.channel not in CHANNELS:
        raise ValidationError(f"unknown channel {recipient.channel!r}: one of {', '.join(CHANNELS)}")
    if recipient.channel == "email":
        if not recipient.address:
            raise ValidationError("an e-mail message needs an address")
        return valid_address(recipient.address)
    return recipient.address


def save_draft(
    session: Session,
    *,
    shop_id: int,
    shop_code: str,
    idempotency_key: str,
    rendered: Rendered,
    recipient: Recipient,
    facts: dict[str, Any],
    now: datetime,
    known: dict[str, OutboxMessage] | None = None,
) -> tuple[OutboxMessage, bool]:
    """The draft of a notice, created or refreshed with today's facts; returns (message, is_draft).

    A draft the seller edited keeps the seller's words. A notice already queued, sent or cancelled is returned as it
    is with is_draft False: it is never drafted again (that is what makes a notice reach a buyer once).

    `known` is the outbox rows of a whole batch by key (`keys_in_outbox`), read once instead of once per draft; a
    draft created here is added to it.
    """
    if known is None:
        existing = find_by_key(session, shop_id=shop_id, idempotency_key=idempotency_key)
    else:
        existing = known.get(idempotency_key)
    if existing is not None:
        return _refreshed_draft(existing, rendered, recipient, facts)
    address = _check_channel(recipient)
    message = _new(session, shop_id, shop_code, idempotency_key, rendered, recipient, address, facts, now, S.DRAFT)
    if known is not None:
        known[idempotency_key] = message
    return message, True


@dataclass(frozen=True)
class DraftWanted:
    """One draft of a batch for `save_drafts`: what `save_draft` takes for one."""

    idempotency_key: str
    rendered: Rendered
    recipient: Recipient
    facts: dict[str, Any]


def save_drafts(
    session: Session,
    *,
    shop_id: int,
    shop_code: str,
    drafts: list[DraftWanted],
    now: datetime,
    known: dict[str, OutboxMessage],
) -> list[tuple[OutboxMessage, bool]]:
    """`save_draft` for each of a batch, in order, with `known` the batch's outbox rows (`keys_in_outbox`): the new
    rows are inserted in one statement (in the batch's order, so with the same ids), their events in another, and
    read back in one query per 500, not one INSERT (and its RETURNING) per row through the ORM's flush. A key twice
    in the batch is one row, refreshed by its later draft as `save_draft` would."""
    saved: list[tuple[OutboxMessage | str, bool]] = []
    created: dict[str, dict[str, Any]] = {}
    for wanted in drafts:
        key = wanted.idempotency_key
        existing = known.get(key)
        if existing is not None:
            saved.append(_refreshed_draft(existing, wanted.rendered, wanted.recipient, wanted.facts))
            continue
        row = created.get(key)
        if row is None:
            address = _check_channel(wanted.recipient)
            created[key] = _message_values(
                shop_id, shop_code, key, wanted.rendered, wanted.recipient, address, wanted.facts, now
            )
        else:  # `_refreshed_draft` of the row this batch creates: today's words and facts, the address kept
            row.update(
                subject=wanted.rendered.subject,
                body=wanted.rendered.body,
                locale=wanted.rendered.locale,
                facts=wanted.facts,
            )
            if wanted.recipient.address and not row["address"]:
                row["address"] = wanted.recipient.address
        saved.append((key, True))
    if created:
        for message in _inserted(session, shop_id=shop_id, rows=list(created.values()), now=now):
            known[message.idempotency_key] = message
    return [(known[one] if isinstance(one, str) else one, is_draft) for one, is_draft in saved]


def _inserted(session: Session, *, shop_id: int, rows: list[dict[str, Any]], now: datetime) -> list[OutboxMessage]:
    """Insert new drafts (`_message_values`, in order) and their first events; the stored messages, in order."""
    mark_shop_changed(session, shop_id)  # bulk statements: the session's flush does not see them
    session.execute(insert(_table(OutboxMessage)), rows)  # Core: no ORM bookkeeping per row
    keys = [row["idempotency_key"] for row in rows]
    stored: dict[str, OutboxMessage] = {}
    for start in range(0, len(keys), 500):
        for message in session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.shop_id == shop_id, OutboxMessage.idempotency_key.in_(keys[start : start + 500])
            )
        ):
            stored[message.idempotency_key] = message
    messages = [stored[key] for key in keys]
    session.execute(
        insert(_table(OutboxEvent)),
        [
            {
                "shop_id": shop_id,
                "message_id": m.id,
                "at": now,
                "from_state": None,
                "to_state": S.DRAFT.value,
                "actor": "tradewind",
                "note": None,
            }
            for m in messages
        ],
    )
    return messages


def _table(model: type[OutboxMessage] | type[OutboxEvent]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _refreshed_draft(
    existing: OutboxMessage, rendered: Rendered, recipient: Recipient, facts: dict[str, Any]
) -> tuple[OutboxMessage, bool]:
    """An existing row for a draft's key: a draft takes today's facts (and words, unless the seller edited them);
    anything further along is left as it is."""
    if existing.state != S.DRAFT:
        return existing, False
    if existing.edited_at is None:
        existing.subject, existing.body = rendered.subject, rendered.body
        existing.locale = rendered.locale
    existing.facts = facts
    if recipient.address and not existing.address:
        existing.address = recipient.address
    return existing, True


def queue_message(
    session: Session,
    *,
    shop_id: int,
    shop_code: str,
    idempotency_key: str,
    rendered: Rendered,
    recipient: Recipient,
    facts: dict[str, Any],
    now: datetime,
    action_id: int | None = None,
    actor: str = "tradewind",
) -> tuple[OutboxMessage, bool]:
    """Queue a notice once per idempotency key; returns (message, queued now).

    An existing draft is queued as the seller last saw it (edits kept); a message already queued, sent, failed or
    cancelled is left alone.
    """
    existing = find_by_key(session, shop_id=shop_id, idempotency_key=idempotency_key)
    if existing is not None:
        if existing.state != S.DRAFT:
            return existing, False
        if existing.channel == "email" and existing.address:
            existing.address = valid_address(existing.address)
        existing.action_id = existing.action_id or action_id
        _queue(existing, now, actor)
        return existing, True
    address = _check_channel(recipient)
    message = _new(session, shop_id, shop_code, idempotency_key, rendered, recipient, address, facts, now, S.DRAFT)
    message.action_id = action_id
    _queue(message, now, actor)
    return message, True


def _queue(message: OutboxMessage, now: datetime, actor: str) -> None:
    if not message.subject.strip() or not message.body.strip():
        raise ValidationError(f"message #{message.id} has no subject or no text: nothing queued")
    transition(message, S.QUEUED, at=now, actor=actor)
    message.queued_at = now
    message.next_attempt_at = now


def _new(
    session: Session,
    shop_id: int,
    shop_code: str,
    key: str,
    rendered: Rendered,
    recipient: Recipient,
    address: str | None,
    facts: dict[str, Any],
    now: datetime,
    state: OutboxState,
) -> OutboxMessage:
    message = _message(shop_id, shop_code, key, rendered, recipient, address, facts, now, state)
    session.add(message)
    session.flush()
    session.add(
        OutboxEvent(shop_id=shop_id, message_id=message.id, at=now, from_state=None, to_state=state.value, note=None)
    )
    return message


def _message(
    shop_id: int,
    shop_code: str,
    key: str,
    rendered: Rendered,
    recipient: Recipient,
    address: str | None,
    facts: dict[str, Any],
    now: datetime,
    state: OutboxState = S.DRAFT,
) -> OutboxMessage:
    return OutboxMessage(**_message_values(shop_id, shop_code, key, rendered, recipient, address, facts, now, state))


def _message_values(
    shop_id: int,
    shop_code: str,
    key: str,
    rendered: Rendered,
    recipient: Recipient,
    address: str | None,
    facts: dict[str, Any],
    now: datetime,
    state: OutboxState = S.DRAFT,
) -> dict[str, Any]:
    """A new message's values, as `_message` makes the record and `save_drafts` inserts the row."""
    return {
        "shop_id": shop_id,
        "idempotency_key": key,
        "situation": rendered.situation,
        "recipient_kind": recipient.kind,
        "buyer_id": recipient.buyer_id,
        "supplier_id": recipient.supplier_id,
        "order_id": recipient.order_id,
        "channel": recipient.channel,
        "address": address,
        "locale": rendered.locale,
        "subject": rendered.subject,
        "body": rendered.body,
        "facts": facts,
        "state": state,
        "attempts": 0,
        "created_at": now,
        "mail_message_id": mail_message_id(shop_code, key),
    }


def get_message(session: Session, *, shop_id: int, message_id: int) -> OutboxMessage:
    message = session.scalar(
        select(OutboxMessage).where(OutboxMessage.shop_id == shop_id, OutboxMessage.id == message_id)
    )
    if message is None:
        raise NotFoundError(f"no message #{message_id} in this shop's outbox", details={"message": message_id})
    return message


def edit_message(
    session: Session,
    *,
    shop_id: int,
    message_id: int,
    subject: str | None,
    body: str | None,
    now: datetime,
    actor: str = "seller",
) -> OutboxMessage:
    """Change the words of a message that has not gone yet (a draft, or queued and not being sent)."""
    message = get_message(session, shop_id=shop_id, message_id=message_id)
    if message.state not in (S.DRAFT, S.QUEUED) or (
        message.claimed_by is not None and message.claim_expires_at is not None and message.claim_expires_at > now
    ):
        raise InvalidTransitionError(
            f"message #{message.id} is {message.state.value}"
            + (" and being sent" if message.state == S.QUEUED else "")
            + ": only a draft or a queued message can be edited",
            details={"message": message.id, "state": message.state.value},
        )
    if subject is None and body is None:
        raise ValidationError("give a new subject, a new text, or both")
    if subject is not None:
        if not subject.strip() or "\n" in subject:
            raise ValidationError("the subject must be one non-empty line")
        message.subject = subject.strip()
    if body is not None:
        if not body.strip():
            raise ValidationError("the text of a message cannot be empty")
        message.body = body.rstrip() + "\n"
    message.edited_at = now
    session.add(
        OutboxEvent(
            shop_id=shop_id,
            message_id=message.id,
            at=now,
            from_state=message.state.value,
            to_state=message.state.value,
            actor=actor,
            note="edited",
        )
    )
    session.flush()
    return message


def queue_draft(
    session: Session, *, shop_id: int, message_id: int, now: datetime, actor: str = "seller"
) -> OutboxMessage:
    message = get_message(session, shop_id=shop_id, message_id=message_id)
    if message.state == S.QUEUED:
        return message
    if message.channel == "email":
        if not message.address:
            raise ValidationError(f"message #{message.id} goes by e-mail but has no address: nothing queued")
        message.address = valid_address(message.address)
    try:
        _queue(message, now, actor)
    except StateChangedError as lost:
        if lost.details["state"] == S.QUEUED:  # queued by another request at the same time: the same answer
            return message
        raise
    session.flush()
    return message


def cancel_message(
    session: Session, *, shop_id: int, message_id: int, now: datetime, actor: str = "seller", reason: str | None = None
) -> OutboxMessage:
    message = get_message(session, shop_id=shop_id, message_id=message_id)
    if message.state == S.CANCELLED:
        return message
    if message.claimed_by is not None and message.claim_expires_at is not None and message.claim_expires_at > now:
        raise _being_sent(message)
    try:
        transition(message, S.CANCELLED, at=now, actor=actor, note=reason, unclaimed_at=now)
    except StateChangedError as lost:
        if lost.details["state"] == S.CANCELLED:
            return message
        raise
    message.claimed_by = message.claim_expires_at = None
    session.flush()
    return message


def _being_sent(message: OutboxMessage) -> InvalidTransitionError:
    """A message a worker has claimed may be on its way to the server: cancelling it could not stop it."""
    return InvalidTransitionError(
        f"message #{message.id} is being sent right now: it cannot be cancelled (try again in a minute: it will be "
        "sent, or back in the queue)",
        details={"message": message.id, "state": message.state.value, "claimed_by": message.claimed_by},
    )


def retry_message(
    session: Session, *, shop_id: int, message_id: int, now: datetime, actor: str = "seller"
) -> OutboxMessage:
    """A failed message goes back to the queue, with its attempts counted afresh."""
    message = get_message(session, shop_id=shop_id, message_id=message_id)
    if message.state != S.FAILED:
        raise InvalidTransitionError(f"message #{message.id} is {message.state.value}, not failed: nothing to retry")
    transition(message, S.QUEUED, at=now, actor=actor, note="retry")
    message.attempts = 0
    message.next_attempt_at = now
    session.flush()
    return message


def list_outbox(
    session: Session,
    *,
    shop_id: int,
    state: OutboxState | None = None,
    situation: str | None = None,
    channel: str | None = None,
    limit: int | None = None,
) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.shop_id == shop_id).order_by(OutboxMessage.id)
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    if situation is not None:
        query = query.where(OutboxMessage.situation == situation)
    if channel is not None:
        query = query.where(OutboxMessage.channel == channel)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def message_events(session: Session, *, shop_id: int, message_id: int) -> list[OutboxEvent]:
    return list(
        session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.shop_id == shop_id, OutboxEvent.message_id == message_id)
            .order_by(OutboxEvent.at, OutboxEvent.id)
        )
    )


def cancel_stale_drafts(
    session: Session, *, shop_id: int, situation: str, keep: set[str], now: datetime, prefix: str | None = None
) -> int:
    """Cancel drafts of `situation` whose situation has ended (their key is not in `keep`). The drafts' keys are
    read as columns (a brief keeps most of them: no record loaded for those), the stale ones as records."""
    query = select(OutboxMessage.id, OutboxMessage.idempotency_key).where(
        OutboxMessage.shop_id == shop_id, OutboxMessage.situation == situation, OutboxMessage.state == S.DRAFT
    )
    if prefix is not None:
        query = query.where(OutboxMessage.idempotency_key.startswith(prefix))
    stale = [message_id for message_id, key in session.execute(query.order_by(OutboxMessage.id)) if key not in keep]
    cancelled = 0
    for start in range(0, len(stale), 500):
        for message in session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(stale[start : start + 500])).order_by(OutboxMessage.id)
        ):
            if message.state != S.DRAFT:
                continue
            try:
                transition(message, S.CANCELLED, at=now, note="the situation no longer applies")
            except StateChangedError:
                continue  # the seller queued or cancelled it meanwhile: theirs is the last word
            cancelled += 1
    return cancelled


# --- delivery: claim, record ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    """What a channel needs to send one message; read inside the claim's transaction, sent outside any."""

    id: int
    shop_id: int
    idempotency_key: str
    mail_message_id: str
    channel: str
    address: str | None
    locale: str
    subject: str
    body: str
    attempt: int
    html: str | None = None  # an HTML alternative of `body`


def claim_due(
    session: Session,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    channel: str,
    shop_id: int | None = None,
    limit: int = 1,
) -> list[Envelope]:
    """Claim up to `limit` queued messages that are due and not claimed by a live worker (compare-and-set)."""
    candidates = select(OutboxMessage.id).where(
        OutboxMessage.state == S.QUEUED,
        OutboxMessage.channel == channel,
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        or_(OutboxMessage.claimed_by.is_(None), OutboxMessage.claim_expires_at < now),
    )
    if shop_id is not None:
        candidates = candidates.where(OutboxMessage.shop_id == shop_id)
    claimed: list[Envelope] = []
    for message_id in session.scalars(candidates.order_by(OutboxMessage.id).limit(limit * 4)):
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.state == S.QUEUED,
                or_(OutboxMessage.claimed_by.is_(None), OutboxMessage.claim_expires_at < now),
            )
            .values(
                claimed_by=worker,
                claim_expires_at=now + lease,
                attempts=OutboxMessage.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            continue  # another worker took it first
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        assert message is not None
        mark_shop_changed(session, message.shop_id)
        claimed.append(
            Envelope(
                id=message.id,
                shop_id=message.shop_id,
                idempotency_key=message.idempotency_key,
                mail_message_id=message.mail_message_id or "",
                channel=message.channel,
                address=message.address,
                locale=message.locale,
                subject=message.subject,
                body=message.body,
                attempt=message.attempts,
                html=message.body_html,
            )
        )
        if len(claimed) >= limit:
            break
    return claimed


def record_sent(session: Session, *, message_id: int, worker: str, now: datetime, note: str | None = None) -> bool:
    """Mark a claimed message sent; False when it was already recorded (a resend after a crash)."""
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None or message.state != S.QUEUED:
        return False
    try:
        transition(message, S.SENT, at=now, actor=worker, note=note or f"attempt {message.attempts}")
    except StateChangedError:
        return False  # another worker recorded it, or the seller cancelled it, first
    message.sent_at = now
    message.claimed_by = message.claim_expires_at = None
    message.last_error = None
    return True


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the n-th failed attempt, at most 6 hours."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS))


def record_failure(
    session: Session,
    *,
    message_id: int,
    worker: str,
    now: datetime,
    error: str,
    permanent: bool,
    max_attempts: int,
) -> OutboxState:
    """A failed attempt: back to the queue after a back-off, or failed for good. Returns the new state."""
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None or message.state != S.QUEUED:
        return message.state if message is not None else S.FAILED
    message.last_error = error[:2000]
    message.claimed_by = message.claim_expires_at = None
    try:
        if permanent or message.attempts >= max_attempts:
            why = "refused" if permanent else f"gave up after {message.attempts} attempts"
            transition(message, S.FAILED, at=now, actor=worker, note=f"{why}: {error[:300]}")
            return S.FAILED
        wait = backoff(message.attempts)
        message.next_attempt_at = now + wait
        transition(
            message,
            S.QUEUED,
            at=now,
            actor=worker,
            note=f"attempt {message.attempts} failed, retry in {wait}: {error[:300]}",
        )
    except StateChangedError:
        return message.state  # cancelled (or recorded by another worker) meanwhile: that stands
    return S.QUEUED


def expired_claims(session: Session, *, now: datetime) -> list[OutboxMessage]:
    """Queued messages whose worker's lease ran out: an attempt may or may not have reached the server."""
    return list(
        session.scalars(
            select(OutboxMessage).where(
                and_(
                    OutboxMessage.state == S.QUEUED,
                    OutboxMessage.claimed_by.is_not(None),
                    OutboxMessage.claim_expires_at < now,
                )
            )
        )
    )
