"""The demo shop's brief read by a Chinese-speaking seller: the Today page's action titles are in Chinese, with the
figures and days formatted for Chinese; the same actions read in English by an English-speaking user."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from tests.web.demo_readers import DemoReaders, titles
from tradewind.brief.models import ActionRecord
from tradewind.brief.service import title_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(demo_readers: DemoReaders) -> tuple[TestClient, TestClient, list[ActionRecord]]:
    return demo_readers.clients["zh"], demo_readers.clients["en"], demo_readers.actions


def test_the_demo_brief_in_chinese(demo: tuple[TestClient, TestClient, list[ActionRecord]]) -> None:
    chinese, english, actions = demo
    in_chinese, in_english = titles(chinese), titles(english)
    assert in_chinese.keys() == in_english.keys()
    restocks = [a for a in actions if a.kind == "restock" and a.id in in_chinese and "Order " in a.title]
    delays = [a for a in actions if a.kind == "notify_delay" and a.id in in_chinese]
    assert restocks and delays
    for action in restocks + delays:
        assert in_english[action.id] == title_in(action, "en", reader=True)  # the page's dates (wording.for_reader)
        assert in_chinese[action.id] != action.title
    restock = restocks[0]
    # "Order 260 pairs from … by 25 Nov (5 SKUs)": the quantity, the day and the SKU count in Chinese.
    quantity = restock.figures["total_units"]
    assert f"订购 {quantity} 双" in in_chinese[restock.id]
    assert "11月25日前" in in_chinese[restock.id] and "by 25 Nov" in restock.title
    assert f"（{len(restock.figures['lines'])} 个 SKU）" in in_chinese[restock.id]
    delay = delays[0]
    # "Tell 163 buyers their orders will be late (cut flights): …"
    assert in_chinese[delay.id].startswith(f"告知买家（{delay.figures['orders']} 位）订单将延误（")
    assert any(word in " ".join(in_chinese[d.id] for d in delays) for word in ("航班削减", "承运商延误", "海关查验"))
    assert sum(1 for title in in_chinese.values() if re.search(r"[\u4e00-\u9fff]", title)) == len(in_chinese)
    # The reasons of the restocks and of the delay notices too.
    page = chinese.get("/shops/demo/today").text
    whys = dict(re.findall(r'id="action-(\d+)".*?<div class="why">(.*?)</div>', page, flags=re.S))
    assert html.unescape(whys[str(delay.id)]).startswith("按目的地统计的订单：")
    assert "再订货点" in html.unescape(whys[str(restock.id)])


def test_the_error_pages_in_the_users_language(demo: tuple[TestClient, TestClient, list[ActionRecord]]) -> None:
    chinese, english, _ = demo
    # An address no route answers (found before any sign-in check) and an action that is not there.
    for path, english_message in (("/shops/demo/nowhere", "Not Found"), ("/shops/demo/actions/999999", "no action")):
        page = chinese.get(path)
        assert page.status_code == 404
        main = html.unescape(re.findall(r"<main.*?</main>", page.text, flags=re.S)[0])
        assert "<h1>未找到</h1>" in main and "这个地址没有内容，或者它不属于这个店铺。" in main and "返回首页" in main
        assert english_message in main.split("<summary>详情</summary>")[1]  # the server's own words, folded away
        page = english.get(path)
        assert page.status_code == 404 and "<h1>Not found</h1>" in page.text and english_message in page.text
        assert "未找到" not in page.text


def test_the_growth_names_and_the_reasons_orders_are_at_risk_in_chinese(
    demo: tuple[TestClient, TestClient, list[ActionRecord]],
) -> None:
    chinese, english, _ = demo
    page = html.unescape(chinese.get("/shops/demo/growth").text)
    assert "订单缺陷率" in page and "延迟发货率" in page  # the metrics
    assert re.search(r"开店 \d+ 天内上架商品", page) and re.search(r"\d+ 天内完成 \d+ 笔销售", page)  # the milestones
    # Their pace: "reached on day 41 (18 Nov 2025)", "ended on day 90 with 42 of 60" or "at today's rate: …"
    assert re.search(r"第 \d+ 天(达成|结束)|按目前速度", page)
    assert not re.search(r"reached on day|ended on day|at today's rate", page)
    page = html.unescape(english.get("/shops/demo/growth").text)
    assert "Order defect rate" in page and "订单缺陷率" not in page
    # The orders at risk: why, in the reader's language (the delay reasons of notify_delay).
    risks = re.findall(
        r'<div class="small muted">(.*?)</div></td>', chinese.get("/shops/demo/orders?at_risk=true").text
    )
    in_english = re.findall(
        r'<div class="small muted">(.*?)</div></td>', english.get("/shops/demo/orders?at_risk=true").text
    )
    assert risks and len(risks) == len(in_english)
    assert all(re.search(r"[\u4e00-\u9fff]", html.unescape(r)) for r in risks)
    assert not any(re.search(r"[\u4e00-\u9fff]", html.unescape(r)) for r in in_english)
