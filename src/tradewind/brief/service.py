"""Building the brief: collect every producer's actions for a day, store them (one row per action key, with its
history), rank the open ones; and changing an action's state, including doing what it says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from tradewind.action import Action, ActionProducer, BriefContext, StoredAction
from tradewind.brief.models import ActionEvent, ActionRecord, ActionState
from tradewind.brief.ranking import carry_metric_penalties, priority
from tradewind.brief.states import claim, record_event, transition
from tradewind.db.session import read_memo
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
        found = [(producer, producer.actions(session, shop=shop, context=context)) for producer in producers]
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
    records = {
        record.key: record
        for record in session.scalars(
            select(ActionRecord)
            .options(selectinload(ActionRecord.events))
            .where(ActionRecord.shop_id == shop.id, ActionRecord.key.not_like(f"%{ARCHIVE_MARK}%"))
        )
    }
    # One voice per buyer, among the actions that will be open; an action whose every step was a draft held
    # back for a more pressing one is not a situation today (an open record of it expires below).
    candidates = one_message_per_order(candidates, silent=_not_shown_today(records, context))
    by_key = {action.key: action for action in candidates}
    for key, action in by_key.items():
        record = records.get(key)
        if record is None:
            record = _new_record(shop, action, context)
            session.add(record)
            records[key] = record
            continue
        if record.state in (ActionState.APPLIED, ActionState.DISMISSED):
            record.last_seen_on = context.today
            continue
        if record.state == ActionState.EXPIRED:
            transition(record, ActionState.OPEN, at=context.now, note="the situation is back")
        if record.state == ActionState.SNOOZED and (record.snoozed_until or context.today) <= context.today:
            transition(record, ActionState.OPEN, at=context.now, note="snooze ended")
            record.snoozed_until = None
        _update_content(record, action, context)
    for key, record in records.items():
        if key in by_key:
            continue
        if record.state in (ActionState.OPEN, ActionState.SNOOZED):
            transition(record, ActionState.EXPIRED, at=context.now, note=f"no longer applies on {context.today}")
        elif record.state in (ActionState.APPLIED, ActionState.DISMISSED):
            # The situation is over: free the key so that the next time it arises is a new action.
            record.key = f"{record.key}{ARCHIVE_MARK}{record.id}"
    session.flush()
    log.info("brief refreshed", extra={"candidates": len(candidates)})
    return Brief(shop=shop, today=context.today, actions=open_actions(session, shop=shop))


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


def _not_shown_today(records: dict[str, ActionRecord], context: BriefContext) -> set[str]:
    """Keys of the stored actions the brief does not show today: applied, dismissed, or snoozed past today."""
    return {
        key
        for key, record in records.items()
        if record.state in (ActionState.APPLIED, ActionState.DISMISSED)
        or (record.state == ActionState.SNOOZED and (record.snoozed_until or context.today) > context.today)
    }


def _new_record(shop: Shop, action: Action, context: BriefContext) -> ActionRecord:
    record = ActionRecord(
        shop_id=shop.id,
        key=action.key,
        kind=action.kind,
        subject_kind=action.subject_kind,
        subject=action.subject,
        state=ActionState.OPEN,
        first_seen_on=context.today,
        events=[],
    )
    _update_content(record, action, context)
    record.events.append(
        ActionEvent(shop_id=shop.id, at=context.now, from_state=None, to_state="open", note="first seen")
    )
    return record


def _update_content(record: ActionRecord, action: Action, context: BriefContext) -> None:
    record.priority = priority(action.value_at_risk, action.weight, action.due, context.today)
    record.due = action.due
    record.title = action.title
    record.title_msg = action.title_phrase.to_json() if action.title_phrase is not None else None
    record.why = action.why
    record.why_msg = action.why_phrase.to_json() if action.why_phrase is not None else None
    record.figures = action.figures
    record.steps = action.steps
    record.last_seen_on = context.today


def open_actions(
    session: Session, *, shop: Shop, kinds: Sequence[str] | None = None, limit: int | None = None
) -> list[ActionRecord]:
    query = (
        select(ActionRecord)
        .where(ActionRecord.shop_id == shop.id, ActionRecord.state == ActionState.OPEN)
        .order_by(ActionRecord.priority.desc(), ActionRecord.due, ActionRecord.key)
    )
    if kinds:
        query = query.where(ActionRecord.kind.in_(list(kinds)))
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


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
