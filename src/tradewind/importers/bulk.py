"""Set-at-a-time database work for importers: existing records loaded by key in chunks (never one SELECT per
row), inserts and updates as executemany batches, and the comparison that decides created/updated/unchanged."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Table, bindparam, delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.elements import BindParameter

from tradewind.db.base import Base
from tradewind.db.changes import note_edited
from tradewind.importers.summary import ImportSummary

T = TypeVar("T")
ColumnLike = ColumnElement[Any] | QueryableAttribute[Any]

# Keys per SELECT … IN (rendered as literals), and rows per executemany batch.
CHUNK = 500
WRITE_BATCH = 5000


def table_of(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_by_keys(
    session: Session,
    columns: Sequence[Any],
    key: ColumnLike,
    keys: Iterable[Any],
    *conditions: ColumnElement[bool],
) -> list[RowMapping]:
    """The rows (as mappings of `columns`) whose `key` is one of `keys`, fetched a chunk of keys at a time."""
    wanted = sorted(set(keys))
    found: list[RowMapping] = []
    for part in chunks(wanted):
        # Keys rendered as literals: one expanding IN with hundreds of parameters, prepared by psycopg and planned
        # generically on tables just bulk-loaded, scanned the whole table per chunk (49 s against 0.3 s for 100k).
        keys_in: BindParameter[Any] = bindparam("keys", list(part), expanding=True, literal_execute=True)
        statement = select(*columns).where(key.in_(keys_in), *conditions)
        found.extend(session.execute(statement).mappings())
    return found


def load_keyed(
    session: Session,
    columns: Sequence[Any],
    key: QueryableAttribute[Any],
    keys: Iterable[Any],
    *conditions: ColumnElement[bool],
) -> dict[Any, RowMapping]:
    """`load_by_keys` by the value of `key` (one of `columns`)."""
    return {row[key.key]: row for row in load_by_keys(session, columns, key, keys, *conditions)}


def load_ids(
    session: Session,
    id_column: ColumnLike,
    key: ColumnLike,
    keys: Iterable[Any],
    *conditions: ColumnElement[bool],
) -> dict[Any, int]:
    """The id of each existing record whose `key` is one of `keys`."""
    rows = load_by_keys(session, (id_column.label("id"), key.label("key")), key, keys, *conditions)
    return {row["key"]: row["id"] for row in rows}


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT `rows` in executemany batches (every row with the same keys); large sets go the fast way."""
    if len(rows) >= FAST_INSERT_MIN and _fast_insert(session, table, rows):
        return
    for part in chunks(rows, WRITE_BATCH):
        session.execute(insert(table), list(part))


# From this many rows on, an INSERT skips SQLAlchemy's per-row parameter handling (half the time of a large import):
# the rows go to the driver as tuples, each value through its column type's bind processor, in the session's
# transaction; PostgreSQL gets them through COPY.
FAST_INSERT_MIN = 2000


def _fast_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> bool:
    """Insert `rows` through the driver; False (nothing done) when a column would need a Python-side default."""
    names = list(rows[0])
    unnamed = [c for c in table.columns if c.name not in names and c.default is not None and not c.primary_key]
    if unnamed:
        return False
    connection = session.connection()
    dialect = connection.dialect
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    quote = dialect.identifier_preparer.quote
    target = dialect.identifier_preparer.format_table(table)
    columns = ", ".join(quote(name) for name in names)

    def tuples(part: Sequence[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
        for row in part:
            yield tuple(
                value if process is None or value is None else process(value)
                for value, process in zip([row[name] for name in names], processors, strict=True)
            )

    driver = connection.connection.driver_connection
    if dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for values in tuples(rows):
                copy.write_row(values)
        return True
    if dialect.paramstyle != "qmark":
        return False
    statement = f"INSERT INTO {target} ({columns}) VALUES ({', '.join('?' for _ in names)})"
    cursor = connection.connection.cursor()
    try:
        for part in chunks(rows, WRITE_BATCH * 10):
            cursor.executemany(statement, list(tuples(part)))
    finally:
        cursor.close()
    return True


def update_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]], *, shop_id: int) -> None:
    """UPDATE by primary key: each row holds "id" and the columns to change (ORM bulk UPDATE, batched). The rows are
    noted as edited (`db.changes.note_edited`): a statement the session's flush does not see."""
    if not rows:
        return
    columns = {name for row in rows for name in row if name != "id"}
    note_edited(session, shop_id=shop_id, table=table_of(model).name, ids=[row["id"] for row in rows], columns=columns)
    for part in chunks(rows, WRITE_BATCH):
        session.execute(update(model), list(part))


