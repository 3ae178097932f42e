"""Which shops a transaction changed, told to whoever keeps figures about them once the transaction has committed.

A session notes the shop of every record it inserts, updates or deletes through the ORM (at each flush); a bulk
statement that bypasses the ORM (an `update(...)`, `insert(table)` or `delete(...)` executed directly) names its
shop with `mark_shop_changed`. When the transaction commits, the listeners given to `on_commit_forget` are told
the shops; when it rolls back, the notes are dropped: nothing changed. Telling only after the commit is the point:
a figure computed between the change and the commit would be computed from the records before the change, and
kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction, sessionmaker

from tradewind.db.base import ShopOwned

_CHANGED = "tradewind.changed_shops"
# The one record that is a shop itself rather than one of a shop's: a change to its settings changes its figures.
SHOPS_TABLE = "shops"

ShopsChanged = Callable[[frozenset[int]], None]


def mark_shop_changed(session: Session, shop_id: int) -> None:
    """Note that this transaction changed the shop's records (for a bulk statement the ORM does not see)."""
    changed: set[int] = session.info.setdefault(_CHANGED, set())
    changed.add(shop_id)


def changed_shops(session: Session) -> frozenset[int]:
    """The shops this transaction has changed so far (flushed records and `mark_shop_changed`)."""
    return frozenset(session.info.get(_CHANGED, ()))


def _shop_of(record: Any) -> int | None:
    """The shop a record belongs to, from the values the session holds (no query: this runs within a flush)."""
    state = inspect(record)
    if isinstance(record, ShopOwned):
        name = "shop_id"
    elif state.mapper.local_table.name == SHOPS_TABLE:
        name = "id"
    else:
        return None
    value = state.dict.get(name)
    if value is None:  # expired since it was loaded: the value it was loaded with
        value = state.committed_state.get(name)
    return value if isinstance(value, int) else None


def _note_flushed(session: Session, _flush: UOWTransaction) -> None:
    # After the flush the new records have their keys, and `new`, `dirty` and `deleted` still hold what was flushed.
    # `dirty` also holds records whose attributes were set to the values they had: those changed nothing.
    changed = [*session.new, *session.deleted]
    changed += [r for r in session.dirty if session.is_modified(r, include_collections=False)]
    for record in changed:
        shop_id = _shop_of(record)
        if shop_id is not None:
            mark_shop_changed(session, shop_id)


def on_commit_forget(sessions: sessionmaker[Session], forget: ShopsChanged) -> None:
    """After each commit of a session `sessions` makes, call `forget` with the shops the transaction changed (not
    at all when it changed none); a rollback forgets the notes. Only this factory's sessions are watched."""

    def committed(session: Session) -> None:
        changed = frozenset(session.info.pop(_CHANGED, ()))
        if changed:
            forget(changed)

    def rolled_back(session: Session, previous: SessionTransaction) -> None:
        # Only the whole transaction's end drops the notes: a savepoint rolled back leaves the changes made before
        # it, and its own notes at worst make a shop's figures be computed once more.
        if previous.parent is None:
            session.info.pop(_CHANGED, None)

    event.listen(sessions, "after_flush", _note_flushed)
    event.listen(sessions, "after_commit", committed)
    event.listen(sessions, "after_soft_rollback", rolled_back)
