"""The dashboard served by the app (no browser): every section renders for the shop's users, HTMX requests get
fragments, in-place changes do what they say, and the interface speaks the user's language."""

from __future__ import annotations

import gc
import json
import re
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.harness import sign_in
from tests.api.shop_data import TODAY, ShopWorld, build_world
from tradewind.app import create_app
from tradewind.clock import FixedClock
from tradewind.config import Settings
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.server.config import ServerSettings


def signed_in(app: FastAPI, world: ShopWorld, who: str = "owner") -> tuple[TestClient, str]:
    client = TestClient(app)
    csrf = sign_in(client, getattr(world, who).email)
    return client, csrf


def action_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="action-(\d+)"', html)]


def test_sign_in_leads_to_today(app: FastAPI, world: ShopWorld) -> None:
    client = TestClient(app)
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    sign_in(client, world.owner.email)
    response = client.get("/", follow_redirects=False)
    assert response.headers["location"] == f"/shops/{world.shop.code}/today"


def test_every_section_renders(app: FastAPI, world: ShopWorld) -> None:
    client, _ = signed_in(app, world)
    base = f"/shops/{world.shop.code}"
    client.get(f"{base}/today")  # makes today's brief (and the plan) first
    for path in (
        "/today",
        "/today?kind=restock&urgency=today",
        "/stock",
        "/stock?sort=days_of_cover&desc=true&q=BOOT",
        f"/stock/{world.sku_code}",
        "/suppliers",
        f"/suppliers/SUP-{world.shop.code.split('-')[1]}",
        "/shipping",
        "/shipping?ended=true",
        f"/shipping/parcels/{world.tracking_number}",
        "/messages",
        "/messages?tab=drafts",
        "/messages?tab=outbox",
        "/growth",
    ):
        response = client.get(base + path)
        assert response.status_code == 200, (path, response.text[:300])
        assert "Traceback" not in response.text


def test_today_lists_the_ranked_brief_and_filters_in_place(app: FastAPI, world: ShopWorld) -> None:
    client, _ = signed_in(app, world)
    page = client.get(f"/shops/{world.shop.code}/today")
    api = client.get(f"/api/v1/shops/{world.shop.code}/brief").json()
    assert action_ids(page.text) == [a["id"] for a in api["actions"]]  # the same ranking as the API
    fragment = client.get(
        f"/shops/{world.shop.code}/today?kind=restock", headers={"HX-Request": "true", "HX-Target": "actions"}
    )
    assert fragment.text.lstrip().startswith('<section id="actions"') and "<html" not in fragment.text
    restock = [a["id"] for a in api["actions"] if a["kind"] == "restock"]
    assert action_ids(fragment.text) == restock


def test_apply_dismiss_and_snooze_in_place(app: FastAPI, world: ShopWorld) -> None:
    client, csrf = signed_in(app, world, "staff")
    base = f"/shops/{world.shop.code}"
    ids = action_ids(client.get(f"{base}/today").text)
    htmx = {"HX-Request": "true", "X-CSRF-Token": csrf}
    asked = client.post(f"{base}/actions/{ids[0]}/apply", headers=htmx)  # a restock: it spends money, so it asks
    assert asked.status_code == 200 and "order-lines" in asked.text and 'name="confirmed" value="1"' in asked.text
    assert 'hx-swap-oob="innerHTML"' not in asked.text  # nothing applied yet
    applied = client.post(f"{base}/actions/{ids[0]}/apply", data={"confirmed": "1"}, headers=htmx)
    assert applied.status_code == 200 and 'hx-swap-oob="innerHTML"' in applied.text
    assert 'id="action-' not in applied.text  # the card is swapped for nothing: it leaves the list
    dismissed = client.post(f"{base}/actions/{ids[1]}/dismiss", data={"reason": "handled by phone"}, headers=htmx)
    assert dismissed.status_code == 200
    snoozed = client.post(f"{base}/actions/{ids[2]}/snooze", data={"until": "2026-12-02"}, headers=htmx)
    assert snoozed.status_code == 200 and "2026-12-02" in snoozed.text
    remaining = action_ids(client.get(f"{base}/today").text)
    assert not set(ids[:3]) & set(remaining)
    too_early = client.post(f"{base}/actions/{ids[3]}/snooze", data={"until": "2026-11-20"}, headers=htmx)
    assert too_early.status_code == 422 and too_early.headers["HX-Retarget"] == "#flash"


