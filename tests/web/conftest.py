"""Fixtures of the web tests. The app under test may open its own connections from the engine, outside the
test's rolled-back transaction: this package gets databases of its own, so nothing it commits reaches other tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.api.harness import app, client, connection, db, world
from tests.conftest import drop_postgres_database, fresh_postgres_database
from tests.web.demo_readers import DemoReaders, build_demo_readers
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine

__all__ = ["app", "client", "connection", "db", "world"]


@pytest.fixture(scope="package")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('web_sqlite') / 'tradewind.db'}")
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


@pytest.fixture(scope="package")
def demo_readers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoReaders]:
    """The demo shop built once for the tests that read its pages in each language (they only read)."""
    readers, engine = build_demo_readers(tmp_path_factory.mktemp("demo_readers") / "demo.db")
    yield readers
    engine.dispose()
