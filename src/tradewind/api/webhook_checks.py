"""What the tracking webhook checks in a signed body before the logistics domain reads it: a nesting depth that
cannot exhaust the parser's recursion (checked on the raw bytes, before parsing), and every value that will be
stored within its column's length, without NUL characters (which PostgreSQL refuses and SQLite keeps) and, for
times, within the years 2000 to 2099. A value outside is a 422 naming the field, the same on both databases."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import numpy as np

from tradewind.errors import ValidationError
from tradewind.logistics.models import Shipment, ShippingMethod, TrackingEvent
from tradewind.logistics.tracking.carriers import event_time

# AfterShip's deepest value (msg.checkpoints[i].coordinates[j]) sits 4 levels down; 32 leaves room for extensions.
MAX_WEBHOOK_DEPTH = 32
EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_EVENT = datetime(2100, 1, 1, tzinfo=UTC)

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_OPENERS = np.zeros(256, dtype=np.int32)
_OPENERS[[ord("["), ord("{")]] = 1
_OPENERS[[ord("]"), ord("}")]] = -1


def nesting_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text (brackets inside strings do not count)."""
    outside = np.frombuffer(_STRINGS.sub(b'""', body), dtype=np.uint8)
    if outside.size == 0:
        return 0
    return max(int(np.cumsum(_OPENERS[outside]).max()), 0)


def _length(column: Any) -> int:
    return int(column.type.length)


def _text(value: Any, field: str, limit: int | None) -> None:
    if value is None:
        return
    text = str(value).strip()
    if "\x00" in text:
        raise ValidationError(f"{field} contains a NUL character", details={"field": field})
    if limit is not None and len(text) > limit:
        raise ValidationError(
            f"{field} is {len(text)} characters long: at most {limit} are kept", details={"field": field}
        )


def check_webhook_body(body: bytes) -> None:
    """Raise `ValidationError` (422, with details.field) for a body that must not reach the reader or the database.
    What it does not check (a missing msg, a malformed time of another shape) the reader reports as before."""
    depth = nesting_depth(body)
    if depth > MAX_WEBHOOK_DEPTH:
        raise ValidationError(
            f"the webhook body nests {depth} levels deep: at most {MAX_WEBHOOK_DEPTH} are read",
            details={"field": "body"},
        )
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return  # the reader names the line and column
    message = payload.get("msg") if isinstance(payload, dict) else None
    if not isinstance(message, dict):
        return
    _text(message.get("tracking_number"), "msg.tracking_number", _length(Shipment.tracking_number))
    _text(message.get("slug"), "msg.slug", _length(ShippingMethod.carrier))
    _text(message.get("shipment_type"), "msg.shipment_type", _length(ShippingMethod.code))
    for name in ("origin_country_iso3", "origin_country_region", "destination_country_iso3"):
        _text(message.get(name), f"msg.{name}", 200)
    _text(message.get("destination_country_region"), "msg.destination_country_region", 200)
    checkpoints = message.get("checkpoints")
    if checkpoints is None:
        return
    if not isinstance(checkpoints, list):
        raise ValidationError("msg.checkpoints must be a list", details={"field": "msg.checkpoints"})
    for position, checkpoint in enumerate(checkpoints):
        if not isinstance(checkpoint, dict):
            continue
        where = f"msg.checkpoints[{position}]"
        _check_time(checkpoint.get("checkpoint_time"), f"{where}.checkpoint_time")
        _text(checkpoint.get("message"), f"{where}.message", None)
        for name in ("tag", "subtag"):
            _text(checkpoint.get(name), f"{where}.{name}", _length(TrackingEvent.code))
        place = ", ".join(str(checkpoint[k]) for k in ("location", "city", "country_iso3") if checkpoint.get(k))
        _text(place, f"{where}.location", _length(TrackingEvent.location))


def _check_time(value: Any, field: str) -> None:
    text = str(value or "")
    if "\x00" in text:
        raise ValidationError(f"{field} contains a NUL character", details={"field": field})
    try:
        when = event_time(text, UTC)
    except ValueError:
        return  # not a date and time: the reader says so
    except OverflowError:
        when = None
    if when is None or not EARLIEST_EVENT <= when < LATEST_EVENT:
        raise ValidationError(
            f"{field} {text[:40]!r} is outside {EARLIEST_EVENT.year}–{LATEST_EVENT.year - 1}",
            details={"field": field},
        )
