"""Reading and finding on the dashboard (issue 20 point 6): overdue work first on Today (as in the API's list and the
CLI's table), with its mark."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.api.harness import sign_in
from tests.api.shop_data import TODAY, ShopWorld
from tradewind.brief.models import ActionRecord
from tradewind.brief.ranking import overdue_first


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
