"""Rendering pages: the Jinja2 environment, the interface language per user (gettext catalogs compiled by Babel),
and dates and numbers formatted for that language."""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, get_datetime_format
from babel.numbers import format_percent
from babel.support import Translations
from babel.units import format_unit
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from tradewind.brief.figures import code_name_in, figure_name_in, figure_of, read_figure, step_name_in, yes_no_in
from tradewind.brief.models import ActionRecord
from tradewind.brief.service import title_in, why_in
from tradewind.money import Money
from tradewind.shops.models import Shop
from tradewind.shops.service import shop_zone
from tradewind.web.words import translated_names
from tradewind.wording import Phrase, accepted_languages, for_reader, negotiated_locale

HERE = Path(__file__).resolve().parent
TRANSLATIONS = HERE / "translations"
STATIC = HERE / "static"
LANGUAGES = {"en": "English", "zh": "中文", "ru": "Русский"}
BABEL_LOCALES = {"en": "en_GB", "zh": "zh_Hans_CN", "ru": "ru"}


@lru_cache(maxsize=8)
def translations(language: str) -> gettext_module.NullTranslations:
    """The compiled catalog of a language (English is the source text: no catalog)."""
    if language == "en":
        return gettext_module.NullTranslations()
    found = Translations.load(str(TRANSLATIONS), locales=[language], domain="messages")
    if not isinstance(found, Translations):
        raise RuntimeError(f"no compiled catalog for {language!r} in {TRANSLATIONS}: run scripts/compile or babel")
    return found


def pick_language(request: Request, preferred: str | None, default: str) -> str:
    """The user's own setting, else the browser's Accept-Language negotiated as the API does (by quality, over the
    interface's languages), else the server's default."""
    if preferred in LANGUAGES:
        return preferred
    found = negotiated_locale(accepted_languages(request.headers.get("accept-language", "")))
    return found if found in LANGUAGES else default


def _gettext_callables(language: str) -> dict[str, Callable[..., Any]]:
    """`_`, `gettext` and `ngettext` for the templates. Every template is HTML with autoescaping on, so a
    translation is markup (its placeholders are escaped as they are filled in); each text is looked up once."""
    catalog = translations(language)
    translated: dict[str, Markup] = {}

    def gettext(message: str, **variables: Any) -> str:
        text = translated.get(message)
        if text is None:
            text = translated[message] = Markup(catalog.gettext(message))
        return text % variables if variables else text

    def ngettext(singular: str, plural: str, count: int, **variables: Any) -> str:
        variables.setdefault("num", count)
        return Markup(catalog.ngettext(singular, plural, count)) % variables

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext}


DAY_AND_MONTH = "MMMd"  # a Babel skeleton: the locale's own pattern for a day and its month


def _format_day(value: date, babel_format: str, locale: Locale) -> str:
    """A day in one of Babel's formats ("medium", "full", …) or, for `DAY_AND_MONTH`, its skeleton."""
    if babel_format == DAY_AND_MONTH:
        return str(format_skeleton(DAY_AND_MONTH, value, locale=locale))
    return format_date(value, babel_format, locale=locale)


def _said(message: dict[str, Any] | None, fallback: str, *, locale: str) -> str:
    """A stored phrase (`wording.Phrase.to_json`, e.g. a supplier's `reason_msg`) as the reader reads it; `fallback`
    (the stored English) when there is none."""
    return fallback if message is None else for_reader(Phrase.from_json(message), locale)


def day_and_month(value: date, language: str) -> str:
    """A day as the pages' short style writes it in the language ("23 Nov", "11月23日"): for the labels of a chart."""
    return _format_day(value, DAY_AND_MONTH, Locale.parse(BABEL_LOCALES[language]))


