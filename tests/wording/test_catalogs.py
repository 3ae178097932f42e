"""The brief's catalogs: every msgid the sources produce has a zh and a ru translation with the same placeholders,
and the committed .mo files are the .po files compiled."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from tests.catalogs import compiled_entries, extract, translation_problems
from tradewind.wording import LOCALE_DIR, nphrase, phrase, render

SRC = Path(__file__).resolve().parents[2] / "src" / "tradewind"
KEYWORDS = ["-k", "phrase", "-k", "nphrase:1,2"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    out = tmp_path_factory.mktemp("pot") / "brief.pot"
    return extract(["-F", str(LOCALE_DIR / "babel.cfg"), "--no-default-keywords", *KEYWORDS, str(SRC)], out)


def test_the_sources_produce_the_brief_msgids(template: Catalog) -> None:
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in template if m.id}
    assert "Order %(quantity)s from %(supplier)s by %(due)s: %(sku)s" in ids
    assert "Tell %(buyers)s their orders will be late (%(reason)s): drafts in %(languages)s" in ids
    assert len(ids) > 40


@pytest.mark.parametrize("language", ["zh", "ru"])
def test_every_msgid_is_translated_with_the_same_placeholders(template: Catalog, language: str) -> None:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "brief.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    problems = translation_problems(template, catalog)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["zh", "ru"])
def test_the_compiled_catalogs_are_up_to_date(tmp_path: Path, language: str) -> None:
    source = LOCALE_DIR / language / "LC_MESSAGES"
    found, wanted = compiled_entries(source / "brief.po", source / "brief.mo", language, tmp_path)
    assert found == wanted, f"run: pybabel compile -d {LOCALE_DIR} -D brief -l {language}"


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
