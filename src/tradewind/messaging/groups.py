"""Buyer messages gathered into one action per group ("remind 12 buyers to pay: drafts in ru, es, fr"):
each buyer's draft a step, each buyer's facts a line of `notices`, so a busy shop's brief stays a list a person
can read and one click queues them all (each once)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from tradewind.action import Action, gather, members_digest
from tradewind.wording import Phrase, nphrase, phrase


def tally(values: Iterable[str]) -> dict[str, int]:
    """How many of each value, most frequent first (ties by value)."""
    return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))


def top(counts: dict[str, int], n: int = 6) -> str:
    """'RU 12, ES 5, FR 3 and 4 more' from a tally."""
    shown = ", ".join(f"{value} {count}" for value, count in list(counts.items())[:n])
    rest = len(counts) - n
    return shown + (f" and {rest} more" if rest > 0 else "")


def top_words(counts: dict[str, int], n: int = 6) -> str | Phrase:
    """`top` for the reader's language (its "and 4 more" a phrase)."""
    shown = ", ".join(f"{value} {count}" for value, count in list(counts.items())[:n])
    rest = len(counts) - n
    return phrase("%(shown)s and %(rest)s more", shown=shown, rest=rest) if rest > 0 else shown


def gathered(kind: str, group: str, members: list[Action], *, title: str | Phrase, why: str | Phrase) -> Action:
    """One action of the day for `members` (one buyer message each, most urgent first): their drafts its steps,
    each member's figures a line of `notices`."""
    languages = tally(str(step.get("locale")) for a in members for step in a.steps if step.get("type") == "message")
    return gather(
        members,
        kind=kind,
        key=":".join(part for part in (kind, group, members_digest(a.subject for a in members)) if part),
        subject_kind="buyer_group",
        subject=group or kind,
        title=title,
        why=why,
        figures={
            "group": group,
            "orders": len(members),
            "languages": languages,
            "destinations": tally(str(a.figures.get("buyer_country") or "?") for a in members),
            "notices": [{"title": a.title, "why": a.why} | a.figures for a in members],
        },
    )


def buyers(count: int) -> Phrase:
    return nphrase("the buyer", "%(num)s buyers", count)


def drafts_in(locales: Iterable[str]) -> str:
    """The languages of a group's drafts, most frequent first ("ru, es, fr")."""
    return ", ".join(tally(locales))