def open_count(html: str) -> int:
    found = re.search(r'id="open-count"[^>]*>· (\d+)', html)  # any language: the number leads
    assert found is not None, html[:500]
    return int(found.group(1))


def test_the_open_count_follows_each_change_and_the_refresh_shows_its_work(app: FastAPI, world: ShopWorld) -> None:
    """The heading's '· N open actions' was the count when the page loaded: after an apply or a dismiss in place it
    stayed. Each in-place change now sends the count anew (an out-of-band swap), as the database has it."""
    client, csrf = signed_in(app, world, "staff")
    base = f"/shops/{world.shop.code}"
    page = client.get(f"{base}/today").text
    before = open_count(page)
    api_total = client.get(f"/api/v1/shops/{world.shop.code}/brief?limit=1").json()["total"]
    assert before == api_total and before >= 2
    # The refresh button says it is working while the brief is made again (htmx's indicator, button disabled).
    assert 'hx-indicator="#refreshing"' in page and 'id="refreshing" class="htmx-indicator' in page
    assert 'hx-disabled-elt="find button"' in page
    ids = action_ids(page)
    htmx = {"HX-Request": "true", "X-CSRF-Token": csrf}
    dismissed = client.post(f"{base}/actions/{ids[-1]}/dismiss", data={"reason": "done by phone"}, headers=htmx)
    assert 'hx-swap-oob="true"' in dismissed.text and open_count(dismissed.text) == before - 1
    snoozed = client.post(
        f"{base}/actions/{ids[-2]}/snooze", data={"until": (TODAY + timedelta(days=1)).isoformat()}, headers=htmx
    )
    assert open_count(snoozed.text) == before - 2
    assert open_count(client.get(f"{base}/today").text) == before - 2  # the page says the same when reloaded


def kind_counts(html: str) -> dict[str, int]:
    """The kind filter's options with their counts ('All kinds' left out), from the page or an out-of-band swap."""
    found = re.search(r'<select name="kind" id="kind-filter"[^>]*>(.*?)</select>', html, re.S)
    assert found is not None, html[:500]
    options = re.findall(r'<option value="(\w+)"[^>]*>[^<]*\((\d+)\)</option>', found.group(1))
    return {name: int(n) for name, n in options}


def test_the_kind_filters_counts_follow_each_change(app: FastAPI, world: ShopWorld) -> None:
    """The kind filter's '(N)' after each kind was the count of page load: after a dismiss or a snooze in place the
    dismissed kind still said N. Each in-place change on the Today page now sends the filter anew (out-of-band), with
    the counts as the database has them and the kind the page's address has chosen still chosen."""
    client, csrf = signed_in(app, world, "staff")
    base = f"/shops/{world.shop.code}"
    page = client.get(f"{base}/today").text
    before = kind_counts(page)
    assert sum(before.values()) == open_count(page) and len(before) >= 2
    actions = client.get(f"/api/v1/shops/{world.shop.code}/brief").json()["actions"]
    api_counts: dict[str, int] = {}
    for action in actions:
        api_counts[action["kind"]] = api_counts.get(action["kind"], 0) + 1
    assert before == api_counts
    first, second = actions[0], next(a for a in actions if a["kind"] != actions[0]["kind"])
    on_today = {"HX-Request": "true", "X-CSRF-Token": csrf, "HX-Current-URL": f"http://testserver{base}/today"}
    dismissed = client.post(f"{base}/actions/{first['id']}/dismiss", data={"reason": "by phone"}, headers=on_today)
    after = kind_counts(dismissed.text)
    expected = dict(before)
    expected[first["kind"]] -= 1
    assert after == {kind: n for kind, n in expected.items() if n} and open_count(dismissed.text) == sum(after.values())
    chosen = {**on_today, "HX-Current-URL": f"http://testserver{base}/today?kind={second['kind']}&urgency="}
    snoozed = client.post(
        f"{base}/actions/{second['id']}/snooze", data={"until": (TODAY + timedelta(days=1)).isoformat()}, headers=chosen
    )
    expected[second["kind"]] -= 1
    # The chosen kind stays chosen, with (0) when none of it is left open.
    assert kind_counts(snoozed.text) == {kind: n for kind, n in expected.items() if n or kind == second["kind"]}
    select = re.search(r'<select name="kind" id="kind-filter"[^>]*>.*?</select>', snoozed.text, re.S)
    assert select is not None and f'<option value="{second["kind"]}" selected>' in select.group(0)
    reloaded = client.get(f"{base}/today?kind={second['kind']}").text
    assert kind_counts(reloaded) == kind_counts(snoozed.text)  # the page agrees when loaded again
    third = next(a for a in actions if a["id"] not in (first["id"], second["id"]))
    elsewhere = {**on_today, "HX-Current-URL": f"http://testserver{base}/actions/{third['id']}"}
    off_today = client.post(f"{base}/actions/{third['id']}/dismiss", data={}, headers=elsewhere)
    assert 'id="kind-filter"' not in off_today.text  # no filter on that page to swap


