"""Bulk writing of the demo shop's rows: primary keys handed out in advance (so rows can point at each other
before they are written), Core INSERTs in chunks, a count per table and progress reports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from tradewind.db.base import Base
from tradewind.db.changes import mark_shop_changed

Progress = Callable[[str, int, int], None]
Row = dict[str, Any]
CHUNK_ROWS = 5_000


def table_of(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


class BulkWriter:
    """Writes rows table by table inside the caller's transaction; never commits."""

    def __init__(self, session: Session, progress: Progress | None = None) -> None:
        self._session = session
        self._progress = progress
        self._next_id: dict[str, int] = {}
        self.counts: dict[str, int] = {}

    def reserve_ids(self, model: type[Base], how_many: int) -> int:
        """The first of `how_many` consecutive free ids of `model`'s table (after the largest id already stored)."""
        table = table_of(model)
        name = table.name
        if name not in self._next_id:
            largest = self._session.execute(select(func.max(table.c.id))).scalar()
            self._next_id[name] = int(largest or 0) + 1
        first = self._next_id[name]
        self._next_id[name] = first + how_many
        return first

    def write(self, model: type[Base], rows: Sequence[Row]) -> None:
        """INSERT `rows` (each with its id) in chunks."""
        table = table_of(model)
        if "shop_id" in table.c:
            for shop_id in {row["shop_id"] for row in rows}:
                mark_shop_changed(self._session, shop_id)
        for start in range(0, len(rows), CHUNK_ROWS):
            self._session.execute(insert(table), list(rows[start : start + CHUNK_ROWS]))
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def report(self, stage: str, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(stage, done, total)

    def finish(self) -> None:
        """Flush, and on PostgreSQL move each id sequence past the ids written here."""
        self._session.flush()
        if self._session.get_bind().dialect.name != "postgresql":
            return
        for name in sorted(self._next_id):
            self._session.execute(
                text("SELECT setval(pg_get_serial_sequence(:table, 'id'), (SELECT max(id) FROM " + name + "))"),
                {"table": name},
            )
