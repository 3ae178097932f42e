"""Which language a buyer wrote in: Lingua (`lingua-language-detector`, offline n-gram models shipped in the wheel,
accurate on short text), among the languages of the shops' markets (`DETECTED_LANGUAGES`: more than the 16 Tradewind
has templates for, so that a Czech buyer is not taken for a Spanish one), after order numbers, links and emojis are
taken out (they carry no language and confuse short-text detection).

The detector is built once per process, the first time a message is triaged, and Lingua loads a language's models
only when a text of that language's script needs them: a shop whose buyers write only Latin-script languages never
loads the Cyrillic, Greek or Thai models. High-accuracy mode stays: low-accuracy mode (trigrams only) misreads about
one short message in twenty. Among the Cyrillic languages, letters a language never writes rule it out (Lingua alone
reads some Ukrainian as Kazakh or Belarusian).

A text with no letters left (an order number alone, "??", an emoji) has no language: None.

Lingua is imported only when a text is detected: a command (or the brief) that reads stored triage never imports it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from typing import TYPE_CHECKING

from tradewind.messaging.situations import BUYER_LOCALES

if TYPE_CHECKING:
    from lingua import IsoCode639_1, LanguageDetector

_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[#№]?\d[\d\s\-/.]*|[_*~`|<>\[\]{}()\"'«»“”„]+")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)

# The EU's official languages that Lingua knows (all but Maltese), then the other markets of cross-border sellers
# (issue 19): Russia and its neighbours, Turkey, Israel, the Arab countries, East and South-East Asia.
_EU_FIRST = ("bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "nl")
EU_LANGUAGES = (*_EU_FIRST, "pl", "pt", "ro", "sk", "sl", "sv")
OTHER_MARKET_LANGUAGES = ("ru", "uk", "be", "kk", "tr", "he", "ar", "ja", "ko", "zh", "th", "vi", "id")
DETECTED_LANGUAGES = tuple(sorted(set(EU_LANGUAGES) | set(OTHER_MARKET_LANGUAGES) | set(BUYER_LOCALES)))

# Letters outside a Cyrillic language's alphabet: a text that has one is not in that language. Kazakh adds nine
# letters to Russian's alphabet, and a Kazakh message shows at least one of the eight that Ukrainian and Belarusian
# lack (`_NEEDS`). When Lingua's choice is ruled out, its n-grams choose again among the Cyrillic languages left
# (Lingua's own letter rules can leave every other language at zero: "скільки" alone made a message Kazakh).
_KAZAKH = "әғқңөұүһ"
_NEVER_WRITES = {
    "ru": "іїєґў" + _KAZAKH,
    "uk": "ыэъёў" + _KAZAKH,
    "be": "ищъїєґ" + _KAZAKH,
    "bg": "ыэёіїєґў" + _KAZAKH,
    "kk": "їєґў",
}
_NEEDS = {"kk": _KAZAKH}


@dataclass(frozen=True)
class DetectedLanguage:
    code: str | None  # ISO 639-1
    confidence: float


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """Built once per process and only when a message is triaged; models load as texts of their script come."""
    return _detector_among(DETECTED_LANGUAGES)


@lru_cache(maxsize=32)
def _detector_among(codes: tuple[str, ...]) -> LanguageDetector:
    """A detector for some of the languages; Lingua keeps loaded models per process, so detectors share them."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(_iso(code)) for code in codes]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def _iso(code: str) -> IsoCode639_1:
    from lingua import IsoCode639_1

    found: IsoCode639_1 = getattr(IsoCode639_1, code.upper())
    return found


def detection_version() -> str:
    """What detection depends on: Lingua's version, the languages detected and the Cyrillic letter rules."""
    rules = ";".join(f"{code}:{letters}" for code, letters in sorted(_NEVER_WRITES.items()))
    return f"lingua {version('lingua-language-detector')}|{','.join(DETECTED_LANGUAGES)}|{rules}|{_NOISE.pattern}"


def _possible(code: str, letters: set[str]) -> bool:
    if letters & set(_NEVER_WRITES.get(code, "")):
        return False
    needed = _NEEDS.get(code)
    return needed is None or bool(letters & set(needed))


def _cyrillic_choice(text: str, letters: set[str]) -> tuple[str, float] | None:
    """The Cyrillic language the text can be in, by Lingua's n-grams among those its letters leave; None if none."""
    left = tuple(code for code in _NEVER_WRITES if _possible(code, letters))
    if not left:
        return None  # letters of two alphabets (a mixed message): Lingua's first choice stands
    confidences = _detector_among(left).compute_language_confidence_values(text)
    if not confidences:
        return None
    return confidences[0].language.iso_code_639_1.name.lower(), float(confidences[0].value)


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
        code, value = best.language.iso_code_639_1.name.lower(), float(best.value)
        letters = set(cleaned[index].lower())
        if not _possible(code, letters):
            code, value = _cyrillic_choice(cleaned[index], letters) or (code, value)
        found[index] = DetectedLanguage(code, round(value, 3))
    return found


def detect_language(text: str) -> DetectedLanguage:
    return detect_languages([text])[0]
