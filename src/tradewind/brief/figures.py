"""The names of an action's figures and of its steps' fields, each with a label and the kind of value it holds.

Producers write figures as plain JSON (`"total_cost": "29601.0000"`, `"depth": 0.1175`); a face shows each one as
"label: value", the label translated through the "figures" gettext catalog (`tradewind.wording.figure_label`) and the
value formatted for the reader by its unit: money in its currency (the figure named by `currency`, else the shop's),
days and hours with their unit, a share (a 0–1 rate) as a percent, a day or an instant as the reader writes dates, a
country or a language by its name, yes or no. Codes (SKU, order number, method code) and free text are shown as
they are; a list or a mapping ("members") is not a scalar figure and is shown by each face in its own way.

`make figure-labels` extracts the labels (`figure(...)`'s first argument) into the zh and ru catalogs; a test checks
that every figure the demo brief produces has its entry here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_percent
from babel.units import format_unit

from tradewind.wording import (
    BABEL_LOCALES,
    FIGURES_DOMAIN,
    SOURCE_LOCALE,
    Amount,
    Day,
    Number,
    Phrase,
    catalog,
    for_reader,
    format_arg,
)

Unit = Literal[
    "money",
    "days",
    "hours",
    "date",
    "instant",
    "units",
    "count",
    "number",
    "share",
    "yes_no",
    "country",
    "language",
    "code",
    "text",
    "members",
]


@dataclass(frozen=True)
class Figure:
    """A figure's label (an English msgid of the "figures" catalog) and unit; for money, the figure holding its
    currency (None: the shop's currency)."""

    label: str
    unit: Unit
    currency: str | None = None
    # For a code: the names of its values in the reader's language (the phrases the brief's reasons already use).
    names: Mapping[str, Phrase] | None = None


class CodeNames(Mapping[str, Phrase]):
    """The names of a code's values: the table in the owning domain's `schemas` (`module.attribute`, keyed by the
    code or by a StrEnum of it), imported the first time a name is asked for, so that importing this module (the
    dashboard, `tradewind action show`) imports no domain's schemas, and through them its wording and models, until
    a code is named."""

    def __init__(self, module: str, attribute: str) -> None:
        self.module, self.attribute = module, attribute
        self._table: dict[str, Phrase] | None = None

    def _loaded(self) -> dict[str, Phrase]:
        if self._table is None:
            table: Mapping[str, Phrase] = getattr(importlib.import_module(self.module), self.attribute)
            self._table = {str(code): name for code, name in table.items()}
        return self._table

    def __getitem__(self, code: str) -> Phrase:
        return self._loaded()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


def figure(label: str, unit: Unit, *, currency: str | None = None, names: Mapping[str, Phrase] | None = None) -> Figure:
    return Figure(label, unit, currency, names)


def word(msgid: str) -> str:
    """A word of the "figures" catalog that is not a label (yes, no)."""
    return msgid


YES = word("yes")
NO = word("no")

FIGURES: dict[str, Figure] = {
    # Figures of the actions (`Action.figures`).
    "alternatives": figure("Other routes", "members"),
    "at_risk": figure("Orders at risk", "members"),
    "back_to_sender_from": figure("Returned to sender from", "date"),
    "bound": figure("Limit direction", "code"),
    "breach_cost_share": figure("Cost of a breach (share of sales)", "share"),
    "buyer_country": figure("Buyer's country", "country"),
    "buyer_language": figure("Buyer's language", "language"),
    "carried_by_fixes": figure("Covered by other actions", "yes_no"),
    "certain": figure("Orders already late", "members"),
    "chance": figure("Chance of a penalty", "share"),
    "changes": figure("Changes", "members"),
    "choice": figure("Choice", "code"),
    "closure_until": figure("Closed until", "date"),
    "cost_change_per_parcel": figure("Cost change per parcel", "money"),
    "cost_currency": figure("Cost currency", "code"),
    "counted": figure("Counted orders", "members"),
    "currency": figure("Currency", "code"),
    "current": figure("Current method", "members"),
    "days": figure("Days without news", "days"),
    "days_max": figure("Longest wait", "days"),
    "days_min": figure("Shortest wait", "days"),
    "days_of_cover": figure("Days of cover", "days"),
    "days_since_shipping": figure("Since shipping", "days"),
    "days_waiting": figure("Waiting for pickup", "days"),
    "delay_reasons": figure("Reasons for delays", "members"),
    "demand_per_day": figure("Demand per day", "units"),
    "demand_sigma": figure("Demand spread (σ per day)", "units"),
    "denominator": figure("Counted in all", "count"),
    "depth": figure("Depth past the limit", "share"),
    "destination": figure("Destination", "country"),
    "destinations": figure("Destinations", "members"),
    "disruption": figure("Disruption no.", "code"),
    "dormant": figure("No sales (dormant)", "yes_no"),
    "earliest_arrival": figure("Earliest arrival", "date"),
    "ends_on": figure("Ends on", "date"),
    "excess_units": figure("Excess units", "units"),
    "excess_value": figure("Excess value", "money"),
    "expected_on": figure("Expected on", "date"),
    "first_stockout_on": figure("First stock-out on", "date"),
    "fixed_by": figure("Fixed by", "members"),
    "from_lead_time_mean_days": figure("Current lead time (mean)", "days"),
    "from_lead_time_p90_days": figure("Current lead time (p90)", "days"),
    "from_supplier": figure("From supplier", "code"),
    "gain_per_year": figure("Gain per year", "money"),
    "group": figure("Group", "code", names=CodeNames("tradewind.messaging.schemas", "REASON_CODES")),
    "handling_days": figure("Handling time", "days"),
    "holding_cost_of_combining": figure("Holding cost of combining", "money"),
    "in_transit_orders": figure("Orders in transit", "members"),
    "joined_early": figure("SKUs ordered early", "count"),
    "kind": figure("Kind", "code", names=CodeNames("tradewind.logistics.schemas", "KIND_CODES")),
    "language": figure("Language", "language"),
    "languages": figure("Languages", "members"),
    "last_event": figure("Last event", "text"),
    "last_event_at": figure("Last event at", "instant"),
    "late_share_change": figure("Change in parcels late", "share"),
    "lead_time_mean_days": figure("Lead time (mean)", "days"),
    "lead_time_notes": figure("Lead time notes", "members"),
    "lead_time_p90_days": figure("Lead time (p90)", "days"),
    "limit": figure("Limit", "share"),
    "lines": figure("Lines", "members"),
    "location": figure("Location", "text"),
    "max_cover_days": figure("Most days of cover", "days"),
    "mean_order_value": figure("Mean order value", "money"),
    "median_response_hours": figure("Median response time", "hours"),
    "message_drafts": figure("Message drafts", "members"),
    "messages_held_back": figure("Messages held back", "members"),
    "method": figure("Shipping method", "code"),
    "metric": figure("Metric", "code"),
    "metric_penalty": figure("Penalties it avoids", "members"),
    "moq_choice": figure("Minimum order choice", "units"),
    "moq_choice_cover_days": figure("Cover at the minimum order", "days"),
    "no_source": figure("SKUs without a source", "members"),
    "notices": figure("Notices", "members"),
    "numerator": figure("Counted against", "count"),
    "oldest": figure("Oldest order", "code"),
    "on_hand": figure("On hand", "units"),
    "on_order": figure("On order", "units"),
    "open_orders_uncovered": figure("Open orders not covered", "members"),
    "order": figure("Order", "code"),
    "order_by": figure("Order by", "date"),
    "order_total": figure("Order total", "money", currency="currency"),
    "order_up_to": figure("Order up to", "units"),
    "orders": figure("Orders", "count"),
    "orders_last_window": figure("Orders in the window", "count"),
    "origin": figure("Origin", "country"),
    "outbox_id": figure("Outbox message", "code"),
    "parcels": figure("Parcels", "count"),
    "parcels_per_year": figure("Parcels per year", "number"),
    "pause_purchasing_until": figure("Pause purchasing until", "date"),
    "penalty": figure("Expected penalty", "money"),
    "permanent": figure("For good", "yes_no"),
    "permanent_skus": figure("SKUs switched for good", "members"),
    "pickup_point": figure("Pickup point", "text"),
    "product": figure("Product", "code"),
    "promise_days": figure("Promised delivery time", "days"),
    "promised_delivery_on": figure("Promised delivery by", "date"),
    "promotions_to_pause": figure("Promotions to pause", "members"),
    "proposed": figure("Proposed method", "members"),
    "protection_ends_on": figure("Buyer protection ends", "date"),
    "ranges": figure("Delivery ranges", "members"),
    "reason": figure("Reason", "text"),
    "reorder_point": figure("Reorder point", "units"),
    "safety_stock": figure("Safety stock", "units"),
    "scope": figure("Scope", "code"),
    "service_level": figure("Service level", "share"),
    "shipments": figure("Shipments", "members"),
    "shipped_on": figure("Shipped on", "date"),
    "situation": figure("Situation", "code", names=CodeNames("tradewind.messaging.schemas", "SITUATION_CODES")),
    "sku": figure("SKU", "code"),
    "skus": figure("SKUs", "members"),
    "source": figure("Source", "text"),
    "stale_after_days": figure("Stale after", "days"),
    "starts_on": figure("Starts on", "date"),
    "status": figure("Status", "code"),
    "status_words": figure("Carrier's words", "text"),
    "stockout_on": figure("Stock-out on", "date"),
    "substatus": figure("Sub-status", "code"),
    "supplier": figure("Supplier", "code"),
    "supplier_name": figure("Supplier name", "text"),
    "times_chased": figure("Times chased", "count"),
    "times_reminded": figure("Times reminded", "count"),
    "to_cross": figure("More to cross the limit", "count"),
    "to_lead_time_mean_days": figure("New lead time (mean)", "days"),
    "to_lead_time_p90_days": figure("New lead time (p90)", "days"),
    "to_supplier": figure("To supplier", "code"),
    "total_cost": figure("Total cost", "money", currency="cost_currency"),
    "total_units": figure("Total units", "units"),
    "tracking_number": figure("Tracking number", "code"),
    "transit_budget_days": figure("Transit budget", "days"),
    "unanswered_since": figure("Unanswered since", "instant"),
    "unshipped_orders": figure("Unshipped orders", "members"),
    "value": figure("Value", "share"),
    "waiting_since": figure("Waiting since", "date"),
    "window_days": figure("Window", "days"),
    "worst_value": figure("Worst case", "share"),
    # Fields of the steps other than message drafts (`Action.steps`), where not named as a figure above.
    "by": figure("By", "date"),
    "choices": figure("Choices", "members"),
    "from_method": figure("From method", "code"),
    "inquiry": figure("Open an inquiry", "yes_no"),
    "placed_on": figure("Placed on", "date"),
    "previous": figure("Previous method", "code"),
    "promotions": figure("Promotions", "members"),
    "ship_by": figure("Ship by", "date"),
    "stock_shown": figure("Stock shown", "units"),
    "text": figure("Text", "text"),
    "to_method": figure("To method", "code"),
    "until": figure("Until", "date"),
}

# The kinds of step other than message drafts (`step["type"]`), by name.
STEPS: dict[str, str] = {
    "chase_carrier": word("Chase the carrier"),
    "close_order": word("Close the order"),
    "extend_protection": word("Extend buyer protection"),
    "hold_orders": word("Hold the orders"),
    "make_preferred_supplier": word("Make the preferred supplier"),
    "notify_buyers": word("Tell the buyers"),
    "notify_orders": word("Tell the orders' buyers"),
    "orders_first": word("These orders first"),
    "pause_channel": word("Pause the channel"),
    "pause_promotions": word("Pause promotions"),
    "pause_purchasing": word("Pause purchasing"),
    "purchase_order": word("Purchase order"),
    "refund_or_resend": word("Refund or resend"),
    "remind_buyer_to_collect": word("Remind the buyer to collect"),
    "reroute_orders": word("Change the orders' method"),
    "set_default_method": word("Set the default method"),
    "set_listing_stock": word("Set the listing's stock"),
    "tell_buyer": word("Tell the buyer"),
}

# Where a kind's figure of the same name means something else.
KIND_FIGURES: dict[tuple[str, str], Figure] = {
    ("overstock", "method"): figure(
        "Forecast method", "code", names=CodeNames("tradewind.planning.schemas", "METHOD_CODES")
    ),
    ("stalled_tracking", "days"): figure("Days without news", "days"),
}


def figure_of(name: str, kind: str | None = None) -> Figure | None:
    """The figure `name` of an action of `kind` (None: a name the table does not know)."""
    if kind is not None:
        found = KIND_FIGURES.get((kind, name))
        if found is not None:
            return found
    return FIGURES.get(name)


Scalar = str | int | float | Decimal | bool | date | datetime | None


@dataclass(frozen=True)
class FigureValue:
    """A figure's value read for its unit: `value` is a Decimal for numbers and money (with `currency`), a date or
    a datetime for days and instants, a bool for yes/no, the text otherwise; `unit` is "text" when the stored value
    does not read as its unit (a step's "until" may be a day or a sentence)."""

    unit: Unit
    value: Scalar
    currency: str | None = None


NUMERIC_UNITS = frozenset({"money", "days", "hours", "units", "count", "number", "share"})


def is_scalar(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, Decimal))


