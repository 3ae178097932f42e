"""Building the brief: collect every producer's actions for a day, store them (one row per action key, with its
history), rank the open ones; and changing an action's state, including doing what it says."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, insert, select, update
from sqlalchemy.orm import Session, defer, selectinload

from tradewind.action import Action, ActionProducer, BriefContext, StoredAction
from tradewind.brief.models import ActionEvent, ActionRecord, ActionState
from tradewind.brief.ranking import carry_metric_penalties, priority
from tradewind.brief.states import TRANSITIONS, claim, record_event, transition
from tradewind.db.changes import mark_shop_changed
from tradewind.db.session import memo_scope, read_memo
from tradewind.errors import ConflictError, InvalidTransitionError, NotFoundError, StateChangedError, ValidationError
from tradewind.logging import get_logger
from tradewind.messaging.service import edit_draft, one_message_per_order
from tradewind.planning.models import SkuPlan
from tradewind.shops.models import Shop
from tradewind.wording import SOURCE_LOCALE, Phrase, for_reader, render

ARCHIVE_MARK = "@"


@dataclass(frozen=True)
class Brief:
    shop: Shop
    today: date
    actions: list[ActionRecord]


def collect(
    session: Session, *, shop: Shop, context: BriefContext, producers: Sequence[ActionProducer]
) -> list[Action]:
    """Every producer's actions, in key order; two actions with one key is a producer bug."""
    seen: dict[str, Action] = {}
    with read_memo(session):
        # The stores of derived figures take in any record that came since they were last brought up to date (the
        # importers, the webhook and the tracking feed fold theirs in as they arrive); the producers then read them.
        # Imported here: the stores bring in every domain's service (planning's kernels, the suppliers' holiday
        # calendars), which the rest of this module (show, dismiss, snooze an action) does not need.
        from tradewind.brief.stores import bring_stores_up_to_date

        bring_stores_up_to_date(session, shop_id=shop.id)
        found: list[tuple[ActionProducer, list[Action]]] = []
        for producer in producers:
            with memo_scope(session):  # what one producer alone reads is let go once it is done
                found.append((producer, producer.actions(session, shop=shop, context=context)))
    for producer, actions in found:
        for action in actions:
            if action.kind not in producer.kinds:
                raise ValueError(f"{type(producer).__name__} produced an action of kind {action.kind!r}")
            if action.key in seen:
                raise ValueError(f"two actions share the key {action.key!r}")
            seen[action.key] = action
    return carry_metric_penalties([seen[key] for key in sorted(seen)])


def refresh_brief(session: Session, *, shop: Shop, context: BriefContext, producers: Sequence[ActionProducer]) -> Brief:
    """Store today's actions and return the open ones, ranked. Running it again the same day changes nothing."""
    log = get_logger(__name__, shop=shop.code, today=context.today.isoformat())
    candidates = collect(session, shop=shop, context=context, producers=producers)
    known = _known_actions(session, shop_id=shop.id)
    # One voice per buyer, among the actions that will be open; an action whose every step was a draft held
    # back for a more pressing one is not a situation today (an open record of it expires below).
    candidates = one_message_per_order(candidates, silent=_not_shown_today(known, context))
    _store(session, shop=shop, context=context, actions=candidates, known=known)
    log.info("brief refreshed", extra={"candidates": len(candidates)})
    return Brief(shop=shop, today=context.today, actions=open_actions(session, shop=shop))


@dataclass(frozen=True)
class _Known:
    """A stored action (not archived) as the refresh decides on it: no figures, no steps, no history."""

    id: int
    key: str
    state: ActionState
    snoozed_until: date | None


def _known_actions(session: Session, *, shop_id: int) -> dict[str, _Known]:
    """The shop's stored actions whose key is not archived, by key, in id order. Three narrow reads: the state
    comes from the (shop, state) index and the snooze day only for the snoozed (SQLite stores both after the
    figures and steps, and would walk their overflow pages to reach them)."""
    keys = session.execute(
        select(ActionRecord.id, ActionRecord.key)
        .where(ActionRecord.shop_id == shop_id, ActionRecord.key.not_like(f"%{ARCHIVE_MARK}%"))
        .order_by(ActionRecord.id)
    ).all()
    states = dict(
        session.execute(select(ActionRecord.id, ActionRecord.state).where(ActionRecord.shop_id == shop_id)).all()
    )
    snoozed = dict(
        session.execute(
            select(ActionRecord.id, ActionRecord.snoozed_until).where(
                ActionRecord.shop_id == shop_id, ActionRecord.state == ActionState.SNOOZED
            )
        ).all()
    )
    return {key: _Known(action_id, key, states[action_id], snoozed.get(action_id)) for action_id, key in keys}