def delete_ids(session: Session, table: Table, ids: Sequence[int], *, shop_id: int) -> None:
    if not ids:
        return
    note_edited(session, shop_id=shop_id, table=table.name, ids=ids, deleted=True)
    for part in chunks(ids):
        session.execute(delete(table).where(table.c.id.in_(part)))


def changes(existing: Mapping[Any, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The wanted values that differ from the stored ones; None in `wanted` means "not given", so kept."""
    return {name: value for name, value in wanted.items() if value is not None and existing.get(name) != value}


def given(values: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """A new record's values: those given, the default for the rest."""
    return {name: values[name] if values.get(name) is not None else default for name, default in defaults.items()}


Key = Any


@dataclass
class UpsertPlan:
    """What writing a set of keyed records means for one table: rows to insert, changes to apply, and how many
    records already hold exactly the values given."""

    key_columns: tuple[str, ...]
    create: list[dict[str, Any]] = field(default_factory=list)
    update: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    ids: dict[Key, int] = field(default_factory=dict)

    def key_of(self, values: Mapping[Any, Any]) -> Key:
        if len(self.key_columns) == 1:
            return values[self.key_columns[0]]
        return tuple(values[name] for name in self.key_columns)

    def add(self, existing: Mapping[Any, Any] | None, wanted: Mapping[str, Any], defaults: Mapping[str, Any]) -> None:
        """Plan one record: `wanted` holds the given values (None = not given), `defaults` a new record's values
        including its key columns."""
        if existing is None:
            self.create.append(given(wanted, defaults))
            return
        self.ids[self.key_of(existing)] = existing["id"]
        difference = changes(existing, wanted)
        if difference:
            self.update.append({"id": existing["id"], **difference})
        else:
            self.unchanged += 1


def apply_upsert(
    session: Session,
    model: type[Base],
    plan: UpsertPlan,
    *,
    dry_run: bool,
    summary: ImportSummary,
    shop_id: int,
    new_ids: bool = True,
) -> dict[Key, int]:
    """Write `plan` (unless `dry_run`), count it in `summary`, and return the id of every planned key (of the
    existing ones only, without `new_ids`).

    In a dry run nothing is written and new records get negative stand-in ids, unique within the import.
    """
    table = table_of(model)
    ids = dict(plan.ids)
    if dry_run:
        for number, values in enumerate(plan.create, start=1):
            ids[plan.key_of(values)] = -number
    else:
        insert_rows(session, table, plan.create)
        update_rows(session, model, plan.update, shop_id=shop_id)
        if new_ids and plan.create:
            ids.update(_inserted_ids(session, table, plan))
    name = table.name
    summary.count("created", name, len(plan.create))
    summary.count("updated", name, len(plan.update))
    summary.count("unchanged", name, plan.unchanged)
    return ids


def _inserted_ids(session: Session, table: Table, plan: UpsertPlan) -> dict[Key, int]:
    """The ids of the rows just inserted, read back by their key.

    Not INSERT … RETURNING: SQLAlchemy sends that as multi-row VALUES statements with thousands of parameters,
    which psycopg parses slowly (11 s for 40k orders, against under a second for executemany and a read-back).
    """
    (key_column,) = plan.key_columns
    shop_id = plan.create[0]["shop_id"]
    return load_ids(
        session, table.c.id, table.c[key_column], (row[key_column] for row in plan.create), table.c.shop_id == shop_id
    )