def read_figure(figure: Figure, value: object, figures: Mapping[str, Any], shop_currency: str) -> FigureValue:
    """`value` of `figure` as its unit reads it (see FigureValue); `figures` are the action's (or the step's)
    others, where a money figure finds its currency."""
    if value is None or value == "":
        return FigureValue(figure.unit, None)
    unit = figure.unit
    if unit == "yes_no" and isinstance(value, bool):
        return FigureValue(unit, value)
    if unit in NUMERIC_UNITS and isinstance(value, (str, int, float, Decimal)) and not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return FigureValue("text", str(value))
        if not number.is_finite():
            return FigureValue("text", str(value))
        if unit == "money":
            currency = figures.get(figure.currency) if figure.currency else None
            return FigureValue(unit, number, str(currency) if currency else shop_currency)
        return FigureValue(unit, number)
    if unit == "date" and isinstance(value, str):
        try:
            return FigureValue(unit, date.fromisoformat(value[:10]))
        except ValueError:
            return FigureValue("text", value)
    if unit == "instant" and isinstance(value, str):
        try:
            return FigureValue(unit, datetime.fromisoformat(value))
        except ValueError:
            return FigureValue("text", value)
    if unit in ("code", "text", "country", "language") and isinstance(value, (str, int)):
        return FigureValue(unit, str(value))
    return FigureValue("text", str(value))


