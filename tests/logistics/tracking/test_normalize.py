"""Tracking normalisation: carriers' codes and free text in many languages onto one status list; Unknown with
confidence 0 for text nothing places; the cached normaliser reads exactly like the plain one."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.logistics.synthetic import generate_event_texts
from tradewind.logistics.models import TrackingStatus
from tradewind.logistics.tracking.codes import plain_words, read_code
from tradewind.logistics.tracking.normalize import (
    JsonLines,
    TrackingNormalizer,
    line_batches,
    normalize_line,
    read_uncached,
)
from tradewind.logistics.tracking.phrases import _BARE_LETTERS, _fold_unicode, fold

DATA = Path(__file__).parent / "data"


def corpus() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in (DATA / "event_texts.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        language, text, status, substatus = line.split("\t")
        rows.append((language, text, status, substatus))
    return rows


CORPUS = corpus()


def test_the_corpus_covers_a_dozen_languages() -> None:
    languages = {language for language, *_ in CORPUS} - {"xx"}
    assert {"en", "ru", "uk", "zh", "es", "pt", "fr", "de", "it", "pl", "he", "ko"} <= languages
    statuses = {status for _, _, status, _ in CORPUS}
    assert {s.value for s in TrackingStatus} - statuses <= {"Pending", "Expired"}


@pytest.mark.parametrize(
    ("language", "text", "status", "substatus"), CORPUS, ids=[f"{r[0]}:{r[1][:30]}" for r in CORPUS]
)
def test_event_text_in_every_language(language: str, text: str, status: str, substatus: str) -> None:
    reading = TrackingNormalizer().read(text)
    assert reading.status.value == status, reading.rule
    assert (reading.substatus or "") == substatus
    if status == "Unknown":
        assert reading.confidence == 0.0
    else:
        assert 0.5 <= reading.confidence <= 1.0


@pytest.mark.parametrize(
    ("code", "status", "substatus"),
    [
        ("EMA", "InTransit", None),
        ("EMH", "AttemptFail", None),
        ("EMI", "Delivered", None),
        ("EDG", "OutForDelivery", None),
        ("EDH", "AvailableForPickup", None),
        ("EXB", "Exception", "customs_hold"),
        ("GWMS_ACCEPT", "InfoReceived", None),
        ("SC_INBOUND_SUCCESS", "InTransit", None),
        ("LH_HO_AIRLINE", "InTransit", None),
        ("CC_IM_SUCCESS", "InTransit", None),
        ("GTMS_SIGNED", "Delivered", None),
        ("AE_GTMS_SIGNED", "Delivered", None),
        ("LAST_MILE_GTMS_SIGNED_CALLBACK", "Delivered", None),
        ("GTMS_WAIT_SELF_PICK", "AvailableForPickup", None),
        ("InTransit_002", "InTransit", None),
        ("Exception_011", "Exception", "returned_to_sender"),
        ("Exception_006", "Exception", "awaiting_duties"),
    ],
)
def test_carrier_codes(code: str, status: str, substatus: str | None) -> None:
    reading = read_code(code)
    assert reading is not None
    assert (reading.status.value, reading.substatus, reading.confidence) == (status, substatus, 1.0)


def test_unknown_codes_are_not_guessed() -> None:
    assert read_code("ZZZ_NOT_A_CODE") is None
    reading = TrackingNormalizer().read("", code="ZZZ_NOT_A_CODE")
    assert (reading.status, reading.confidence) == (TrackingStatus.UNKNOWN, 0.0)


def test_a_code_and_its_words_together() -> None:
    normalizer = TrackingNormalizer()
    assert normalizer.read("Final delivery", code="EMI").status == TrackingStatus.DELIVERED
    # The words say more than the code: a hold with unpaid duties at the inward office of exchange.
    held = normalizer.read("Held at inward office of exchange: import duties unpaid", code="EDA")
    assert (held.status, held.substatus) == (TrackingStatus.EXCEPTION, "awaiting_duties")
    # A code written in front of the text.
    assert normalizer.read("GTMS_SIGNED: Package delivered").rule == "cainiao:GTMS_SIGNED"
    assert normalizer.read("EMH Attempted/unsuccessful delivery").status == TrackingStatus.ATTEMPT_FAIL


def test_aliexpress_pick_up_means_waiting_at_the_post_office() -> None:
    assert TrackingNormalizer().read("PICK UP").status == TrackingStatus.AVAILABLE_FOR_PICKUP
    assert plain_words(TrackingStatus.AVAILABLE_FOR_PICKUP) == "waiting at the pickup point"


def test_the_cache_reads_like_the_plain_normaliser() -> None:
    normalizer = TrackingNormalizer()
    for _, text, _, _ in CORPUS * 2:
        assert normalizer.read(text) == read_uncached(text)
    # Texts that differ only by numbers and bracketed places share one template.
    first = normalizer.read("Прибыло в место международного обмена, Москва 101000")
    assert normalizer.read("Прибыло в место международного обмена, Москва 101001") == first


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gets_a_reading_and_unknown_is_never_confident(text: str) -> None:
    reading = TrackingNormalizer().read(text)
    assert reading == read_uncached(text)
    if reading.status == TrackingStatus.UNKNOWN:
        assert reading.confidence == 0.0
    assert 0.0 <= reading.confidence <= 1.0


def test_normalize_line_reads_text_codes_and_json() -> None:
    assert normalize_line("Entregado\n").to_dict() == {
        "text": "Entregado",
        "status": "Delivered",
        "substatus": None,
        "confidence": 0.95,
    }
    coded = normalize_line(json.dumps({"code": "GTMS_WAIT_SELF_PICK", "text": "Ready for pickup"}))
    assert (coded.status, coded.confidence) == ("AvailableForPickup", 1.0)
    assert normalize_line("blah blah").status == "Unknown"


# Lines that exercise the JSON output: codes, JSON events (with desc/actionCode/tag, broken, not an object), quotes,
# backslashes, control characters, an emoji, a byte-order mark, blank lines, repeats and the line breaks str.splitlines
# knows beyond "\n" (U+2028, NEL, vertical tab, form feed).
AWKWARD_LINES = [
    "Entregado",
    "  ",
    "",
    "EMH Held at inward office of exchange: import duties unpaid",
    json.dumps({"code": "GTMS_WAIT_SELF_PICK", "text": "Ready for pickup"}),
    json.dumps({"actionCode": "SIGN", "desc": "已签收"}, ensure_ascii=False),
    '{"tag": "Delivered"}',
    "{not json",
    '{"text": 5}',
    "[1,2]",
    'He said "hi" \\ back\tslash',
    "emoji 📦 delivered",
    "ctrl \x01\x1f char",
    "Вручение адресату\u2028PICK UP",
    "a\x85b",
    "x\x0by\x0cz",
    "Arrived at Sort Facility SHENZHEN",
    "Arrived at Sort Facility SHENZHEN",
    "  leading and trailing  ",
    "ÉXPÉDIÉ à Paris (75001)",
    "\ufeffbom",
]


def dumped(lines: list[str]) -> str:
    """The output as `tradewind track normalize --json` wrote it, one json.dumps per event (before JsonLines)."""
    return "".join(
        json.dumps(normalize_line(line).to_dict(), ensure_ascii=False) + "\n" for line in lines if line.strip()
    )


@pytest.mark.parametrize("max_cached", [3, 500_000])
def test_json_lines_write_what_json_dumps_wrote(max_cached: int) -> None:
    fixtures = [
        line
        for name in ("event_texts.tsv", "tracking.csv", "aftership_webhook.json", "cainiao_detail.json")
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
    ]
    lines = "\n".join(AWKWARD_LINES + fixtures + generate_event_texts(5000)).splitlines()
    writer = JsonLines(TrackingNormalizer(), max_cached=max_cached)
    batches = [lines[start : start + 700] for start in range(0, len(lines), 700)]
    assert "".join(writer.batch(batch) for batch in batches * 2) == dumped(lines) * 2
    assert writer.events == 2 * sum(1 for line in lines if line.strip())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab \r\n\x85\u2028{}"') | st.characters(), max_size=60))
def test_json_lines_of_any_text_are_json_dumps(text: str) -> None:
    lines = text.splitlines()
    assert JsonLines(TrackingNormalizer()).batch(lines) == dumped(lines)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab\r\n\x85\u2028 "), max_size=40), st.integers(1, 7))
def test_line_batches_are_the_lines_of_the_whole_text(text: str, chars: int) -> None:
    batches = list(line_batches(io.StringIO(text, newline=""), chars=chars))
    assert [line for batch in batches for line in batch] == text.splitlines()
    assert all(batches)


def test_line_batches_of_a_file_with_windows_line_ends() -> None:
    text = "один\r\ntwo\r\n\r\nthree\rfour\n"
    for chars in (1, 2, 3, 5, 1 << 20):
        batches = list(line_batches(io.StringIO(text, newline=""), chars=chars))
        assert [line for batch in batches for line in batch] == ["один", "two", "", "three", "four"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_folding_ascii_text_takes_the_short_way_to_the_same_text(text: str) -> None:
    assert fold(text) == _fold_unicode(text)
    assert all(key > 127 for key in _BARE_LETTERS)  # a bare letter written in ASCII would need the long way
