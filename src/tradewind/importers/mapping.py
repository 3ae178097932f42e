"""The seller's mapping file: names for columns an importer does not recognise, values a file never states, and
what custom order statuses mean. TOML (or the same shape in JSON):

    [columns]                 # the file's header → the importer's column, or "ignore" to pass it over
    "Número de pedido" = "order"
    "买家选择物流" = "ignore"
    [defaults]                # what the file leaves out
    currency = "GBP"
    timezone = "Europe/London"
    [statuses]                # custom order statuses → placed, awaiting_shipment, shipped, delivered, cancelled, closed
    "wc-enviado" = "shipped"
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tradewind.errors import InputFileError, RowError, ValidationError
from tradewind.importers import values
from tradewind.importers.reading import IGNORE, ColumnMapping, names_index
from tradewind.orders.models import OrderStatus

DEFAULTS = ("currency", "timezone", "country", "channel")
# A mapping file names a few dozen columns: anything larger is not one.
MAX_MAPPING_BYTES = 1024 * 1024


def load_mapping(path: Path) -> ColumnMapping:
    """Read and check a mapping file; every problem is reported at once, naming the file."""
    file = path.name
    sections = _read_sections(path)
    errors: list[RowError] = []
    for name, section in sections.items():
        for key, value in section.items():
            if "\x00" in key or "\x00" in value:
                errors.append(RowError(file, 0, name, f"[{name}] {key!r} holds a NUL character (byte 0x00)"))
    defaults = dict(sections["defaults"])
    for key, value in defaults.items():
        reason = _check_default(key, value)
        if reason:
            errors.append(RowError(file, 0, key, reason))
    statuses: dict[str, str] = {}
    for status, meaning in sections["statuses"].items():
        try:
            statuses[status.strip().lower()] = values.choice(OrderStatus)(meaning).value
        except ValidationError as problem:
            errors.append(RowError(file, 0, status, f"status {status!r}: {problem.message}"))
    if errors:
        raise InputFileError(errors)
    by_target: dict[str, list[str]] = {}
    for source, target in sections["columns"].items():
        wanted = target.strip()
        by_target.setdefault("" if wanted.lower() in ("", IGNORE) else wanted, []).append(source)
    columns = names_index(by_target)
    return ColumnMapping(columns=columns, defaults=defaults, statuses=statuses, file=file)


def _read_sections(path: Path) -> dict[str, dict[str, str]]:
    """The file's [columns], [defaults] and [statuses] (each empty when absent), once the file is readable, small
    enough, TOML or JSON, and holds only those sections of names to text values."""
    file = path.name
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_MAPPING_BYTES + 1)
    except OSError as problem:
        raise InputFileError([RowError(file, 0, "", f"cannot read the mapping file: {problem.strerror}")]) from None
    if len(raw) > MAX_MAPPING_BYTES:
        raise InputFileError([RowError(file, 0, "", "the mapping file is larger than 1 MB: is this the right file?")])
    try:
        text = raw.decode("utf-8-sig")
        document: Any = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as problem:
        raise InputFileError([RowError(file, 1, "", f"the mapping file cannot be read: {problem}")]) from None
    if not isinstance(document, dict):
        raise InputFileError([RowError(file, 1, "", "the mapping file must hold [columns], [defaults], [statuses]")])
    errors: list[RowError] = []
    sections = {name: document.get(name, {}) for name in ("columns", "defaults", "statuses")}
    for name in set(document) - set(sections):
        errors.append(RowError(file, 0, name, f"unknown section [{name}]: use [columns], [defaults], [statuses]"))
    for name, section in sections.items():
        if not isinstance(section, dict) or not all(isinstance(v, str) for v in section.values()):
            errors.append(RowError(file, 0, name, f"[{name}] must map names to text values"))
    if errors:
        raise InputFileError(errors)
    return sections


def _check_default(key: str, value: str) -> str | None:
    if key not in DEFAULTS:
        return f"unknown default {key!r}: the defaults are {', '.join(DEFAULTS)}"
    try:
        if key == "currency":
            values.currency(value)
        elif key == "country":
            values.country(value)
        elif key == "channel":
            values.text(32)(value)
        elif key == "timezone":
            ZoneInfo(value)
    except ValidationError as problem:
        return problem.message
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {value!r}: use an IANA name such as Europe/London or Asia/Shanghai"
    return None
