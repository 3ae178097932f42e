"""How the brief orders actions: money at risk × how much that kind weighs × how soon it is due. A metric's
expected penalty is carried by the actions that fix it, not by the metric's card."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import TypeVar

from tradewind.action import Action
from tradewind.errors import ValidationError
from tradewind.wording import phrase

T = TypeVar("T")


def urgency(due: date, today: date) -> float:
    """2 when due today, more when overdue (up to 4 after two weeks), halving about every week ahead."""
    days = (due - today).days
    if days <= 0:
        return 2.0 + min(-days, 14) / 7.0
    return 1.0 / (1.0 + days / 7.0)


def priority(value_at_risk: Decimal, weight: float, due: date, today: date) -> float:
    return round(float(max(value_at_risk, Decimal(0))) * weight * urgency(due, today), 2)


def carry_metric_penalties(actions: list[Action]) -> list[Action]:
    """Move each `metric_risk` card's money (the breach's expected penalty) onto the actions of the kinds it names
    in `fixed_by` that are in the brief, shared equally: the replies that lift a reply rate rank by what they save,
    and the card, which only explains, keeps nothing. A card with none of its fixers in the brief keeps its money
    (the seller has to act on it directly). The order of `actions` is kept."""
    extra: dict[str, Decimal] = {}
    carried: dict[str, dict[str, str]] = {}
    emptied: set[str] = set()
    for card in actions:
        kinds = card.figures.get("fixed_by") if card.kind == "metric_risk" else None
        if not kinds or card.value_at_risk <= 0:
            continue
        fixers = [a for a in actions if a.kind in kinds and a.key != card.key]
        if not fixers:
            continue
        share = (card.value_at_risk / len(fixers)).quantize(Decimal("0.01"))
        for fixer in fixers:
            extra[fixer.key] = extra.get(fixer.key, Decimal(0)) + share
            carried.setdefault(fixer.key, {})[card.subject] = str(share)
        emptied.add(card.key)
    if not extra and not emptied:
        return actions
    ranked = []
    for action in actions:
        if action.key in emptied:
            action = replace(action, value_at_risk=Decimal(0), figures=action.figures | {"carried_by_fixes": True})
        if action.key in extra:
            action = replace(
                action,
                value_at_risk=action.value_at_risk + extra[action.key],
                figures=action.figures | {"metric_penalty": carried[action.key]},
            )
        ranked.append(action)
    return ranked


def urgency_group(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        return "overdue"
    if days == 0:
        return "today"
    if days <= 7:
        return "this week"
    return "later"


GROUP_ORDER = ("overdue", "today", "this week", "later")
# The groups as the CLI's table names them, in the reader's language.
GROUP_WORDS = {
    "overdue": phrase("overdue"),
    "today": phrase("today"),
    "this week": phrase("this week"),
    "later": phrase("later"),
}


def overdue_first(items: Iterable[T], today: date, *, due: Callable[[T], date]) -> list[T]:
    """The order a seller reads the brief in: the overdue items (due before the shop's `today`) first, then the
    rest, each part in the order given (the brief's priority). A deadline already missed outranks a larger sum
    due next week: the seller sees it first on every face (the CLI's table, the API's list, the Today page)."""
    overdue: list[T] = []
    rest: list[T] = []
    for item in items:
        (overdue if urgency_group(due(item), today) == "overdue" else rest).append(item)
    return overdue + rest


URGENCY_GROUPS = ("overdue", "today", "this week", "later")


@dataclass(frozen=True)
class OpenRanking:
    """The open actions in the brief's order, as (id, kind, due): what a page of the brief needs to pick its rows
    (`service.ranked_open_actions` reads them)."""

    entries: tuple[tuple[int, str, date], ...]

    @cached_property
    def kind_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(kind for _, kind, _ in self.entries).items()))

    @cached_property
    def _filtered(self) -> dict[tuple[tuple[str, ...], str | None, date], list[int]]:
        return {}

    def matching(self, kinds: Sequence[str], urgency: str | None, today: date) -> list[int]:
        """The ids of the actions of these kinds and urgency, overdue first, then by priority (`overdue_first`:
        the order the CLI's table reads in too); each filter computed once per ranking and day."""
        if urgency is not None and urgency not in URGENCY_GROUPS:
            raise ValidationError(f"urgency must be one of {', '.join(URGENCY_GROUPS)}, not {urgency!r}")
        key = (tuple(sorted(set(kinds))), urgency, today)
        found = self._filtered.get(key)
        if found is None:
            found = [
                action_id
                for action_id, kind, due in overdue_first(self.entries, today, due=lambda entry: entry[2])
                if (not kinds or kind in kinds) and (urgency is None or urgency_group(due, today) == urgency)
            ]
            if len(self._filtered) >= 64:  # any text is a kind to filter by: keep the memo small
                self._filtered.clear()
            self._filtered[key] = found
        return found