def _formatters(language: str) -> dict[str, Callable[..., str]]:
    locale = Locale.parse(BABEL_LOCALES[language])
    group, decimal = locale.number_symbols["latn"]["group"], locale.number_symbols["latn"]["decimal"]

    # A moment as Babel's `format_datetime(value, "short")` writes it, put together from its two halves, each
    # formatted once: a list of fifty messages repeats the same few days, and a day has 1,440 minutes.
    moment_pattern = str(get_datetime_format("short", locale=locale)).replace("'", "")

    @lru_cache(maxsize=4096)
    def formatted_time(minute: time) -> str:
        return format_time(minute, "short", locale=locale)

    def moment(value: datetime) -> str:
        return moment_pattern.replace("{0}", formatted_time(time(value.hour, value.minute))).replace(
            "{1}", formatted_day(value.date(), "short")
        )

    @lru_cache(maxsize=4096)
    def formatted_day(value: date, babel_format: str) -> str:
        return _format_day(value, babel_format, locale)

    def day(value: date | datetime | str | None, style: str = "medium") -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        if isinstance(value, datetime):
            return moment(value)
        # A table repeats the same few days: each is formatted once. The templates' "short" is day and month in the
        # locale's own order and words (Babel's skeleton "MMMd": "23 Nov", "11月23日"; a fixed "d MMM" read "23 11月").
        return formatted_day(value, DAY_AND_MONTH if style == "short" else style)

    def number(value: float | int | Decimal | None, digits: int = 0) -> str:
        # The locale's grouping and decimal signs with Python's own formatting: Babel's pattern engine, called for
        # every cell of a 50-row table, costs more than the rest of the page.
        if value is None:
            return "—"
        text = f"{value:,.{digits}f}"
        if (group, decimal) != (",", "."):
            text = text.replace(",", "\0").replace(".", decimal).replace("\0", group)
        return text

    @lru_cache(maxsize=4096)
    def money(amount: Decimal | int | float | str | None, currency: str) -> str:
        """An amount in its currency as Babel writes it for the locale (`Money.format`): "CN¥30.00", "¥30.00",
        "30,00 CN¥". An amount may come as the decimal text the read models carry ("55.5000")."""
        if amount is None:
            return "—"
        return Money(Decimal(amount), currency).format(BABEL_LOCALES[language])

    def country(code: str | None) -> str:
        """A country's name in the locale ("Russia", "俄罗斯"); the code itself when Babel does not know it."""
        if not code:
            return "—"
        return str(locale.territories.get(code.upper(), code))

    return {
        "day": day,
        "number": number,
        "money": money,
        "country": country,
        "figure_value": _figure_formatter(
            language, locale, number=number, money=money, day=day, moment=moment, country=country
        ),
        "figure_label": partial(figure_name_in, locale=language),
        "step_name": partial(step_name_in, locale=language),
    }


def _figure_formatter(
    language: str,
    locale: Locale,
    *,
    number: Callable[[Decimal, int], str],
    money: Callable[[Decimal, str], str],
    day: Callable[[date], str],
    moment: Callable[[datetime], str],
    country: Callable[[str], str],
) -> Callable[..., str]:
    """`figure_value(name, value, figures, shop, kind)`: an action's (or a step's) figure as the page writes its
    unit (`brief.figures`): money in its currency, days and hours with their unit ("19 дн."), a share as the
    locale's percent, a day or an instant (in the shop's time zone) as the page writes dates, a country or a language
    by its name, yes or no; a code or a text as it is."""

    def amount(unit: str, shown: Decimal, currency: str) -> str:
        if unit == "money":
            return money(shown, currency)
        if unit == "share":
            # The locale's percent ("11,75 %" in Russian) with the figure's own digits, to a hundredth.
            rate = shown.quantize(Decimal("0.0001")).normalize()
            return format_percent(rate, locale=locale, decimal_quantization=False)
        if unit in ("days", "hours"):
            measure = "duration-day" if unit == "days" else "duration-hour"
            # A no-break space keeps the number and its unit on one line ("19 дн."), as money's does.
            return format_unit(shown, measure, length="short", format="#,##0.#", locale=locale).replace(" ", "\xa0")
        places = 0 if shown == shown.to_integral_value() else min(2, -int(shown.as_tuple().exponent))
        return number(shown, places)

    def figure_value(name: str, value: Any, figures: dict[str, Any], shop: Shop, kind: str | None = None) -> str:
        found = figure_of(name, kind)
        if found is None:
            return "—" if value is None else str(value)
        read = read_figure(found, value, figures, shop.currency)
        shown = read.value
        if shown is None:
            return "—"
        if isinstance(shown, Decimal):
            return amount(read.unit, shown, read.currency or shop.currency)
        if isinstance(shown, bool):
            return yes_no_in(shown, language)
        if isinstance(shown, datetime):
            return moment(shown.astimezone(shop_zone(shop)) if shown.tzinfo else shown)
        if isinstance(shown, date):
            return day(shown)
        if read.unit == "country":
            return country(str(shown))
        if read.unit == "language":
            return str(locale.languages.get(str(shown), shown))
        if read.unit == "code":
            return code_name_in(found, str(shown), language)
        return str(shown)

    return figure_value


