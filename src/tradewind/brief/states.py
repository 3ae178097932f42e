"""The action state machine as data: the allowed transitions, and the one function that changes state."""

from __future__ import annotations

from datetime import datetime

from tradewind.brief.models import ActionEvent, ActionRecord, ActionState
from tradewind.errors import InvalidTransitionError

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
    ActionState.APPLIED: frozenset(),
}

VISIBLE = (ActionState.OPEN,)


def transition(
    record: ActionRecord, to: ActionState, *, at: datetime, actor: str = "system", note: str | None = None
) -> ActionEvent:
    """Move `record` to `to` and append the event; raises when the move is not allowed."""
    if to not in TRANSITIONS[record.state]:
        raise InvalidTransitionError(
            f"action #{record.id} is {record.state.value}: it cannot become {to.value}",
            details={"action": record.id, "state": record.state.value, "requested": to.value},
        )
    event = ActionEvent(
        shop_id=record.shop_id,
        at=at,
        from_state=record.state.value,
        to_state=to.value,
        actor=actor,
        note=note,
    )
    record.state = to
    record.events.append(event)
    return event
