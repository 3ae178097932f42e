"""The REST API on SQLite and PostgreSQL: the brief in its documented shape, acting on actions, the lists with
their filters and pages, and errors as {"code", "message", "details"}."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from tests.api.harness import bearer, make_app
from tests.api.shop_data import TODAY, ShopWorld
from tradewind.api.routers.brief import BriefPageOut
from tradewind.brief.schemas import ActionDetailOut
from tradewind.clock import FixedClock


def api(world: ShopWorld, path: str) -> str:
    return f"/api/v1/shops/{world.shop.code}{path}"


def brief(client: TestClient, world: ShopWorld, query: str = "") -> dict[str, Any]:
    response = client.get(api(world, f"/brief{query}"), headers=bearer(world, "owner"))
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


def test_health_needs_no_sign_in(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.json() == {"status": "ok", "database": "ok", "caches": "on demand"}


def test_me_lists_only_my_shops(client: TestClient, world: ShopWorld) -> None:
    me = client.get("/api/v1/me", headers=bearer(world, "viewer")).json()
    assert me["email"] == world.viewer.email
    assert [(s["code"], s["role"]) for s in me["shops"]] == [(world.shop.code, "viewer")]


def test_the_brief_has_the_documented_shape_and_is_made_once_a_day(client: TestClient, world: ShopWorld) -> None:
    first = brief(client, world)
    BriefPageOut.model_validate(first)  # extra="forbid": nothing more, nothing less
    assert first["total"] == len(first["actions"]) and first["next_cursor"] is None
    assert first["shop"] == world.shop.code and first["today"] == TODAY.isoformat()
    kinds = {a["kind"] for a in first["actions"]}
    assert {"restock", "unpaid_reminder", "cancellation_followup"} <= kinds
    priorities = [a["priority"] for a in first["actions"]]
    assert priorities == sorted(priorities, reverse=True)
    assert brief(client, world) == first  # read from the stored actions, the same numbers


def test_filters_by_kind_and_urgency(client: TestClient, world: ShopWorld) -> None:
    restock = brief(client, world, "?kind=restock")["actions"]
    assert restock and {a["kind"] for a in restock} == {"restock"}
    today = brief(client, world, "?urgency=today")["actions"]
    assert all(a["due"] == TODAY.isoformat() for a in today)
    one = brief(client, world, "?limit=1")
    assert len(one["actions"]) == 1 and one["total"] > 1
    rest = brief(client, world, f"?limit=200&cursor={one['next_cursor']}")["actions"]
    assert [one["actions"][0], *rest] == brief(client, world, "?limit=200")["actions"]


def test_lists_carry_summaries_and_the_details_are_one_action_away(client: TestClient, world: ShopWorld) -> None:
    owner = bearer(world, "owner")
    summary = brief(client, world)["actions"][0]
    assert "figures" not in summary and "steps" not in summary
    listed = client.get(api(world, "/actions?state=open"), headers=owner).json()
    assert summary in listed["items"] and all(a["state"] == "open" for a in listed["items"])
    detail = ActionDetailOut.model_validate(client.get(api(world, f"/actions/{summary['id']}"), headers=owner).json())
    assert detail.title == summary["title"] and detail.steps
    newest_first = [a["id"] for a in client.get(api(world, "/actions?limit=2"), headers=owner).json()["items"]]
    assert newest_first == sorted(newest_first, reverse=True)


def test_apply_dismiss_snooze(client: TestClient, world: ShopWorld) -> None:
    actions = brief(client, world)["actions"]
    first, second, third = actions[0]["id"], actions[1]["id"], actions[2]["id"]
    staff = bearer(world, "staff")
    applied = client.post(api(world, f"/actions/{first}/apply"), headers=staff)
    assert applied.status_code == 200, applied.text
    assert applied.json()["action"]["state"] == "applied" and applied.json()["done"]
    again = client.post(api(world, f"/actions/{first}/apply"), headers=staff).json()
    assert again["done"][0].startswith("already applied")
    dismissed = client.post(api(world, f"/actions/{second}/dismiss"), json={"reason": "called them"}, headers=staff)
    assert dismissed.json()["state"] == "dismissed"
    snoozed = client.post(api(world, f"/actions/{third}/snooze"), json={"until": "2026-12-01"}, headers=staff)
    assert snoozed.json()["state"] == "snoozed"
    remaining = {a["id"] for a in brief(client, world)["actions"]}
    assert not remaining & {first, second, third}
    detail = ActionDetailOut.model_validate(client.get(api(world, f"/actions/{first}"), headers=staff).json())
    assert [e.to_state for e in detail.events] == ["open", "applied"]
    assert detail.events[-1].actor == world.staff.email


def test_reopen_undoes_and_says_what_cannot_be_undone(client: TestClient, world: ShopWorld) -> None:
    actions = brief(client, world)["actions"]
    owner = bearer(world, "owner")
    restock = next(a["id"] for a in actions if a["kind"] == "restock")
    client.post(api(world, f"/actions/{restock}/apply"), headers=owner)
    reopened = client.post(api(world, f"/actions/{restock}/reopen"), headers=owner)
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["action"]["state"] == "open"
    assert reopened.json()["done"][0].startswith("cancelled purchase order TW-")
    detail = ActionDetailOut.model_validate(client.get(api(world, f"/actions/{restock}"), headers=owner).json())
    assert [e.to_state for e in detail.events][-2:] == ["applied", "open"]
    assert restock in {a["id"] for a in brief(client, world)["actions"]}
    messages = next((a["id"] for a in actions if any(s.get("type") == "message" for s in a.get("steps", []))), None)
    if messages is None:
        messages = next(a["id"] for a in actions if a["kind"] in ("unpaid_reminder", "notify_delay"))
    client.post(api(world, f"/actions/{messages}/apply"), headers=owner)
    refused = client.post(api(world, f"/actions/{messages}/reopen"), headers=owner)
    assert refused.status_code == 409 and "cannot be called back" in refused.json()["message"]


def test_snoozing_into_the_past_is_invalid(client: TestClient, world: ShopWorld) -> None:
    action = brief(client, world)["actions"][0]["id"]
    response = client.post(
        api(world, f"/actions/{action}/snooze"), json={"until": "2026-11-01"}, headers=bearer(world, "owner")
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and "snooze" in response.json()["message"]


def test_a_message_draft_can_be_edited_and_the_edit_is_what_is_queued(client: TestClient, world: ShopWorld) -> None:
    first = next(a for a in brief(client, world)["actions"] if a["kind"] == "unpaid_reminder")
    owner = bearer(world, "owner")
    reminder = client.get(api(world, f"/actions/{first['id']}"), headers=owner).json()
    step = next(i for i, s in enumerate(reminder["steps"]) if s["type"] == "message")
    edited = client.put(
        api(world, f"/actions/{reminder['id']}/steps/{step}"),
        json={"subject": "Ваш заказ ждёт оплаты", "body": "Здравствуйте! Исправленный текст."},
        headers=owner,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["steps"][step]["body"].strip() == "Здравствуйте! Исправленный текст."
    outbox_id = reminder["steps"][step]["outbox_id"]
    drafts = client.get(api(world, "/drafts"), headers=owner).json()["items"]
    assert {d["id"]: d["body"].strip() for d in drafts}[outbox_id] == "Здравствуйте! Исправленный текст."
    client.post(api(world, f"/actions/{reminder['id']}/apply"), headers=owner)
    queued = client.get(api(world, "/outbox?state=queued"), headers=owner).json()["items"]
    assert [(m["id"], m["body"].strip(), m["edited"]) for m in queued] == [
        (outbox_id, "Здравствуйте! Исправленный текст.", True)
    ]


def test_refresh_recomputes(client: TestClient, world: ShopWorld) -> None:
    response = client.post(api(world, "/brief/refresh"), headers=bearer(world, "owner"))
    assert response.status_code == 200
    BriefPageOut.model_validate(response.json())


def test_plans_sort_search_and_pages(client: TestClient, world: ShopWorld) -> None:
    brief(client, world)  # the refresh stores the plan
    owner = bearer(world, "owner")
    plans = client.get(api(world, "/plans?sort=days_of_cover"), headers=owner).json()["items"]
    assert len(plans) == 3
    covers = [p["days_of_cover"] for p in plans]
    assert covers == sorted(covers)
    assert plans[0]["sku"] == world.sku_code and plans[0]["stockout_on"] is not None
    first = client.get(api(world, "/plans?limit=2&sort=sku"), headers=owner).json()
    second = client.get(api(world, f"/plans?limit=2&sort=sku&cursor={first['next_cursor']}"), headers=owner).json()
    assert [p["sku"] for p in first["items"] + second["items"]] == sorted(p["sku"] for p in plans)
    assert second["next_cursor"] is None
    found = client.get(api(world, f"/plans?q={world.sku_code[-3:]}"), headers=owner).json()["items"]
    assert [p["sku"] for p in found] == [world.sku_code]


def test_the_stock_outlook_runs_down_to_the_stockout(client: TestClient, world: ShopWorld) -> None:
    brief(client, world)
    outlook = client.get(api(world, f"/skus/{world.sku_code}/outlook"), headers=bearer(world, "viewer")).json()
    assert len(outlook["sales"]) == len(outlook["history_days"]) == 90
    assert sum(outlook["sales"][-28:]) == 3 * 28 + 1  # daily sales, and the unpaid order of two days ago
    stock = outlook["projected_stock"]
    assert stock == sorted(stock, reverse=True) and stock[-1] == 0
    before = [outlook["on_hand"], *stock[:-1]]  # the level each day starts with
    first_short = next(
        i for i, level in enumerate(before) if level + outlook["inbound"][i] < outlook["forecast"][i] - 1e-9
    )
    assert outlook["projection_days"][first_short] == outlook["stockout_on"]  # the chart agrees with the plan
    assert outlook["reorder_point"] > 0


def test_keyset_pages_do_not_repeat_or_skip(client: TestClient, world: ShopWorld) -> None:
    owner = bearer(world, "owner")
    seen: list[str] = []
    cursor = None
    while True:
        query = "/orders?limit=7" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(api(world, query), headers=owner).json()
        seen += [o["number"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 28 * 3 + 3
    cancelled = client.get(api(world, "/orders?status=cancelled"), headers=owner).json()["items"]
    assert [o["status"] for o in cancelled] == ["cancelled"]


def test_suppliers_with_state_response_time_and_alternatives(client: TestClient, world: ShopWorld) -> None:
    owner = bearer(world, "owner")
    suppliers = {s["code"]: s for s in client.get(api(world, "/suppliers"), headers=owner).json()}
    main = next(s for code, s in suppliers.items() if code.startswith("SUP-"))
    assert main["availability"] == "operating"
    assert main["response_times"]["answered"] == 1 and main["response_times"]["median_hours"] == 4.0
    offers = client.get(api(world, f"/suppliers/{main['code']}/offers"), headers=owner).json()["items"]
    assert len(offers) == 3 and all(o["alternatives"][0]["supplier_name"] == "Putian Backup" for o in offers)


def test_shipments_timeline_lanes_and_disruptions(client: TestClient, world: ShopWorld) -> None:
    owner = bearer(world, "owner")
    timeline = client.get(api(world, f"/shipments/{world.tracking_number}"), headers=owner).json()
    assert [e["text"] for e in timeline["events"]] == ["Departed from sorting center", "Accepted by carrier"]
    assert timeline["status_words"] == "on its way"
    lanes = client.get(api(world, "/lanes"), headers=owner).json()
    assert [(lane["destination"], lane["method"]) for lane in lanes] == [("RU", "CAINIAO_STD")]
    added = client.post(
        api(world, "/disruptions"),
        json={"kind": "import_ban", "destination": "RU", "starts_on": "2026-11-20", "source": "carrier notice"},
        headers=owner,
    )
    assert added.status_code == 201, added.text
    assert client.get(api(world, "/lanes"), headers=owner).json()[0]["blocked"] is True
    ended = client.post(api(world, f"/disruptions/{added.json()['id']}/end"), json={}, headers=owner)
    assert ended.json()["ends_on"] == TODAY.isoformat()
    register = client.get(api(world, "/disruptions?include_ended=true"), headers=owner).json()
    assert register[0]["id"] == added.json()["id"]


def test_the_disruption_register_is_about_the_shops_local_day(
    connection: Connection, db: Session, world: ShopWorld
) -> None:
    world.shop.timezone = "America/New_York"
    db.commit()
    app = make_app(connection)
    app.state.tradewind.clock = FixedClock(datetime(2026, 11, 26, 2, 0, tzinfo=UTC))  # 21:00 on 25 Nov in New York
    owner = bearer(world, "owner")
    with TestClient(app, base_url="http://testserver") as client:
        for starts_on in ("2026-11-20", "2026-11-26"):
            body = {"kind": "import_ban", "destination": "RU", "starts_on": starts_on, "source": "carrier notice"}
            assert client.post(api(world, "/disruptions"), json=body, headers=owner).status_code == 201
        # The one starting on 26 November (already today in UTC) is not yet in force on the shop's 25 November.
        in_force = client.get(api(world, "/disruptions"), headers=owner).json()
        assert [d["starts_on"] for d in in_force] == ["2026-11-20"]
        assert in_force[0]["in_force"] is True
        ended = client.post(api(world, f"/disruptions/{in_force[0]['id']}/end"), json={}, headers=owner)
        assert ended.status_code == 200, ended.text
        assert ended.json()["ends_on"] == "2026-11-25"


def test_errors_are_json_with_code_message_details(client: TestClient, world: ShopWorld) -> None:
    owner = bearer(world, "owner")
    missing = client.get(api(world, "/actions/999999"), headers=owner)
    assert missing.status_code == 404
    assert set(missing.json()) == {"code", "message", "details"} and missing.json()["code"] == "not_found"
    bad = client.get(api(world, "/orders?limit=0"), headers=owner)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    bad_cursor = client.get(api(world, "/orders?cursor=abc"), headers=owner)
    assert bad_cursor.status_code == 422
    nul = client.get(api(world, "/actions?kind=%00"), headers=owner)
    assert nul.status_code == 422 and nul.json()["code"] == "invalid"  # no database stores a NUL character
    nul_body = client.post(
        api(world, "/disruptions"),
        json={"kind": "import_ban", "starts_on": "2026-11-25", "source": "a\u0000b"},
        headers=owner,
    )
    assert nul_body.status_code == 422
    unknown = client.get("/api/v1/nothing-here", headers=owner)
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_tokens_can_be_made_listed_and_revoked(client: TestClient, world: ShopWorld) -> None:
    owner = bearer(world, "owner")
    made = client.post("/api/v1/me/tokens", json={"name": "shopify sync"}, headers=owner)
    assert made.status_code == 201
    secret = made.json()["token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    client.delete(f"/api/v1/me/tokens/{made.json()['id']}", headers=owner)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    listed = client.get("/api/v1/me/tokens", headers=owner).json()
    assert secret not in str(listed) and any(t["revoked"] for t in listed)


def test_openapi_is_served_with_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/v1/shops/{shop}/brief" in schema["paths"]
    assert not any(path.startswith("/shops/") for path in schema["paths"])  # pages are not API
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger-ui-bundle" in docs.text and "cdn" not in docs.text


def test_incoming_messages_carry_their_triage_and_suggested_reply(client: TestClient, world: ShopWorld) -> None:
    brief(client, world)  # triage runs with the brief
    owner = bearer(world, "owner")
    inbound = client.get(api(world, "/inbound"), headers=owner).json()["items"]
    assert len(inbound) == 1
    message = inbound[0]
    assert message["language"] == "ru" and message["intent"]
    reply = message["suggested_reply"]
    assert reply is not None and reply["state"] == "draft" and reply["locale"] == "ru"
    unanswered = client.get(api(world, "/inbound?unanswered=true"), headers=owner).json()["items"]
    assert [m["id"] for m in unanswered] == [message["id"]]


def test_the_warm_up_fills_every_shops_caches_freezes_them_and_says_ready(app: Any, world: ShopWorld) -> None:
    import gc

    from tradewind.server.app import warm_caches

    state = app.state.tradewind
    state.caches = "warming"  # as the start-up sets it before the warm-up thread runs
    try:
        warm_caches(state)
        assert gc.get_freeze_count() > 0  # the figures and what came before are out of the collector's sight
    finally:
        gc.unfreeze()
    cached = {key[-1] for key in state.cache._entries if key[0] == world.shop.id}
    assert {"suppliers", "lanes", "at_risk", "trend", "growth"} <= cached, cached
    with TestClient(app, base_url="http://testserver") as client:
        assert client.get("/api/v1/health").json()["caches"] == "ready"
