"""The health check's probe (`db.session.database_answers`): returns on a database that answers (SQLite and
PostgreSQL), raises the driver's error on one that cannot be reached."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tradewind.db.session import database_answers, make_engine


def test_a_database_that_answers(session: Session) -> None:
    database_answers(session)


def test_a_database_out_of_reach_raises_the_drivers_error(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'no such directory' / 'shop.db'}")
    try:
        with Session(engine) as session, pytest.raises(DBAPIError):
            database_answers(session)
    finally:
        engine.dispose()
