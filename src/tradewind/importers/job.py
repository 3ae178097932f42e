"""One import in progress: the session, the shop, the file read so far, the summary being filled, and the
progress reported to the caller."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy.orm import Session

from tradewind.db.changes import mark_shop_changed
from tradewind.importers import values
from tradewind.importers.reading import CsvTable
from tradewind.importers.summary import ImportSummary, Outcome
from tradewind.shops.models import Shop
from tradewind.shops.service import shop_zone

ProgressCallback = Callable[[int, int], None]


class Progress:
    """Reports (done, total) to the caller at most every `step` units, and always at the end."""

    def __init__(self, callback: ProgressCallback | None, total: int, step: int = 1000) -> None:
        self._callback = callback
        self.total = total
        self.done = 0
        self._step = step
        self._reported = -1

    def advance(self, units: int = 1) -> None:
        self.done = min(self.total, self.done + units)
        if self._callback is not None and (self.done - self._reported >= self._step or self.done == self.total):
            self._report()

    def finish(self) -> None:
        self.done = self.total
        if self._callback is not None and self._reported != self.done:
            self._report()

    def _report(self) -> None:
        assert self._callback is not None
        self._reported = self.done
        self._callback(self.done, self.total)


@dataclass
class ImportJob:
    session: Session
    shop: Shop
    table: CsvTable
    summary: ImportSummary
    now: datetime
    dry_run: bool
    progress: Progress

    def __post_init__(self) -> None:
        # The importers write in bulk statements the ORM does not see: the shop's figures change with the commit.
        mark_shop_changed(self.session, self.shop.id)

    @property
    def shop_id(self) -> int:
        return self.shop.id

    @cached_property
    def read_moment(self) -> Callable[[str], datetime]:
        """The parser of a date and time cell: a time without an offset is the shop's local time."""
        return values.moment_in(shop_zone(self.shop))

    def tally(self, outcome: Outcome, table: str, number: int = 1) -> None:
        self.summary.count(outcome, table, number)

    def reference(self, line: int, column: str, code: str, codes: Codes) -> int | None:
        """The id of the record `code` names, or None with an error: unknown references are mistakes in the file."""
        found = codes.ids.get(code)
        if found is None:
            self.table.error(line, column, codes.unknown(code))
        return found


class Codes:
    """The ids of the records a file may refer to (SKUs, suppliers, orders), by code."""

    def __init__(self, ids: Mapping[str, int], *, what: str, kind: str) -> None:
        self.ids = ids
        self._what = what
        self._kind = kind
        self._folded: dict[str, str] | None = None

    def unknown(self, code: str) -> str:
        if self._folded is None:
            self._folded = {known.casefold(): known for known in self.ids}
        near = self._folded.get(code.casefold())
        hint = f" (did you mean {near!r}?)" if near else f"; import it first with `tradewind import {self._kind}`"
        return f"unknown {self._what} {code!r}{hint}"
