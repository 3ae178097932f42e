"""Fixtures shared by the API and dashboard tests: the app on the test database (each test inside a transaction
rolled back at the end, whatever the app commits), a shop with users and tokens, and signing in."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.api.shop_data import PASSWORD, TODAY, WEBHOOK_SECRET, ShopWorld, build_world
from tradewind.app import create_app
from tradewind.clock import Clock, FixedClock
from tradewind.config import Settings
from tradewind.server.config import ServerSettings


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        outer.rollback()
        conn.close()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def world(db: Session) -> ShopWorld:
    built = build_world(db, uuid.uuid4().hex[:6])
    db.commit()  # a savepoint: the app's sessions on the same connection see it
    return built


def make_app(connection: Connection, *, security_clock: Clock | None = None, **server: Any) -> FastAPI:
    sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    settings = Settings(database_url=connection.engine.url.render_as_string(hide_password=False))
    options: dict[str, Any] = {  # ServerSettings' fields, the test's own over these
        "hash_time_cost": 1,
        "hash_memory_kib": 8,
        "tracking_webhook_secret": SecretStr(WEBHOOK_SECRET),
        "warm_caches": False,  # no background work on the test's one connection
        "outbox_worker": False,
    }
    options.update(server)
    return create_app(
        settings,
        server=ServerSettings(**options),
        engine=connection.engine,
        sessions=sessions,
        clock=FixedClock.on(TODAY),
        security_clock=security_clock,
    )


@pytest.fixture
def app(connection: Connection, world: ShopWorld) -> FastAPI:
    return make_app(connection)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


def bearer(world: ShopWorld, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[who]}"}


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the page's form (CSRF) token."""
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get("/", follow_redirects=True)
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert found is not None, page.text[:500]
    return found.group(1)
