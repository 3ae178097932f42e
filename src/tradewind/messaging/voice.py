"""One voice per buyer: of all the buyer drafts the day's actions carry (messaging's own notices and replies, and the
drafts added to other domains' actions), each order keeps one, chosen by precedence, so that no buyer gets two
texts in one brief ("arrives about 28 March" and "waiting at the post office, collect by 18 December").

The brief calls `one_message_per_order` on every producer's actions: the lower drafts (and the "tell the buyer"
steps they stood for) leave their actions, which say in their figures and `why` which message the buyer gets
instead; an action left with nothing to do is not shown.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from tradewind.action import Action
from tradewind.messaging.schemas import SITUATION_CODES
from tradewind.wording import Joined, nphrase, phrase

# Most telling first. What the parcel is doing now beats what it may do: a parcel waiting at the post office
# (collect it or it goes back) beats a parcel probably lost (we asked the carrier; refund or resend, which do you
# prefer), which beats a protection deadline, which beats an answer to the buyer's own question
# (built from the same parcel state), which beats a delay notice, which beats a bare status, a method change, an
# out-of-stock choice, a payment reminder and a cancellation follow-up.
PRECEDENCE = (
    "pickup_reminder",
    "parcel_inquiry",
    "protection_extended",
    "reply",
    "shipping_delay",
    "order_status",
    "shipping_method_changed",
    "out_of_stock",
    "unpaid_reminder",
    "cancellation_followup",
)


# Steps that only stand for telling the buyer (the draft does the telling): they go with the draft.
TELLING_STEPS = ("tell_buyer",)


@dataclass(frozen=True)
class _Draft:
    rank: tuple[int, int, str, int]  # precedence, the action's place, its key, the step's place
    action_key: str
    situation: str
    outbox_id: Any


def situation_rank(situation: str) -> int:
    """0 is the most telling; a situation not listed comes after all the listed ones."""
    return PRECEDENCE.index(situation) if situation in PRECEDENCE else len(PRECEDENCE)


def _buyer_order(step: dict[str, Any]) -> str | None:
    if step.get("type") != "message" or step.get("to", "buyer") != "buyer":
        return None
    order = step.get("order")
    return str(order) if order else None


def one_message_per_order(actions: Sequence[Action], *, silent: Collection[str] = ()) -> list[Action]:
    """`actions` with at most one buyer draft per order: the one of highest precedence (then of the action first in
    `actions`, then its first). Actions whose key is in `silent` (dismissed or snoozed: not shown today) neither
    win nor lose. Returns the actions in their order, without those left with no steps by it."""
    winners: dict[str, _Draft] = {}
    for place, action in enumerate(actions):
        if action.key in silent:
            continue
        for index, step in enumerate(action.steps):
            order = _buyer_order(step)
            if order is None:
                continue
            situation = str(step.get("situation") or action.kind)
            draft = _Draft(
                (situation_rank(situation), place, action.key, index), action.key, situation, step.get("outbox_id")
            )
            if order not in winners or draft.rank < winners[order].rank:
                winners[order] = draft
    found = []
    for action in actions:
        if action.key in silent:
            found.append(action)
            continue
        kept = _without_lower_drafts(action, winners)
        if kept is not None:
            found.append(kept)
    return found


def _without_lower_drafts(action: Action, winners: dict[str, _Draft]) -> Action | None:
    held: list[dict[str, Any]] = []
    held_orders: set[str] = set()
    steps = []
    for index, step in enumerate(action.steps):
        order = _buyer_order(step)
        winner = winners.get(order) if order else None
        if order is not None and winner is not None and (winner.action_key, winner.rank[3]) != (action.key, index):
            held.append(
                {
                    "order": order,
                    "situation": step.get("situation"),
                    "outbox_id": step.get("outbox_id"),
                    "instead": winner.situation,
                    "instead_in": winner.action_key,
                    "instead_outbox_id": winner.outbox_id,
                }
            )
            held_orders.add(order)
            continue
        steps.append(step)
    if not held:
        return action
    steps = [s for s in steps if not (s.get("type") in TELLING_STEPS and str(s.get("order")) in held_orders)]
    if not steps:
        return None  # every buyer it would write to hears from another action, and it has nothing else to do
    kept_ids = {s.get("outbox_id") for s in steps if s.get("type") == "message"}
    figures = dict(action.figures) | {"messages_held_back": held}
    if isinstance(figures.get("notices"), list):  # a gathered action: mark the members whose draft is held back
        instead_of = {h["order"]: h["instead"] for h in held}
        figures["notices"] = [
            n | {"held_back_for": instead_of[str(n.get("order"))]} if str(n.get("order")) in instead_of else n
            for n in figures["notices"]
        ]
    if "message_drafts" in figures:
        figures["message_drafts"] = [i for i in figures["message_drafts"] if i in kept_ids]
    instead = sorted({h["instead"] for h in held})
    why = (
        f"{action.why} {len(held)} buyer draft(s) held back: the buyer of order(s) "
        f"{', '.join(sorted(held_orders))} gets a more pressing message in this brief ({', '.join(instead)})."
    )
    # The title counts the buyers its producer saw; say at a glance that some are written to elsewhere.
    title = nphrase(
        "%(title)s (%(num)s of them written to in another action)",
        "%(title)s (%(num)s of them written to in another action)",
        len(held),
        title=action.title_phrase or action.title,
    )
    why_phrase = (
        phrase(
            "%(why)s %(held)s buyer draft(s) held back: the buyer of order(s) %(orders)s gets a more pressing message "
            "in this brief (%(instead)s).",
            why=action.why_phrase,
            held=len(held),
            orders=", ".join(sorted(held_orders)),
            instead=Joined(tuple(SITUATION_CODES.get(code, code) for code in instead)),
        )
        if action.why_phrase is not None
        else None
    )
    return replace(
        action,
        steps=steps,
        figures=figures,
        why=why,
        why_phrase=why_phrase,
        title=title.english(),
        title_phrase=title,
    )
