"""What the per-shop stores of derived figures (the lane samples in logistics, the daily demand in planning) have
folded in: a watermark per store and source, the highest record id of that source brought into the store.

A store is brought up to date by folding in the records past its watermarks and moving them on, in the caller's
transaction. Edits below a watermark are noted by the editing session (`db/changes.py`) and counted per shop and
table at its commit (`edit_counts`, kept here under the store EDITS): a store folds in again the rows its own
transaction edited, and compares a few sums of the records with the same sums of the store (in SQL, one query
each, rebuilding the shop's part when they differ) only when another transaction's edits moved a count
(`edits_to_take_in`). The stores and their refresh live in the
domains that own the figures; this module only keeps their watermarks, lets one refresher at a time work on a
shop's store, and gives the SQL both databases need to compare instants.

Each store is described once by its domain as a `ShopStore` (its name, the tables it is made from, its refresh and
rebuild); `brief/stores.py` `SHOP_STORES` lists them, and `refresh_stores` brings a shop's stores up to date where
records arrive (the importers, the tracking webhook, `tradewind track import`) and where the brief is made.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint, delete, insert, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from tradewind.db.base import Base, ShopOwned
from tradewind.db.changes import EditNote, absorb_notes, absorbed_counts, edit_counts_noted, notes_since


class StoreWatermark(ShopOwned, Base):
    """How far one shop's store has folded in one source: the highest id of that source's records it has seen."""

    __tablename__ = "store_watermarks"
    __table_args__ = (UniqueConstraint("shop_id", "store", "source"),)

    store: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    last_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))


class StoreRefresh(Protocol):
    """A store's refresh or rebuild for one shop, in the caller's transaction; the number of rows it wrote."""

    def __call__(self, session: Session, *, shop_id: int) -> int: ...


@dataclass(frozen=True)
class ShopStore:
    """One per-shop store of derived figures: its name (the `store` of its watermarks), the tables of the records
    it is made from (a write to one of them is what may leave it behind), and how it is brought up to date and
    made afresh."""

    name: str
    sources: frozenset[str]
    refresh: StoreRefresh
    rebuild: StoreRefresh


def refresh_stores(
    session: Session,
    *,
    shop_ids: Iterable[int],
    stores: Sequence[ShopStore],
    touched: Collection[str] | None = None,
) -> dict[str, int]:
    """Bring the shops' stores up to date with their records, in the caller's transaction (the records and the
    stores are committed together: no reader ever sees records a store has not folded in because of a gap between
    two transactions). With `touched` (the tables the caller wrote), only the stores made from one of them; in the
    order `stores` lists them (a store read by another's refresh comes first). The rows written, per store."""
    chosen = [store for store in stores if touched is None or store.sources & set(touched)]
    written = dict.fromkeys((store.name for store in chosen), 0)
    if not chosen:
        return written
    session.flush()
    for shop_id in sorted(set(shop_ids)):
        for store in chosen:
            written[store.name] += store.refresh(session, shop_id=shop_id)
    return written


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


# Each (shop, table)'s edit count: how many committed transactions updated or deleted its records (db/changes.py
# moves it on at each commit). Kept beside the watermarks, as the source `table` of the store EDITS; a store keeps
# the count it has checked as its source `edits:table`.
EDITS = "edits"


def edit_mark(table: str) -> str:
    """The name of the watermark under which a store keeps the edit count of `table` it has checked."""
    return f"edits:{table}"[:32]


def edit_counts(session: Session, *, shop_id: int, tables: Collection[str]) -> dict[str, int]:
    """The committed edit count of each of the shop's `tables` (0: never edited)."""
    rows = session.execute(
        select(StoreWatermark.source, StoreWatermark.last_id).where(
            StoreWatermark.shop_id == shop_id, StoreWatermark.store == EDITS, StoreWatermark.source.in_(tables)
        )
    )
    found = {source: int(count) for source, count in rows}
    return {table: found.get(table, 0) for table in tables}


def count_edits(session: Session, edited: Sequence[tuple[tuple[int, str], int]]) -> None:
    """Move on the edit count of each (shop, table) by its number (called as the transaction commits, in this
    order)."""
    dialect = session.get_bind().dialect.name
    make: Callable[[type[StoreWatermark]], Any] = sqlite_insert
    if dialect == "postgresql":
        # Imported on PostgreSQL only: the dialect's package loads every one of its drivers' modules (~45 ms).
        from sqlalchemy.dialects.postgresql import insert as make
    for (shop_id, table), number in edited:
        statement = make(StoreWatermark).values(shop_id=shop_id, store=EDITS, source=table[:32], last_id=number)
        statement = statement.on_conflict_do_update(
            index_elements=["shop_id", "store", "source"], set_={"last_id": StoreWatermark.last_id + number}
        )
        session.connection().execute(statement)


@dataclass(frozen=True)
class Edits:
    """The edits of a store's source tables it has not taken in: `unseen`, another transaction committed edits the
    store has not checked (a full comparison of the records is due); `notes`, this transaction's edits since the
    store last took them in, by id; `marks`, the edit counts to keep once it has."""

    unseen: bool
    notes: list[EditNote]
    marks: dict[str, int]

    def ids(self, table: str) -> set[int] | None:
        """The ids of `table` this transaction edited since, or None when a statement named no rows."""
        found: set[int] = set()
        for note in self.notes:
            if note.table == table:
                if note.ids is None:
                    return None
                found |= note.ids
        return found


def edits_to_take_in(
    session: Session, *, store: str, shop_id: int, tables: Collection[str], marks: dict[str, int]
) -> Edits:
    """What a store (its watermarks `marks`) has not taken in of the edits of the shop's `tables`. Read before the
    records: an edit committed meanwhile then shows as unseen the next time, never as checked."""
    committed = edit_counts(session, shop_id=shop_id, tables=tables)
    reader = (store, shop_id)
    # A store that took in notes of this transaction keeps the count its commit makes of them (one per note).
    taken = absorbed_counts(session, reader=reader, shop_id=shop_id, tables=tables)
    unseen = any(marks.get(edit_mark(t)) != committed[t] + taken[t] for t in tables)
    noted = edit_counts_noted(session, shop_id=shop_id, tables=tables)
    return Edits(
        unseen=unseen,
        notes=notes_since(session, reader=reader, shop_id=shop_id, tables=tables),
        marks={edit_mark(t): committed[t] + noted[t] for t in tables},
    )


def took_in(session: Session, *, store: str, shop_id: int) -> None:
    """The store has taken in every edit this transaction noted so far."""
    absorb_notes(session, reader=(store, shop_id))


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
    # The fraction cut off first: strftime('%s') rounds it to milliseconds, so 23:59:59.9996 would be the next day.
    # SQLite keeps an instant as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's text for DATETIME).
    return f"CAST(strftime('%s', substr({compiler.process(element.clauses, **kw)}, 1, 19)) AS INTEGER)"


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


class epoch_days(FunctionElement[int]):  # noqa: N801 - an SQL function, named as one
    """The days since 1970-01-01 of a stored date (`date.toordinal()` less 1970's), the same way on SQLite and
    PostgreSQL: a date column read as a number, not as a date object per row."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_days, "sqlite")
def _epoch_days_sqlite(element: epoch_days, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps a date as 'YYYY-MM-DD'; its Julian day is a whole number and a half, 2440587.5 on 1970-01-01.
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(epoch_days)
def _epoch_days_postgresql(element: epoch_days, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


def as_int(value: Any) -> int:
    """A SUM's result as an int (None for no rows is 0; PostgreSQL's SUM of a BIGINT is a NUMERIC)."""
    return 0 if value is None else int(value)
