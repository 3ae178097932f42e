"""The demo shop's reasons (`why`) read in Chinese and in Russian: every action of each kind whose reason is a
phrase reads in the reader's language, with its English unchanged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from tradewind.action import BriefContext
from tradewind.brief.models import ActionRecord
from tradewind.brief.producers import default_producers
from tradewind.brief.service import refresh_brief, why_in
from tradewind.clock import FixedClock
from tradewind.config import Settings
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.demo import build_demo_shop
from tradewind.shops.service import get_shop
from tradewind.suppliers.models import Supplier, SupplierStatusReport
from tradewind.wording import LOCALE_DIR, Phrase, render

pytestmark = pytest.mark.slow
TODAY = date(2026, 12, 7)
# Words of each kind's reason in Chinese and in Russian (one of them in every reason of that kind).
WORDS = {
    "stockout_playbook": (("最早", "没有货源"), ("самая ранняя поставка", "нет источника")),
    "overstock": (("按售价计",), ("по цене продажи",)),
    "reply_needed": (("回复率",), ("в долю ответов",)),
    "pickup_reminder": (("邮局",), ("почта возвращает",)),
    "stalled_tracking": (("发货", "交寄"), ("Отправлена", "Передана")),
    "stale_orders": (("最早的一笔",), ("Самый старый",)),
    "protection_expiring": (("保护期结束",), ("если защита закончится",)),
    "cancellation_followup": (("原因：",), ("причин",)),
    "unpaid_reminder": (("未付款",), ("не оплачен", "Неоплаченные")),
    "banner_update": (("送达时间",), ("Сроки доставки",)),
    "metric_risk": (("目前为", "天（"), ("Сейчас", " дн. (с ")),
    "switch_shipping": (("若长期更换",), ("Если сменить насовсем",)),
    "lane_blocked": (("进口禁令", "线路停运"), ("запрет на ввоз", "приостановка маршрута")),
    "supplier_check": (("回复",), ("отвечает",)),
    "switch_supplier": (("按正常条件",), ("На обычных условиях",)),
    "restock": (("交货期", "没有下单"), ("срок поставки", "Ничего не заказано")),
}
# Kinds whose reason has no English word left in zh and ru: only codes (methods, countries, SKUs, currencies), the
# shop's names (suppliers) and what the records say in their own words (a disruption's source, a supplier's status
# note and where it came from) stay as they are.
NO_ENGLISH = (
    "switch_shipping",
    "lane_blocked",
    "supplier_check",
    "switch_supplier",
    "banner_update",
    "notify_delay",
    "overstock",
    "metric_risk",
    "restock",
)
CODE = re.compile(r"\b[A-Z0-9][A-Z0-9_\-]*\b|\bp(50|90)\b")
WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[ActionRecord], list[str]]]:
    path: Path = tmp_path_factory.mktemp("demo_whys") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    settings = Settings(database_url=f"sqlite:///{path}")
    clock = FixedClock.on(TODAY)
    with transaction(make_sessionmaker(engine)) as session:
        build_demo_shop(session, seed=7, today=TODAY)
        shop = get_shop(session)
        context = BriefContext(today=TODAY, now=clock.now(), settings=settings)
        found = refresh_brief(session, shop=shop, context=context, producers=default_producers()).actions
        names = list(session.scalars(select(Supplier.name).where(Supplier.shop_id == shop.id)))
        said = select(SupplierStatusReport.note, SupplierStatusReport.source)
        reports = session.execute(said.where(SupplierStatusReport.shop_id == shop.id))
        names += [text for report in reports for text in report if text]
        yield found, names
    engine.dispose()


@pytest.fixture(scope="module")
def actions(demo: tuple[list[ActionRecord], list[str]]) -> list[ActionRecord]:
    return demo[0]


def english_words(text: str, action: ActionRecord, names: list[str]) -> list[str]:
    """The English words of a translated reason, once the codes, names and recorded texts are left out."""
    for kept in sorted([*names, str(action.figures.get("source") or "")], key=len, reverse=True):
        if kept:
            text = text.replace(kept, " ")
    return WORD.findall(CODE.sub(" ", text))


@pytest.mark.parametrize("kind", list(WORDS))
def test_the_reasons_of_a_kind_read_in_chinese_and_russian(actions: list[ActionRecord], kind: str) -> None:
    found = [a for a in actions if a.kind == kind]
    assert found, f"the demo brief has no {kind}"
    for action in found:
        assert action.why_msg is not None, action.why
        assert render(Phrase.from_json(action.why_msg), "en") == action.why == why_in(action, "en")
        chinese, russian = why_in(action, "zh"), why_in(action, "ru")
        in_chinese, in_russian = WORDS[kind]
        assert any(word in chinese for word in in_chinese), chinese
        assert any(word in russian for word in in_russian), russian


@pytest.mark.parametrize("kind", NO_ENGLISH)
@pytest.mark.parametrize("locale", ["zh", "ru"])
def test_no_english_word_is_left_in_the_reasons_of_a_kind(
    demo: tuple[list[ActionRecord], list[str]], kind: str, locale: str
) -> None:
    found, names = demo
    for action in (a for a in found if a.kind == kind):
        words = why_in(action, locale)
        assert not english_words(words, action, names), words


def test_the_groups_inner_words_read_in_chinese_and_russian(actions: list[ActionRecord]) -> None:
    """A reply group's oldest message ("Reply to Lucas Ferreira (pt, order status) about order …") and a delay
    group's destinations ("RU 65, BR 18 … and 8 more") are in the reader's language."""
    replies = [a for a in actions if a.kind == "reply_needed"]
    delays = [a for a in actions if a.kind == "notify_delay" and " more." in a.why]
    assert replies and delays
    for action in replies:
        assert "Reply to " in action.why and " (" in action.why
        for locale in ("zh", "ru"):
            words = why_in(action, locale)
            assert "Reply to " not in words and " about order " not in words, words
        assert "关于订单" in why_in(action, "zh") or "回复 " in why_in(action, "zh")
        assert "Ответ для " in why_in(action, "ru")
    for action in delays:
        assert "另有" in why_in(action, "zh") and "и ещё" in why_in(action, "ru")
        assert " more." not in why_in(action, "zh") + why_in(action, "ru")


def carried_msgids(node: object) -> set[str]:
    """Every msgid in a stored phrase, its nested phrases' included."""
    found: set[str] = set()
    if isinstance(node, dict):
        if "msgid" in node and "args" in node:
            found.add(str(node["msgid"]))
        for value in node.values():
            found |= carried_msgids(value)
    elif isinstance(node, list):
        for value in node:
            found |= carried_msgids(value)
    return found


@pytest.mark.parametrize("language", ["zh", "ru"])
def test_every_msgid_the_demo_brief_carries_is_translated(actions: list[ActionRecord], language: str) -> None:
    """pybabel finds the msgids in the sources, but not one written where it cannot look (a phrase inside a starred
    list in another call's arguments): the phrases the demo's actions carry are all in the catalog."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "brief.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    carried = set().union(*(carried_msgids(a.title_msg) | carried_msgids(a.why_msg) for a in actions))
    assert len(carried) > 100
    missing = sorted(m for m in carried if not getattr(catalog.get(m), "string", None))
    assert not missing
