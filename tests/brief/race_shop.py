"""A committed database for the state-change races (threads and processes need rows they can all see, so these
tests cannot run inside a rolled-back transaction): a shop with one unpaid order, whose brief holds one action,
`unpaid_reminder`, that queues one message to the buyer when applied. Also the one change each racer makes."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests import factories as f
from tradewind.action import BriefContext
from tradewind.brief.models import ActionEvent, ActionRecord, ActionState
from tradewind.brief.service import apply_action, dismiss_action, refresh_brief, snooze_action
from tradewind.config import Settings
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.errors import ConflictError
from tradewind.messaging.models import OutboxMessage, OutboxState
from tradewind.messaging.producers import UnpaidReminderProducer
from tradewind.shops.models import Shop
from tradewind.shops.service import create_shop

NOW = datetime(2026, 2, 3, 9, tzinfo=UTC)
CONTEXT = BriefContext(today=NOW.date(), now=NOW, settings=Settings())
PRODUCERS = [UnpaidReminderProducer()]
CHANGES = ("apply", "dismiss", "snooze")


@dataclass(frozen=True)
class RaceShop:
    shop_id: int
    action_id: int


def build(sessions: sessionmaker[Session]) -> RaceShop:
    with transaction(sessions) as session:
        shop = create_shop(session, code=f"race-{uuid.uuid4().hex[:8]}", name="Race shop", currency="USD")
        buyer = f.buyer(session, shop)
        lines = [(f.sku(session, shop), 1)]
        f.order(session, shop, lines, placed_at=NOW - timedelta(days=2), the_buyer=buyer, paid=False)
        (action,) = refresh_brief(session, shop=shop, context=CONTEXT, producers=PRODUCERS).actions
        assert action.kind == "unpaid_reminder"
        return RaceShop(shop.id, action.id)


def change(session: Session, what: str, race: RaceShop, actor: str | None = None) -> str:
    """Make one change; returns what it answered ("no-op" for a change another racer had already made)."""
    actor = actor or f"seller-{uuid.uuid4().hex[:8]}"
    shop = session.get(Shop, race.shop_id)
    assert shop is not None
    if what == "apply":
        _, done = apply_action(
            session, shop=shop, action_id=race.action_id, context=CONTEXT, producers=PRODUCERS, actor=actor
        )
        return "no-op" if done and done[0].startswith("already applied") else "applied"
    if what == "dismiss":
        record = dismiss_action(session, shop=shop, action_id=race.action_id, context=CONTEXT, actor=actor)
        return "dismissed" if record.events[-1].actor == actor else "no-op"  # already dismissed by another
    snooze_action(
        session, shop=shop, action_id=race.action_id, until=NOW.date() + timedelta(days=2), context=CONTEXT, actor=actor
    )
    return "snoozed"


def attempt(sessions: sessionmaker[Session], what: str, race: RaceShop, before: Callable[[], object]) -> str:
    """One racer: wait for the start (`before`), make the change in a transaction of its own; a lost race is
    'conflict' (any other error propagates)."""
    before()
    try:
        with transaction(sessions) as session:
            return change(session, what, race)
    except ConflictError:
        return "conflict"


def attempt_in_process(url: str, what: str, race: RaceShop, barrier: threading.Barrier) -> str:
    """`attempt` in a process of its own (its own engine); the barrier lines the processes up after start-up."""
    engine = make_engine(url)
    try:
        return attempt(make_sessionmaker(engine), what, race, barrier.wait)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Outcome:
    state: ActionState
    changes: list[tuple[str | None, str]]  # the events after "first seen"
    queued: int  # messages to the buyer that left the drafts (queued or beyond)


def outcome(sessions: sessionmaker[Session], race: RaceShop) -> Outcome:
    with transaction(sessions) as session:
        state = session.scalar(select(ActionRecord.state).where(ActionRecord.id == race.action_id))
        assert state is not None
        events = session.execute(
            select(ActionEvent.from_state, ActionEvent.to_state)
            .where(ActionEvent.action_id == race.action_id, ActionEvent.from_state.is_not(None))
            .order_by(ActionEvent.id)
        ).all()
        queued = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.shop_id == race.shop_id, OutboxMessage.state != OutboxState.DRAFT)
        )
        return Outcome(state, [(a, b) for a, b in events], int(queued or 0))