def test_the_card_has_one_form_per_verb(app: FastAPI, world: ShopWorld) -> None:
    """Enter in a field submits that field's form: the reason box is in the dismiss form, the day in the snooze
    form, and the apply form holds nothing but its button."""
    client, _ = signed_in(app, world, "staff")
    html = client.get(f"/shops/{world.shop.code}/today").text
    card = html[html.index('<article class="card action"') : html.index("</article>")]
    forms = re.findall(r'<form class="(\w+)".*?action="[^"]*/(\w+)"(.*?)</form>', card, re.S)
    assert [(name, verb) for name, verb, _ in forms] == [
        ("apply", "apply"),
        ("snooze", "snooze"),
        ("dismiss", "dismiss"),
    ]
    fields = {name: re.findall(r'<input type="(\w+)" name="(\w+)"', body) for name, _, body in forms}
    assert fields == {
        "apply": [("hidden", "csrf_token")],
        "snooze": [("hidden", "csrf_token"), ("date", "until")],
        "dismiss": [("hidden", "csrf_token"), ("text", "reason")],
    }


def test_snooze_stops_a_week_past_the_due_day(app: FastAPI, world: ShopWorld) -> None:
    client, csrf = signed_in(app, world, "staff")
    base = f"/shops/{world.shop.code}"
    brief = client.get(f"/api/v1/shops/{world.shop.code}/brief").json()["actions"]
    action = brief[0]
    latest = max(date.fromisoformat(action["due"]), TODAY) + timedelta(days=7)
    htmx = {"HX-Request": "true", "X-CSRF-Token": csrf}
    too_late = client.post(
        f"{base}/actions/{action['id']}/snooze", data={"until": (latest + timedelta(days=1)).isoformat()}, headers=htmx
    )
    assert too_late.status_code == 422 and latest.isoformat() in too_late.text
    assert (
        client.post(f"{base}/actions/{action['id']}/snooze", data={"until": "2031-01-01"}, headers=htmx).status_code
        == 422
    )
    ok = client.post(f"{base}/actions/{action['id']}/snooze", data={"until": latest.isoformat()}, headers=htmx)
    assert ok.status_code == 200 and latest.isoformat() in ok.text


def test_the_done_view_lists_handled_actions_by_state(app: FastAPI, world: ShopWorld) -> None:
    client, csrf = signed_in(app, world, "staff")
    base = f"/shops/{world.shop.code}"
    ids = action_ids(client.get(f"{base}/today").text)
    htmx = {"HX-Request": "true", "X-CSRF-Token": csrf}
    client.post(f"{base}/actions/{ids[0]}/apply", data={"confirmed": "1"}, headers=htmx)
    client.post(f"{base}/actions/{ids[1]}/dismiss", data={"reason": "no"}, headers=htmx)
    done = client.get(f"{base}/done").text
    assert f'id="done-{ids[0]}"' in done and f'id="done-{ids[1]}"' in done
    dismissed = client.get(f"{base}/done?state=dismissed").text
    assert f'id="done-{ids[1]}"' in dismissed and f'id="done-{ids[0]}"' not in dismissed
    assert f'id="done-{ids[2]}"' not in done  # still open


