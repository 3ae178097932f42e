"""Engines and sessions. Services take a session and never commit; the edge owns the transaction.

A lock another writer holds longer than `BUSY_TIMEOUT_SECONDS` (SQLite's `busy_timeout`, PostgreSQL's
`lock_timeout`) ends the transaction with a `BusyError`: one line for the CLI (exit 1), a 503 with `Retry-After`
for the API, never a traceback. See docs/security.md, "Busy database".
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Every session notes the records it edits, for the stores of derived figures: the listeners are registered on
# the Session class when db/changes.py is imported, so before any session is made.
from tradewind.db import changes as _changes  # noqa: F401
from tradewind.errors import BusyError, ConfigurationError

# How long a statement waits for another writer's lock before the database is "busy". Ten seconds is SQLite's
# busy_timeout Tradewind always used: longer than any write of the brief or an action, shorter than a person waits.
BUSY_TIMEOUT_SECONDS = 10.0
BUSY_MESSAGE = "the database is busy (another import or brief is running); try again"
# SQLite's primary result codes SQLITE_BUSY and SQLITE_LOCKED (extended codes such as SQLITE_BUSY_SNAPSHOT keep
# them in their low byte); PostgreSQL's lock_not_available (lock_timeout), deadlock_detected and
# serialization_failure: each means "another transaction is in the way; the same request again will work".
_SQLITE_BUSY_CODES = frozenset({5, 6})
_POSTGRES_BUSY_STATES = frozenset({"55P03", "40P01", "40001"})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, busy_timeout_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")  # first: switching to WAL may wait for a lock
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's own lower() folds ASCII only: a search for "ольга" (`ilike`, `icontains`) missed the buyer "Ольга"
    # that PostgreSQL finds. Python's lower() is Unicode's, as PostgreSQL's is in a UTF-8 database.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(text: Any) -> Any:
    return text.lower() if isinstance(text, str) else text


def make_engine(url: str, *, busy_timeout_seconds: float = BUSY_TIMEOUT_SECONDS, **kwargs: Any) -> Engine:
    """An engine for a SQLite file (WAL mode, foreign keys on) or a PostgreSQL server (psycopg 3); a statement
    waits at most `busy_timeout_seconds` for another writer's lock."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigurationError(f"not a database URL: {url!r}") from exc
    timeout_ms = max(int(busy_timeout_seconds * 1000), 0)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite"):
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", functools.partial(_sqlite_pragmas, busy_timeout_ms=timeout_ms))
        return engine
    if not parsed.drivername.startswith("postgresql"):
        raise ConfigurationError(f"unsupported database {parsed.drivername!r}: use sqlite:/// or postgresql://")
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("options", f"-c lock_timeout={timeout_ms}")
    engine = create_engine(parsed, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    event.listen(engine, "do_connect", _green_connect)
    return engine


def _green_connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    """PostgreSQL connections that wait on the event loop within `green.run_green` (and block elsewhere)."""
    from tradewind.db.green import GreenConnection  # psycopg is imported only for PostgreSQL

    return GreenConnection.connect(*cargs, **cparams)


def is_busy(exc: BaseException) -> bool:
    """Whether `exc` (a SQLAlchemy error or the driver's own) says another transaction held a lock too long."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _SQLITE_BUSY_CODES
    if type(orig).__module__.startswith("sqlite3"):
        return "database is locked" in str(orig) or "database table is locked" in str(orig)
    return getattr(orig, "sqlstate", None) in _POSTGRES_BUSY_STATES


def busy_error(exc: BaseException) -> BusyError | None:
    """The seller's answer for a lock held too long, or None when `exc` is something else."""
    if isinstance(exc, BusyError):
        return exc
    if not is_busy(exc):
        return None
    return BusyError(BUSY_MESSAGE, retry_after=math.ceil(BUSY_TIMEOUT_SECONDS))


@contextmanager
def without_waiting(session: Session) -> Iterator[None]:
    """Within this block a lock another writer holds fails at once (the transaction ends in a `BusyError`)
    instead of waiting: for bookkeeping (when a token was last used) that must never hold up the request."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        before = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(before or 0)}")
        return
    before = connection.exec_driver_sql("SELECT current_setting('lock_timeout')").scalar()
    connection.exec_driver_sql("SELECT set_config('lock_timeout', '1ms', true)")  # until the transaction ends
    yield  # when the block raises, the transaction is over anyway: nothing to restore
    connection.exec_driver_sql("SELECT set_config('lock_timeout', %(v)s, true)", {"v": str(before)})


def database_answers(session: Session) -> None:
    """Ask the database the cheapest question there is (`SELECT 1`): returns when it answers, raises the driver's
    error (a `DBAPIError`) when it cannot be reached. The health check's probe."""
    session.connection().exec_driver_sql("SELECT 1").scalar()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back everything when it raises (a lock held too
    long by another writer raises `BusyError`)."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException as exc:
        session.rollback()
        busy = busy_error(exc)
        if busy is not None and busy is not exc:
            raise busy from None
        raise
    finally:
        session.close()


_MEMO = "tradewind.read_memo"
_SCOPE = "tradewind.read_memo.scope"
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


@contextmanager
def memo_scope(session: Session) -> Iterator[None]:
    """Within a `read_memo`, a part of it (the brief opens one per producer): what is memoized with `scoped=True`
    in this block is kept until its end only, and computed again if asked for after it. For large figures that
    one part reads several times and the others seldom (a brief of a large shop would otherwise hold them, at
    hundreds of megabytes, until its last producer). Outside a `read_memo` it changes nothing."""
    outer = session.info.get(_SCOPE)
    session.info[_SCOPE] = {}
    try:
        yield
    finally:
        if outer is None:
            session.info.pop(_SCOPE, None)
        else:
            session.info[_SCOPE] = outer


def memoized(session: Session, key: Hashable, compute: Callable[[], M], *, scoped: bool = False) -> M:
    """`compute()`, or the value it gave for `key` earlier in the same `read_memo` block (`scoped`: in the same
    `memo_scope` within it, where there is one)."""
    memo: dict[Hashable, Any] | None = session.info.get(_MEMO)
    if memo is None:
        return compute()
    if scoped:
        memo = session.info.get(_SCOPE, memo)
    if key not in memo:
        memo[key] = compute()
    found: M = memo[key]
    return found
