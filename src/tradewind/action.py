"""The contract between the domains and the brief.

Each domain that has something to say offers an `ActionProducer`: it turns the shop's records into `Action`s for a
day, and carries out an action of its kinds when the seller applies it. The brief collects, ranks and stores them;
adding a kind never touches the brief.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session

from tradewind.config import Settings
from tradewind.shops.models import Shop


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
    metric or a stockout weighs more than a courtesy message).
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