def test_reopen_from_the_action_page(app: FastAPI, world: ShopWorld) -> None:
    client, csrf = signed_in(app, world, "owner")
    base = f"/shops/{world.shop.code}"
    actions = client.get(f"/api/v1/shops/{world.shop.code}/brief").json()["actions"]
    restock = next(a["id"] for a in actions if a["kind"] == "restock")
    message = next(a["id"] for a in actions if a["kind"] == "unpaid_reminder")
    form = {"csrf_token": csrf, "confirmed": "1"}
    client.post(f"{base}/actions/{restock}/apply", data=form, follow_redirects=False)
    page = client.get(f"{base}/actions/{restock}").text
    assert f'action="{base}/actions/{restock}/reopen"' in page
    reopened = client.post(f"{base}/actions/{restock}/reopen", data={"csrf_token": csrf}, follow_redirects=False)
    assert reopened.status_code == 303 and reopened.headers["location"] == f"{base}/actions/{restock}"
    history = client.get(f"{base}/actions/{restock}").text
    assert "reopened; undone: cancelled purchase order TW-" in history
    assert restock in action_ids(client.get(f"{base}/today").text)
    client.post(f"{base}/actions/{message}/apply", data=form, follow_redirects=False)
    refused = client.post(f"{base}/actions/{message}/reopen", data={"csrf_token": csrf}, follow_redirects=False)
    assert refused.status_code == 409 and "cannot be called back" in refused.text


