"""The demo shop's brief read by a Russian-speaking seller: the Today page's menus, controls and every action title
are in Russian, the days written the Russian way ("23 нояб.", "среда, 25 ноября 2026 г.") and the numbers with
Russian digit grouping and plural forms; the growth names and the error pages too. Only the brief's own phrases are
checked against what the producers made: the page's words come from the ru catalog (tests/web/test_translations)."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.web.demo_readers import DemoReaders, titles
from tradewind.brief.service import title_in

pytestmark = pytest.mark.slow
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
# CLDR's abbreviated Russian months, as a day and month are written ("23 нояб."), written out here by hand.
MONTHS = ["янв.", "февр.", "мар.", "апр.", "мая", "июн.", "июл.", "авг.", "сент.", "окт.", "нояб.", "дек."]


def russian_day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def russian_plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian plural rule (1, 21 пара; 2–4, 22 пары; 5–20, 11–14 пар)."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def test_the_demo_brief_in_russian(demo_readers: DemoReaders) -> None:
    russian, english, actions = demo_readers.clients["ru"], demo_readers.clients["en"], demo_readers.actions
    page = russian.get("/shops/demo/today").text
    text = html.unescape(page)
    assert '<html lang="ru">' in page
    # The menus and each card's controls.
    menu = re.sub(r"<[^>]+>", " ", re.findall(r"<nav.*?</nav>", text, flags=re.S)[0]).split()
    assert {"Сегодня", "Запасы", "Заказы", "Поставщики", "Доставка", "Сообщения", "Рост"} <= set(menu)
    assert '<option value="ru" selected>Русский</option>' in page
    in_russian, in_english = titles(russian), titles(english)
    assert len(in_russian) >= 10 and in_russian.keys() == in_english.keys()
    assert text.count(">Выполнить<") >= len(in_russian) and text.count(">Отложить<") >= len(in_russian)
    # Every action title in Russian; each one made from a phrase differs from the English one the producer wrote.
    assert [t for t in in_russian.values() if not CYRILLIC.search(t)] == []
    shown = [a for a in actions if a.id in in_russian]
    for action in shown:
        assert in_english[action.id] == title_in(action, "en", reader=True)  # the page's dates (wording.for_reader)
        if action.title_msg is not None:
            assert in_russian[action.id] != action.title
    # "Order 300 pairs from … by 25 Nov (6 SKUs)": "Заказать у … до 25 нояб.: 300 пар (6 артикулов)".
    restock = next(a for a in shown if a.kind == "restock" and "Order " in a.title)
    units, skus = restock.figures["total_units"], len(restock.figures["lines"])
    pairs = russian_plural(units, "пара", "пары", "пар")
    assert f"до {russian_day(restock.due)}: {units} {pairs} ({skus} артикул" in in_russian[restock.id]
    delay = next(a for a in shown if a.kind == "notify_delay")
    assert in_russian[delay.id].startswith("Предупредить покупателей (")
    # The days, numbers and counts around the cards.
    assert "Сводка: среда, 25 ноября 2026\u202fг." in text  # CLDR: a narrow no-break space before "г."
    open_total = len(actions)  # the brief made today, all open (the page shows its first cards)
    word = russian_plural(open_total, "открытая задача", "открытые задачи", "открытых задач")
    assert f"· {open_total} {word}</span>" in text
    for action in shown:
        due = re.search(rf'id="action-{action.id}".*?· срок (.*?) · приоритет (.*?)</span>', text, flags=re.S)
        assert due is not None and due.group(1) == russian_day(action.due)
        assert due.group(2) == f"{action.priority:,.0f}".replace(",", "\xa0")  # Russian groups with a no-break space
    assert any(action.priority >= 1000 for action in shown)
    # The reasons of the restock and the delay notice.
    whys = dict(re.findall(r'id="action-(\d+)".*?<div class="why">(.*?)</div>', text, flags=re.S))
    assert whys[str(delay.id)].startswith("Заказы по странам:")
    assert "точка заказа" in whys[str(restock.id)]


def test_the_growth_page_and_the_error_pages_in_russian(demo_readers: DemoReaders) -> None:
    russian, english = demo_readers.clients["ru"], demo_readers.clients["en"]
    page = html.unescape(russian.get("/shops/demo/growth").text)
    assert "Цели" in page and "Показатели сервиса" in page
    assert "Order defect rate" not in page and "Order defect rate" in english.get("/shops/demo/growth").text
    missing = russian.get("/shops/demo/nowhere")
    main = html.unescape(re.findall(r"<main.*?</main>", missing.text, flags=re.S)[0])
    assert missing.status_code == 404 and "<h1>Не найдено</h1>" in main and "На главную" in main
    assert "Not Found" in main.split("<summary>Подробности</summary>")[1]  # the server's own words, folded away


def test_an_owner_chooses_russian_in_the_settings(demo_readers: DemoReaders) -> None:
    english, csrf = demo_readers.clients["en"], demo_readers.csrf["en"]
    assert '<option value="ru" >Русский</option>' in english.get("/shops/demo/today").text
    try:
        chosen = english.post("/settings/language", data={"csrf_token": csrf, "locale": "ru", "next": "/"})
        assert chosen.status_code == 200 and '<html lang="ru">' in chosen.text and "Сегодня" in chosen.text
        refused = english.post("/settings/language", data={"csrf_token": csrf, "locale": "fr", "next": "/"})
        assert refused.status_code == 422
    finally:
        english.post("/settings/language", data={"csrf_token": csrf, "locale": "en", "next": "/"})
    assert '<html lang="en">' in english.get("/shops/demo/today").text


def test_the_sign_in_page_follows_the_browsers_languages_by_quality(demo_readers: DemoReaders) -> None:
    visitor = TestClient(demo_readers.clients["en"].app)
    page = visitor.get("/login", headers={"Accept-Language": "en;q=0.1, ru-RU"}).text
    assert '<html lang="ru">' in page and ">Войти<" in page
    assert '<html lang="en">' in visitor.get("/login", headers={"Accept-Language": "fr, de"}).text


def test_money_and_counts_on_the_other_pages_are_written_the_russian_way(demo_readers: DemoReaders) -> None:
    russian, english = demo_readers.clients["ru"], demo_readers.clients["en"]
    # The lanes' mean cost: "3,06 $" (Babel's ru currency format), "US$3.06" in English; raw "3.06 USD" before.
    costs = re.findall(r'<td class="num">([^<]*\$)</td>', russian.get("/shops/demo/shipping").text)
    assert costs and all(re.fullmatch(r"\d+,\d\d\xa0\$", cost) for cost in costs)
    assert re.search(r'<td class="num">US\$\d+\.\d\d</td>', english.get("/shops/demo/shipping").text)
    # A SKU's offers and a supplier's lines: the unit cost the demo gives SH-1001-WHT-38 at Putian Hengda, 55.5 CNY.
    assert '<td class="num">55,50\xa0CN¥</td>' in russian.get("/shops/demo/stock/SH-1001-WHT-38").text
    supplier = russian.get("/shops/demo/suppliers/SUP-PT-HENGDA").text
    assert "55,50\xa0CN¥" in supplier and "55.5000" not in supplier
    # The service metrics' counts, grouped in thousands with a no-break space.
    growth = russian.get("/shops/demo/growth").text
    counts = re.findall(r'<div class="small muted">(\d[\d\xa0]*) / (\d[\d\xa0]*) ', growth)
    assert counts and any("\xa0" in denominator for _, denominator in counts)
    assert all(int(d.replace("\xa0", "")) >= 1000 for _, d in counts if "\xa0" in d)
    # What they count, and what the milestones count, in Russian ("42 / 1 681 заказы", "0 из 1 (товары)").
    units = re.findall(r'<div class="small muted">\d[\d\xa0]* / \d[\d\xa0]* ([^<]*)</div>', growth)
    assert units and set(units) <= {"заказы", "посылки", "сообщения"}
    assert "(товары)" in growth and "(продажи)" in growth and "(listings)" not in growth


def test_why_a_supplier_is_closed_reads_in_russian(demo_readers: DemoReaders) -> None:
    """The suppliers' list and a supplier's page said "closed until 28 Dec (supplier (WeChat), reported 04 Dec)" in
    every language: the reason is a phrase (`suppliers.availability`) and the pages render it for the reader."""
    russian, english = demo_readers.clients["ru"], demo_readers.clients["en"]
    reasons = re.findall(r'<td class="small">([^<]*)</td>', russian.get("/shops/demo/suppliers").text)
    assert reasons and any(r.startswith("закрыт до ") for r in map(html.unescape, reasons)), reasons
    assert not any("closed until" in r or r == "operating" for r in reasons)
    assert any(
        r.startswith("closed until ")
        for r in map(
            html.unescape, re.findall(r'<td class="small">([^<]*)</td>', english.get("/shops/demo/suppliers").text)
        )
    )
    page = html.unescape(russian.get("/shops/demo/suppliers/SUP-WZ-XINDA").text)
    assert "закрыт до " in page and "closed until" not in page
