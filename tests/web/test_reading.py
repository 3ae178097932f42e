"""Reading and finding on the dashboard (issue 20 point 6): overdue work first on Today (as in the API's list and the
CLI's table), with its mark; the Orders page, searched and filtered through the API's own query."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.api.harness import sign_in
from tests.api.shop_data import TODAY, ShopWorld
from tradewind.brief.models import ActionRecord
from tradewind.brief.ranking import overdue_first
from tradewind.logistics.models import Shipment
from tradewind.orders.models import Order, OrderStatus


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
    app.state.tradewind.cache.forget_shop(world.shop.id)  # the ranking is kept a few seconds
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
    # The parcel's order was promised for three days ago and is still on its way: it is late.
    db.execute(update(Order).where(Order.id == parcel.order_id).values(promised_delivery_on=TODAY - timedelta(days=3)))
    db.commit()
    late = db.get(Order, parcel.order_id)
    assert late is not None
    risky = client.get(f"/api/v1/shops/{world.shop.code}/orders-at-risk").json()["items"]
    assert [r["order"] for r in risky] == [late.number]
    page = client.get(f"/shops/{world.shop.code}/orders?at_risk=true")
    assert order_numbers(page.text) == [late.number] and "1–1 of 1" in page.text
    assert page.text.count('class="badge bad at-risk"') == 1 and risky[0]["reason_words"] in page.text
    everything = client.get(f"/shops/{world.shop.code}/orders").text
    assert everything.count('class="badge bad at-risk"') == 1  # marked in the whole list too
    by_api = client.get(f"/api/v1/shops/{world.shop.code}/orders?at_risk=true").json()["items"]
    assert [o["number"] for o in by_api] == [late.number]


def test_the_orders_page_speaks_chinese(app: FastAPI, world: ShopWorld) -> None:
    client, _ = signed_in(app, world, "staff")  # a zh user
    html = client.get(f"/shops/{world.shop.code}/orders?destination=RU").text
    assert "订单" in html and "俄罗斯" in html and "US$30.00" in html and "2026年11月15日" in html
