"""Engines and sessions. Services take a session and never commit; the edge owns the transaction."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from tradewind.errors import ConfigurationError


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for a SQLite file (WAL mode, foreign keys on) or a PostgreSQL server (psycopg 3)."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigurationError(f"not a database URL: {url!r}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite"):
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if not parsed.drivername.startswith("postgresql"):
        raise ConfigurationError(f"unsupported database {parsed.drivername!r}: use sqlite:/// or postgresql://")
    engine = create_engine(parsed, pool_pre_ping=True, **kwargs)
    event.listen(engine, "do_connect", _green_connect)
    return engine


def _green_connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    """PostgreSQL connections that wait on the event loop within `green.run_green` (and block elsewhere)."""
    from tradewind.db.green import GreenConnection  # psycopg is imported only for PostgreSQL

    return GreenConnection.connect(*cargs, **cparams)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back everything when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


_MEMO = "tradewind.read_memo"
M = TypeVar("M")


@contextmanager
def read_memo(session: Session) -> Iterator[None]:
    """Within this block, the expensive read-only figures asked for through `memoized` (lane statistics over a
    year of parcels, every open order's outlook) are computed once and shared by everyone who asks.

    The daily brief opens one around its producers, which read the same figures several times and do not change
    what those figures are computed from. Outside such a block `memoized` computes every time.
    """
    outer = session.info.get(_MEMO)
    if outer is None:
        session.info[_MEMO] = {}
    try:
        yield
    finally:
        if outer is None:
            session.info.pop(_MEMO, None)


def memoized(session: Session, key: Hashable, compute: Callable[[], M]) -> M:
    """`compute()`, or the value it gave for `key` earlier in the same `read_memo` block."""
    memo: dict[Hashable, Any] | None = session.info.get(_MEMO)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    found: M = memo[key]
    return found