def test_a_draft_is_edited_on_the_today_page(app: FastAPI, world: ShopWorld) -> None:
    client, csrf = signed_in(app, world)
    base = f"/shops/{world.shop.code}"
    brief = client.get(f"/api/v1/shops/{world.shop.code}/brief?kind=unpaid_reminder").json()["actions"][0]
    steps = client.get(f"{base}/actions/{brief['id']}/steps")  # opened lazily from the card
    assert f"/actions/{brief['id']}/steps/0" in steps.text
    saved = client.post(
        f"{base}/actions/{brief['id']}/steps/0",
        data={"subject": "Оплата заказа", "body": "Новый текст письма"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert saved.status_code == 200 and "Новый текст письма" in saved.text
    drafts = client.get(f"{base}/messages?tab=drafts").text
    assert "Новый текст письма" in drafts


def test_the_sku_page_carries_its_chart(app: FastAPI, world: ShopWorld) -> None:
    client, _ = signed_in(app, world)
    client.get(f"/shops/{world.shop.code}/today")
    page = client.get(f"/shops/{world.shop.code}/stock/{world.sku_code}")
    assert '<canvas id="stock-chart" data-chart="stock-chart-data"' in page.text
    assert "/static/vendor/chart-4.6.1.umd.min.js" in page.text
    found = re.search(r'<script type="application/json" id="stock-chart-data">(.*?)</script>', page.text, re.S)
    assert found is not None
    spec = json.loads(found.group(1))
    labels = [s["label"] for s in spec["series"]]
    assert labels[:3] == ["Sales per day", "Forecast per day", "Projected stock"]
    assert labels[3:] == ["Arriving (purchase orders)", "Reorder point", "Stockout"]
    stockout = next(s for s in spec["series"] if s["label"] == "Stockout")
    assert sum(v is not None for v in stockout["values"]) == 1
    # The suppliers' unit costs read as money in the shop's currency ("55.5000 CNY" was the stored decimal).
    cells = re.findall(r'<td class="num">([^<]*)</td>', page.text)
    assert cells and not [c for c in cells if re.search(r"\d\.\d{3,}", c)], cells


def test_stock_table_sorts_and_searches(app: FastAPI, world: ShopWorld) -> None:
    client, _ = signed_in(app, world)
    base = f"/shops/{world.shop.code}"
    client.get(f"{base}/today")
    ascending = re.findall(r'/stock/(BOOT-[\w-]+)"', client.get(f"{base}/stock?sort=on_hand").text)
    descending = re.findall(r'/stock/(BOOT-[\w-]+)"', client.get(f"{base}/stock?sort=on_hand&desc=true").text)
    assert ascending == list(reversed(descending)) and len(ascending) == 3
    found = client.get(f"{base}/stock?q={world.sku_code}", headers={"HX-Request": "true", "HX-Target": "plan-table"})
    assert re.findall(r'/stock/(BOOT-[\w-]+)"', found.text) == [world.sku_code]


def test_disruptions_are_added_and_ended_from_the_shipping_page(app: FastAPI, world: ShopWorld) -> None:
    client, csrf = signed_in(app, world)
    base = f"/shops/{world.shop.code}"
    form = {
        "csrf_token": csrf,
        "kind": "suspended_route",
        "starts_on": "2026-11-24",
        "destination": "RU",
        "source": "Cainiao notice 2026-11-24",
    }
    added = client.post(f"{base}/shipping/disruptions", data=form, follow_redirects=False)
    assert added.status_code == 303
    page = client.get(f"{base}/shipping").text
    assert "Cainiao notice 2026-11-24" in page and "blocked" in page
    number = re.search(r"/shipping/disruptions/(\d+)/end", page)
    assert number is not None
    ended = client.post(f"{base}/shipping/disruptions/{number.group(1)}/end", data={"csrf_token": csrf})
    assert ended.status_code == 200
    lanes = client.get(f"/api/v1/shops/{world.shop.code}/lanes").json()
    assert lanes[0]["blocked"] is True  # it still applies on its last day, today
    bad = client.post(f"{base}/shipping/disruptions", data=form | {"kind": "volcano"})
    assert bad.status_code == 422 and "volcano" in bad.text


def test_the_interface_speaks_the_users_language(app: FastAPI, world: ShopWorld) -> None:
    client, csrf = signed_in(app, world, "staff")  # staff's language is Chinese
    page = client.get(f"/shops/{world.shop.code}/today").text
    assert '<html lang="zh-Hans">' in page and "今天" in page and "库存" in page
    client.post("/settings/language", data={"csrf_token": csrf, "locale": "en", "next": "/"})
    assert ">Today<" in client.get(f"/shops/{world.shop.code}/today").text
    login = TestClient(app).get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert "登录" in login


def test_static_assets_are_served_by_the_app(client: TestClient) -> None:
    for path in (
        "/static/vendor/htmx-2.0.11.min.js",
        "/static/vendor/chart-4.6.1.umd.min.js",
        "/static/app.js",
        "/static/app.css",
    ):
        response = client.get(path)
        assert response.status_code == 200 and len(response.content) > 1000, path
        assert "max-age" in response.headers["cache-control"]


def test_growth_shows_milestones_and_metrics_against_their_limits(app: FastAPI, world: ShopWorld) -> None:
    client, _ = signed_in(app, world)
    page = client.get(f"/shops/{world.shop.code}/growth").text
    report = client.get(f"/api/v1/shops/{world.shop.code}/growth").json()
    assert report["metrics"]
    assert page.count('role="progressbar"') == len(report["milestones"])
    for metric in report["metrics"]:
        assert metric["title"] in page


def test_a_brief_that_takes_long_is_made_in_the_background(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large shop's brief takes minutes: the first page of the day does not wait for it (its own database file:
    the brief is made on another connection while the page is served)."""
    import tradewind.brief.service as brief_service
    import tradewind.server.briefing as briefing
    from tradewind.brief.service import refresh_brief

    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        world = build_world(session, "slow")
    real = refresh_brief  # the function the day's brief is made with (patched in brief.service below)

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(brief_service, "refresh_brief", slow)
    monkeypatch.setattr(briefing, "WAIT_FOR_BRIEF_SECONDS", 0.1)
    settings = Settings(database_url=str(engine.url))
    app = create_app(
        settings,
        server=ServerSettings(hash_time_cost=1, hash_memory_kib=8, warm_caches=False),
        engine=engine,
        clock=FixedClock.on(TODAY),
    )
    client = TestClient(app)
    sign_in(client, world.owner.email)
    first = client.get(f"/shops/{world.shop.code}/today")
    assert first.status_code == 200 and "being prepared" in first.text and not action_ids(first.text)
    deadline = time.monotonic() + 30
    while "being prepared" in client.get(f"/shops/{world.shop.code}/today").text:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert action_ids(client.get(f"/shops/{world.shop.code}/today").text)
    engine.dispose()


def test_a_pages_rows_are_freed_when_it_is_written_not_by_the_garbage_collector(app: FastAPI, world: ShopWorld) -> None:
    from tradewind.planning.stored_plan import PlanRow

    client, _ = signed_in(app, world)
    path = f"/shops/{world.shop.code}/stock"
    assert client.get(path).status_code == 200
    gc.collect()
    gc.disable()
    try:
        before = sum(isinstance(o, PlanRow) for o in gc.get_objects())
        assert "/stock/BOOT-" in client.get(path).text  # the page showed plan rows
        left = sum(isinstance(o, PlanRow) for o in gc.get_objects()) - before
    finally:
        gc.enable()
    assert left == 0  # the page's template contexts were emptied (`Pages.render`): no cycle kept them


def test_a_chinese_users_brief_has_its_titles_in_chinese(app: FastAPI, world: ShopWorld) -> None:
    client, csrf = signed_in(app, world, "staff")  # staff's language is Chinese
    base = f"/shops/{world.shop.code}"
    page = client.get(f"{base}/today").text
    titles = re.findall(r'<div class="title">(.*?)</div>', page)
    # The restock's day, quantity and SKU count formatted for Chinese ("93 pieces … by 25 Nov (2 SKUs)").
    restock = next(t for t in titles if "订购" in t)
    assert restock == "11月25日前向 Wenzhou Shoes 订购 93 件（2 个 SKU）"
    assert any("将于11月27日断货" in t for t in titles)
    assert "Order 93 pieces" not in page
    whys = re.findall(r'<div class="why">(.*?)</div>', page)
    assert any(w.startswith("BOOT-") and "再订货点" in w and "服务水平" in w for w in whys)  # the restock's reason
    (number,) = {
        i for i in action_ids(page) if f'id="action-{i}"' in page and "订购" in page.split(f'id="action-{i}"')[1][:800]
    }
    assert "订购 93 件" in client.get(f"{base}/actions/{number}").text
    dismissed = client.post(
        f"{base}/actions/{number}/dismiss", data={"csrf_token": csrf, "reason": "later"}, headers={"HX-Request": "true"}
    )
    assert dismissed.status_code == 200 and "订购 93 件" in dismissed.text
    done = client.get(f"{base}/done").text
    assert "11月25日前向 Wenzhou Shoes 订购 93 件（2 个 SKU）" in done
    client.post("/settings/language", data={"csrf_token": csrf, "locale": "en", "next": "/"})
    # English on a page has the page's dates too (wording.for_reader), where the JSON keeps the stored "25 Nov"
    assert "Order 93 pieces from Wenzhou Shoes by Nov 25 (2 SKUs)" in client.get(f"{base}/done").text


def test_the_lane_trend_is_small_multiples_on_one_scale(app: FastAPI, world: ShopWorld) -> None:
    """Issue 20: one chart drew sixteen lines (p50 and p90 of eight lanes) in eight colours. Now each lane has a box of
    its own (p50 solid, p90 dashed, no legend to decode), every box on the same day scale."""
    client, _ = signed_in(app, world)
    html = client.get(f"/shops/{world.shop.code}/shipping").text
    specs = [
        json.loads(found)
        for found in re.findall(r'<script type="application/json" id="lane-trend-data-\d+">(.*?)</script>', html, re.S)
    ]
    assert specs and html.count('<canvas id="lane-trend-') == len(specs)
    assert len({spec["title"] for spec in specs}) == len(specs)  # one box per lane
    highest = max(v for spec in specs for v in spec["series"][1]["values"] if v is not None)
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2,3}", label) for label in specs[0]["labels"])  # "9 Sept", not ISO
    (top,) = {spec["y_max"] for spec in specs}  # one scale for all
    assert top % 5 == 0 and highest <= top < highest + 5
    for spec in specs:
        assert [s["label"] for s in spec["series"]] == ["p50", "p90"] and spec["legend"] is False
        assert spec["series"][1]["dashed"] and not spec["series"][0].get("dashed")
