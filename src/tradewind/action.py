"""The contract between the domains and the brief.

Each domain that has something to say offers an `ActionProducer`: it turns the shop's records into `Action`s for a
day, and carries out an action of its kinds when the seller applies it. The brief collects, ranks and stores them;
adding a kind never touches the brief.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session

from tradewind.config import Settings
from tradewind.shops.models import Shop
from tradewind.wording import Phrase


@dataclass(frozen=True)
class BriefContext:
    """What every producer is given: the day, the instant, and the settings."""

    today: date
    now: datetime
    settings: Settings


@dataclass(frozen=True)
class Action:
    """One thing the seller should do, with the figures behind it.

    `key` is the action's identity across days (kind + subject), `value_at_risk` the money (shop currency) that
    doing nothing puts at risk, `weight` how much one unit of that money counts for this kind (a seller-caused
    metric or a stockout weighs more than a courtesy message). `title_phrase` is the title as a message id and its
    arguments (`tradewind.wording`), rendered in the reader's language; `title` is its English (`why_phrase` and `why`
    likewise).
    """

    kind: str
    key: str
    subject_kind: str
    subject: str
    due: date
    title: str
    why: str
    value_at_risk: Decimal
    figures: dict[str, Any] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    weight: float = 1.0
    title_phrase: Phrase | None = None
    why_phrase: Phrase | None = None


@dataclass(frozen=True)
class StoredAction:
    """An action as the brief stored it, handed back to its producer to apply."""

    id: int
    kind: str
    key: str
    subject_kind: str
    subject: str
    due: date
    figures: dict[str, Any]
    steps: list[dict[str, Any]]


class ActionProducer(Protocol):
    """A domain's voice in the brief."""

    kinds: tuple[str, ...]

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]: ...

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        """Do what the action says in Tradewind's records; idempotent. Returns what was done, one line each."""
        ...


class UndoableProducer(ActionProducer, Protocol):
    """A producer that can undo what applying one of its actions did, so that the action can be reopened."""

    def undo(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        """Undo in Tradewind's records what `apply` did; returns what was undone, one line each. Raises
        `InvalidTransitionError` saying why when it cannot be undone (a purchase order already shipped, a message
        already queued); nothing is then changed."""
        ...


def members_digest(subjects: Iterable[str]) -> str:
    """The identity of a group action's membership, for its key. The same members tomorrow are the same action (a
    snooze or a dismissal holds); one more, or some of them dealt with, makes it a new action (applying the earlier
    one dealt with its members, which are not asked about again)."""
    joined = "\n".join(sorted(subjects))
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def gather(
    members: Sequence[Action],
    *,
    kind: str,
    key: str,
    subject_kind: str,
    subject: str,
    title: str | Phrase,
    why: str | Phrase,
    figures: dict[str, Any],
) -> Action:
    """One action standing for `members` (several buyers, parcels or SKUs that one click deals with): the money
    they put at risk added up, the weight of the weightiest, the earliest due day, and all their steps in order.
    A title (or reason) given as a `Phrase` is its English and its `title_phrase` (`why_phrase`)."""
    return Action(
        kind=kind,
        key=key,
        subject_kind=subject_kind,
        subject=subject,
        due=min(a.due for a in members),
        title=title.english() if isinstance(title, Phrase) else title,
        title_phrase=title if isinstance(title, Phrase) else None,
        why=why.english() if isinstance(why, Phrase) else why,
        why_phrase=why if isinstance(why, Phrase) else None,
        value_at_risk=sum((a.value_at_risk for a in members), Decimal(0)),
        weight=max(a.weight for a in members),
        figures=figures,
        steps=[step for a in members for step in a.steps],
    )
