"""Busy is an answer (issue 18): with another writer holding the database's lock past the busy timeout, `import`,
`brief` and `action apply` print one line and exit 1, an API write answers 503 with Retry-After, and a read is not
held up by noting a token's last use. On PostgreSQL a row lock held too long is the same answer."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests import factories as f
from tests.api.shop_data import TODAY, WEBHOOK_SECRET, build_world
from tests.brief.race_shop import NOW, build, change, outcome
from tests.conftest import drop_postgres_database, fresh_postgres_database
from tradewind.accounts.models import ApiToken
from tradewind.accounts.service import digest
from tradewind.app import create_app
from tradewind.brief.models import ActionState
from tradewind.cli.main import app as cli
from tradewind.clock import FixedClock
from tradewind.config import Settings
from tradewind.db.migrate import upgrade
from tradewind.db.session import BUSY_MESSAGE, make_engine, make_sessionmaker, transaction, without_waiting
from tradewind.errors import BusyError
from tradewind.server.config import ServerSettings
from tradewind.shops.service import get_shop

SHORT = "0.3"  # seconds: the busy timeout of these tests
runner = CliRunner()


@contextmanager
def writer_holding_the_lock(path: Path) -> Iterator[None]:
    """Another program in the middle of a long write (an import, a brief): it holds SQLite's write lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args), env={"TRADEWIND_DATABASE_BUSY_TIMEOUT_SECONDS": SHORT})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def shop_db(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    assert invoke("init", "--shop", "boots", "--name", "Boots", "--db", str(path))[0] == 0
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        shop = get_shop(session, code="boots")
        buyer = f.buyer(session, shop)
        lines = [(f.sku(session, shop, "BOOT-38"), 1)]
        f.order(session, shop, lines, placed_at=NOW - timedelta(days=2), the_buyer=buyer, paid=False)
        session.commit()
    engine.dispose()
    return path


def test_cli_commands_answer_busy_in_one_line_and_work_once_the_lock_is_gone(shop_db: Path, tmp_path: Path) -> None:
    db, today = str(shop_db), NOW.date().isoformat()
    code, out, err = invoke("brief", "--db", db, "--today", today, "--json")
    assert code == 0, err
    action = next(a["id"] for a in json.loads(out)["actions"] if a["kind"] == "unpaid_reminder")
    skus = tmp_path / "skus.csv"
    skus.write_text("sku,title,price,currency,unit\nBOOT-39,Chelsea boot 39,39.90,USD,pair\n")
    with writer_holding_the_lock(shop_db):
        for command in (
            ("action", "apply", str(action), "--db", db, "--today", today),
            ("brief", "--db", db, "--today", today),
            ("import", "skus", str(skus), "--db", db),
        ):
            started = time.monotonic()
            code, _, err = invoke(*command)
            assert code == 1, (command, err)
            assert err.strip() == f"error: {BUSY_MESSAGE}", (command, err)  # one line, no traceback
            assert time.monotonic() - started < 30
    code, out, err = invoke("action", "apply", str(action), "--db", db, "--today", today)
    assert code == 0 and "queued message" in out, err  # nothing of the busy attempt was kept: the apply happens now


# --- the API --------------------------------------------------------------------------------------------------------


@pytest.fixture
def api_db(tmp_path: Path) -> Iterator[tuple[TestClient, Path, dict[str, str], str]]:
    path = tmp_path / "api.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        world = build_world(session, uuid.uuid4().hex[:6])
        tokens, code = world.tokens, world.shop.code
    engine.dispose()
    settings = Settings(database_url=f"sqlite:///{path}", database_busy_timeout_seconds=float(SHORT))
    server = ServerSettings(
        hash_time_cost=1,
        hash_memory_kib=8,
        tracking_webhook_secret=SecretStr(WEBHOOK_SECRET),
        warm_caches=False,
        # No outbox worker: on the pinned day it makes the brief at once (for the digest), and that write races the
        # test's own refresh for the lock (a 503 within the 0.3 s busy timeout, before the test holds the lock).
        outbox_worker=False,
    )
    app = create_app(settings, server=server, clock=FixedClock.on(TODAY))
    with TestClient(app, base_url="http://testserver") as client:
        yield client, path, tokens, code


def test_an_api_write_answers_503_with_retry_after_and_a_read_does_not_wait_to_note_a_token(
    api_db: tuple[TestClient, Path, dict[str, str], str],
) -> None:
    client, path, tokens, code = api_db
    owner, staff = ({"Authorization": f"Bearer {tokens[who]}"} for who in ("owner", "staff"))
    assert client.post(f"/api/v1/shops/{code}/brief/refresh", headers=owner).status_code == 200
    actions = client.get(f"/api/v1/shops/{code}/brief", headers=owner).json()["actions"]
    with writer_holding_the_lock(path):
        response = client.post(f"/api/v1/shops/{code}/actions/{actions[0]['id']}/apply", headers=owner)
        assert response.status_code == 503, response.text
        assert response.json() == {"code": "busy", "message": BUSY_MESSAGE, "details": {}}
        assert int(response.headers["Retry-After"]) > 0
        started = time.monotonic()
        me = client.get("/api/v1/me", headers=staff)  # the staff token's first use: due to be noted
        assert me.status_code == 200 and time.monotonic() - started < float(SHORT)  # it did not wait for the lock
    engine = make_engine(f"sqlite:///{path}")
    last_use = select(ApiToken.last_used_at).where(ApiToken.digest == digest(tokens["staff"]))
    with Session(engine) as session:
        assert session.scalar(last_use) is None  # not noted while the lock was held …
    assert client.get("/api/v1/me", headers=staff).status_code == 200
    with Session(engine) as session:
        assert session.scalar(last_use) is not None  # … but by the next request
    engine.dispose()
    response = client.post(f"/api/v1/shops/{code}/actions/{actions[0]['id']}/apply", headers=owner)
    assert response.status_code == 200 and response.json()["action"]["state"] == "applied"


