"""Reading and finding on the dashboard (issue 20 point 6): overdue work first on Today (as in the API's list and the
CLI's table), with its mark; the Orders page, searched and filtered through the API's own query; the Stock, Orders
and Actions tables as CSV and Excel downloads, read back."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tests.api.harness import sign_in
from tests.api.shop_data import TODAY, ShopWorld
from tradewind.brief.models import ActionRecord
from tradewind.brief.ranking import overdue_first
from tradewind.logistics.models import Shipment
from tradewind.orders.models import Buyer, Order, OrderStatus


def signed_in(app: FastAPI, world: ShopWorld, who: str = "owner") -> tuple[TestClient, str]:
    client = TestClient(app)
    csrf = sign_in(client, getattr(world, who).email)
    return client, csrf


def action_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="action-(\d+)"', html)]


def test_overdue_first_keeps_the_order_within_each_part() -> None:
    today = date(2026, 11, 25)
    due = {"a": today + timedelta(days=3), "b": today - timedelta(days=1), "c": today, "d": today - timedelta(days=9)}
    assert overdue_first(["a", "b", "c", "d"], today, due=due.__getitem__) == ["b", "d", "a", "c"]
    assert overdue_first([], today, due=due.__getitem__) == []


def test_today_shows_the_overdue_actions_first_with_their_mark(app: FastAPI, world: ShopWorld, db: Session) -> None:
    client, _ = signed_in(app, world)
    base = f"/shops/{world.shop.code}"
    before = action_ids(client.get(f"{base}/today").text)
    assert len(before) >= 3 and "Then by priority" not in client.get(f"{base}/today").text
    # The two lowest-ranked actions passed their deadline: they lead the page, in their own order of priority.
    late = before[-2:]
    db.execute(update(ActionRecord).where(ActionRecord.id.in_(late)).values(due=TODAY - timedelta(days=2)))
    db.commit()
    app.state.tradewind.cache.forget_shops([world.shop.id])  # written outside the app: as another process would
    html = client.get(f"{base}/today").text
    assert action_ids(html) == late + before[:-2]
    overdue_mark, rest_mark = html.index('<h2 class="band overdue">Overdue</h2>'), html.index("Then by priority")
    assert overdue_mark < html.index(f'id="action-{late[0]}"') < html.index(f'id="action-{late[1]}"') < rest_mark
    assert rest_mark < html.index(f'id="action-{before[0]}"')
    api = client.get(f"/api/v1/shops/{world.shop.code}/brief").json()
    assert [a["id"] for a in api["actions"]] == late + before[:-2]  # the API's list reads the same way
    only_late = client.get(f"/api/v1/shops/{world.shop.code}/brief?urgency=overdue").json()
    assert [a["id"] for a in only_late["actions"]] == late


def order_numbers(html: str) -> list[str]:
    return re.findall(r'<tr id="order-([^"]+)"', html)


def test_the_orders_page_lists_searches_and_filters_like_the_api(app: FastAPI, world: ShopWorld, db: Session) -> None:
    client, _ = signed_in(app, world)
    base = f"/shops/{world.shop.code}/orders"
    api = f"/api/v1/shops/{world.shop.code}/orders"
    every = list(db.scalars(select(Order).where(Order.shop_id == world.shop.id).order_by(Order.id.desc())))
    assert len(every) > 50  # two pages
    first = client.get(base)
    assert first.status_code == 200 and 'class="current"' in first.text and f"1–50 of {len(every)}" in first.text
    second = client.get(f"{base}?offset=50")
    assert order_numbers(first.text) + order_numbers(second.text) == [o.number for o in every]
    assert order_numbers(first.text)[:5] == [o["number"] for o in client.get(f"{api}?limit=5").json()["items"]]
    # A row: the day placed and the total as Babel writes them, the destination's name, the parcel's state.
    parcel = db.scalar(select(Shipment).where(Shipment.tracking_number == world.tracking_number))
    assert parcel is not None and parcel.order_id is not None
    shipped = db.get(Order, parcel.order_id)
    assert shipped is not None
    found = client.get(f"{base}?q={world.tracking_number.lower()}")
    assert order_numbers(found.text) == [shipped.number]
    row = found.text[found.text.index(f'<tr id="order-{shipped.number}"') :].split("</tr>")[0]
    assert "15 Nov 2026" in row and "US$30.00" in row and "Russia" in row and "shipped" in row
    assert world.tracking_number in row and "in transit" in row
    by_api = client.get(f"{api}?q={world.tracking_number.lower()}").json()["items"]
    assert [o["number"] for o in by_api] == [shipped.number]
    # By a part of the order number, by the buyer's name; by status and destination, alone and together.
    assert order_numbers(client.get(f"{base}?q={shipped.number[-6:]}").text) == [shipped.number]
    russian = [o.number for o in every if o.buyer is not None and o.buyer.name == "Ольга"]
    assert len(russian) == 3 and order_numbers(client.get(f"{base}?q=ольга").text) == russian
    cancelled = [o.number for o in every if o.status == OrderStatus.CANCELLED]
    assert order_numbers(client.get(f"{base}?status=cancelled").text) == cancelled
    assert order_numbers(client.get(f"{base}?destination=ru&status=cancelled").text) == cancelled
    to_spain = client.get(f"{base}?destination=ES")
    assert f"of {sum(1 for o in every if o.destination_country == 'ES')}" in to_spain.text
    assert order_numbers(client.get(f"{base}?q=%25").text) == []  # a LIKE wildcard is a character
    fragment = client.get(f"{base}?status=shipped", headers={"HX-Request": "true", "HX-Target": "order-table"})
    assert fragment.text.lstrip().startswith('<div id="order-table">') and "<html" not in fragment.text
    assert client.get(f"{base}?status=lost").status_code == 422
    assert client.get(f"{base}?destination=R1").status_code == 422


def test_the_orders_at_risk_are_marked_and_filtered(app: FastAPI, world: ShopWorld, db: Session) -> None:
    client, _ = signed_in(app, world)
    parcel = db.scalar(select(Shipment).where(Shipment.tracking_number == world.tracking_number))
    assert parcel is not None
    late = db.get(Order, parcel.order_id)
    assert late is not None
    # The parcel is on its way and the lane's transit times cannot place it: the outlook puts its order at risk.
    risky = client.get(f"/api/v1/shops/{world.shop.code}/orders-at-risk").json()["items"]
    assert [r["order"] for r in risky] == [late.number]
    page = client.get(f"/shops/{world.shop.code}/orders?at_risk=true")
    assert order_numbers(page.text) == [late.number] and "1–1 of 1" in page.text
    assert page.text.count('class="badge bad at-risk"') == 1 and risky[0]["reason_words"] in page.text
    everything = client.get(f"/shops/{world.shop.code}/orders").text
    assert everything.count('class="badge bad at-risk"') == 1  # marked in the whole list too
    assert everything.index(f'<tr id="order-{late.number}"') < everything.index('class="badge bad at-risk"')
    by_api = client.get(f"/api/v1/shops/{world.shop.code}/orders?at_risk=true").json()["items"]
    assert [o["number"] for o in by_api] == [late.number]
    # Delivered, it is no longer at risk (the outlook is kept per day: a new day reads it anew).
    db.execute(update(Order).where(Order.id == late.id).values(status=OrderStatus.DELIVERED))
    db.commit()
    app.state.tradewind.cache.forget_shops([world.shop.id])
    assert order_numbers(client.get(f"/shops/{world.shop.code}/orders?at_risk=true").text) == []
    assert "No order matches." in client.get(f"/shops/{world.shop.code}/orders?at_risk=true").text


def test_the_orders_page_speaks_chinese(app: FastAPI, world: ShopWorld) -> None:
    client, _ = signed_in(app, world, "staff")  # a zh user
    html = client.get(f"/shops/{world.shop.code}/orders?destination=RU").text
    assert "订单" in html and "俄罗斯" in html and "US$30.00" in html and "2026年11月15日" in html


def read_csv(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def read_xlsx(body: bytes) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(body))
    return [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]


def test_the_orders_download_holds_the_filtered_list(app: FastAPI, world: ShopWorld, db: Session) -> None:
    client, _ = signed_in(app, world)
    base = f"/shops/{world.shop.code}"
    buyer = db.scalar(select(Buyer).where(Buyer.shop_id == world.shop.id, Buyer.name == "Ольга"))
    assert buyer is not None
    buyer.name = '=HYPERLINK("http://evil.example","Ольга")'  # a buyer's name is the buyer's to choose
    db.commit()
    page = client.get(f"{base}/orders?destination=RU")
    assert f'href="{base}/orders.csv?q=&amp;status=&amp;destination=RU"' in page.text
    shown = order_numbers(page.text)
    response = client.get(f"{base}/orders.csv?q=&status=&destination=RU")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert f'filename="{world.shop.code}-orders-2026-11-25.csv"' in response.headers["content-disposition"]
    rows = read_csv(response.content)
    assert rows[0][:6] == ["Order", "Placed", "Buyer", "Destination", "Status", "Total"]
    assert [r[0] for r in rows[1:]] == shown and len(shown) == 3
    parcel = db.scalar(select(Shipment).where(Shipment.tracking_number == world.tracking_number))
    assert parcel is not None
    shipped = next(r for r in rows if r[7] == world.tracking_number)
    assert shipped[1:] == [
        "2026-11-15",
        "'" + buyer.name,
        "RU",
        "shipped",
        "30.00",
        "USD",
        world.tracking_number,
        "in transit",
        client.get(f"/api/v1/shops/{world.shop.code}/orders-at-risk").json()["items"][0]["reason_words"],
    ]
    workbook = read_xlsx(client.get(f"{base}/orders.xlsx?destination=RU").content)
    assert [r[0] for r in workbook[1:]] == shown
    sheet_row = next(r for r in workbook if r[7] == world.tracking_number)
    assert sheet_row[1] == datetime(2026, 11, 15) and sheet_row[5] == 30 and isinstance(sheet_row[5], int | float)
    assert sheet_row[2] == "'" + buyer.name  # shown as text, never run as a formula
    every = read_csv(client.get(f"{base}/orders.csv").content)
    assert len(every) - 1 == db.scalar(select(func.count()).select_from(Order).where(Order.shop_id == world.shop.id))
    assert client.get(f"{base}/orders.pdf").status_code == 422


def test_the_stock_and_actions_downloads_follow_their_pages(app: FastAPI, world: ShopWorld) -> None:
    client, _ = signed_in(app, world, "staff")  # a zh user: the header in Chinese, the numbers as numbers
    base = f"/shops/{world.shop.code}"
    today = client.get(f"{base}/today").text
    assert f'href="{base}/today.xlsx?kind=&amp;urgency="' in today
    actions = read_xlsx(client.get(f"{base}/today.xlsx").content)
    assert actions[0][0] == "操作" and [r[0] for r in actions[1:]] == action_ids(today)
    restocks = read_csv(client.get(f"{base}/today.csv?kind=restock").content)
    shown = action_ids(client.get(f"{base}/today?kind=restock").text)
    assert [int(r[0]) for r in restocks[1:]] == shown and all(r[2] == "补货" for r in restocks[1:])
    api = client.get(f"/api/v1/shops/{world.shop.code}/brief?kind=restock").json()["actions"]
    assert [float(r[4]) for r in restocks[1:]] == [a["priority"] for a in api]
    stock = client.get(f"{base}/stock?sort=sku").text
    assert f'href="{base}/stock.csv?q=&amp;sort=sku&amp;desc=false"' in stock
    plan = client.get(f"/api/v1/shops/{world.shop.code}/plans").json()["items"]
    sheet = read_xlsx(client.get(f"{base}/stock.xlsx?sort=sku").content)
    assert sheet[0][:3] == ["SKU", "标题", "现有库存"]
    assert [r[0] for r in sheet[1:]] == sorted(p["sku"] for p in plan)
    by_sku = {p["sku"]: p for p in plan}
    for row in sheet[1:]:
        assert row[2] == by_sku[row[0]]["on_hand"] and isinstance(row[2], int)
        assert row[4] == round(by_sku[row[0]]["demand_per_day"], 2)
    searched = read_csv(client.get(f"{base}/stock.csv?q={world.sku_code}").content)
    assert [r[0] for r in searched[1:]] == [world.sku_code]


def test_the_outbox_downloads_as_its_tab_lists_it(app: FastAPI, world: ShopWorld) -> None:
    """The Outbox tab's messages (its state filter, newest first) as CSV and Excel, like the Stock, Orders and Actions
    tables: read-only (every message keeps its state), the header in the user's language."""
    client, _ = signed_in(app, world, "staff")  # a zh user
    base = f"/shops/{world.shop.code}"
    client.get(f"{base}/today")  # the brief drafts its messages into the outbox
    api = f"/api/v1/shops/{world.shop.code}/outbox?limit=200"
    every = client.get(api).json()["items"]
    drafts = client.get(f"{api}&state=draft").json()["items"]
    assert every and drafts and len(every) < 200
    tab = client.get(f"{base}/messages?tab=outbox&state=draft").text
    assert (
        f'href="{base}/messages/outbox.csv?state=draft"' in tab
        and f'href="{base}/messages/outbox.xlsx?state=draft"' in tab
    )
    sheet = read_xlsx(client.get(f"{base}/messages/outbox.xlsx").content)
    assert sheet[0][:3] == ["消息", "状态", "渠道"]
    assert [row[0] for row in sheet[1:]] == [m["id"] for m in every]
    by_id = {m["id"]: m for m in every}
    for row in sheet[1:]:
        assert row[6] == by_id[row[0]]["subject"] and row[5] == by_id[row[0]]["locale"]
    only_drafts = read_csv(client.get(f"{base}/messages/outbox.csv?state=draft").content)
    assert [int(row[0]) for row in only_drafts[1:]] == [m["id"] for m in drafts]
    assert client.get(api).json()["items"] == every  # nothing became sent by being downloaded
    assert client.get(f"{base}/messages/outbox.pdf").status_code == 422


def test_the_intents_of_incoming_messages_read_in_the_users_language(app: FastAPI, world: ShopWorld) -> None:
    client, _ = signed_in(app, world, "staff")  # a zh user
    html = client.get(f"/shops/{world.shop.code}/messages").text
    badges = re.findall(r'<span class="badge" data-intent="(\w+)">([^<]*)</span>', html)
    assert badges
    names = {"order_status": "订单状态", "cancel_order": "取消订单", "refund_return": "退款或退货", "payment": "付款"}
    names |= {"product_question": "商品咨询", "change_order": "修改订单", "covid_safety": "疫情与安全", "other": "其他"}
    assert all(text == names[intent] for intent, text in badges), badges
