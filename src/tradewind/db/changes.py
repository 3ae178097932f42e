"""Which shops a transaction changed, told to whoever keeps figures about them once the transaction has committed.

A session notes the shop of every record it inserts, updates or deletes through the ORM (at each flush); a bulk
statement that bypasses the ORM (an `update(...)`, `insert(table)` or `delete(...)` executed directly) names its
shop with `mark_shop_changed`. When the transaction commits, the listeners given to `on_commit_forget` are told
the shops; when it rolls back, the notes are dropped: nothing changed. Telling only after the commit is the point:
a figure computed between the change and the commit would be computed from the records before the change, and
kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass
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


# Edits: which records a transaction updated or deleted, and a count per shop and table of the transactions that did.
#
# The stores of derived figures (db/stores.py) fold in new records by their ids; an edit of a record below a
# store's watermark is found here instead of by reading every record. Every session notes, at each flush, the ids
# of the shop-owned records it updates or deletes through the ORM (and a bulk statement names its rows with
# `note_edited`); a store brought up to date in the same transaction reads these notes and folds the rows in again.
# When the transaction commits, each (shop, table) it edited has its edit count moved on by its notes (a row in
# `store_watermarks` under the store EDITS): a store remembers the counts it has checked, and a count that moved
# since is an edit made by another transaction, which the store finds by its full comparison of the records.


@dataclass(frozen=True)
class EditNote:
    """Records of one shop's table updated or deleted in this transaction: their ids, or None when a statement
    named no rows; the columns set (None: not known)."""

    shop_id: int
    table: str
    ids: frozenset[int] | None
    columns: frozenset[str] | None = None
    deleted: bool = False


_EDITS = "tradewind.edited_records"
_ABSORBED = "tradewind.edits_absorbed"


def note_edited(
    session: Session,
    *,
    shop_id: int,
    table: str,
    ids: Iterable[int] | None,
    columns: Iterable[str] | None = None,
    deleted: bool = False,
) -> None:
    """Note that this transaction updated (or deleted) the rows `ids` of the shop's `table` with a statement the ORM
    does not see; `ids=None` when the statement's rows are not known (a store then compares all its records)."""
    notes: list[EditNote] = session.info.setdefault(_EDITS, [])
    notes.append(
        EditNote(
            shop_id,
            table,
            None if ids is None else frozenset(ids),
            None if columns is None else frozenset(columns),
            deleted,
        )
    )


def edit_counts_noted(session: Session, *, shop_id: int, tables: Collection[str]) -> Counter[str]:
    """How many notes of edits to each of the shop's `tables` this transaction holds (its commit moves each
    table's edit count on by as many)."""
    notes: list[EditNote] = session.info.get(_EDITS, [])
    return Counter(note.table for note in notes if note.shop_id == shop_id and note.table in tables)


def notes_since(session: Session, *, reader: Hashable, shop_id: int, tables: Collection[str]) -> list[EditNote]:
    """The notes `reader` (a store of a shop) has not taken in yet in this transaction (see `absorb_notes`)."""
    notes: list[EditNote] = session.info.get(_EDITS, [])
    start = session.info.get(_ABSORBED, {}).get(reader, 0)
    return [note for note in notes[start:] if note.shop_id == shop_id and note.table in tables]


def absorb_notes(session: Session, *, reader: Hashable) -> None:
    """`reader` has taken in every note of this transaction so far."""
    session.info.setdefault(_ABSORBED, {})[reader] = len(session.info.get(_EDITS, []))


def absorbed_counts(session: Session, *, reader: Hashable, shop_id: int, tables: Collection[str]) -> Counter[str]:
    """How many notes of each of the shop's `tables` `reader` has taken in, in this transaction."""
    notes: list[EditNote] = session.info.get(_EDITS, [])
    start = session.info.get(_ABSORBED, {}).get(reader, 0)
    return Counter(note.table for note in notes[:start] if note.shop_id == shop_id and note.table in tables)


def _note_edits(session: Session, _flush: UOWTransaction) -> None:
    # Updates and deletes only: a new record's id is above every watermark, and the stores fold it in by its id.
    found: dict[tuple[int, str, bool], tuple[set[int], set[str]]] = {}
    for record, deleted in [*((r, False) for r in session.dirty), *((r, True) for r in session.deleted)]:
        if not isinstance(record, ShopOwned):
            continue
        state = inspect(record)
        columns = {attr.key for attr in state.attrs if attr.history.has_changes()} if not deleted else set()
        if not deleted and not columns:
            continue
        shop_id, key = _shop_of(record), state.identity
        if shop_id is None or key is None or not isinstance(key[0], int):
            continue
        ids, names = found.setdefault((shop_id, state.mapper.local_table.name, deleted), (set(), set()))
        ids.add(key[0])
        names |= columns
    for (shop_id, table, deleted), (ids, names) in found.items():
        note_edited(session, shop_id=shop_id, table=table, ids=ids, columns=names, deleted=deleted)


def _count_edits(session: Session) -> None:
    """Before the commit: the last changes flushed, then each (shop, table) this transaction edited has its edit
    count moved on by its number of notes, in one order (two transactions never wait for each other's counts in a
    cycle)."""
    session.flush()
    edited = Counter((note.shop_id, note.table) for note in session.info.get(_EDITS, []))
    if edited:
        from tradewind.db.stores import count_edits  # db/stores.py keeps the counts (and imports this module)

        count_edits(session, sorted(edited.items()))
    session.info.pop(_EDITS, None)
    session.info.pop(_ABSORBED, None)


def _forget_edits(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:
        session.info.pop(_EDITS, None)
        session.info.pop(_ABSORBED, None)


# Every session, whichever factory made it: an edit that no session noted would leave a store that believes it is
# up to date behind its records.
event.listen(Session, "after_flush", _note_edits)
event.listen(Session, "before_commit", _count_edits)
event.listen(Session, "after_soft_rollback", _forget_edits)