def code_name_in(figure: Figure, code: str, locale: str) -> str:
    """A code's name in `locale` when the figure names its values ("flights_cut": "flights cut", "航班削减"); the
    code itself otherwise (a SKU, an order number, a method code)."""
    name = figure.names.get(code) if figure.names is not None else None
    if name is None:
        return code
    text = for_reader(name, locale)
    return text.replace("_", " ") if locale == SOURCE_LOCALE else text


def label_in(figure: Figure, locale: str) -> str:
    """The figure's label in `locale` (en, zh or ru)."""
    return catalog(locale, FIGURES_DOMAIN).gettext(figure.label)


def yes_no_in(value: bool, locale: str) -> str:
    return catalog(locale, FIGURES_DOMAIN).gettext(YES if value else NO)


def step_name_in(step_type: str, locale: str) -> str:
    """The name of a kind of step in `locale`; a type the table does not know reads as itself, spaced."""
    found = STEPS.get(step_type)
    return catalog(locale, FIGURES_DOMAIN).gettext(found) if found else step_type.replace("_", " ")


def figure_name_in(name: str, locale: str, kind: str | None = None) -> str:
    """The label of the figure `name` in `locale`; a name the table does not know reads as itself, spaced."""
    found = figure_of(name, kind)
    return label_in(found, locale) if found is not None else name.replace("_", " ")


