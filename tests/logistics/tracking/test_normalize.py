"""Tracking normalisation: carriers' codes and free text in many languages onto one status list; Unknown with
confidence 0 for text nothing places; the cached normaliser reads exactly like the plain one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewind.logistics.models import TrackingStatus
from tradewind.logistics.tracking.codes import plain_words, read_code
from tradewind.logistics.tracking.normalize import TrackingNormalizer, normalize_line, read_uncached

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
