"""Tracking normalisation: one raw event (a carrier code, free text in any language, or both) → a status on
AfterShip's list, a sub-status when the text states one, and a confidence.

Order of evidence: a known code (UPU EDI, Cainiao action code, AfterShip tag) is the carrier's own statement;
otherwise the phrase rules of `phrases` read the text. Text that no rule places is Unknown with confidence 0: a
guess is never presented as fact.

Carriers repeat themselves ("Arrived at Sort Facility SHENZHEN" a million times), so readings are cached twice: by
the exact text, and by its template (folded, digits and bracketed place names removed), so that "…Москва 101000"
and "…Москва 101001" are read once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from json.encoder import encode_basestring
from typing import TextIO, TypeVar

from tradewind.logistics.models import TrackingStatus
from tradewind.logistics.tracking.codes import (
    LEADING_CODE,
    UNKNOWN_READING,
    TrackingReading,
    read_aftership_tag,
    read_code,
)
from tradewind.logistics.tracking.phrases import RULES, fold

_DIGITS = re.compile(r"\d+")
_BRACKETED = re.compile(r"\[[^\]]*\]|【[^】]*】|\([^)]*\d[^)]*\)")
_DEFAULT_CACHE_SIZE = 500_000
_TEXT_KEY = '{"text": '  # how json.dumps starts a NormalizedLine's dictionary
_K = TypeVar("_K")


def read_phrases(text: str) -> TrackingReading:
    """The first phrase rule that matches the text, uncached; Unknown when none does."""
    folded = template_of(text)
    if not folded:
        return UNKNOWN_READING
    for rule in RULES:
        if rule.pattern.search(folded):
            return TrackingReading(rule.status, rule.substatus, rule.confidence, f"phrase:{rule.name}")
    return UNKNOWN_READING


def template_of(text: str) -> str:
    """The text as the rules see it: folded, without bracketed places, every number written '#'."""
    return _DIGITS.sub("#", fold(_BRACKETED.sub(" ", text)))


def combine(coded: TrackingReading, worded: TrackingReading) -> TrackingReading:
    """A code's reading, with what the words add: an exception the code does not state, or a sub-status."""
    if not worded.known:
        return coded
    if worded.status == TrackingStatus.EXCEPTION and worded.substatus and coded.status != TrackingStatus.EXCEPTION:
        # "EDA Held at inward office of exchange: import duties unpaid" — the words say more than the code.
        return TrackingReading(worded.status, worded.substatus, min(coded.confidence, worded.confidence), _both(coded))
    if coded.substatus is None and worded.substatus and worded.status == coded.status:
        return TrackingReading(coded.status, worded.substatus, coded.confidence, _both(coded))
    return coded


def _both(coded: TrackingReading) -> str:
    return f"{coded.rule}+phrase"


def read_uncached(text: str, code: str | None = None) -> TrackingReading:
    """The plain normaliser: no cache (the benchmark's baseline, and the definition the cached one must match)."""
    if code:
        coded = read_code(code)
        if coded is not None:
            return combine(coded, read_uncached(text)) if text.strip() else coded
    stripped = text.strip()
    if not stripped:
        return UNKNOWN_READING
    leading = LEADING_CODE.match(stripped)
    if leading is not None:
        coded = read_code(leading.group(1))
        if coded is not None:
            rest = leading.group(2).strip()
            return combine(coded, read_phrases(rest)) if rest else coded
    tagged = read_aftership_tag(stripped) if " " not in stripped else None
    if tagged is not None:
        return tagged
    return read_phrases(stripped)


class TrackingNormalizer:
    """The normaliser with its caches; one instance is meant to live as long as the process (`shared_normalizer`)."""

    def __init__(self, *, max_cached: int = _DEFAULT_CACHE_SIZE) -> None:
        self._max_cached = max_cached
        self._by_text: dict[str, TrackingReading] = {}
        self._by_template: dict[str, TrackingReading] = {}
        self._by_code: dict[tuple[str, str], TrackingReading] = {}

    def read(self, text: str, code: str | None = None) -> TrackingReading:
        if code:
            key = (code, text)
            found = self._by_code.get(key)
            if found is None:
                coded = read_code(code)
                found = combine(coded, self.read(text)) if coded is not None and text.strip() else coded
                if found is None:
                    found = self.read(text)
                self._remember(self._by_code, key, found)
            return found
        found = self._by_text.get(text)
        if found is None:
            found = self._read_new_text(text)
            self._remember(self._by_text, text, found)
        return found

    def read_all(self, texts: Iterable[str]) -> list[TrackingReading]:
        """Many texts at once (the hot loop of an import or the benchmark)."""
        cache = self._by_text
        read = self.read
        return [cache.get(text) or read(text) for text in texts]

    def _read_new_text(self, text: str) -> TrackingReading:
        stripped = text.strip()
        if not stripped:
            return UNKNOWN_READING
        leading = LEADING_CODE.match(stripped)
        if leading is not None and read_code(leading.group(1)) is not None:
            return read_uncached(stripped)
        if " " not in stripped:
            tagged = read_aftership_tag(stripped)
            if tagged is not None:
                return tagged
        template = template_of(stripped)
        found = self._by_template.get(template)
        if found is None:
            found = read_phrases(stripped)
            self._remember(self._by_template, template, found)
        return found

    def _remember(self, cache: dict[_K, TrackingReading], key: _K, reading: TrackingReading) -> None:
        if len(cache) >= self._max_cached:
            cache.clear()  # a cheap bound: carriers' vocabularies are small, so this almost never happens
        cache[key] = reading

    @property
    def cached_texts(self) -> int:
        return len(self._by_text)


