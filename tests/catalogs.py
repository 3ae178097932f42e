"""Checks shared by the tests of the gettext catalogs (the brief's phrases in tests/wording, the dashboard's texts in
tests/web): the msgids the sources use, each translated with the same placeholders and the language's number of
plural forms, and the committed .mo being its .po compiled."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

PYBABEL = Path(sys.executable).parent / "pybabel"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extract(arguments: list[str], out: Path) -> Catalog:
    """`pybabel extract ARGUMENTS -o OUT`, read back: the msgids the sources use today."""
    subprocess.run([str(PYBABEL), "extract", *arguments, "-o", str(out)], check=True, capture_output=True)
    with out.open("rb") as f:
        return read_po(f)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def translation_problems(template: Catalog, catalog: Catalog) -> list[str]:
    """What keeps `catalog` from translating every msgid of `template`: a missing or fuzzy entry, a plural with the
    wrong number of forms, a form whose placeholders are not the msgid's."""
    problems = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        if found is None or found.fuzzy:
            problems.append(f"untranslated: {message.id!r}")
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        forms = (found.string,) if found.string is None or isinstance(found.string, str) else tuple(found.string)
        expected = set().union(*(placeholders(i) for i in ids))
        if not isinstance(message.id, str) and len(forms) != catalog.num_plurals:
            problems.append(f"{len(forms)} plural forms, {catalog.num_plurals} wanted: {message.id!r}")
        for form in forms:
            # A plural's count may be left out of a form (English "the buyer"); every other placeholder is kept.
            if not form or not expected - {"num"} <= placeholders(form) <= expected:
                problems.append(f"placeholders of {form!r} are not those of {ids!r}")
    return problems


def compiled_entries(
    po: Path, mo: Path, language: str, scratch: Path
) -> tuple[dict[object, object], dict[object, object]]:
    """The entries of the committed `mo` and of `po` compiled afresh by pybabel (equal when the .mo is current)."""
    fresh = scratch / f"{language}.mo"
    subprocess.run(
        [str(PYBABEL), "compile", "-i", str(po), "-o", str(fresh), "-l", language], check=True, capture_output=True
    )
    with fresh.open("rb") as wanted, mo.open("rb") as found:
        return entries(read_mo(found)), entries(read_mo(wanted))


def entries(catalog: Catalog) -> dict[object, object]:
    return {
        tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id: tuple(m.string)
        if isinstance(m.string, (list, tuple))
        else m.string
        for m in catalog
        if m.id
    }