def test_double_and_crossed_clicks_over_the_api(api_db: tuple[TestClient, Path, dict[str, str], str]) -> None:
    """Three applies at once answer 200 (one does it); an apply and a dismissal at once: one 200, one 409."""
    client, _, tokens, code = api_db
    owner = {"Authorization": f"Bearer {tokens['owner']}"}

    def post(action: int, verb: str) -> Response:
        # TestClient's methods are untyped for mypy (starlette types them with httpx2, which is not installed).
        response: Response = client.post(f"/api/v1/shops/{code}/actions/{action}/{verb}", headers=owner)
        return response

    assert client.post(f"/api/v1/shops/{code}/brief/refresh", headers=owner).status_code == 200
    actions = client.get(f"/api/v1/shops/{code}/brief", headers=owner).json()["actions"]
    first, second = actions[0]["id"], actions[1]["id"]
    with ThreadPoolExecutor(3) as pool:
        applies = list(pool.map(post, [first] * 3, ["apply"] * 3))
    assert [r.status_code for r in applies] == [200, 200, 200], [r.text for r in applies]
    assert sum(not r.json()["done"][0].startswith("already applied") for r in applies) == 1
    events = client.get(f"/api/v1/shops/{code}/actions/{first}", headers=owner).json()["events"]
    assert [e["to_state"] for e in events] == ["open", "applied"]
    with ThreadPoolExecutor(2) as pool:
        crossed = list(pool.map(post, [second] * 2, ["apply", "dismiss"]))
    statuses = sorted(r.status_code for r in crossed)
    assert statuses == [200, 409], [r.text for r in crossed]
    loser = next(r for r in crossed if r.status_code == 409).json()
    assert loser["code"] in ("state_changed", "invalid_transition")
    events = client.get(f"/api/v1/shops/{code}/actions/{second}", headers=owner).json()["events"]
    assert len(events) == 2


# --- the pieces -----------------------------------------------------------------------------------------------------


def test_bookkeeping_does_not_wait_and_the_connection_keeps_its_timeout(tmp_path: Path) -> None:
    path = tmp_path / "touch.db"
    engine = make_engine(f"sqlite:///{path}", busy_timeout_seconds=5)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with writer_holding_the_lock(path):
        started = time.monotonic()
        with pytest.raises(BusyError), transaction(sessions) as session, without_waiting(session):
            session.execute(text("UPDATE shops SET name = name"))
        assert time.monotonic() - started < 1  # not the 5 seconds the engine waits otherwise
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    engine.dispose()


@pytest.mark.postgres
def test_a_row_lock_held_too_long_on_postgresql_is_busy(postgres_server_url: str) -> None:
    name, url = fresh_postgres_database(postgres_server_url)
    engine = make_engine(url, busy_timeout_seconds=float(SHORT))
    try:
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        race = build(sessions)
        with engine.connect() as holder:
            holder.execute(text("SELECT id FROM actions WHERE id = :id FOR UPDATE"), {"id": race.action_id})
            with pytest.raises(BusyError) as busy, transaction(sessions) as session:
                change(session, "dismiss", race)
            assert busy.value.message == BUSY_MESSAGE and busy.value.http_status == 503
            holder.rollback()
        assert outcome(sessions, race).state == ActionState.OPEN  # the busy attempt left nothing
        with transaction(sessions) as session:
            assert change(session, "dismiss", race) == "dismissed"
    finally:
        engine.dispose()
        drop_postgres_database(postgres_server_url, name)


@pytest.mark.postgres
def test_bookkeeping_does_not_wait_on_postgresql_either(postgres_server_url: str) -> None:
    name, url = fresh_postgres_database(postgres_server_url)
    engine = make_engine(url, busy_timeout_seconds=5)
    try:
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        race = build(sessions)
        with engine.connect() as holder:
            holder.execute(text("SELECT id FROM shops WHERE id = :id FOR UPDATE"), {"id": race.shop_id})
            started = time.monotonic()
            with pytest.raises(BusyError), transaction(sessions) as session, without_waiting(session):
                session.execute(text("UPDATE shops SET name = name WHERE id = :id"), {"id": race.shop_id})
            assert time.monotonic() - started < 2  # not the 5 seconds a statement waits otherwise
            holder.rollback()
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "5s"
    finally:
        engine.dispose()
        drop_postgres_database(postgres_server_url, name)
