"""One winner per state change (issue 18): apply, dismiss and snooze of one action raced in threads, in processes,
and in a fixed interleaving (a change that read the state before another change committed), on SQLite and
PostgreSQL. Exactly one change wins, it alone writes an event, a message reaches the buyer only when the winner is
an apply, and the losers get a conflict, except a second apply (a double click), which is answered like applying
twice."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

import tradewind.brief.service as brief_service
from tests.brief.race_shop import (
    CHANGES,
    CONTEXT,
    NOW,
    PRODUCERS,
    Outcome,
    RaceShop,
    attempt,
    attempt_in_process,
    build,
    change,
    outcome,
)
from tests.conftest import drop_postgres_database, fresh_postgres_database
from tradewind.brief.models import ActionRecord, ActionState
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.errors import InvalidTransitionError, StateChangedError
from tradewind.messaging.models import OutboxMessage, OutboxState
from tradewind.messaging.outbox import cancel_message, claim_due, message_events, record_sent, transition
from tradewind.shops.models import Shop

STATE_OF = {
    "apply": ActionState.APPLIED,
    "dismiss": ActionState.DISMISSED,
    "snooze": ActionState.SNOOZED,
    "applied": ActionState.APPLIED,
    "dismissed": ActionState.DISMISSED,
    "snoozed": ActionState.SNOOZED,
}


@pytest.fixture(scope="module")
def race_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of each kind that the racers commit to (not rolled back: it is the module's own)."""
    if request.param == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('race')) / 'race.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    server: str = request.getfixturevalue("postgres_server_url")
    name, url = fresh_postgres_database(server)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    drop_postgres_database(server, name)


