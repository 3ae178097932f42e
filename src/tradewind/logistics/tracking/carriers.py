"""Tracking sources as pure mappers (bytes in, parcel reports out, every problem as a `RowError`): a tracking CSV,
Cainiao's public tracking response (the detail.json AliExpress parcels show) and AfterShip's webhook payload.

No I/O and no database here: `store` stores what these return, in one transaction.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry

from tradewind.errors import RowError
from tradewind.logistics.tracking.timeline import RawTrackingEvent


@dataclass
class ParcelReport:
    """What a source says about one parcel: its events, and the route when the source names it."""

    tracking_number: str
    line: int
    origin: str | None = None
    destination: str | None = None
    method: str | None = None
    carrier: str | None = None
    events: list[RawTrackingEvent] = field(default_factory=list)


@dataclass
class SourceReading:
    """The reports read from one file or payload, and every problem found in it."""

    file: str
    reports: list[ParcelReport] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(self.file, line, column, message))

    def report_for(self, tracking_number: str, line: int) -> ParcelReport:
        for report in reversed(self.reports):
            if report.tracking_number == tracking_number:
                return report
        report = ParcelReport(tracking_number, line)
        self.reports.append(report)
        return report


# --- time ----------------------------------------------------------------------------------------------------------

_OFFSET = re.compile(r"(?:GMT|UTC)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.I)
_LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")


def time_zone(text: str | None) -> timezone | ZoneInfo | None:
    """A zone written "GMT+8", "UTC-03:00", "+3", "Z" or "Europe/Moscow"; None when empty. Raises ValueError."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    if value.upper() in ("Z", "UTC", "GMT"):
        return UTC
    match = _OFFSET.fullmatch(value)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        hours, minutes = int(match.group(2)), int(match.group(3) or 0)
        if hours > 14 or minutes >= 60:
            raise ValueError(f"{text!r} is not a UTC offset")
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {text!r}: write it as GMT+8, +03:00 or Europe/Moscow") from None


def event_time(text: str, zone: timezone | ZoneInfo | None) -> datetime:
    """An ISO date-time; an offset written in it wins, else `zone`, else UTC. Raises ValueError."""
    value = text.strip().replace("/", "-")
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date and time: write 2024-03-31 14:05:00, optionally with an offset (+08:00)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone or UTC)
    return parsed.astimezone(UTC)


def country_alpha2(text: str | None) -> str | None:
    """ISO alpha-2 from alpha-2, alpha-3 or an English name; None when empty or unknown."""
    if text is None or not str(text).strip():
        return None
    try:
        return str(pycountry.countries.lookup(str(text).strip()).alpha_2)
    except LookupError:
        return None


# --- CSV ----------------------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "tracking_number",
    "occurred_at",
    "text",
    "code",
    "location",
    "time_zone",
    "origin",
    "destination",
    "method",
)
_REQUIRED = ("tracking_number", "occurred_at")
_HEADER_NOISE = re.compile(r"[\s_\-]+")


def _header_key(cell: str) -> str:
    return _HEADER_NOISE.sub("", cell.replace("\ufeff", "")).lower()


def read_tracking_csv(data: bytes, file: str) -> SourceReading:
    """tracking_number, occurred_at, text, code, location, time_zone (+ origin, destination, method for parcels
    Tradewind does not know yet). Each event needs a text or a code."""
    reading = SourceReading(file)
    try:
        content = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as problem:
        line = data.count(b"\n", 0, problem.start) + 1
        reading.error(line, "", "the file is not UTF-8 text: save it as UTF-8")
        return reading
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        reading.error(1, "", "the file is empty: the first line must name the columns (tracking_number, …)")
        return reading
    positions = _csv_positions(reading, header)
    if reading.errors:
        return reading
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as problem:
            reading.error(line, "", f"this line is not valid CSV ({problem}): is a quote mark never closed?")
            break
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            reading.error(line, "", f"the row has {len(cells)} values but the header has {len(header)} columns")
            continue
        _csv_row(reading, line, {name: cells[index].strip() for name, index in positions.items()})
    return reading