def figure_text(
    name: str,
    value: object,
    figures: Mapping[str, Any],
    *,
    locale: str,
    shop_currency: str,
    zone: tzinfo,
    kind: str | None = None,
) -> str:
    """A scalar figure as text in `locale` (en, zh or ru) for the command line, formatted by its unit with Babel
    through `tradewind.wording` (money "CNY 26,910.00" in English, "26 910,00 CN¥" in Russian; a share as a
    percent; days and hours with their unit; an instant in the shop's time zone `zone`). The dashboard formats the
    same `read_figure` through its own page formatters (web.rendering)."""
    found = figure_of(name, kind)
    if found is None:
        return "—" if value is None else str(value)
    read = read_figure(found, value, figures, shop_currency)
    shown, where = read.value, Locale.parse(BABEL_LOCALES[locale])
    if shown is None:
        return "—"
    if isinstance(shown, Decimal):
        if read.unit == "money":
            return format_arg(Amount(shown, read.currency or shop_currency), locale)
        if read.unit == "share":
            rate = shown.quantize(Decimal("0.0001")).normalize()
            return format_percent(rate, locale=where, decimal_quantization=False)
        if read.unit in ("days", "hours"):
            measure = "duration-day" if read.unit == "days" else "duration-hour"
            return format_unit(shown, measure, length="short", format="#,##0.#", locale=where)
        places = 0 if shown == shown.to_integral_value() else min(2, -int(shown.as_tuple().exponent))
        return format_arg(Number.of(shown, places), locale)
    if isinstance(shown, bool):
        return yes_no_in(shown, locale)
    if isinstance(shown, datetime):
        return format_datetime(shown.astimezone(zone) if shown.tzinfo else shown, "short", locale=where)
    if isinstance(shown, date):
        return format_arg(Day(shown), locale)
    if read.unit == "country":
        return str(where.territories.get(str(shown).upper(), shown))
    if read.unit == "language":
        return str(where.languages.get(str(shown), shown))
    if read.unit == "code":
        return code_name_in(found, str(shown), locale)
    return str(shown)
