"""One error hierarchy: a stable code, a message a seller understands, and details.

The CLI turns a `TradewindError` into one red line and an exit code, the API into a status and a JSON body
`{"code", "message", "details"}`, the web UI into a message on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class TradewindError(Exception):
    """Base of every error a seller may see."""

    code = "error"
    exit_code = 1
    http_status = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFoundError(TradewindError):
    code = "not_found"
    exit_code = 3
    http_status = 404


class ConflictError(TradewindError):
    code = "conflict"
    exit_code = 4
    http_status = 409


class InvalidTransitionError(ConflictError):
    code = "invalid_transition"


class StateChangedError(ConflictError):
    """Another change of the same record won: its state is no longer the one this change started from."""

    code = "state_changed"


class BusyError(TradewindError):
    """Another writer held the database's lock longer than we wait: nothing was changed, trying again works."""

    code = "busy"
    exit_code = 1
    http_status = 503

    def __init__(self, message: str, *, retry_after: int, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after


class ConfigurationError(TradewindError):
    code = "configuration"
    exit_code = 2
    http_status = 500


class ValidationError(TradewindError):
    code = "invalid"
    exit_code = 2
    http_status = 422


@dataclass(frozen=True)
class RowError:
    """One problem in an input file, located precisely enough to fix it in a spreadsheet."""

    file: str
    line: int
    column: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f" [{self.column}]" if self.column else "")
        return f"{where}: {self.message}"


class InputFileError(ValidationError):
    """Every error found in one input file; nothing was written."""

    code = "invalid_file"

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = list(errors)
        first = self.errors[0] if self.errors else None
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        message = f"{first}{more}; nothing was written" if first else "the file has errors; nothing was written"
        super().__init__(message, details={"errors": [e.to_dict() for e in self.errors]})
