"""Message templates: one file per situation and locale (`templates/<situation>/<locale>.txt`, first line
`Subject: …`), rendered with Jinja2; dates and money formatted with Babel for the recipient's locale.

A shop's own wording (a `MessageTemplate` row) wins over the shipped file. A missing locale falls back to English
and says so in the result.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, StrictUndefined, Template, TemplateSyntaxError, UndefinedError
from jinja2.bccache import BytecodeCache, FileSystemBytecodeCache

from tradewind.errors import ValidationError

FALLBACK_LOCALE = "en"
# Babel's long dates end in a period in some locales ("18 декабря 2026 г.", "18 грудня 2026 р."); a template that
# ends its sentence after a date would double it. The `day` filter marks such a date's end, and rendering drops the
# template's period that follows the mark (then the mark), in every locale and template, shipped or the shop's own.
_ENDS_IN_PERIOD = "\x1f"
# How many formatted days, amounts and numbers a locale's filters keep (see `_environment`).
_WRITTEN_KEPT = 100_000


@dataclass(frozen=True)
class Rendered:
    situation: str
    locale: str  # the locale actually used
    requested_locale: str
    subject: str
    body: str

    @property
    def fell_back(self) -> bool:
        """True when the message is in another language than asked (pt for pt_BR is not a fallback)."""
        return self.locale.split("_")[0] != self.requested_locale.split("_")[0]


@dataclass(frozen=True)
class TemplateSource:
    subject: str
    body: str


def validate_locale(locale: str) -> str:
    """A Babel-known locale identifier (ru, pt_BR, zh_Hans …), or a clear error."""
    identifier = locale.replace("-", "_")
    if not _is_known_locale(identifier):
        raise ValidationError(f"unknown locale {locale!r}: use a language code such as en, ru, es, pt_BR")
    return identifier


@lru_cache(maxsize=256)
def _is_known_locale(identifier: str) -> bool:
    """Parsed once per identifier: the brief asks for every draft's locale, a few dozen distinct ones."""
    try:
        _locale(identifier)
    except (ValueError, UnknownLocaleError):
        return False
    return True


def shipped_locales(situation: str) -> list[str]:
    return list(_shipped_locales(situation))


@lru_cache(maxsize=256)
def _shipped_locales(situation: str) -> tuple[str, ...]:
    """The shipped files are read once per process (they are package data): listing the folder for every draft cost
    the brief more than rendering it."""
    folder = resources.files("tradewind.messaging") / "templates" / situation
    if not folder.is_dir():
        return ()
    return tuple(sorted(entry.name.removesuffix(".txt") for entry in folder.iterdir() if entry.name.endswith(".txt")))


def shipped_situations() -> list[str]:
    folder = resources.files("tradewind.messaging") / "templates"
    return sorted(entry.name for entry in folder.iterdir() if entry.is_dir() and not entry.name.startswith("_"))


@lru_cache(maxsize=512)
def shipped_template(situation: str, locale: str) -> TemplateSource | None:
    path = resources.files("tradewind.messaging") / "templates" / situation / f"{locale}.txt"
    if not path.is_file():
        return None
    return parse_template(path.read_text(encoding="utf-8"), name=f"{situation}/{locale}")


def parse_template(text: str, *, name: str) -> TemplateSource:
    first, _, rest = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValidationError(f"template {name} must start with a 'Subject:' line")
    return TemplateSource(subject=first.removeprefix("Subject:").strip(), body=rest.lstrip("\n"))


@lru_cache(maxsize=64)
def _environment(locale: str) -> Environment:
    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    # Babel parses a locale given as a string on every call; the filters share one parsed Locale.
    babel_locale = _locale(locale)

    # A brief writes thousands of messages with a few hundred distinct days and amounts: each is formatted once
    # per locale (Babel parses its patterns on every call). Keyed by the value's type and text, so that values
    # equal but written differently (Decimal 1.0 and 1.00) are formatted each as itself; forgotten when it grows
    # past `_WRITTEN_KEPT` (a long-running server).
    written: dict[tuple[Any, ...], str] = {}

    def once(key: tuple[Any, ...], write: Callable[[], str]) -> str:
        found = written.get(key)
        if found is None:
            if len(written) >= _WRITTEN_KEPT:
                written.clear()
            found = written[key] = write()
        return found

    def money(value: Any, currency: str | None = None) -> str:
        if isinstance(value, tuple):
            amount, code = value
        else:
            amount, code = value, currency or "USD"
        return once(
            ("money", type(amount), str(amount), code),
            lambda: format_currency(Decimal(amount), code, locale=babel_locale),
        )

    def day(value: date | datetime | str) -> str:
        if isinstance(value, str):
            value = date.fromisoformat(value)
        if isinstance(value, datetime):
            value = value.date()
        return once(("day", value), lambda: _long_day(value, babel_locale))

    def number(value: Any) -> str:
        return once(("number", type(value), str(value)), lambda: format_decimal(value, locale=babel_locale))

    def country(code: str) -> str:
        """The country's name in the recipient's language (ES → Испания)."""
        return str(babel_locale.territories.get(code.upper(), code))

    def listing(values: Any, style: Any = "standard") -> str:
        """['a', 'b', 'c'] → 'a, b and c' in the recipient's language."""
        items = [str(v) for v in values]
        return format_list(items, style=style, locale=babel_locale) if items else ""

    def plural_form(value: int) -> str:
        """The CLDR plural category of `value` in the recipient's language ('one', 'few', 'many', 'other' …), for
        the word after a number: ru 21 день, 23 дня, 28 дней."""
        return str(babel_locale.plural_form(value))

    def weekday(value: date | datetime | str) -> str:
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return once(("weekday", type(value), value), lambda: format_date(value, format="EEEE", locale=babel_locale))

    env.filters["money"] = money
    env.filters["day"] = day
    env.filters["number"] = number
    env.filters["country"] = country
    env.filters["join_words"] = listing
    env.filters["weekday"] = weekday
    env.filters["plural_form"] = plural_form
    return env


