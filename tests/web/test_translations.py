"""The interface in Chinese is complete and the compiled catalog is the one in the .po file: every text the
templates and pages use has a translation, placeholders agree, and the committed .mo matches the .po."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import tradewind.web
from tradewind.brief.producers import default_producers
from tradewind.messaging.intent import INTENTS
from tradewind.web.rendering import TRANSLATIONS
from tradewind.web.words import INTENT_NAMES, KIND_NAMES

WEB = Path(tradewind.web.__file__).resolve().parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "translate": (2,)}


def used_messages() -> set[str | tuple[str, ...]]:
    found: set[str | tuple[str, ...]] = set()
    for _, _, message, _, _ in extract_from_dir(str(WEB), METHODS, OPTIONS, KEYWORDS):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_every_text_is_translated_into_chinese() -> None:
    catalog = read_po((TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po").open("rb"))
    translated = {(m.id if isinstance(m.id, str) else tuple(m.id)): m.string for m in catalog if m.id and not m.fuzzy}
    used = used_messages()
    assert len(used) > 150
    missing = sorted(str(m) for m in used if not translated.get(m))
    assert not missing, f"untranslated: {missing}"
    problems = [(m.id, errors) for m, errors in catalog.check() if errors]
    assert not problems


def test_the_compiled_catalog_matches_the_po_file() -> None:
    folder = TRANSLATIONS / "zh" / "LC_MESSAGES"
    source = read_po((folder / "messages.po").open("rb"))
    compiled = read_mo((folder / "messages.mo").open("rb"))

    def flat(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    expected = {flat(m.id): flat(m.string) for m in source if m.id and not m.fuzzy}
    actual = {flat(m.id): flat(m.string) for m in compiled if m.id}
    assert actual == expected, "run: pybabel compile -d src/tradewind/web/translations"


def test_every_kind_of_action_the_brief_makes_has_a_name() -> None:
    kinds = {kind for producer in default_producers() for kind in producer.kinds}
    assert {"stale_orders", "receipt_missing"} <= kinds
    assert not kinds - set(KIND_NAMES), "add them to web/words.py KIND_NAMES and the zh catalog"


def test_every_intent_of_a_buyer_message_has_a_name() -> None:
    """The Messages page named intents by their code ('refund return') in every language."""
    assert set(INTENTS) == set(INTENT_NAMES), "add them to web/words.py INTENT_NAMES and the zh catalog"
