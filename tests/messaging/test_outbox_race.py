"""Two workers on two connections claim the same queue at the same time, on SQLite and on PostgreSQL: every
message is claimed exactly once (the claim is a compare-and-set; the database serialises the writers)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import drop_postgres_database, fresh_postgres_database
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.messaging.models import RecipientKind
from tradewind.messaging.outbox import Recipient, claim_due, queue_message
from tradewind.messaging.templates import Rendered
from tradewind.shops.service import create_shop

NOW = datetime(2026, 2, 3, 9, tzinfo=UTC)
MESSAGES = 40


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def own_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of the test's own: the workers commit, and their connections see only committed rows."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    server: str = request.getfixturevalue("postgres_server_url")
    name, url = fresh_postgres_database(server)
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        drop_postgres_database(server, name)


def test_two_connections_never_claim_the_same_message(own_engine: Engine) -> None:
    sessions = make_sessionmaker(own_engine)
    with transaction(sessions) as session:
        shop = create_shop(session, code="race", name="Race", currency="USD")
        queued = [
            queue_message(
                session,
                shop_id=shop.id,
                shop_code=shop.code,
                idempotency_key=f"race:{n}",
                rendered=Rendered(
                    situation="reply", locale="en", requested_locale="en", subject="Subject", body=f"Body {n}\n"
                ),
                recipient=Recipient(kind=RecipientKind.BUYER),
                facts={},
                now=NOW,
            )[0].id
            for n in range(MESSAGES)
        ]
        shop_id = shop.id
    start = threading.Barrier(2)
    claims: dict[str, list[int]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def work(worker: str) -> None:
        try:
            start.wait(timeout=30)
            while True:
                with transaction(sessions) as session:  # one transaction per claim, as `deliver` does
                    claimed = claim_due(
                        session,
                        worker=worker,
                        now=NOW,
                        lease=timedelta(minutes=5),
                        channel="export",
                        shop_id=shop_id,
                        limit=2,
                    )
                if not claimed:
                    return
                claims[worker].extend(e.id for e in claimed)
        except BaseException as exc:  # reported by the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    every = claims["a"] + claims["b"]
    assert sorted(every) == sorted(queued)  # each message once: none twice, none left
    assert len(set(every)) == MESSAGES
