"""Fixtures of the api tests. The app under test may open its own connections from the engine, outside the
test's rolled-back transaction: this package gets databases of its own, so nothing it commits reaches other tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.api.harness import app, client, connection, db, world
from tests.conftest import drop_postgres_database, fresh_postgres_database
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine

__all__ = ["app", "client", "connection", "db", "world"]


@pytest.fixture(scope="package")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('api_sqlite') / 'tradewind.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="package")
def postgres_engine(postgres_server_url: str) -> Iterator[Engine]:
    name, url = fresh_postgres_database(postgres_server_url)
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    drop_postgres_database(postgres_server_url, name)


@pytest.fixture(autouse=True)
def brief_made_before_answering(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request waits for today's brief for 10 s in production, then shows the last one. These tests read the
    brief of the day they ask for: on a loaded two-core machine making it can take longer than 10 s, and the tests
    would read an empty brief. They wait as long as it takes (the timeout itself is tested in tests/web)."""
    from tradewind.server import briefing

    monkeypatch.setattr(briefing, "WAIT_FOR_BRIEF_SECONDS", 300.0)