@lru_cache(maxsize=1)
def shared_normalizer() -> TrackingNormalizer:
    """The process-wide normaliser (its caches are the point)."""
    return TrackingNormalizer()


@dataclass(frozen=True)
class NormalizedLine:
    """One line of `tradewind track normalize` output."""

    text: str
    status: str
    substatus: str | None
    confidence: float

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "status": self.status, "substatus": self.substatus, "confidence": self.confidence}


def normalize_line(line: str, normalizer: TrackingNormalizer | None = None) -> NormalizedLine:
    """A raw event line: free text, "CODE text", or a JSON object with "text" and optionally "code"."""
    text, code = _event_of(line)
    reading = (normalizer or shared_normalizer()).read(text, code)
    return NormalizedLine(text, reading.status.value, reading.substatus, round(reading.confidence, 2))


def _event_of(line: str) -> tuple[str, str | None]:
    """The text and code of a raw event line (see `normalize_line`)."""
    text, code = line.rstrip("\r\n"), None
    if text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            text = str(parsed.get("text") or parsed.get("desc") or parsed.get("message") or "")
            raw_code = parsed.get("code") or parsed.get("actionCode") or parsed.get("tag")
            code = str(raw_code) if raw_code else None
    return text, code


def line_batches(source: TextIO, *, chars: int = 1 << 20) -> Iterator[list[str]]:
    """The lines of `source` in batches, read `chars` at a time: together they are `source.read().splitlines()`,
    without the whole text (or a million line objects) in memory at once. A batch ends at a line break, so that a
    line is never cut in two (a "\r\n" split between two reads included)."""
    rest = ""
    while chunk := source.read(chars):
        chunk = rest + chunk if rest else chunk
        # The last line break in the chunk: a "\n", or a "\r" that is not the chunk's last character (that one may be
        # the first half of a "\r\n" whose "\n" comes with the next read).
        cut = max(chunk.rfind("\n"), chunk.rfind("\r", 0, len(chunk) - 1))
        if cut < 0:
            rest = chunk
            continue
        rest = chunk[cut + 1 :]
        yield chunk[: cut + 1].splitlines()
    if rest:
        yield rest.splitlines()


class JsonLines:
    """The output of `tradewind track normalize --json`: for each raw event line that is not blank, one line of
    `json.dumps(normalize_line(line).to_dict(), ensure_ascii=False)`, written in batches.

    A feed repeats its lines (a million events hold a quarter of a million distinct texts), so each distinct line's
    output is made once and kept (up to `max_cached` lines, as the normaliser's caches), written from its parts: the
    text through the encoder `json.dumps` uses for a string, the rest (status, sub-status, confidence) made once per
    reading. No object is made per event: a line seen before costs a dictionary look-up."""

    def __init__(self, normalizer: TrackingNormalizer | None = None, *, max_cached: int = _DEFAULT_CACHE_SIZE) -> None:
        self._normalizer = normalizer or shared_normalizer()
        self._max_cached = max_cached
        self._by_line: dict[str, str] = {}
        self._tails: dict[TrackingReading, str] = {}
        self.events = 0

    def batch(self, lines: list[str]) -> str:
        """The output for these lines, one string (blank lines give none)."""
        known = self._by_line.get
        out = [known(line) or self._new_line(line) for line in lines]
        self.events += len(out) - out.count("")
        return "".join(out)

    def _new_line(self, line: str) -> str:
        if not line.strip():
            return ""
        text, code = _event_of(line)
        reading = self._normalizer.read(text, code)
        tail = self._tails.get(reading)
        if tail is None:
            # The line of an empty text without its '{"text": ""': ', "status": …, "confidence": …}'.
            line_of = NormalizedLine("", reading.status.value, reading.substatus, round(reading.confidence, 2))
            tail = json.dumps(line_of.to_dict(), ensure_ascii=False).removeprefix(_TEXT_KEY + '""') + "\n"
            self._tails[reading] = tail
        made = _TEXT_KEY + encode_basestring(text) + tail
        self._remember(line, made)
        return made

    def _remember(self, line: str, made: str) -> None:
        if len(self._by_line) >= self._max_cached:
            self._by_line.clear()
        self._by_line[line] = made
