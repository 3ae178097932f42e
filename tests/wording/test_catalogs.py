"""The brief's catalogs: every msgid the sources produce has a zh and a ru translation with the same placeholders,
and the committed .mo files are the .po files compiled."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tradewind.wording import LOCALE_DIR, nphrase, phrase, render

SRC = Path(__file__).resolve().parents[2] / "src" / "tradewind"
PYBABEL = Path(sys.executable).parent / "pybabel"
KEYWORDS = ["-k", "phrase", "-k", "nphrase:1,2"]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    out = tmp_path_factory.mktemp("pot") / "brief.pot"
    subprocess.run(
        [
            str(PYBABEL),
            "extract",
            "-F",
            str(LOCALE_DIR / "babel.cfg"),
            "--no-default-keywords",
            *KEYWORDS,
            "-o",
            str(out),
            str(SRC),
        ],
        check=True,
        capture_output=True,
    )
    with out.open("rb") as f:
        return read_po(f)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_the_sources_produce_the_brief_msgids(template: Catalog) -> None:
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in template if m.id}
    assert "Order %(quantity)s from %(supplier)s by %(due)s: %(sku)s" in ids
    assert "Tell %(buyers)s their orders will be late (%(reason)s): drafts in %(languages)s" in ids
    assert len(ids) > 40


@pytest.mark.parametrize("language", ["zh", "ru"])
def test_every_msgid_is_translated_with_the_same_placeholders(template: Catalog, language: str) -> None:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "brief.po").open("rb") as f:
        catalog = read_po(f, locale=language)
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
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["zh", "ru"])
def test_the_compiled_catalogs_are_up_to_date(tmp_path: Path, language: str) -> None:
    source = LOCALE_DIR / language / "LC_MESSAGES"
    compiled = tmp_path / "brief.mo"
    subprocess.run(
        [str(PYBABEL), "compile", "-i", str(source / "brief.po"), "-o", str(compiled), "-l", language],
        check=True,
        capture_output=True,
    )
    with compiled.open("rb") as fresh, (source / "brief.mo").open("rb") as committed:
        wanted, found = read_mo(fresh), read_mo(committed)
    assert entries(found) == entries(wanted), f"run: pybabel compile -d {LOCALE_DIR} -D brief -l {language}"


def entries(catalog: Catalog) -> dict[object, object]:
    return {
        tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id: tuple(m.string)
        if isinstance(m.string, (list, tuple))
        else m.string
        for m in catalog
        if m.id
    }


def test_russian_plurals_follow_the_cldr_rule() -> None:
    pairs = [render(nphrase("%(num)s pair", "%(num)s pairs", n), "ru") for n in (1, 3, 5, 11, 21, 24, 112)]
    assert pairs == ["1 пара", "3 пары", "5 пар", "11 пар", "21 пара", "24 пары", "112 пар"]
    assert render(nphrase("%(num)s pair", "%(num)s pairs", 4318), "zh") == "4318 双"


def test_a_nested_phrase_is_translated_too() -> None:
    reason = phrase("cut flights")
    title = phrase(
        "Tell %(buyers)s their orders will be late (%(reason)s): drafts in %(languages)s",
        buyers=nphrase("the buyer", "%(num)s buyers", 163),
        reason=reason,
        languages="ru, es",
    )
    assert render(title, "en") == "Tell 163 buyers their orders will be late (cut flights): drafts in ru, es"
    assert "航班削减" in render(title, "zh") and "163" in render(title, "zh")
    assert render(title, "ru").startswith("Предупредить покупателей (163 покупателя)")