def _csv_positions(reading: SourceReading, header: list[str]) -> dict[str, int]:
    """Each known column's position in the header; an unknown, repeated or missing column is an error on line 1."""
    wanted = {_header_key(name): name for name in CSV_COLUMNS}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = wanted.get(_header_key(cell))
        if name is None:
            if cell.strip():
                reading.error(1, cell.strip(), f"unknown column {cell.strip()!r}: expected {', '.join(CSV_COLUMNS)}")
        elif name in positions:
            reading.error(1, name, f"the column {name} appears twice")
        else:
            positions[name] = index
    for name in _REQUIRED:
        if name not in positions:
            reading.error(1, name, f"the column {name} is missing")
    if "text" not in positions and "code" not in positions:
        reading.error(1, "text", "the file needs a text column (the carrier's words) or a code column")
    return positions


def _csv_row(reading: SourceReading, line: int, row: dict[str, str]) -> None:
    tracking = row.get("tracking_number", "")
    if not tracking:
        reading.error(line, "tracking_number", "tracking_number is required")
    elif len(tracking) > 64:
        reading.error(line, "tracking_number", f"is {len(tracking)} characters long; at most 64 fit")
    zone = None
    try:
        zone = time_zone(row.get("time_zone"))
    except ValueError as problem:
        reading.error(line, "time_zone", str(problem))
    occurred = None
    if not row.get("occurred_at"):
        reading.error(line, "occurred_at", "occurred_at is required")
    else:
        try:
            occurred = event_time(row["occurred_at"], zone)
        except ValueError as problem:
            reading.error(line, "occurred_at", str(problem))
    text, code = row.get("text", ""), row.get("code") or None
    if not text and not code:
        reading.error(line, "text", "an event needs the carrier's text or a code")
    routes = {}
    for name in ("origin", "destination"):
        value = row.get(name)
        routes[name] = country_alpha2(value)
        if value and routes[name] is None:
            reading.error(line, name, f"unknown country {value!r}: use an ISO code such as CN, RU, ES")
    if not tracking or occurred is None or (not text and not code):
        return
    report = reading.report_for(tracking, line)
    report.origin = report.origin or routes["origin"]
    report.destination = report.destination or routes["destination"]
    report.method = report.method or row.get("method") or None
    report.events.append(
        RawTrackingEvent(tracking, occurred, text or code or "", code, row.get("location") or None, "csv", line)
    )


# --- Cainiao ------------------------------------------------------------------------------------------------------


def read_cainiao(data: bytes, file: str) -> SourceReading:
    """Cainiao's global tracking response: {"module": [{"mailNo", "originCountry", "destCountry", "detailList":
    [{"actionCode", "desc", "standerdDesc", "time" (ms), "timeStr", "timeZone"}]}], "success": true}."""
    reading = SourceReading(file)
    payload = _json(data, reading)
    if payload is None:
        return reading
    body = payload.get("body", payload) if isinstance(payload, dict) else None
    modules = body.get("module") if isinstance(body, dict) else None
    if not isinstance(modules, list):
        reading.error(1, "module", "this is not a Cainiao tracking response: no module list")
        return reading
    text = data.decode("utf-8", errors="replace")
    mail_lines = _lines_of(text, '"mailNo"')
    for index, module in enumerate(modules):
        where = f"module[{index}]"
        line = mail_lines[index] if index < len(mail_lines) else 1
        if not isinstance(module, dict) or not str(module.get("mailNo") or "").strip():
            reading.error(line, f"{where}.mailNo", "a parcel without its tracking number (mailNo)")
            continue
        report = reading.report_for(str(module["mailNo"]).strip(), line)
        report.origin = country_alpha2(module.get("originCountry"))
        report.destination = country_alpha2(module.get("destCountry"))
        details = module.get("detailList") or []
        if not isinstance(details, list):
            reading.error(line, f"{where}.detailList", "detailList must be a list of events")
            continue
        for position, detail in enumerate(details):
            event = _cainiao_event(reading, report.tracking_number, detail, f"{where}.detailList[{position}]", line)
            if event is not None:
                report.events.append(event)
    return reading


