"""Standard-library logging with context fields (shop, command); no print outside the CLI's output layer."""

from __future__ import annotations

import logging
from typing import Any


class ContextAdapter(logging.LoggerAdapter[logging.Logger]):
    """Adds the given context fields to every record, rendered as key=value after the message."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        extra = dict(self.extra or {})
        extra.update(kwargs.pop("extra", {}) or {})
        kwargs["extra"] = {"context": extra}
        suffix = " ".join(f"{key}={value}" for key, value in sorted(extra.items()))
        return (f"{msg} [{suffix}]" if suffix else msg), kwargs


def get_logger(name: str, **context: Any) -> ContextAdapter:
    return ContextAdapter(logging.getLogger(name), context)


def configure(level: str = "WARNING") -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