def brief_made_on(session: Session, *, shop_id: int) -> date | None:
    """The last day the shop's brief was computed: the newest action seen, or the newest stored plan (a brief
    with no action at all still stores the plan)."""
    seen = session.scalar(select(func.max(ActionRecord.last_seen_on)).where(ActionRecord.shop_id == shop_id))
    planned = session.scalar(select(func.max(SkuPlan.planned_on)).where(SkuPlan.shop_id == shop_id))
    days = [day for day in (seen, planned) if day is not None]
    return max(days) if days else None


def make_brief_unless_made(
    session: Session, *, shop: Shop, context: BriefContext, producers: Sequence[ActionProducer]
) -> Brief | None:
    """The day's brief (`refresh_brief`), unless it was already made on `context.today` (None then)."""
    made_on = brief_made_on(session, shop_id=shop.id)
    if made_on is not None and made_on >= context.today:
        return None
    return refresh_brief(session, shop=shop, context=context, producers=producers)


def _not_shown_today(known: Mapping[str, _Known], context: BriefContext) -> set[str]:
    """Keys of the stored actions the brief does not show today: applied, dismissed, or snoozed past today."""
    return {
        key
        for key, record in known.items()
        if record.state in (ActionState.APPLIED, ActionState.DISMISSED)
        or (record.state == ActionState.SNOOZED and (record.snoozed_until or context.today) > context.today)
    }


# What a producer says about an action each day (the rest of its row is its identity and state), and which of
# those columns are stored as JSON.
_CONTENT = ("priority", "due", "title", "title_msg", "why", "why_msg", "figures", "steps", "last_seen_on")
_JSON_CONTENT = frozenset({"title_msg", "why_msg", "figures", "steps"})
_BATCH = 500  # ids per `IN (...)` of the refresh's reads and state changes
_INSERTED = 100  # new actions per INSERT


def _content(action: Action, context: BriefContext) -> dict[str, Any]:
    return {
        "priority": priority(action.value_at_risk, action.weight, action.due, context.today),
        "due": action.due,
        "title": action.title,
        "title_msg": action.title_phrase.to_json() if action.title_phrase is not None else None,
        "why": action.why,
        "why_msg": action.why_phrase.to_json() if action.why_phrase is not None else None,
        "figures": action.figures,
        "steps": action.steps,
        "last_seen_on": context.today,
    }


def _batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]


@dataclass
class _Changes:
    """What storing today's actions changes, gathered before anything is written: new rows, events (key, from,
    to, note) in the order they happen, state changes by (from, to), applied or dismissed actions seen again,
    today's content of the stored actions that stay, and the keys freed."""

    new_rows: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[str, ActionState | None, ActionState, str]] = field(default_factory=list)
    moves: dict[tuple[ActionState, ActionState], list[int]] = field(default_factory=dict)
    seen_again: list[int] = field(default_factory=list)
    contents: dict[int, dict[str, Any]] = field(default_factory=dict)
    archived: list[dict[str, Any]] = field(default_factory=list)

    def move(self, record: _Known, to: ActionState, note: str) -> None:
        self.moves.setdefault((record.state, to), []).append(record.id)
        self.events.append((record.key, record.state, to, note))


def _changes(shop: Shop, context: BriefContext, by_key: Mapping[str, Action], known: Mapping[str, _Known]) -> _Changes:
    """Each action's fate, decided as `refresh_brief` always did, one record at a time (in key order, then the
    stored actions that are gone in id order: the order of the events and of the new ids)."""
    today = context.today
    changes = _Changes()
    for key, action in by_key.items():
        record = known.get(key)
        if record is None:
            row = {"shop_id": shop.id, "key": key, "kind": action.kind, "subject_kind": action.subject_kind}
            row |= {"subject": action.subject, "state": ActionState.OPEN, "first_seen_on": today}
            changes.new_rows.append(row | _content(action, context))
            changes.events.append((key, None, ActionState.OPEN, "first seen"))
        elif record.state in (ActionState.APPLIED, ActionState.DISMISSED):
            changes.seen_again.append(record.id)
        else:
            if record.state == ActionState.EXPIRED:
                changes.move(record, ActionState.OPEN, "the situation is back")
            if record.state == ActionState.SNOOZED and (record.snoozed_until or today) <= today:
                changes.move(record, ActionState.OPEN, "snooze ended")
            changes.contents[record.id] = _content(action, context)
    for key, record in known.items():
        if key in by_key:
            continue
        if record.state in (ActionState.OPEN, ActionState.SNOOZED):
            changes.move(record, ActionState.EXPIRED, f"no longer applies on {today}")
        elif record.state in (ActionState.APPLIED, ActionState.DISMISSED):
            # The situation is over: free the key so that the next time it arises is a new action.
            changes.archived.append({"id": record.id, "key": f"{key}{ARCHIVE_MARK}{record.id}"})
    return changes


