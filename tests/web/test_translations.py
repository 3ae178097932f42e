"""The interface in Chinese and in Russian is complete and the compiled catalogs are the ones in the .po files: the
committed messages.pot holds every text the templates and pages use, each has a zh and a ru translation with the
same placeholders (and Russian its three plural forms), and each committed .mo matches its .po."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

import tradewind.web
from tests.catalogs import compiled_entries, extract, translation_problems
from tradewind.brief.producers import default_producers
from tradewind.messaging.triage.intent import INTENTS
from tradewind.web.rendering import LANGUAGES, TRANSLATIONS, translations
from tradewind.web.words import INTENT_NAMES, KIND_NAMES

WEB = Path(tradewind.web.__file__).resolve().parent
# The command of `make web-texts` (and of docs/api.md), less its output file.
EXTRACT = ["-F", str(TRANSLATIONS / "babel.cfg"), "-k", "_", "-k", "translate:2", "--no-location", str(WEB)]
TRANSLATED = sorted(set(LANGUAGES) - {"en"})


@pytest.fixture(scope="module")
def template() -> Catalog:
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        return read_po(f)


def ids(catalog: Catalog) -> set[object]:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def test_the_template_holds_every_text_the_pages_use(template: Catalog, tmp_path: Path) -> None:
    used = ids(extract(EXTRACT, tmp_path / "messages.pot"))
    assert len(used) > 300
    assert "What must the shop do today?" in used and ("%(num)s open action", "%(num)s open actions") in used
    assert ids(template) == used, "run: make web-texts (extracts messages.pot and updates the catalogs)"


def test_the_interface_speaks_chinese_and_russian() -> None:
    assert TRANSLATED == ["ru", "zh"]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_text_is_translated_with_the_same_placeholders(template: Catalog, language: str) -> None:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    problems = translation_problems(template, catalog)
    assert not problems, "\n".join(problems)
    assert not [(m.id, errors) for m, errors in catalog.check() if errors]


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_matches_the_po_file(tmp_path: Path, language: str) -> None:
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    found, wanted = compiled_entries(folder / "messages.po", folder / "messages.mo", language, tmp_path)
    assert found == wanted, f"run: pybabel compile -d {TRANSLATIONS} -D messages -l {language}"


def test_russian_counts_take_the_three_plural_forms() -> None:
    counted = [translations("ru").ngettext("%(num)s open action", "%(num)s open actions", n) for n in (1, 3, 5, 21, 12)]
    assert [form % {"num": n} for form, n in zip(counted, (1, 3, 5, 21, 12), strict=True)] == [
        "1 открытая задача",
        "3 открытые задачи",
        "5 открытых задач",
        "21 открытая задача",
        "12 открытых задач",
    ]


def test_every_kind_of_action_the_brief_makes_has_a_name() -> None:
    kinds = {kind for producer in default_producers() for kind in producer.kinds}
    assert {"stale_orders", "receipt_missing"} <= kinds
    assert not kinds - set(KIND_NAMES), "add them to web/words.py KIND_NAMES and the zh and ru catalogs"


def test_every_intent_of_a_buyer_message_has_a_name() -> None:
    """The Messages page named intents by their code ('refund return') in every language."""
    assert set(INTENTS) == set(INTENT_NAMES), "add them to web/words.py INTENT_NAMES and the zh and ru catalogs"
