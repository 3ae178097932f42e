"""An action's figures on the dashboard in the reader's language: each figure's label from the "figures" catalog
and its value formatted by Babel for the page's locale (money in its currency, a share as a percent, days with
their unit, an instant in the shop's time zone), on the action page and in the card's "Figures and steps". The
expected texts are written out here by hand (CLDR's ru and zh patterns), not made by the code under test."""

from __future__ import annotations

import html
import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.web.demo_readers import DemoReaders
from tradewind.brief.models import ActionRecord

pytestmark = pytest.mark.slow
NBSP = "\xa0"
# CLDR's currency symbols, written out by hand: the ru and zh (zh_Hans_CN) pages.
SYMBOLS = {"ru": {"CNY": "CN¥", "USD": "$"}, "zh": {"CNY": "¥", "USD": "US$"}}
DEMO_ZONE = ZoneInfo("Asia/Shanghai")


def shown_figures(page: str) -> dict[str, str]:
    """The figure block's "label: value" pairs, by label."""
    block = re.findall(r'<div class="figures">(.*?)</div>\s*(?:<div class="step|<form|<p class="small")', page, re.S)[0]
    pairs = re.findall(r'<span class="muted">(.*?)</span>: <b>(.*?)</b>', block, flags=re.S)
    return {html.unescape(label): html.unescape(value) for label, value in pairs}


def grouped(amount: Decimal, digits: int, language: str) -> str:
    text = f"{amount:,.{digits}f}"
    return text.replace(",", NBSP).replace(".", ",") if language == "ru" else text


def money(amount: Decimal, currency: str, language: str) -> str:
    symbol = SYMBOLS[language][currency]
    if language == "ru":
        return f"{grouped(amount, 2, language)}{NBSP}{symbol}"
    return f"{symbol}{grouped(amount, 2, language)}"


def percent(share: float, language: str) -> str:
    number = f"{Decimal(str(share)) * 100:f}".rstrip("0").rstrip(".")
    return f"{number.replace('.', ',')}{NBSP}%" if language == "ru" else f"{number}%"


def first(demo_readers: DemoReaders, kind: str) -> ActionRecord:
    return next(a for a in demo_readers.actions if a.kind == kind)


def page_of(demo_readers: DemoReaders, language: str, action: ActionRecord) -> dict[str, str]:
    return shown_figures(demo_readers.clients[language].get(f"/shops/demo/actions/{action.id}").text)


def test_a_restocks_figures_in_russian_and_chinese(demo_readers: DemoReaders) -> None:
    restock = first(demo_readers, "restock")
    cost, currency = Decimal(restock.figures["total_cost"]), restock.figures["cost_currency"]
    units, mean = restock.figures["total_units"], restock.figures["lead_time_mean_days"]
    ru, zh = page_of(demo_readers, "ru", restock), page_of(demo_readers, "zh", restock)
    assert ru["Общая стоимость"] == money(cost, currency, "ru")
    assert zh["总成本"] == money(cost, currency, "zh")
    assert ru["Всего, шт."] == grouped(Decimal(units), 0, "ru") and zh["总数量（件）"] == f"{units:,}"
    assert ru["Срок поставки (среднее)"] == f"{mean:.0f}{NBSP}дн." and zh["交货期（平均）"] == f"{mean:.0f}天"
    assert ru["Поставщик"] == zh["供应商"] == restock.figures["supplier"]
    # The card's "Figures and steps" (loaded when opened) shows the same block.
    card = demo_readers.clients["ru"].get(f"/shops/demo/actions/{restock.id}/steps").text
    assert shown_figures(card) == ru
    # The purchase order step is named in Russian, its fields labelled and formatted too.
    expected = restock.steps[0]["expected_on"]
    assert restock.steps[0]["type"] == "purchase_order" and "<b>Заказ поставщику</b>" in card
    assert f"Ожидается: {int(expected[8:])} " in html.unescape(card)


def test_a_metric_risks_shares_as_percent(demo_readers: DemoReaders) -> None:
    risk = first(demo_readers, "metric_risk")
    ru, zh = page_of(demo_readers, "ru", risk), page_of(demo_readers, "zh", risk)
    value = risk.figures["value"]
    assert ru["Значение"] == percent(value, "ru") and zh["当前值"] == percent(value, "zh")
    assert ru["Предел"] == percent(risk.figures["limit"], "ru") and zh["限值"] == percent(risk.figures["limit"], "zh")
    assert ru["Превышение предела"] == percent(risk.figures["depth"], "ru")
    assert ru["Период"] == f"{risk.figures['window_days']}{NBSP}дн."
    assert ru["Ожидаемый штраф"] == money(Decimal(risk.figures["penalty"]), "USD", "ru")
    assert ru["Учтено в других действиях"] in ("да", "нет") and zh["已由其他操作处理"] in ("是", "否")


def test_a_supplier_checks_instant_in_the_shops_time_zone(demo_readers: DemoReaders) -> None:
    check = first(demo_readers, "supplier_check")
    since = datetime.fromisoformat(check.figures["unanswered_since"]).astimezone(DEMO_ZONE)
    ru, zh = page_of(demo_readers, "ru", check), page_of(demo_readers, "zh", check)
    assert ru["Без ответа с"] == f"{since:%d.%m.%Y}, {since:%H:%M}"
    assert zh["未回复起始时间"] == f"{since.year}/{since.month}/{since.day} {since:%H:%M}"
    hours = Decimal(str(check.figures["median_response_hours"]))
    assert ru["Медианное время ответа"] == f"{grouped(hours, 1, 'ru').removesuffix(',0')}{NBSP}ч"
    assert zh["回复时间中位数"] == f"{grouped(hours, 1, 'zh').removesuffix('.0')}小时"
    assert ru["Язык"] == "китайский" and zh["语言"] == "中文"
