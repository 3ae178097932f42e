"""Storing the brief's actions: a handful of statements whatever the number of actions, and an action whose content
did not change is not written again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Text, cast, event, select
from sqlalchemy.orm import Session

from tradewind.action import Action, BriefContext, StoredAction
from tradewind.brief.models import ActionEvent, ActionRecord, ActionState
from tradewind.brief.service import refresh_brief
from tradewind.config import Settings
from tradewind.shops.models import Shop

TODAY = date(2026, 2, 3)


def context(day: date = TODAY) -> BriefContext:
    return BriefContext(today=day, now=datetime(day.year, day.month, day.day, 9, tzinfo=UTC), settings=Settings())


@dataclass
class Fixed:
    """A producer that says what it is told to (the storing is under test, not a domain's figures)."""

    actions_of_today: list[Action] = field(default_factory=list)
    kinds: tuple[str, ...] = ("restock",)

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        return list(self.actions_of_today)

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        return []


def action(number: int, figures: dict[str, Any] | None = None) -> Action:
    return Action(
        kind="restock",
        key=f"restock:SUP-{number}",
        subject_kind="supplier",
        subject=f"SUP-{number}",
        due=TODAY + timedelta(days=number % 5),
        title=f"Order from SUP-{number}",
        why="Stock runs out",
        value_at_risk=Decimal(100 + number),
        figures={"number": number} if figures is None else figures,
        steps=[{"type": "purchase_order", "supplier": f"SUP-{number}"}],
    )


@contextmanager
def writes(session: Session) -> Iterator[list[str]]:
    """The INSERT and UPDATE statements the session sends meanwhile (an executemany counts once)."""
    seen: list[str] = []
    connection = session.connection()

    def note(_conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            seen.append(statement)

    event.listen(connection, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", note)


def write_count(session: Session, shop: Shop, numbers: range, day: date) -> int:
    """How many statements the brief of `day` writes to expire the actions `numbers` seen the day before."""
    producer = Fixed([action(n) for n in numbers])
    refresh_brief(session, shop=shop, context=context(day - timedelta(days=1)), producers=[producer])
    producer.actions_of_today = []  # the next day every one of them expires
    with writes(session) as seen:
        refresh_brief(session, shop=shop, context=context(day), producers=[producer])
    keys = [action(n).key for n in numbers]
    states = session.scalars(select(ActionRecord.state).where(ActionRecord.key.in_(keys))).all()
    assert len(states) == len(numbers) and set(states) == {ActionState.EXPIRED}
    return len(seen)


def test_storing_takes_as_many_statements_for_many_actions_as_for_few(session: Session, shop: Shop) -> None:
    """No flush and compare-and-set per action: expiring 3 or 40 actions is the same few statements."""
    few = write_count(session, shop, range(3), TODAY + timedelta(days=1))
    many = write_count(session, shop, range(100, 140), TODAY + timedelta(days=3))
    assert few == many <= 3
    events = session.scalars(
        select(ActionEvent.note).where(ActionEvent.shop_id == shop.id).order_by(ActionEvent.id)
    ).all()
    gone = [f"no longer applies on {TODAY + timedelta(days=1)}", f"no longer applies on {TODAY + timedelta(days=3)}"]
    assert events == ["first seen"] * 3 + [gone[0]] * 3 + ["first seen"] * 40 + [gone[1]] * 40


def test_content_equal_as_values_is_not_written_again(session: Session, shop: Shop) -> None:
    """The same figures with their keys in another order are the same action: its row keeps its text, and a
    brief that changes nothing writes nothing."""
    producer = Fixed([action(1, {"a": 1, "b": [1, 2]})])
    refresh_brief(session, shop=shop, context=context(), producers=[producer])
    producer.actions_of_today = [action(1, {"b": [1, 2], "a": 1.0})]
    with writes(session) as seen:
        (record,) = refresh_brief(session, shop=shop, context=context(), producers=[producer]).actions
    assert seen == []
    stored = session.scalar(select(cast(ActionRecord.figures, Text)).where(ActionRecord.id == record.id))
    assert stored == '{"a": 1, "b": [1, 2]}'
    producer.actions_of_today = [action(1, {"a": 2, "b": [1, 2]})]
    with writes(session) as seen:
        (record,) = refresh_brief(session, shop=shop, context=context(), producers=[producer]).actions
    assert len(seen) == 1 and record.figures == {"a": 2, "b": [1, 2]}