def _long_day(value: date, locale: Locale) -> str:
    written = format_date(value, format="long", locale=locale)
    return written + _ENDS_IN_PERIOD if written.endswith(".") else written


@lru_cache(maxsize=64)
def _locale(identifier: str) -> Locale:
    return Locale.parse(identifier)


def best_locale(situation: str, wanted: str, *, available: Sequence[str] | None = None) -> str:
    """`pt_BR` → `pt_BR`, else `pt`, else English."""
    have = available if available is not None else _shipped_locales(situation)
    candidates = [wanted, wanted.split("_")[0]]
    for candidate in candidates:
        if candidate in have:
            return candidate
    return FALLBACK_LOCALE


def check_template(source: TemplateSource, *, name: str) -> None:
    """A template that does not parse is refused before it is stored or used."""
    env = _environment(FALLBACK_LOCALE)
    for part in (source.subject, source.body):
        try:
            env.parse(part)
        except TemplateSyntaxError as exc:
            raise ValidationError(
                f"template {name} has a syntax error on line {exc.lineno}: {exc.message}", details={"template": name}
            ) from None


def render(situation: str, locale: str, facts: dict[str, Any], *, override: TemplateSource | None = None) -> Rendered:
    """Render `situation` for `locale` with `facts`; a missing placeholder or a broken template is an error."""
    requested = validate_locale(locale)
    if override is not None:
        used, source = requested, override
    else:
        used = best_locale(situation, requested)
        found = shipped_template(situation, used)
        if found is None:
            raise ValidationError(f"no template for situation {situation!r}", details={"situation": situation})
        source = found
    try:
        subject = _one_period(_compiled(used, source.subject).render(**facts)).strip()
        body = _one_period(_compiled(used, source.body).render(**facts)).strip() + "\n"
    except TemplateSyntaxError as exc:
        raise ValidationError(
            f"template {situation}/{used} has a syntax error on line {exc.lineno}: {exc.message}"
        ) from None
    except UndefinedError as exc:
        raise ValidationError(f"template {situation}/{used} needs a fact that is missing: {exc.message}") from None
    return Rendered(situation=situation, locale=used, requested_locale=requested, subject=subject, body=_tidy(body))


@lru_cache(maxsize=2048)
def _compiled(locale: str, text: str) -> Template:
    """A template's text compiled once per process and locale; across processes its bytecode is kept in Jinja's
    per-user cache folder, keyed by the text (a shop's edited wording is a new key), because compiling costs
    ~1.7 ms a text (parsing, generating Python, compiling it) and a brief needs a hundred and fifty of them, where
    loading the kept bytecode costs a few dozen microseconds. Without a usable cache folder it compiles as before."""
    env = _environment(locale)
    cache = _bytecode_cache()
    if cache is None:
        return env.from_string(text)
    name = f"tradewind.messaging:{locale}:{hashlib.sha256(text.encode()).hexdigest()}"
    try:
        bucket = cache.get_bucket(env, name, None, text)
    except (OSError, EOFError, ValueError, pickle.UnpicklingError):
        return env.from_string(text)  # an unreadable cache file: compile
    if bucket.code is None:
        bucket.code = env.compile(text)
        with contextlib.suppress(OSError):  # a full or read-only disk: the next process compiles again
            cache.set_bucket(bucket)
    return env.template_class.from_code(env, bucket.code, env.make_globals(None), None)


@lru_cache(maxsize=1)
def _bytecode_cache() -> BytecodeCache | None:
    """Jinja's file cache in its per-user folder (made private to the user, refused if another user owns it)."""
    try:
        return FileSystemBytecodeCache(pattern="__tradewind_message_%s.cache")
    except (OSError, RuntimeError):
        return None


def _one_period(text: str) -> str:
    """'… 2026 г.' + '.' → '… 2026 г.': a date that ends in a period ends the sentence too."""
    return text.replace(_ENDS_IN_PERIOD + ".", "").replace(_ENDS_IN_PERIOD, "")


def _tidy(body: str) -> str:
    """Collapse the blank lines that conditional blocks leave behind."""
    lines = body.splitlines()
    tidy: list[str] = []
    for line in lines:
        if not line.strip() and tidy and not tidy[-1].strip():
            continue
        tidy.append(line.rstrip())
    return "\n".join(tidy).strip() + "\n"