def _store(
    session: Session, *, shop: Shop, context: BriefContext, actions: Sequence[Action], known: Mapping[str, _Known]
) -> None:
    """Write today's actions with a few set-based statements: the new ones inserted (with their "first seen"
    event), the stored ones updated where their content changed, back (expired, snooze over) or gone (open or
    snoozed: expired; applied or dismissed: their key freed). The rows, events and their ids are those the
    change of one record at a time gave; a state change is a compare-and-set as in `states.claim`."""
    changes = _changes(shop, context, {action.key: action for action in actions}, known)
    changed = _changed_content(session, changes.contents)
    if not (changes.new_rows or changes.events or changes.seen_again or changed or changes.archived):
        return  # the same day again: nothing to write (and the shop's figures stay)
    mark_shop_changed(session, shop.id)
    for (before, after), ids in changes.moves.items():
        _move(session, ids, before, after)
    ids_of = {key: record.id for key, record in known.items()}
    # The new rows go in batches: their figures and steps as JSON text are a few hundred megabytes in a large shop.
    for start in range(0, len(changes.new_rows), _INSERTED):
        rows = changes.new_rows[start : start + _INSERTED]
        inserted = session.scalars(insert(ActionRecord).returning(ActionRecord.id, sort_by_parameter_order=True), rows)
        ids_of.update((row["key"], action_id) for row, action_id in zip(rows, inserted.all(), strict=True))
    if changes.events:
        session.execute(
            insert(ActionEvent),
            [
                _event_row(shop, context, ids_of[key], before, after, note)
                for key, before, after, note in changes.events
            ],
        )
    for batch in _batches(changes.seen_again):
        session.execute(
            update(ActionRecord)
            .where(ActionRecord.id.in_(batch), ActionRecord.last_seen_on != context.today)
            .values(last_seen_on=context.today)
            .execution_options(synchronize_session=False)
        )
    if changed or changes.archived:
        session.execute(update(ActionRecord), [*changed, *changes.archived])
    # A record of these loaded before (by a producer, say) holds what was there: read it again when it is used.
    for item in list(session.identity_map.values()):
        if isinstance(item, ActionRecord | ActionEvent):
            session.expire(item)


def _event_row(
    shop: Shop, context: BriefContext, action_id: int, before: ActionState | None, after: ActionState, note: str
) -> dict[str, Any]:
    return {
        "shop_id": shop.id,
        "action_id": action_id,
        "at": context.now,
        "from_state": None if before is None else before.value,
        "to_state": after.value,
        "actor": "system",
        "note": note,
    }