def _cainiao_event(
    reading: SourceReading, tracking: str, detail: Any, where: str, line: int
) -> RawTrackingEvent | None:
    if not isinstance(detail, dict):
        reading.error(line, where, "an event must be an object")
        return None
    text = str(detail.get("desc") or detail.get("standerdDesc") or detail.get("descTitle") or "").strip()
    code = str(detail.get("actionCode") or "").strip() or None
    occurred = None
    try:
        if isinstance(detail.get("time"), int | float) and detail["time"] > 0:
            stamp = float(detail["time"])
            occurred = datetime.fromtimestamp(stamp / 1000 if stamp > 1e11 else stamp, UTC)
        elif detail.get("timeStr"):
            occurred = event_time(str(detail["timeStr"]), time_zone(str(detail.get("timeZone") or "")) or UTC)
        else:
            reading.error(line, f"{where}.time", "an event without its time (time or timeStr)")
    except ValueError as problem:
        reading.error(line, f"{where}.timeStr", str(problem))
    if occurred is None or not (text or code):
        if occurred is not None:
            reading.error(line, f"{where}.desc", "an event without text or actionCode")
        return None
    location = detail.get("group", {}).get("nodeDesc") if isinstance(detail.get("group"), dict) else None
    return RawTrackingEvent(tracking, occurred, text or code or "", code, location, "cainiao", line)


# --- AfterShip ----------------------------------------------------------------------------------------------------


def read_aftership(data: bytes, file: str = "webhook") -> SourceReading:
    """AfterShip's tracking webhook: {"event", "msg": {"tracking_number", "slug", "origin_country_iso3",
    "destination_country_iso3", "checkpoints": [{"checkpoint_time", "message", "tag", "subtag", "location"}]}}."""
    reading = SourceReading(file)
    payload = _json(data, reading)
    if payload is None:
        return reading
    message = payload.get("msg") if isinstance(payload, dict) else None
    if not isinstance(message, dict):
        reading.error(1, "msg", "this is not an AfterShip tracking webhook: no msg object")
        return reading
    tracking = str(message.get("tracking_number") or "").strip()
    if not tracking:
        reading.error(1, "msg.tracking_number", "the webhook names no tracking number")
        return reading
    report = reading.report_for(tracking, 1)
    report.origin = country_alpha2(message.get("origin_country_iso3") or message.get("origin_country_region"))
    report.destination = country_alpha2(
        message.get("destination_country_iso3") or message.get("destination_country_region")
    )
    report.carrier = str(message.get("slug") or "") or None
    report.method = str(message.get("shipment_type") or "") or None
    for position, checkpoint in enumerate(message.get("checkpoints") or []):
        where = f"msg.checkpoints[{position}]"
        if not isinstance(checkpoint, dict):
            reading.error(1, where, "a checkpoint must be an object")
            continue
        try:
            occurred = event_time(str(checkpoint.get("checkpoint_time") or ""), UTC)
        except ValueError as problem:
            reading.error(1, f"{where}.checkpoint_time", str(problem))
            continue
        text = str(checkpoint.get("message") or "").strip()
        code = str(checkpoint.get("subtag") or checkpoint.get("tag") or "").strip() or None
        place = ", ".join(str(checkpoint[k]) for k in ("location", "city", "country_iso3") if checkpoint.get(k))
        report.events.append(
            RawTrackingEvent(tracking, occurred, text or code or "", code, place or None, "aftership", 1)
        )
    return reading


def _json(data: bytes, reading: SourceReading) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        reading.error(1, "", "the file is not UTF-8 text")
    except json.JSONDecodeError as problem:
        reading.error(problem.lineno, f"column {problem.colno}", f"not valid JSON: {problem.msg}")
    return None


def _lines_of(text: str, needle: str) -> list[int]:
    lines, start = [], 0
    while (found := text.find(needle, start)) >= 0:
        lines.append(text.count("\n", 0, found) + 1)
        start = found + len(needle)
    return lines
