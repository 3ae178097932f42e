"""Which language a buyer wrote in: Lingua (`lingua-language-detector`, offline n-gram models shipped in the wheel,
accurate on short text), restricted to the buyer languages Tradewind writes, after order numbers, links and emojis
are taken out (they carry no language and confuse short-text detection).

A text with no letters left (an order number alone, "??", an emoji) has no language: None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from tradewind.messaging.situations import BUYER_LOCALES

_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[#№]?\d[\d\s\-/.]*|[_*~`|<>\[\]{}()\"'«»“”„]+")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class DetectedLanguage:
    code: str | None  # ISO 639-1
    confidence: float


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    languages = [Language.from_iso_code_639_1(_iso(code)) for code in BUYER_LOCALES]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def _iso(code: str) -> IsoCode639_1:
    found: IsoCode639_1 = getattr(IsoCode639_1, code.upper())
    return found


def clean_for_detection(text: str) -> str:
    """The words of a message, without numbers, links or symbols; emojis go with the non-letters."""
    stripped = _NOISE.sub(" ", text)
    kept = "".join(ch if ch.isalpha() or ch.isspace() or ch in ",.!?¿¡;:'-" else " " for ch in stripped)
    return re.sub(r"\s+", " ", kept).strip()


def detect_languages(texts: Sequence[str]) -> list[DetectedLanguage]:
    """The language of each text (in parallel, in Lingua's native code)."""
    cleaned = [clean_for_detection(t) for t in texts]
    wanted = [i for i, t in enumerate(cleaned) if _LETTER.search(t)]
    found = [DetectedLanguage(None, 0.0) for _ in texts]
    if not wanted:
        return found
    values = detector().compute_language_confidence_values_in_parallel([cleaned[i] for i in wanted])
    for index, confidences in zip(wanted, values, strict=True):
        if not confidences:
            continue
        best = confidences[0]
        found[index] = DetectedLanguage(best.language.iso_code_639_1.name.lower(), round(float(best.value), 3))
    return found


def detect_language(text: str) -> DetectedLanguage:
    return detect_languages([text])[0]