def _move(session: Session, ids: Sequence[int], before: ActionState, after: ActionState) -> None:
    """Compare-and-set the actions `ids` from `before` to `after` (`states.claim` for many: raises
    `StateChangedError` when another transaction changed one of them first). A snooze that ends is cleared."""
    if after not in TRANSITIONS[before]:
        raise InvalidTransitionError(f"an action that is {before.value} cannot become {after.value}")
    values: dict[str, Any] = {"state": after}
    if before == ActionState.SNOOZED and after == ActionState.OPEN:
        values["snoozed_until"] = None
    for batch in _batches(ids):
        result = session.execute(
            update(ActionRecord)
            .where(ActionRecord.id.in_(batch), ActionRecord.state == before)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != len(batch):  # type: ignore[attr-defined]
            found = dict(
                session.execute(
                    select(ActionRecord.id, ActionRecord.state).where(
                        ActionRecord.id.in_(batch), ActionRecord.state != before
                    )
                ).all()
            )
            action_id, state = min(found.items()) if found else (batch[0], before)
            raise StateChangedError(
                f"action #{action_id} was {before.value} but has just become {state.value} (another change won): "
                "nothing was done",
                details={"action": action_id, "expected": before.value, "state": state.value, "requested": after.value},
            )


def _changed_content(session: Session, contents: Mapping[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """For each stored action in `contents` (id: today's content), its id and the columns whose value differs
    from the stored one (nothing when none does): what the ORM would write. The JSON columns are compared as
    the text the database holds, and only when that differs as values (`==`, as the ORM does), so that an
    unchanged action costs no parsing of its figures and steps."""
    if not contents:
        return []
    dialect = session.get_bind().dialect
    dumps: Callable[[Any], str] = getattr(dialect, "_json_serializer", None) or json.dumps
    loads: Callable[[str], Any] = getattr(dialect, "_json_deserializer", None) or json.loads
    columns = [
        cast(getattr(ActionRecord, name), Text) if name in _JSON_CONTENT else getattr(ActionRecord, name)
        for name in _CONTENT
    ]
    changed = []
    for batch in _batches(list(contents)):
        for action_id, *stored in session.execute(select(ActionRecord.id, *columns).where(ActionRecord.id.in_(batch))):
            values = {"id": action_id}
            for name, old, new in zip(_CONTENT, stored, (contents[action_id][n] for n in _CONTENT), strict=True):
                if name in _JSON_CONTENT:
                    if old is None or new is None:
                        same = old is None and new is None
                    else:
                        same = old == dumps(new) or loads(old) == new
                else:
                    same = old == new
                if not same:
                    values[name] = new
            if len(values) > 1:
                changed.append(values)
    return changed


def open_actions(
    session: Session, *, shop: Shop, kinds: Sequence[str] | None = None, limit: int | None = None
) -> list[ActionRecord]:
    """The shop's open actions, ranked. Their figures and steps (in a large shop hundreds of kilobytes per action)
    are read when they are first used, one action at a time: a list of titles never parses them."""
    query = (
        select(ActionRecord)
        .options(defer(ActionRecord.figures), defer(ActionRecord.steps))
        .where(ActionRecord.shop_id == shop.id, ActionRecord.state == ActionState.OPEN)
        .order_by(ActionRecord.priority.desc(), ActionRecord.due, ActionRecord.key)
    )
    if kinds:
        query = query.where(ActionRecord.kind.in_(list(kinds)))
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def actions_in_order(session: Session, *, shop_id: int, ids: Sequence[int], batch: int = 100) -> Iterator[ActionRecord]:
    """The shop's actions `ids` in the order given, whole (figures and steps), read `batch` at a time: a writer
    of the whole brief holds one batch of them at once, not every action of a large shop. An id no longer there
    is skipped."""
    for start in range(0, len(ids), batch):
        wanted = ids[start : start + batch]
        found = {
            record.id: record
            for record in session.scalars(
                select(ActionRecord).where(ActionRecord.shop_id == shop_id, ActionRecord.id.in_(wanted))
            )
        }
        yield from (found[action_id] for action_id in wanted if action_id in found)


def count_open_actions(session: Session, *, shop_id: int) -> int:
    """How many of the shop's actions are open, as this transaction sees them (a change not yet committed
    included): the count a page shows right after an apply, dismiss or snooze."""
    return sum(count_open_actions_by_kind(session, shop_id=shop_id).values())


def count_open_actions_by_kind(session: Session, *, shop_id: int) -> dict[str, int]:
    """How many of the shop's actions are open per kind (by kind name; a kind with none open is absent), as this
    transaction sees them, in one query: the kind filter's counts and the heading's total after a change."""
    rows = session.execute(
        select(ActionRecord.kind, func.count())
        .where(ActionRecord.shop_id == shop_id, ActionRecord.state == ActionState.OPEN)
        .group_by(ActionRecord.kind)
        .order_by(ActionRecord.kind)
    )
    return {str(kind): int(count) for kind, count in rows}


def get_action(session: Session, *, shop: Shop, action_id: int) -> ActionRecord:
    record = session.scalar(
        select(ActionRecord)
        .options(selectinload(ActionRecord.events))
        .where(ActionRecord.shop_id == shop.id, ActionRecord.id == action_id)
    )
    if record is None:
        raise NotFoundError(f"no action #{action_id} in this shop", details={"action": action_id})
    return record


def _stored(record: ActionRecord) -> StoredAction:
    return StoredAction(
        id=record.id,
        kind=record.kind,
        key=record.key,
        subject_kind=record.subject_kind,
        subject=record.subject,
        due=record.due,
        figures=dict(record.figures),
        steps=list(record.steps),
    )


def apply_action(
    session: Session,
    *,
    shop: Shop,
    action_id: int,
    context: BriefContext,
    producers: Sequence[ActionProducer],
    actor: str = "seller",
) -> tuple[ActionRecord, list[str]]:
    """Do what the action says and mark it applied. Applying an applied action does nothing more.

    The action is claimed (compare-and-set to applied) before any step runs: of concurrent applies, dismissals and
    snoozes exactly one wins, the steps run only for the winner, and an apply that loses to another apply (a
    double click) is answered like applying twice."""
    record = get_action(session, shop=shop, action_id=action_id)
    if record.state == ActionState.APPLIED:
        return record, _already_applied(record)
    producer = next((p for p in producers if record.kind in p.kinds), None)
    if producer is None:
        raise ValidationError(f"no producer carries out actions of kind {record.kind!r}")
    try:
        before = claim(record, ActionState.APPLIED)
    except StateChangedError as lost:
        if lost.details["state"] == ActionState.APPLIED:  # another apply won: a double click
            return record, _already_applied(record)
        raise
    done = producer.apply(session, shop=shop, action=_stored(record), context=context)
    record_event(record, before, ActionState.APPLIED, at=context.now, actor=actor, note="; ".join(done) or None)
    session.flush()
    return record, done


@dataclass(frozen=True)
class BulkOutcome:
    """What applying one of several selected actions came to: `state` is the state it was found in when it was not
    applied here (already applied, dismissed, snoozed or expired by someone else), `None` when this apply did it."""

    action: ActionRecord
    state: ActionState | None
    done: list[str]

    @property
    def applied(self) -> bool:
        return self.state is None


def apply_actions(
    session: Session,
    *,
    shop: Shop,
    action_ids: Sequence[int],
    context: BriefContext,
    producers: Sequence[ActionProducer],
    actor: str = "seller",
) -> list[BulkOutcome]:
    """Apply several actions one after the other, each through `apply_action` (its own compare-and-set): an action
    another change got to first (applied, dismissed, snoozed) is reported in the state it has, not raised, and the
    others are still applied. Each action is applied once, in the order given."""
    outcomes = []
    for action_id in dict.fromkeys(action_ids):
        record = get_action(session, shop=shop, action_id=action_id)
        if record.state not in (ActionState.OPEN, ActionState.SNOOZED):
            outcomes.append(BulkOutcome(record, record.state, []))
            continue
        try:
            record, done = apply_action(
                session, shop=shop, action_id=action_id, context=context, producers=producers, actor=actor
            )
        except (StateChangedError, InvalidTransitionError):  # raised by the claim, before any step ran
            outcomes.append(BulkOutcome(record, record.state, []))
            continue
        lost_to_another_apply = done == _already_applied(record)
        outcomes.append(BulkOutcome(record, ActionState.APPLIED if lost_to_another_apply else None, done))
    return outcomes


def dismiss_actions(
    session: Session,
    *,
    shop: Shop,
    action_ids: Sequence[int],
    context: BriefContext,
    actor: str = "seller",
    reason: str | None = None,
) -> list[BulkOutcome]:
    """Dismiss several actions with one reason, each through `dismiss_action` (its own compare-and-set): an action
    another change got to first (applied, dismissed, expired) is reported in the state it has, not raised, and the
    others are still dismissed. Each action is dismissed once, in the order given."""
    outcomes = []
    for action_id in dict.fromkeys(action_ids):
        record = get_action(session, shop=shop, action_id=action_id)
        if record.state not in (ActionState.OPEN, ActionState.SNOOZED):
            outcomes.append(BulkOutcome(record, record.state, []))
            continue
        try:
            dismiss_action(session, shop=shop, action_id=action_id, context=context, actor=actor, reason=reason)
        except (StateChangedError, InvalidTransitionError):
            outcomes.append(BulkOutcome(record, record.state, []))
            continue
        outcomes.append(BulkOutcome(record, None, []))
    return outcomes


def snooze_actions(
    session: Session,
    *,
    shop: Shop,
    action_ids: Sequence[int],
    until: date,
    context: BriefContext,
    actor: str = "seller",
) -> list[BulkOutcome]:
    """Snooze several actions until one day, each through `snooze_action` (its own compare-and-set and its
    horizon). The day is checked against every action still to snooze first (`check_snooze_day`): one it is too late
    for raises, naming it, and none is snoozed. An action another change got to first is reported in its state, not
    raised."""
    found = [get_action(session, shop=shop, action_id=action_id) for action_id in dict.fromkeys(action_ids)]
    for record in found:
        if record.state in (ActionState.OPEN, ActionState.SNOOZED):  # one handled meanwhile is reported, not checked
            check_snooze_day(record, until, context)
    outcomes = []
    for record in found:
        if record.state not in (ActionState.OPEN, ActionState.SNOOZED):
            outcomes.append(BulkOutcome(record, record.state, []))
            continue
        try:
            snooze_action(session, shop=shop, action_id=record.id, until=until, context=context, actor=actor)
        except (StateChangedError, InvalidTransitionError):
            outcomes.append(BulkOutcome(record, record.state, []))
            continue
        outcomes.append(BulkOutcome(record, None, []))
    return outcomes


def _already_applied(record: ActionRecord) -> list[str]:
    return [f"already applied; nothing more to do (action #{record.id})"]


def dismiss_action(
    session: Session,
    *,
    shop: Shop,
    action_id: int,
    context: BriefContext,
    actor: str = "seller",
    reason: str | None = None,
) -> ActionRecord:
    """Drop the action (a compare-and-set: a dismissal that loses to another change raises a conflict, except to
    another dismissal, which it repeats)."""
    record = get_action(session, shop=shop, action_id=action_id)
    if record.state == ActionState.DISMISSED:
        return record
    try:
        transition(record, ActionState.DISMISSED, at=context.now, actor=actor, note=reason)
    except StateChangedError as lost:
        if lost.details["state"] == ActionState.DISMISSED:
            return record
        raise
    session.flush()
    return record


def reopen_action(
    session: Session,
    *,
    shop: Shop,
    action_id: int,
    context: BriefContext,
    producers: Sequence[ActionProducer],
    actor: str = "seller",
) -> tuple[ActionRecord, list[str]]:
    """Put a handled action back in the brief (a compare-and-set to open), with the event in its history.

    A dismissed, snoozed or expired action simply reopens. An applied one reopens only with the undo of what
    applying it did, done by the producer that applied it (a purchase order not yet shipped is cancelled, a default
    shipping method restored); when that cannot be undone (a message queued, an order shipped) it raises
    `InvalidTransitionError` saying why, and nothing changes. Reopening an open action does nothing."""
    record = get_action(session, shop=shop, action_id=action_id)
    if record.state == ActionState.OPEN:
        return record, []
    if ARCHIVE_MARK in record.key:  # its situation ended and the key was freed: take it back if no newer one has it
        key = record.key.split(ARCHIVE_MARK)[0]
        newer = session.scalar(select(ActionRecord.id).where(ActionRecord.shop_id == shop.id, ActionRecord.key == key))
        if newer is not None:
            raise InvalidTransitionError(
                f"action #{record.id} cannot be reopened: action #{newer} stands for the same situation now",
                details={"action": record.id, "newer": newer},
            )
    undone: list[str] = []
    if record.state == ActionState.APPLIED:
        producer = next((p for p in producers if record.kind in p.kinds), None)
        undo = getattr(producer, "undo", None)
        if undo is None:
            why = (
                "its messages were queued and cannot be called back"
                if any(step.get("type") == "message" for step in record.steps)
                else f"what applying it did ({record.kind}) cannot be undone"
            )
            raise InvalidTransitionError(
                f"action #{record.id} cannot be reopened: {why}",
                details={"action": record.id, "state": record.state.value, "requested": ActionState.OPEN.value},
            )
        before = claim(record, ActionState.OPEN)
        undone = list(undo(session, shop=shop, action=_stored(record), context=context))
        note = "reopened; undone: " + "; ".join(undone) if undone else "reopened"
        record_event(record, before, ActionState.OPEN, at=context.now, actor=actor, note=note)
    else:
        transition(record, ActionState.OPEN, at=context.now, actor=actor, note="reopened")
    record.snoozed_until = None
    record.key = record.key.split(ARCHIVE_MARK)[0]
    session.flush()
    return record, undone


def latest_snooze(due: date, today: date, grace_days: int) -> date:
    """The last day an action may be snoozed to: `grace_days` past its due day, or past today when it is overdue
    (an action with a deadline is not hidden until long after it; a refund question is not put off to 2031)."""
    return max(due, today) + timedelta(days=grace_days)


def check_snooze_day(record: ActionRecord, until: date, context: BriefContext) -> None:
    """Raise unless `until` is after today and no later than `latest_snooze` of the action's due day."""
    if until <= context.today:
        raise ValidationError(f"snooze until a day after today ({context.today}), not {until}")
    latest = latest_snooze(record.due, context.today, context.settings.snooze_grace_days)
    if until > latest:
        raise ValidationError(
            f"snooze #{record.id} until {latest} at the latest ({context.settings.snooze_grace_days} days past "
            f"the action's due day {record.due}, or past today when it is overdue), not {until}",
            details={"action": record.id, "latest": latest.isoformat()},
        )


def snooze_action(
    session: Session, *, shop: Shop, action_id: int, until: date, context: BriefContext, actor: str = "seller"
) -> ActionRecord:
    """Hide the action until a day (a compare-and-set: a snooze that loses to another change raises a conflict).

    The day is after today and no later than `latest_snooze` of the action's due day."""
    record = get_action(session, shop=shop, action_id=action_id)
    check_snooze_day(record, until, context)
    transition(record, ActionState.SNOOZED, at=context.now, actor=actor, note=f"until {until}")
    record.snoozed_until = until
    session.flush()
    return record


# --- asking before applying -----------------------------------------------------------------------------------------


# The steps that spend money or change what buyers see (listings, promotions, shipping, suppliers): the dashboard
# shows their lines and asks for confirmation before applying an action that has one.
def edit_message_step(
    session: Session, *, shop: Shop, action_id: int, step: int, subject: str, body: str, actor: str, now: datetime
) -> ActionRecord:
    """The seller's own words for a message draft of an open action. The draft lives in the outbox (messaging
    queues it as last edited when the action is applied); the action's step keeps a copy for the screen."""
    record = get_action(session, shop=shop, action_id=action_id)
    if record.state not in (ActionState.OPEN, ActionState.SNOOZED):
        raise ConflictError(
            f"action #{record.id} is {record.state.value}: its drafts can no longer change",
            details={"action": record.id, "state": record.state.value},
        )
    steps = [dict(item) for item in record.steps]
    if not 0 <= step < len(steps) or steps[step].get("type") != "message":
        raise NotFoundError(f"action #{record.id} has no message draft #{step}", details={"step": step})
    outbox_id = steps[step].get("outbox_id")
    if not isinstance(outbox_id, int):
        raise ConflictError(f"the draft of action #{record.id} is not in the outbox yet: refresh the brief first")
    message = edit_draft(session, shop=shop, message_id=outbox_id, subject=subject, body=body, now=now, actor=actor)
    steps[step].update(subject=message.subject, body=message.body, edited=True)
    record.steps = steps
    session.flush()
    return record


CONFIRM_STEPS = frozenset(
    {
        "purchase_order",
        "set_listing_stock",
        "pause_promotions",
        "make_preferred_supplier",
        "pause_purchasing",
        "pause_channel",
        "set_default_method",
        "reroute_orders",
    }
)


def needs_confirmation(steps: Sequence[dict[str, Any]]) -> bool:
    """Whether applying an action with these steps spends money or changes listings (and so asks first)."""
    return any(step.get("type") in CONFIRM_STEPS for step in steps)


@dataclass(frozen=True)
class OrderLine:
    """One line of a purchase order an action would place: what is paid, in the order's currency."""

    sku: str
    quantity: int
    unit_cost: Decimal
    total: Decimal
    currency: str


@dataclass(frozen=True)
class PlannedOrder:
    supplier: str
    currency: str
    expected_on: str
    lines: list[OrderLine]

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal(0))


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def planned_orders(steps: Sequence[dict[str, Any]]) -> list[PlannedOrder]:
    """The purchase orders an action's steps would place, line by line (SKU, quantity, unit cost, total)."""
    orders = []
    for step in steps:
        if step.get("type") != "purchase_order":
            continue
        currency = str(step.get("currency") or "")
        lines = [
            OrderLine(
                sku=str(line["sku"]),
                quantity=int(line["quantity"]),
                unit_cost=_decimal(line["unit_cost"]),
                total=(int(line["quantity"]) * _decimal(line["unit_cost"])).quantize(Decimal("0.01")),
                currency=currency,
            )
            for line in step.get("lines", [])
        ]
        orders.append(
            PlannedOrder(
                supplier=str(step.get("supplier", "")),
                currency=currency,
                expected_on=str(step.get("expected_on", "")),
                lines=lines,
            )
        )
    return orders


# --- reads for the lists of the faces -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionSummary:
    """What a list of actions shows, without the figures and steps (in a large shop those run to hundreds of
    kilobytes per action: they are read one action at a time, with `get_action`)."""

    id: int
    kind: str
    priority: float
    subject_kind: str
    subject: str
    due: date
    title: str
    why: str
    state: ActionState
    title_msg: dict[str, Any] | None = None
    why_msg: dict[str, Any] | None = None


def summary_of(record: ActionRecord) -> ActionSummary:
    return ActionSummary(
        id=record.id,
        kind=record.kind,
        priority=record.priority,
        subject_kind=record.subject_kind,
        subject=record.subject,
        due=record.due,
        title=record.title,
        why=record.why,
        state=record.state,
        title_msg=record.title_msg,
        why_msg=record.why_msg,
    )


def title_in(action: ActionRecord | ActionSummary, locale: str, *, reader: bool = False) -> str:
    """An action's title in `locale` (en, zh, ru): its stored phrase rendered with that language's catalog and
    formats; the English title when it has no phrase (an action stored before titles had one, or a kind whose
    producer writes English only). `reader`: for a page or an e-mail, where English too has Babel's dates and
    money (`wording.for_reader`), not the stored English the JSON faces keep."""
    return _in(action.title, action.title_msg, locale, reader)


def why_in(action: ActionRecord | ActionSummary, locale: str, *, reader: bool = False) -> str:
    """An action's reason in `locale`, as `title_in` does its title."""
    return _in(action.why, action.why_msg, locale, reader)


def _in(english: str, message: dict[str, Any] | None, locale: str, reader: bool) -> str:
    if message is None or (locale == SOURCE_LOCALE and not reader):
        return english
    return (for_reader if reader else render)(Phrase.from_json(message), locale)


def ranked_open_actions(session: Session, *, shop_id: int) -> list[tuple[int, str, date]]:
    """The open actions in the brief's order (priority, then due day, then key), as (id, kind, due)."""
    rows = session.execute(
        select(ActionRecord.id, ActionRecord.kind, ActionRecord.due)
        .where(ActionRecord.shop_id == shop_id, ActionRecord.state == ActionState.OPEN)
        .order_by(ActionRecord.priority.desc(), ActionRecord.due, ActionRecord.key)
    )
    return [(int(i), str(k), d) for i, k, d in rows]


def recent_action_ids(
    session: Session,
    *,
    shop_id: int,
    state: ActionState | None = None,
    kinds: Sequence[str] = (),
    before_id: int | None = None,
    limit: int = 50,
) -> list[int]:
    """Ids of the shop's actions, newest first (keyset pages: `before_id` is the last id of the previous page)."""
    query = select(ActionRecord.id).where(ActionRecord.shop_id == shop_id)
    if state is not None:
        query = query.where(ActionRecord.state == state)
    if kinds:
        query = query.where(ActionRecord.kind.in_(list(kinds)))
    if before_id is not None:
        query = query.where(ActionRecord.id < before_id)
    return list(session.scalars(query.order_by(ActionRecord.id.desc()).limit(limit)))


# Built once: the lists run them on every request.
_STATES_OF = select(ActionRecord.id, ActionRecord.state).where(
    ActionRecord.shop_id == bindparam("shop_id"),
    ActionRecord.state.in_(bindparam("states", expanding=True)),
    ActionRecord.id.in_(bindparam("ids", expanding=True)),
)
_SUMMARIES_OF = select(
    ActionRecord.id,
    ActionRecord.kind,
    ActionRecord.priority,
    ActionRecord.subject_kind,
    ActionRecord.subject,
    ActionRecord.due,
    ActionRecord.title,
    ActionRecord.why,
    ActionRecord.title_msg,
    ActionRecord.why_msg,
).where(ActionRecord.id.in_(bindparam("ids", expanding=True)))


def action_summaries(
    session: Session, *, shop_id: int, ids: Sequence[int], only_open: bool = False
) -> list[ActionSummary]:
    """The summaries of the actions `ids` (of this shop), in the order given; with `only_open`, the ones still open.

    The state comes from the (shop, state) index rather than the row: SQLite stores it after the figures and
    steps, and would walk their overflow pages to reach it."""
    if not ids:
        return []
    wanted = [ActionState.OPEN] if only_open else list(ActionState)
    rows_of_state = session.execute(_STATES_OF, {"shop_id": shop_id, "states": wanted, "ids": list(ids)})
    states = {int(action_id): action_state for action_id, action_state in rows_of_state}
    if not states:
        return []
    rows = session.execute(_SUMMARIES_OF, {"ids": list(states)})
    found = {
        row[0]: ActionSummary(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            state=states[row[0]],
            title_msg=row[8],
            why_msg=row[9],
        )
        for row in rows
    }
    return [found[i] for i in ids if i in found]


DONE_STATES = (ActionState.APPLIED, ActionState.DISMISSED, ActionState.SNOOZED, ActionState.EXPIRED)


@dataclass(frozen=True)
class HandledAction:
    """An action no longer open, with the instant of its last change (the "Done" view groups them by its day)."""

    summary: ActionSummary
    changed_at: datetime


def handled_actions(
    session: Session, *, shop_id: int, states: Sequence[ActionState] = DONE_STATES, offset: int = 0, limit: int = 50
) -> tuple[list[HandledAction], int]:
    """The shop's actions in `states` (applied, dismissed, snoozed, expired), latest change first, and how many."""
    last_change = (
        select(ActionEvent.action_id, func.max(ActionEvent.at).label("at"))
        .where(ActionEvent.shop_id == shop_id)
        .group_by(ActionEvent.action_id)
        .subquery()
    )
    wanted = [ActionRecord.shop_id == shop_id, ActionRecord.state.in_(list(states))]
    total = session.scalar(select(func.count()).select_from(ActionRecord).where(*wanted)) or 0
    rows = session.execute(
        select(
            ActionRecord.id,
            ActionRecord.kind,
            ActionRecord.priority,
            ActionRecord.subject_kind,
            ActionRecord.subject,
            ActionRecord.due,
            ActionRecord.title,
            ActionRecord.why,
            ActionRecord.state,
            last_change.c.at,
            ActionRecord.title_msg,
            ActionRecord.why_msg,
        )
        .join(last_change, last_change.c.action_id == ActionRecord.id)
        .where(*wanted)
        .order_by(last_change.c.at.desc(), ActionRecord.id.desc())
        .offset(offset)
        .limit(limit)
    )
    found = [
        HandledAction(
            ActionSummary(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                row[7],
                state=row[8],
                title_msg=row[10],
                why_msg=row[11],
            ),
            row[9],
        )
        for row in rows
    ]
    return found, int(total)
