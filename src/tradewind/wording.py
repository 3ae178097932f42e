"""Words the domains say to the seller, as message ids and arguments rather than English sentences.

A producer writes `phrase("Order %(units)s %(unit)s from %(supplier)s", units=..., ...)`; the `Phrase` it gets is
stored as JSON beside the English text and rendered in the reader's language at the last moment by `render`: the
msgid is translated through the "brief" gettext catalog of the locale (English is the msgid itself), and each
argument is formatted by its type with Babel for that locale (numbers, dates, money, lists; a nested phrase is
rendered the same way). `nphrase` chooses the plural form by the catalog's CLDR plural rule (Russian has three).

The catalogs live in `tradewind/locale/<lang>/LC_MESSAGES/brief.po` (compiled `.mo` beside them);
`pybabel extract -F babel-brief.cfg --no-default-keywords -k phrase -k nphrase:1,2` finds every msgid. This module
sits below every domain and face and imports none of them.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Union

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "brief"
# The labels of the actions' figures (`tradewind.brief.figures`), a catalog of their own beside the phrases'.
FIGURES_DOMAIN = "figures"
DOMAINS = (DOMAIN, FIGURES_DOMAIN)
SOURCE_LOCALE = "en"
LOCALES = ("en", "zh", "ru")
# The Babel locale each language formats with.
BABEL_LOCALES = {"en": "en", "zh": "zh_Hans_CN", "ru": "ru"}

DayStyle = Literal["iso", "day_month", "day_month_year"]


@dataclass(frozen=True)
class Number:
    """A number written with `digits` decimals, grouped in thousands or not (English: `f"{value:,.2f}"` is
    `Number(value, 2)`, `f"{value:.0f}"` is `Number(value, 0, grouped=False)`)."""

    value: Decimal
    digits: int = 0
    grouped: bool = True

    @staticmethod
    def of(value: float | int | Decimal, digits: int = 0, *, grouped: bool = True) -> Number:
        # Rounded the way Python's own formatting rounds (the float's exact value, half to even), so that the
        # English text is the one an f-string wrote.
        return Number(Decimal(f"{value:.{digits}f}"), digits, grouped)


@dataclass(frozen=True)
class Day:
    """A day in a style: "iso" (English 2026-12-07), "day_month" (English 07 Dec), "day_month_year" (English 07 Dec
    2026; other languages as "iso")."""

    value: date
    style: DayStyle = "iso"


@dataclass(frozen=True)
class Amount:
    """Money: English keeps "USD 1,234.50" (code, grouped, two decimals); other languages their own currency
    format."""

    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Joined:
    """Several arguments written one after the other with `separator`, or the language's list separator (English
    ", ")."""

    items: tuple[Arg, ...]
    separator: str | None = None


@dataclass(frozen=True)
class Capitalized:
    """An argument written with its first letter upper-case (a reason that opens a sentence)."""

    value: Arg


Arg = Union[str, int, Number, Day, Amount, "Phrase", Joined, Capitalized]


@dataclass(frozen=True)
class Phrase:
    """A message id, its plural id and count when it has one, and its arguments by name."""

    msgid: str
    plural: str | None = None
    count: int | None = None
    args: tuple[tuple[str, Arg], ...] = ()

    @property
    def arguments(self) -> dict[str, Arg]:
        return dict(self.args)

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"msgid": self.msgid, "args": {name: _arg_to_json(v) for name, v in self.args}}
        if self.plural is not None:
            found["plural"] = self.plural
            found["count"] = self.count
        return found

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Phrase:
        args = tuple((name, _arg_from_json(value)) for name, value in data.get("args", {}).items())
        return Phrase(str(data["msgid"]), data.get("plural"), data.get("count"), args)

    def english(self) -> str:
        return render(self, SOURCE_LOCALE)


def phrase(msgid: str, **args: Arg) -> Phrase:
    """A message with `%(name)s` placeholders and their values."""
    return Phrase(msgid, args=tuple(args.items()))


def nphrase(singular: str, plural: str, n: int, **args: Arg) -> Phrase:
    """A message with a singular and a plural form chosen by `n` (also the argument `num` unless given)."""
    args.setdefault("num", n)
    return Phrase(singular, plural, n, tuple(args.items()))


def joined(*items: Arg) -> Joined:
    return Joined(tuple(items))


def percent(share: float, digits: int) -> Phrase:
    """A share (0.025) as a percentage with `digits` decimals: English "2.5%", as `f"{share:.1%}"` writes it."""
    return phrase("%(value)s%%", value=Number.of(share * 100, digits, grouped=False))


def _arg_to_json(value: Arg) -> Any:
    if isinstance(value, bool):
        raise TypeError("a phrase argument cannot be a bool")
    if isinstance(value, (str, int)):
        return value
    if isinstance(value, Number):
        return {"t": "number", "v": str(value.value), "digits": value.digits, "grouped": value.grouped}
    if isinstance(value, Day):
        return {"t": "day", "v": value.value.isoformat(), "style": value.style}
    if isinstance(value, Amount):
        return {"t": "money", "amount": str(value.amount), "currency": value.currency}
    if isinstance(value, Phrase):
        return {"t": "phrase", "v": value.to_json()}
    if isinstance(value, Joined):
        return {"t": "list", "v": [_arg_to_json(item) for item in value.items], "sep": value.separator}
    if isinstance(value, Capitalized):
        return {"t": "capitalized", "v": _arg_to_json(value.value)}
    raise TypeError(f"a phrase argument cannot be a {type(value).__name__}")


def _arg_from_json(data: Any) -> Arg:
    if isinstance(data, (str, int)):
        return data
    kind = data["t"]
    if kind == "number":
        return Number(Decimal(data["v"]), int(data["digits"]), bool(data["grouped"]))
    if kind == "day":
        return Day(date.fromisoformat(str(data["v"])), data["style"])
    if kind == "money":
        return Amount(Decimal(data["amount"]), str(data["currency"]))
    if kind == "phrase":
        return Phrase.from_json(data["v"])
    if kind == "capitalized":
        return Capitalized(_arg_from_json(data["v"]))
    if kind == "list":
        return Joined(tuple(_arg_from_json(item) for item in data["v"]), data.get("sep"))
    raise ValueError(f"unknown phrase argument type {kind!r}")


@lru_cache(maxsize=8)
def catalog(locale: str, domain: str = DOMAIN) -> gettext_module.NullTranslations:
    """The compiled catalog of a language in `domain` ("brief": the phrases, "figures": the figures' labels;
    English is the source text: no catalog)."""
    if domain not in DOMAINS:
        raise ValueError(f"no catalog domain {domain!r}: one of {', '.join(DOMAINS)}")
    if locale == SOURCE_LOCALE:
        return gettext_module.NullTranslations()
    if locale not in LOCALES:
        raise ValueError(f"no {domain} catalog for {locale!r}: one of {', '.join(LOCALES)}")
    found = Translations.load(str(LOCALE_DIR), locales=[locale], domain=domain)
    if not isinstance(found, Translations):
        raise RuntimeError(f"no compiled {domain} catalog for {locale!r} in {LOCALE_DIR}")
    return found


def render(text: Phrase, locale: str) -> str:
    """The phrase in `locale`: its translated message with each argument formatted for that locale."""
    words = catalog(locale)
    if text.plural is not None:
        message = words.ngettext(text.msgid, text.plural, text.count or 0)
    else:
        message = words.gettext(text.msgid)
    if not text.args:
        return message
    return message % {name: format_arg(value, locale) for name, value in text.args}


def accepted_languages(header: str) -> list[str]:
    """The language tags of an HTTP Accept-Language header ("ru-RU,ru;q=0.9,en;q=0.8"), most wanted first: by
    quality, then in the order written (RFC 9110 §12.5.4); a tag of quality 0 is refused and left out, and so is the
    wildcard "*" (it names no language). At most the first 20 entries are read."""
    weighted: list[tuple[float, int, str]] = []
    for position, entry in enumerate(header.split(",")[:20]):
        tag, _, parameters = entry.strip().partition(";")
        quality = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        tag = tag.strip()
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiated_locale(preferred: list[str]) -> str | None:
    """The first of the `preferred` language tags a reader can have the brief in (Babel's `negotiate_locale` over
    en, zh and ru: "ru-RU" is ru, "zh-Hans-CN" zh, "en_GB" en); None when the brief speaks none of them."""
    tags = [tag.strip().replace("_", "-").lower() for tag in preferred]
    return negotiate_locale(tags, LOCALES, sep="-")


_SEPARATORS = {"zh": "、"}
# A separator a producer chose, as a language writes it (Chinese sets its own full-width semicolon, and no space
# between sentences).
_WRITTEN_SEPARATORS = {("zh", "; "): "；", ("zh", " "): ""}


def format_arg(value: Arg, locale: str) -> str:
    """One argument as `locale` writes it: a number, a day or money by Babel, a phrase rendered."""
    where = _babel_locale(locale)
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return _number_text(int(value), "0", locale)
    if isinstance(value, Number):
        pattern = ("#,##0" if value.grouped else "0") + ("." + "0" * value.digits if value.digits else "")
        return _number_text(value.value, pattern, locale)
    if isinstance(value, Day):
        return _day_text(value.value, value.style, locale, _AS_STORED.get())
    if isinstance(value, Amount):
        if locale == SOURCE_LOCALE and _AS_STORED.get():
            return f"{value.currency} {format_decimal(value.amount, '#,##0.00', locale=where)}"
        return format_currency(value.amount, value.currency, locale=where)
    if isinstance(value, Phrase):
        return render(value, locale)
    if isinstance(value, Capitalized):
        text = format_arg(value.value, locale)
        return text[:1].upper() + text[1:]
    if value.separator is not None:
        separator = _WRITTEN_SEPARATORS.get((locale, value.separator), value.separator)
    else:
        separator = _SEPARATORS.get(locale, ", ")
    return separator.join(format_arg(item, locale) for item in value.items)


def for_reader(text: Phrase, locale: str) -> str:
    """The phrase as a person reads it on a page or in an e-mail: as `render`, but English too gets Babel's dates
    and money ("Dec 9, 2026", "CN¥1,350.00") where `render` keeps the English the producers stored (ISO days,
    "07 Dec", "CNY 1,350.00"; the brief's JSON and its golden file keep those)."""
    token = _AS_STORED.set(False)
    try:
        return render(text, locale)
    finally:
        _AS_STORED.reset(token)


# True while English is written as stored (the default); `for_reader` turns it off for one rendering.
_AS_STORED: ContextVar[bool] = ContextVar("tradewind_wording_as_stored", default=True)


@lru_cache(maxsize=8)
def _babel_locale(locale: str) -> Locale:
    """Babel's locale for one of ours, parsed once (parsing it for every argument was most of a reason's time)."""
    return Locale.parse(BABEL_LOCALES[locale])


def _number_text(value: int | Decimal, pattern: str, locale: str) -> str:
    """A number as `locale` writes it with `pattern` (a brief writes the same day counts thousands of times, and
    Babel parses the pattern on every call); keyed by the value's text, so that 1.0 and 1.00 stay apart."""
    return _number_of_text(isinstance(value, int), str(value), pattern, locale)


@lru_cache(maxsize=4096)
def _number_of_text(whole: bool, text: str, pattern: str, locale: str) -> str:
    return format_decimal(int(text) if whole else Decimal(text), pattern, locale=_babel_locale(locale))


@lru_cache(maxsize=4096)
def _day_text(day: date, style: DayStyle, locale: str, as_stored: bool) -> str:
    """A day as `locale` writes it in `style` (a brief writes the same few dozen days thousands of times)."""
    where = _babel_locale(locale)
    if locale == SOURCE_LOCALE and as_stored:
        # The English the producers wrote before: ISO days and "07 Dec".
        patterns = {"iso": "yyyy-MM-dd", "day_month": "dd MMM", "day_month_year": "dd MMM yyyy"}
        return format_date(day, patterns[style], locale=where)
    if style in ("iso", "day_month_year"):
        return format_date(day, "medium", locale=where)
    return format_skeleton("MMMd", day, locale=where)
