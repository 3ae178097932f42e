"""What an import did, table by table: the summary every importer returns and the CLI prints with `--json`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from tradewind.errors import RowError

Outcome = Literal["created", "updated", "unchanged"]


@dataclass
class ImportSummary:
    """Records created, updated and left unchanged per table, and the errors that stopped the import.

    `to_json()` is exactly `{"created": {table: n}, "updated": {…}, "unchanged": {…}, "errors": [{"file", "line",
    "column", "message"}]}`; every table the import can touch is listed, with 0 when nothing happened to it. A
    platform export may also hold rows that are not records at all (a stock adjustment in an invoice file, an open
    draft order): those are counted by reason under `"skipped"`, present only when something was skipped; likewise
    `"warnings"` ({message: rows}) and `"format"` (the platform recognised from the header when none was named).
    """

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    skipped: dict[str, int] = field(default_factory=dict)
    # What the seller should know although nothing stopped the import (a price cell left empty read as 0), by
    # message, with how many rows it concerns.
    warnings: dict[str, int] = field(default_factory=dict)
    # The platform format recognised from the header, when the seller named none.
    recognised_format: str | None = None

    @classmethod
    def for_tables(cls, tables: Iterable[str], *, dry_run: bool = False) -> ImportSummary:
        names = list(tables)
        return cls(
            created=dict.fromkeys(names, 0),
            updated=dict.fromkeys(names, 0),
            unchanged=dict.fromkeys(names, 0),
            dry_run=dry_run,
        )

    @classmethod
    def failed(cls, tables: Iterable[str], errors: Iterable[RowError]) -> ImportSummary:
        """The summary of an import that wrote nothing because of `errors`."""
        summary = cls.for_tables(tables)
        summary.errors = list(errors)
        return summary

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, outcome: Outcome, table: str, number: int = 1) -> None:
        counts = getattr(self, outcome)
        counts[table] = counts.get(table, 0) + number

    def skip(self, reason: str, number: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + number

    def warn(self, message: str, number: int = 1) -> None:
        self.warnings[message] = self.warnings.get(message, 0) + number

    def written(self) -> frozenset[str]:
        """The tables the import created or updated records in (none in a dry run)."""
        if self.dry_run:
            return frozenset()
        return frozenset(
            table for table in {*self.created, *self.updated} if self.created.get(table) or self.updated.get(table)
        )

    def total(self, outcome: Outcome) -> int:
        return sum(getattr(self, outcome).values())

    def to_json(self) -> dict[str, Any]:
        """The summary as JSON-ready data, the same shape for every importer."""
        payload: dict[str, Any] = {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "errors": [error.to_dict() for error in self.errors],
        }
        if self.skipped:
            payload["skipped"] = dict(self.skipped)
        if self.warnings:
            payload["warnings"] = dict(self.warnings)
        if self.recognised_format:
            payload["format"] = self.recognised_format
        return payload
