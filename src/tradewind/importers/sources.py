"""What a platform format's reader is handed: the open file, the shop's time zone and currency (or the mapping
file's), custom status meanings, and where to report progress and skipped rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo

from tradewind.importers.reading import CsvTable
from tradewind.importers.summary import ImportSummary


@dataclass
class PlatformRead:
    table: CsvTable
    zone: tzinfo
    currency: str
    summary: ImportSummary
    progress_advance: Callable[[int], None]
    statuses: Mapping[str, str] = field(default_factory=dict)
    default_country: str | None = None
    # The currency the mapping file states, if any (AliExpress writes USD and says so nowhere).
    stated_currency: str | None = None

    def skip(self, reason: str, number: int = 1) -> None:
        self.summary.skip(reason, number)

    def warn(self, message: str, number: int = 1) -> None:
        self.summary.warn(message, number)

    def error(self, line: int, column: str, message: str) -> None:
        self.table.error(line, column, message)
