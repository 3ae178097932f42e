"""The demo shop's reasons (`why`) read in Chinese and in Russian: every action of each kind whose reason is a
phrase reads in the reader's language, with its English unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

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
from tradewind.wording import Phrase, render

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
}


@pytest.fixture(scope="module")
def actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ActionRecord]]:
    path: Path = tmp_path_factory.mktemp("demo_whys") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    settings = Settings(database_url=f"sqlite:///{path}")
    clock = FixedClock.on(TODAY)
    with transaction(make_sessionmaker(engine)) as session:
        build_demo_shop(session, seed=7, today=TODAY)
        shop = get_shop(session)
        context = BriefContext(today=TODAY, now=clock.now(), settings=settings)
        yield refresh_brief(session, shop=shop, context=context, producers=default_producers()).actions
    engine.dispose()


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
