"""What the per-shop stores of derived figures (the lane samples in logistics, the daily demand in planning) have
folded in: a watermark per store and source, the highest record id of that source brought into the store.

A store is brought up to date by folding in the records past its watermarks and moving them on, in the caller's
transaction; edits below a watermark are found by comparing a few sums of the records with the same sums of the
store (in SQL, one query each), and the shop's part is then rebuilt. The stores and their refresh live in the
domains that own the figures; this module only keeps their watermarks, lets one refresher at a time work on a
shop's store, and gives the SQL both databases need to compare instants.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint, delete, insert, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from tradewind.db.base import Base, ShopOwned


class StoreWatermark(ShopOwned, Base):
    """How far one shop's store has folded in one source: the highest id of that source's records it has seen."""

    __tablename__ = "store_watermarks"
    __table_args__ = (UniqueConstraint("shop_id", "store", "source"),)

    store: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    last_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))


def watermarks(session: Session, *, shop_id: int, store: str) -> dict[str, int]:
    """Each source's watermark of the shop's store; empty when the store was never built for the shop."""
    rows = session.execute(
        select(StoreWatermark.source, StoreWatermark.last_id).where(
            StoreWatermark.shop_id == shop_id, StoreWatermark.store == store
        )
    )
    return {source: int(last_id) for source, last_id in rows}


def set_watermarks(session: Session, *, shop_id: int, store: str, marks: dict[str, int]) -> None:
    """Replace the shop's store's watermarks (its sources and their highest ids folded in)."""
    session.execute(delete(StoreWatermark).where(StoreWatermark.shop_id == shop_id, StoreWatermark.store == store))
    # Statements, not ORM records: bringing a store up to date changes no record, so the session's change notes
    # (`db/changes.py`) must not tell the figure cache that the shop changed.
    session.execute(
        insert(StoreWatermark),
        [
            {"shop_id": shop_id, "store": store, "source": source, "last_id": last_id}
            for source, last_id in sorted(marks.items())
        ],
    )


def lock_store(session: Session, *, shop_id: int, store: str) -> None:
    """One refresher at a time per shop and store, until the transaction ends: on PostgreSQL a transaction-level
    advisory lock (two briefs folding the same records in would insert them twice); SQLite lets one writer in at a
    time already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:store, :shop)"), {"store": _key(store), "shop": shop_id})


def _key(store: str) -> int:
    """A stable 32-bit key for a store's name (Python's hash() changes between processes)."""
    value = 0
    for byte in store.encode():
        value = (value * 131 + byte) % 2_147_483_647
    return value


class epoch_seconds(FunctionElement[int]):  # noqa: N801 - an SQL function, named as one
    """The whole seconds since 1970 of a stored instant (rounded down), the same way on SQLite and PostgreSQL."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch_seconds)
def _epoch_postgresql(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(floor(extract(epoch FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"


class whole_seconds(FunctionElement[int]):  # noqa: N801 - an SQL function, named as one
    """A number of seconds since 1970 kept as a float, rounded down to whole seconds as `epoch_seconds` rounds."""

    type = BigInteger()
    inherit_cache = True


@compiles(whole_seconds, "sqlite")
def _whole_sqlite(element: whole_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # CAST truncates toward zero: rounding down for every instant after 1970.
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


@compiles(whole_seconds)
def _whole_postgresql(element: whole_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(floor({compiler.process(element.clauses, **kw)}) AS BIGINT)"


class epoch_microseconds(FunctionElement[int]):  # noqa: N801 - an SQL function, named as one
    """The microseconds since 1970 of a stored instant, exactly, the same way on SQLite and PostgreSQL (SQLite's
    own strftime('%s') rounds the fraction to milliseconds first, so that an instant a few microseconds before a
    whole second is counted in the next one: no match for a float's seconds rounded down)."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_microseconds, "sqlite")
def _epoch_us_sqlite(element: epoch_microseconds, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps an instant as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's text for DATETIME).
    moment = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(strftime('%s', substr({moment}, 1, 19)) AS INTEGER) * 1000000 "
        f"+ CAST(substr(substr({moment}, 21, 6) || '000000', 1, 6) AS INTEGER))"
    )


@compiles(epoch_microseconds)
def _epoch_us_postgresql(element: epoch_microseconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(round(extract(epoch FROM {compiler.process(element.clauses, **kw)}) * 1000000) AS BIGINT)"


class whole_microseconds(FunctionElement[int]):  # noqa: N801 - an SQL function, named as one
    """A number of seconds since 1970 kept as a float, in whole microseconds as `epoch_microseconds` gives them (a
    double holds an instant of this century to a tenth of a microsecond: rounding finds the one it was made from)."""

    type = BigInteger()
    inherit_cache = True


@compiles(whole_microseconds, "sqlite")
def _whole_us_sqlite(element: whole_microseconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(round({compiler.process(element.clauses, **kw)} * 1000000) AS INTEGER)"


@compiles(whole_microseconds)
def _whole_us_postgresql(element: whole_microseconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(round({compiler.process(element.clauses, **kw)} * 1000000) AS BIGINT)"


def as_int(value: Any) -> int:
    """A SUM's result as an int (None for no rows is 0; PostgreSQL's SUM of a BIGINT is a NUMERIC)."""
    return 0 if value is None else int(value)
