"""Shared by the triage evaluation tests: reading an evaluation set (one message a line, `text<TAB>language<TAB>intent`,
`#` for comments), measuring the real classifier on it, and the table of accuracy per language and per intent.

Used for the first set (data/triage_eval.tsv) and the held-out one (data/triage_holdout.tsv)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tradewind.config import Settings
from tradewind.messaging.triage.inbound import triage_messages
from tradewind.messaging.triage.intent import INTENTS

Row = tuple[str, str, str]  # text, language (ISO 639-1), intent


def read_set(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, language, intent = line.split("\t")
            rows.append((text, language, intent))
    return rows


def accuracy_by(rows: list[tuple[str, str, bool]]) -> dict[str, float]:
    total, right = Counter(k for k, _, _ in rows), Counter(k for k, _, ok in rows if ok)
    return {k: right[k] / total[k] for k in sorted(total)}


@dataclass(frozen=True)
class Measurement:
    """What the classifier found for each message of a set, next to the labels."""

    rows: list[Row]
    languages: list[str | None]
    intents: list[str]

    @property
    def language_accuracy(self) -> float:
        return sum(got == want for (_, want, _), got in zip(self.rows, self.languages, strict=True)) / len(self.rows)

    @property
    def intent_accuracy(self) -> float:
        return sum(got == want for (_, _, want), got in zip(self.rows, self.intents, strict=True)) / len(self.rows)

    def language_by_language(self) -> dict[str, float]:
        pairs = zip(self.rows, self.languages, strict=True)
        return accuracy_by([(language, "", got == language) for (_, language, _), got in pairs])

    def intent_by_language(self) -> dict[str, float]:
        pairs = zip(self.rows, self.intents, strict=True)
        return accuracy_by([(language, "", got == intent) for (_, language, intent), got in pairs])

    def intent_by_intent(self) -> dict[str, float]:
        pairs = zip(self.rows, self.intents, strict=True)
        return accuracy_by([(intent, "", got == intent) for (_, _, intent), got in pairs])

    def misses(self) -> list[str]:
        """The messages where language or intent was wrong, with what was found."""
        out = []
        for (text, language, intent), got_language, got_intent in zip(
            self.rows, self.languages, self.intents, strict=True
        ):
            if got_language != language or got_intent != intent:
                out.append(f"  {language}/{intent} → {got_language}/{got_intent}: {text}")
        return out

    def table(self, title: str) -> str:
        counts = Counter(language for _, language, _ in self.rows)
        intent_counts = Counter(intent for _, _, intent in self.rows)
        by_language, intent_by_language = self.language_by_language(), self.intent_by_language()
        by_intent = self.intent_by_intent()
        lines = [
            f"{title}: {len(self.rows)} messages, language {self.language_accuracy:.1%}, "
            f"intent {self.intent_accuracy:.1%}",
            f"  {'language':<10}{'n':>5}{'language':>10}{'intent':>9}",
        ]
        for code in sorted(by_language):
            lines.append(f"  {code:<10}{counts[code]:>5}{by_language[code]:>10.1%}{intent_by_language[code]:>9.1%}")
        lines.append(f"  {'intent':<18}{'n':>5}{'intent':>9}")
        for intent in INTENTS:
            if intent in by_intent:
                lines.append(f"  {intent:<18}{intent_counts[intent]:>5}{by_intent[intent]:>9.1%}")
        return "\n".join(lines)


def measure(rows: list[Row]) -> Measurement:
    results = triage_messages([t for t, _, _ in rows], settings=Settings(), now=datetime.now(UTC), with_replies=False)
    return Measurement(rows, [r.language for r in results], [r.intent for r in results])