_PAGE_CONTEXTS: ContextVar[list[Context] | None] = ContextVar("tradewind_page_contexts", default=None)


class NotedContext(Context):
    """A template context that notes itself in the page being rendered (`Pages.render` empties them afterwards)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        made = _PAGE_CONTEXTS.get()
        if made is not None:
            made.append(self)


class Pages:
    """The template environment, made once per app."""

    def __init__(self) -> None:
        self.env = Environment(
            loader=PackageLoader("tradewind.web", "templates"),
            autoescape=select_autoescape(["html"]),
            extensions=["jinja2.ext.i18n"],
            auto_reload=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.context_class = NotedContext
        self.env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
        self.env.filters["ordinal_date"] = lambda ordinal: date.fromordinal(int(ordinal)).isoformat()
        # `number` and `day` as filters too (`{{ value|number(1) }}`): a filter is called directly, a function
        # through the template context's call, which costs more than the formatting in a table of fifty rows.
        self.env.filters["number"] = self._number_filter
        self.env.filters["day"] = self._day_filter
        self.env.filters["money"] = self._money_filter
        self._language_globals: dict[str, dict[str, Any]] = {
            lang: _gettext_callables(lang)
            | _formatters(lang)
            | translated_names(translations(lang).gettext)
            | {
                "action_title": partial(title_in, locale=lang, reader=True),
                "action_why": partial(why_in, locale=lang, reader=True),
                "said": partial(_said, locale=lang),
            }
            for lang in LANGUAGES
        }

    @pass_context
    def _number_filter(self, context: Context, value: float | int | Decimal | None, digits: int = 0) -> str:
        return self._language_globals[context["language"]]["number"](value, digits)  # type: ignore[no-any-return]

    @pass_context
    def _day_filter(self, context: Context, value: date | datetime | str | None, style: str = "medium") -> str:
        return self._language_globals[context["language"]]["day"](value, style)  # type: ignore[no-any-return]

    @pass_context
    def _money_filter(self, context: Context, value: Decimal | int | float | str | None, currency: str) -> str:
        return self._language_globals[context["language"]]["money"](value, currency)  # type: ignore[no-any-return]

    def words(self, language: str, name: str) -> dict[str, str]:
        found: dict[str, str] = self._language_globals[language][name]
        return found

    def action_title(self, language: str, action: ActionRecord) -> str:
        """An action's title in the page's language (the brief's `title_in`, as the templates' `action_title`)."""
        return title_in(action, language, reader=True)

    def translate(self, language: str, message: str) -> str:
        return translations(language).gettext(message)

    def render(
        self, request: Request, name: str, context: dict[str, Any], *, language: str, status: int = 200
    ) -> HTMLResponse:
        template = self.env.get_template(name)
        values = self._language_globals[language] | {"request": request, "language": language, "languages": LANGUAGES}
        # `Template.render`, then every template context the page made is emptied: a page's contexts and the macros
        # they import refer to each other, so without this they outlive the page until the garbage collector's next
        # round, and with them everything the page showed (the Stock page: 266 objects left to the collector per
        # request, 25 with this); the collector stops every request in flight while it runs. (Every import in the
        # templates is `with context`, made afresh for each page; a test checks it: a cached module's context must
        # not be emptied.)
        made: list[Context] = []
        token = _PAGE_CONTEXTS.set(made)
        try:
            rendering = template.new_context(values | context)
            html = self.env.concat(template.root_render_func(rendering))
        except Exception:
            self.env.handle_exception()
        finally:
            _PAGE_CONTEXTS.reset(token)
            for each in made:
                each.vars.clear()
                each.parent.clear()
        return HTMLResponse(html, status_code=status)
