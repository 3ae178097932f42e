"""The figure cache learns of a change after its transaction commits (`db.changes.on_commit_forget`), on an app
whose requests have connections of their own, as in production: a computation that read the records before a
concurrent change is not kept, a rolled-back change forgets nothing, and a read changes nothing.

These tests commit for real into the package's own database, so each builds a shop of its own and deletes it."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, delete, event, select
from sqlalchemy.orm import ORMExecuteState, Session

from tests.api.harness import bearer
from tests.api.shop_data import TODAY, WEBHOOK_SECRET, ShopWorld, build_world
from tradewind.accounts.models import User
from tradewind.app import create_app
from tradewind.brief.models import ActionRecord
from tradewind.brief.ranking import OpenRanking
from tradewind.brief.service import ranked_open_actions
from tradewind.catalog.models import Sku
from tradewind.catalog.service import pause_listings
from tradewind.clock import FixedClock
from tradewind.config import Settings
from tradewind.db.changes import _note_flushed, changed_shops, mark_shop_changed
from tradewind.db.session import transaction
from tradewind.demo.shop import delete_shop_records
from tradewind.server import briefing
from tradewind.server.config import ServerSettings
from tradewind.server.state import AppState
from tradewind.shops.models import Shop


@dataclass
class Served:
    client: TestClient
    state: AppState
    world: ShopWorld

    def brief_ids(self) -> list[int]:
        response = self.client.get(f"/api/v1/shops/{self.world.shop.code}/brief", headers=bearer(self.world, "owner"))
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["actions"]]

    def ranking(self) -> OpenRanking:
        return briefing.open_ranking(self.state, self.world.shop)


@pytest.fixture
def served(engine: Engine) -> Iterator[Served]:
    """The app on the engine itself (a connection per request), and a committed shop that is deleted afterwards."""
    suffix = uuid.uuid4().hex[:6]
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session, suffix)
        session.commit()
    app = create_app(
        Settings(database_url=engine.url.render_as_string(hide_password=False)),
        server=ServerSettings(
            hash_time_cost=1,
            hash_memory_kib=8,
            tracking_webhook_secret=SecretStr(WEBHOOK_SECRET),
            warm_caches=False,
            # The outbox worker queues each owner's morning digest and sends mail: real changes to the shop that
            # would move its generation in the middle of these tests' counts.
            outbox_worker=False,
        ),
        engine=engine,
        clock=FixedClock.on(TODAY),
    )
    try:
        with TestClient(app, base_url="http://testserver") as client:
            yield Served(client, app.state.tradewind, world)
    finally:
        with Session(engine) as session:
            for shop in (world.shop, world.other):
                delete_shop_records(session, shop.id)
            session.execute(delete(User).where(User.email.like(f"%-{suffix}@example.com")))
            session.commit()


def test_a_figure_computed_before_a_concurrent_commit_is_not_kept(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = served.world.shop
    dismissed = served.brief_ids()[0]  # today's brief is made, its ranking cached
    served.state.cache.forget_shops([shop.id])
    read, release = threading.Event(), threading.Event()
    real = ranked_open_actions  # the function briefing calls (patched there below)

    def read_then_wait(session: Session, *, shop_id: int) -> list[Any]:
        found = real(session, shop_id=shop_id)
        if not read.is_set():
            read.set()
            assert release.wait(60), "the write never finished"
        return found

    monkeypatch.setattr(briefing, "ranked_open_actions", read_then_wait)
    computed: list[OpenRanking] = []
    reader = threading.Thread(target=lambda: computed.append(served.ranking()))
    reader.start()
    assert read.wait(60)
    # Another request dismisses an action and commits while the ranking computed from before is still in flight.
    answer = served.client.post(
        f"/api/v1/shops/{shop.code}/actions/{dismissed}/dismiss", json={}, headers=bearer(served.world, "staff")
    )
    assert answer.status_code == 200, answer.text
    release.set()
    reader.join(60)
    assert computed and dismissed in [i for i, _, _ in computed[0].entries]  # the reader did see the old records
    assert dismissed not in served.brief_ids()  # ... and what it found was not kept
    assert dismissed not in [i for i, _, _ in served.ranking().entries]


def test_a_rolled_back_change_forgets_nothing_and_a_committed_one_does(served: Served) -> None:
    shop = served.world.shop
    served.brief_ids()
    cached = served.ranking()
    generation = served.state.cache.generation(shop.id)
    some_action = cached.entries[0][0]

    with pytest.raises(RuntimeError), transaction(served.state.sessions) as session:
        record = session.get(ActionRecord, some_action)
        assert record is not None
        record.title = "changed, then rolled back"
        session.flush()
        mark_shop_changed(session, shop.id)
        raise RuntimeError("the request failed")
    assert served.state.cache.generation(shop.id) == generation
    # A session that rolls back and goes on: its next commit tells only of what that transaction changed.
    with served.state.sessions() as session:
        record = session.get(ActionRecord, some_action)
        assert record is not None
        record.title = "changed, then rolled back"
        session.flush()
        session.rollback()
        mark_shop_changed(session, served.world.other.id)
        session.commit()
    assert served.state.cache.generation(shop.id) == generation
    assert served.state.cache.generation(served.world.other.id) == 1
    assert served.ranking() is cached

    # A change through the ORM is seen at its flush ...
    with transaction(served.state.sessions) as session:
        record = session.get(ActionRecord, some_action)
        assert record is not None
        record.title = "changed for good"
    assert served.state.cache.generation(shop.id) == generation + 1
    again = served.ranking()
    assert again is not cached and again.entries == cached.entries

    # ... and a bulk statement through the service that names its shop.
    with transaction(served.state.sessions) as session:
        sku = session.query(Sku).filter_by(shop_id=shop.id).first()
        assert sku is not None
        pause_listings(session, shop_id=shop.id, sku_id=sku.id)
    assert served.state.cache.generation(shop.id) == generation + 2
    assert served.ranking() is not again


def test_reading_changes_nothing_and_a_change_to_another_shop_keeps_this_ones_figures(served: Served) -> None:
    shop, other = served.world.shop, served.world.other
    served.brief_ids()  # makes today's brief: a change, committed
    generation = served.state.cache.generation(shop.id)
    cached = served.ranking()
    owner = bearer(served.world, "owner")
    for path in ("/brief", "/plans", "/suppliers", "/orders-at-risk", "/lanes", "/growth"):
        response = served.client.get(f"/api/v1/shops/{shop.code}{path}", headers=owner)
        assert response.status_code == 200, (path, response.text)
    assert served.state.cache.generation(shop.id) == generation
    with transaction(served.state.sessions) as session:
        mark_shop_changed(session, other.id)
    assert served.state.cache.generation(shop.id) == generation
    assert served.ranking() is cached


def test_every_transaction_that_writes_a_shops_rows_names_the_shop(served: Served) -> None:
    """A bulk statement the ORM does not see must name its shop (`mark_shop_changed`), or the figures would not
    learn of it: every commit of the app's sessions that executed an INSERT, UPDATE or DELETE on a shop's table
    (a flush writes through the connection, not `Session.execute`: these are the bulk statements) has named a
    shop itself, the notes of flushed records left out. Driven through making the brief and applying, reopening,
    dismissing and snoozing its actions."""
    written: dict[int, set[str]] = {}
    unnamed: list[set[str]] = []

    def executed(run: ORMExecuteState) -> None:
        if run.is_insert or run.is_update or run.is_delete:
            table = getattr(run.statement, "table", None)
            if table is not None and "shop_id" in table.c:
                written.setdefault(id(run.session), set()).add(table.name)

    def committed(session: Session) -> None:
        tables = written.pop(id(session), set())
        if tables and not changed_shops(session):
            unnamed.append(tables)

    sessions = served.state.sessions
    event.remove(sessions, "after_flush", _note_flushed)
    event.listen(sessions, "do_orm_execute", executed)
    event.listen(sessions, "after_commit", committed, insert=True)  # before the notes are handed over
    try:
        ids = served.brief_ids()
        staff = bearer(served.world, "staff")
        base = f"/api/v1/shops/{served.world.shop.code}/actions"
        for number, action_id in enumerate(ids):
            verb = ("apply", "dismiss", "snooze")[number % 3]
            body = {"until": "2026-12-01"} if verb == "snooze" else {}
            answer = served.client.post(f"{base}/{action_id}/{verb}", json=body, headers=staff)
            assert answer.status_code == 200, answer.text
        applied = ids[0]
        served.client.post(f"{base}/{applied}/reopen", headers=staff)
        refreshed = served.client.post(f"/api/v1/shops/{served.world.shop.code}/brief/refresh", headers=staff)
        assert refreshed.status_code == 200, refreshed.text
    finally:
        event.remove(sessions, "do_orm_execute", executed)
        event.remove(sessions, "after_commit", committed)
    assert ids and not unnamed, unnamed


def test_a_record_set_to_the_value_it_had_changes_nothing_and_the_shop_itself_counts(served: Served) -> None:
    shop = served.world.shop
    served.brief_ids()
    generation = served.state.cache.generation(shop.id)
    with transaction(served.state.sessions) as session:
        record = session.scalars(select(ActionRecord).where(ActionRecord.shop_id == shop.id)).first()
        assert record is not None
        record.title = str(record.title)  # the same text: dirty, but not modified
    assert served.state.cache.generation(shop.id) == generation
    with transaction(served.state.sessions) as session:
        the_shop = session.get(Shop, shop.id)
        assert the_shop is not None
        the_shop.name = "Renamed shoe shop"
    assert served.state.cache.generation(shop.id) == generation + 1
