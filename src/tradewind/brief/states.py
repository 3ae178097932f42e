"""The action state machine as data: the allowed transitions, and the one function that changes state.

Every change is a compare-and-set on the row (`UPDATE actions SET state = :to WHERE id = :id AND state = :from`)
in the caller's transaction: of two changes of one action made at the same time (two terminals, two requests, a
double click), the first to write wins and the other finds the state changed and raises `StateChangedError`
(on SQLite the second waits for the first's write lock, on PostgreSQL for its row lock, then sees its commit).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from tradewind.brief.models import ActionEvent, ActionRecord, ActionState
from tradewind.db.changes import mark_shop_changed
from tradewind.errors import InvalidTransitionError, StateChangedError

TRANSITIONS: dict[ActionState, frozenset[ActionState]] = {
    ActionState.OPEN: frozenset({ActionState.APPLIED, ActionState.DISMISSED, ActionState.SNOOZED, ActionState.EXPIRED}),
    ActionState.SNOOZED: frozenset(
        {
            ActionState.OPEN,
            ActionState.APPLIED,
            ActionState.DISMISSED,
            ActionState.SNOOZED,
            ActionState.EXPIRED,
        }
    ),
    ActionState.DISMISSED: frozenset({ActionState.OPEN}),
    ActionState.EXPIRED: frozenset({ActionState.OPEN}),
    # Reopening an applied action is allowed only with the undo of what applying it did (brief.service.reopen_action).
    ActionState.APPLIED: frozenset({ActionState.OPEN}),
}

VISIBLE = (ActionState.OPEN,)


def check_allowed(record: ActionRecord, to: ActionState) -> None:
    """Raise, saying why, when the table does not allow `record` to become `to`."""
    if to not in TRANSITIONS[record.state]:
        raise InvalidTransitionError(
            f"action #{record.id} is {record.state.value}: it cannot become {to.value}",
            details={"action": record.id, "state": record.state.value, "requested": to.value},
        )


def claim(record: ActionRecord, to: ActionState) -> ActionState:
    """Compare-and-set the stored state from the one `record` was read with to `to`; returns the state it had.

    Raises `StateChangedError` (naming the state it has now) when another transaction changed it first; `record`
    then holds the current state. A record not stored yet (no id) simply changes."""
    check_allowed(record, to)
    expected = record.state
    session = object_session(record)
    if session is None or record.id is None:
        record.state = to
        return expected
    session.flush()  # pending changes of the record go first: the compare-and-set is the last word on its state
    mark_shop_changed(session, record.shop_id)
    result = session.execute(
        update(ActionRecord)
        .where(ActionRecord.id == record.id, ActionRecord.state == expected)
        .values(state=to)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        now = current_state(session, record)
        raise StateChangedError(
            f"action #{record.id} was {expected.value} but has just become {now.value} (another change won): "
            "nothing was done",
            details={"action": record.id, "expected": expected.value, "state": now.value, "requested": to.value},
        )
    set_committed_value(record, "state", to)
    session.expire(record, ["updated_at"])
    return expected


def current_state(session: Session, record: ActionRecord) -> ActionState:
    """The state stored now (committed by whoever won), read past the session's copy."""
    session.refresh(record, ["state"])
    return record.state


def transition(
    record: ActionRecord, to: ActionState, *, at: datetime, actor: str = "system", note: str | None = None
) -> ActionEvent:
    """Move `record` to `to` (a compare-and-set, see `claim`) and append the event; raises when the move is not
    allowed or another change won."""
    before = claim(record, to)
    return record_event(record, before, to, at=at, actor=actor, note=note)


def record_event(
    record: ActionRecord,
    before: ActionState,
    to: ActionState,
    *,
    at: datetime,
    actor: str = "system",
    note: str | None = None,
) -> ActionEvent:
    """Append the event of a change `claim` made."""
    event = ActionEvent(
        shop_id=record.shop_id,
        at=at,
        from_state=before.value,
        to_state=to.value,
        actor=actor,
        note=note,
    )
    record.events.append(event)
    return event