DATABASES = pytest.mark.parametrize(
    "race_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
def race_engine(race_url: str) -> Iterator[Engine]:
    engine = make_engine(race_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(race_engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(race_engine)


def assert_one_winner(answers: list[str], result: Outcome) -> None:
    """The changes that succeeded happened one after the other, each once: their events chain from `open` to the
    final state, one per success. Only a snoozed action can change again (snoozed → applied or dismissed is
    allowed), so without a snooze among the winners there is exactly one. The buyer hears of the action only when
    an apply won, and then once."""
    successes = [a for a in answers if a in ("applied", "dismissed", "snoozed")]
    assert successes, answers
    assert len(result.changes) == len(successes), (answers, result.changes)
    states = ["open"] + [to for _, to in result.changes]
    assert [from_state for from_state, _ in result.changes] == states[:-1], result.changes
    assert states[-1] == result.state.value
    assert sorted(to for _, to in result.changes) == sorted(STATE_OF[word].value for word in successes)
    assert all(to == "snoozed" for _, to in result.changes[:-1]), result.changes  # applied and dismissed are final
    assert successes.count("applied") <= 1 and result.queued == (1 if "applied" in successes else 0)
    for answer in answers:
        if answer not in successes:
            assert answer == "conflict" or (answer == "no-op" and answers.count("no-op") < len(answers)), answers


# --- a fixed interleaving: the loser read the action before the winner committed --------------------------------


@DATABASES
@pytest.mark.parametrize("first", CHANGES)
@pytest.mark.parametrize("second", CHANGES)
def test_a_change_that_read_the_state_before_another_committed_loses(
    sessions: sessionmaker[Session], first: str, second: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    race = build(sessions)
    reading = brief_service.get_action

    def read_then_let_the_rival_commit(session: Session, **kwargs: Any) -> ActionRecord:
        record = reading(session, **kwargs)
        monkeypatch.setattr(brief_service, "get_action", reading)
        # The rival runs on its own thread and connection and commits while `second` holds the open action.
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(attempt, sessions, first, race, lambda: None).result() == change_word(first)
        return record

    monkeypatch.setattr(brief_service, "get_action", read_then_let_the_rival_commit)
    if first == second == "apply":
        with transaction(sessions) as session:
            assert change(session, second, race) == "no-op"  # a double click: answered as applying twice
    elif first == second == "dismiss":
        with transaction(sessions) as session:
            assert change(session, second, race) == "no-op"  # dismissing twice: the same answer, no second event
    else:
        with pytest.raises(StateChangedError) as lost, transaction(sessions) as session:
            change(session, second, race)
        assert lost.value.details["expected"] == "open"
        assert lost.value.details["state"] == STATE_OF[first].value
        assert f"has just become {STATE_OF[first].value}" in lost.value.message
    result = outcome(sessions, race)
    assert result.state == STATE_OF[first]
    assert result.changes == [("open", STATE_OF[first].value)]
    assert result.queued == (1 if first == "apply" else 0)


@DATABASES
@pytest.mark.parametrize("rival", ["apply", "dismiss"])
def test_apply_selected_reports_an_action_another_change_got_to_first(
    sessions: sessionmaker[Session], rival: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`apply_actions` (the dashboard's "Apply selected") read the action open, then a rival applied or dismissed it:
    the action is reported in the rival's state, nothing is raised and nothing is done twice."""
    race = build(sessions)
    reading = brief_service.get_action

    def read_then_let_the_rival_commit(session: Session, **kwargs: Any) -> ActionRecord:
        record = reading(session, **kwargs)
        monkeypatch.setattr(brief_service, "get_action", reading)
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(attempt, sessions, rival, race, lambda: None).result() == change_word(rival)
        return record

    monkeypatch.setattr(brief_service, "get_action", read_then_let_the_rival_commit)
    with transaction(sessions) as session:
        shop = session.get(Shop, race.shop_id)
        assert shop is not None
        twice = [race.action_id, race.action_id]  # one action ticked twice is applied (at most) once
        (found,) = brief_service.apply_actions(
            session, shop=shop, action_ids=twice, context=CONTEXT, producers=PRODUCERS
        )
    assert found.state == STATE_OF[rival] and not found.applied
    result = outcome(sessions, race)
    assert result.changes == [("open", STATE_OF[rival].value)]
    assert result.queued == (1 if rival == "apply" else 0)


def change_word(what: str) -> str:
    return {"apply": "applied", "dismiss": "dismissed", "snooze": "snoozed"}[what]


# --- threads --------------------------------------------------------------------------------------------------------


@DATABASES
@pytest.mark.parametrize(
    "racers",
    [("apply", "dismiss", "snooze"), ("apply", "dismiss", "dismiss"), ("apply", "apply", "apply")],
    ids=["mixed", "apply-dismiss", "applies"],
)
def test_threads_racing_on_one_action_have_one_winner(sessions: sessionmaker[Session], racers: tuple[str, ...]) -> None:
    for _ in range(4):
        race = build(sessions)
        start = threading.Barrier(len(racers))
        with ThreadPoolExecutor(len(racers)) as pool:
            n = len(racers)
            answers = list(pool.map(attempt, [sessions] * n, racers, [race] * n, [start.wait] * n))
        assert_one_winner(answers, outcome(sessions, race))
        if "snooze" not in racers:
            assert len([a for a in answers if a not in ("conflict", "no-op")]) == 1, answers  # exactly one winner
        if racers == ("apply", "apply", "apply"):
            assert sorted(answers) == ["applied", "no-op", "no-op"]  # a triple click is no error


# --- processes ------------------------------------------------------------------------------------------------------


@DATABASES
def test_processes_racing_on_one_action_have_one_winner(race_url: str, sessions: sessionmaker[Session]) -> None:
    spawn = multiprocessing.get_context("spawn")
    for racers in (("apply", "dismiss", "snooze"), ("apply", "apply", "dismiss")):
        race = build(sessions)
        with spawn.Manager() as manager:
            start = manager.Barrier(len(racers))
            with spawn.Pool(len(racers)) as pool:
                answers = pool.starmap(attempt_in_process, [(race_url, what, race, start) for what in racers])
        assert_one_winner(answers, outcome(sessions, race))
        if "snooze" not in racers:
            assert len([a for a in answers if a not in ("conflict", "no-op")]) == 1, answers


def test_the_race_shop_holds_one_open_action(tmp_path: Path) -> None:
    """The races above start from one open action that queues one message when applied (and none before)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'one.db'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    race: RaceShop = build(sessions)
    before = outcome(sessions, race)
    assert before.state == ActionState.OPEN and before.changes == [] and before.queued == 0
    with transaction(sessions) as session:
        assert change(session, "apply", race) == "applied"
    assert outcome(sessions, race).queued == 1
    engine.dispose()


# --- outbox messages ------------------------------------------------------------------------------------------------


def queued_message(sessions: sessionmaker[Session], race: RaceShop) -> int:
    """Apply the race shop's action: one message to the buyer, queued."""
    with transaction(sessions) as session:
        change(session, "apply", race)
        return int(session.scalars(select(OutboxMessage.id).where(OutboxMessage.shop_id == race.shop_id)).one())


def message_states(sessions: sessionmaker[Session], message_id: int) -> list[str]:
    with transaction(sessions) as session:
        shop_id = session_shop(session, message_id)
        return [event.to_state for event in message_events(session, shop_id=shop_id, message_id=message_id)]


def session_shop(session: Session, message_id: int) -> int:
    message = session.get(OutboxMessage, message_id)
    assert message is not None
    return message.shop_id


@DATABASES
def test_a_worker_recording_a_message_the_seller_cancelled_meanwhile_records_nothing(
    sessions: sessionmaker[Session],
) -> None:
    race = build(sessions)
    message_id = queued_message(sessions, race)
    with transaction(sessions) as worker:
        stale = worker.get(OutboxMessage, message_id)  # the worker read it queued …
        assert stale is not None and stale.state == OutboxState.QUEUED
        with transaction(sessions) as seller:  # … the seller cancels it and commits …
            cancel_message(seller, shop_id=race.shop_id, message_id=message_id, now=NOW)
        with pytest.raises(StateChangedError):  # … and the worker's stale change loses
            transition(stale, OutboxState.SENT, at=NOW, actor="worker")
    assert message_states(sessions, message_id) == ["draft", "queued", "cancelled"]


@DATABASES
def test_a_message_on_its_way_to_the_server_cannot_be_cancelled(sessions: sessionmaker[Session]) -> None:
    race = build(sessions)
    message_id = queued_message(sessions, race)
    with transaction(sessions) as session:
        (envelope,) = claim_due(
            session, worker="w1", now=NOW, lease=timedelta(minutes=2), channel="export", shop_id=race.shop_id
        )
    assert envelope.id == message_id
    with pytest.raises(InvalidTransitionError, match="being sent"), transaction(sessions) as session:
        cancel_message(session, shop_id=race.shop_id, message_id=message_id, now=NOW + timedelta(seconds=30))
    with transaction(sessions) as session:
        assert record_sent(session, message_id=message_id, worker="w1", now=NOW + timedelta(seconds=40))
    assert message_states(sessions, message_id) == ["draft", "queued", "sent"]  # sent, and recorded as sent


@DATABASES
def test_cancels_racing_a_claim_have_one_winner(sessions: sessionmaker[Session]) -> None:
    """A seller cancelling while a worker claims: either the claim wins (the cancel is refused: being sent) or the
    cancel wins (nothing is claimed, nothing is sent); never a cancelled message that a worker then sends."""
    for _ in range(4):
        assert race_a_claim_and_a_cancel(sessions) in ((1, "refused"), (0, "cancelled"))


def race_a_claim_and_a_cancel(sessions: sessionmaker[Session]) -> tuple[int, str]:
    race = build(sessions)
    message_id = queued_message(sessions, race)
    start = threading.Barrier(2)

    def claim() -> int:
        start.wait()
        with transaction(sessions) as session:
            due = claim_due(
                session, worker="w", now=NOW, lease=timedelta(minutes=2), channel="export", shop_id=race.shop_id
            )
            return len(due)

    def cancel() -> str:
        start.wait()
        try:
            with transaction(sessions) as session:
                return cancel_message(session, shop_id=race.shop_id, message_id=message_id, now=NOW).state.value
        except InvalidTransitionError:
            return "refused"

    with ThreadPoolExecutor(2) as pool:
        claimed, cancelled = pool.submit(claim), pool.submit(cancel)
        return claimed.result(), cancelled.result()
