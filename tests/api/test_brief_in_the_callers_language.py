"""The brief through the API in the caller's language (SQLite and PostgreSQL): `?locale=` or `Accept-Language`
(negotiated over en, zh and ru) gives the actions' titles and reasons rendered from the brief's phrases, each with a
`locale` saying which; no header gives the English the producers stored, byte for byte; a language the brief does
not speak (French) gives English."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.api.harness import bearer
from tests.api.shop_data import ShopWorld
from tradewind.api.routers.brief import BriefPageOut
from tradewind.brief.models import ActionRecord
from tradewind.brief.schemas import ActionDetailOut

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def api(world: ShopWorld, path: str) -> str:
    return f"/api/v1/shops/{world.shop.code}{path}"


def get(client: TestClient, world: ShopWorld, path: str, **headers: str) -> Any:
    response = client.get(api(world, path), headers=bearer(world, "owner") | headers)
    assert response.status_code == 200, response.text
    return response.json()


def stored(db: Session, world: ShopWorld) -> dict[int, ActionRecord]:
    return {a.id: a for a in db.scalars(select(ActionRecord).where(ActionRecord.shop_id == world.shop.id))}


def test_the_brief_in_russian_chinese_and_english(client: TestClient, world: ShopWorld, db: Session) -> None:
    english = get(client, world, "/brief?limit=200")
    russian = get(client, world, "/brief?limit=200", **{"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"})
    chinese = get(client, world, "/brief?limit=200&locale=zh")
    for page in (english, russian, chinese):
        BriefPageOut.model_validate(page)  # extra="forbid": the documented shape
    records = stored(db, world)
    phrased = [a["id"] for a in english["actions"] if records[a["id"]].title_msg is not None]
    assert len(phrased) >= 3 and {"restock", "unpaid_reminder"} <= {records[i].kind for i in phrased}
    # No header: English, the titles and reasons the producers stored, byte for byte.
    for action in english["actions"]:
        assert action["locale"] == "en"
        assert (action["title"], action["why"]) == (records[action["id"]].title, records[action["id"]].why)
    # The same actions in the same order, only the words differ.
    unwritten = [{k: v for k, v in a.items() if k not in ("title", "why", "locale")} for a in english["actions"]]
    for page, locale, script in ((russian, "ru", CYRILLIC), (chinese, "zh", CHINESE)):
        assert [{k: v for k, v in a.items() if k not in ("title", "why", "locale")} for a in page["actions"]] == (
            unwritten
        )
        assert {a["locale"] for a in page["actions"]} == {locale}
        titles = {a["id"]: a["title"] for a in page["actions"]}
        assert all(script.search(titles[i]) for i in phrased), locale
    restock = next(a for a in russian["actions"] if a["kind"] == "restock")
    assert restock["title"].startswith("Заказать ") and CYRILLIC.search(restock["why"])


def test_a_language_the_brief_does_not_speak_gives_english(client: TestClient, world: ShopWorld) -> None:
    english = get(client, world, "/brief")
    assert get(client, world, "/brief", **{"Accept-Language": "fr-FR,fr;q=0.9"}) == english
    assert get(client, world, "/brief?locale=fr") == english
    assert get(client, world, "/brief?locale=en", **{"Accept-Language": "ru"}) == english  # the query wins
    # By quality, not by order; a language refused with q=0 is not chosen.
    assert {
        a["locale"] for a in get(client, world, "/brief", **{"Accept-Language": "fr, en;q=0.2, ru;q=0.5"})["actions"]
    } == {"ru"}
    assert {a["locale"] for a in get(client, world, "/brief", **{"Accept-Language": "ru;q=0, zh-CN"})["actions"]} == {
        "zh"
    }
    assert get(client, world, "/brief?locale=", **{"Accept-Language": "ru"})["actions"][0]["locale"] == "ru"
    odd = client.get(api(world, "/brief?locale=<ru>"), headers=bearer(world, "owner"))
    assert odd.status_code == 422 and odd.json()["code"] == "invalid"


def test_the_list_and_one_action_in_the_callers_language(client: TestClient, world: ShopWorld, db: Session) -> None:
    get(client, world, "/brief")  # makes today's brief
    listed = get(client, world, "/actions?state=open&limit=200", **{"Accept-Language": "ru"})["items"]
    assert listed and {a["locale"] for a in listed} == {"ru"}
    records = stored(db, world)
    restock = next(a for a in listed if a["kind"] == "restock")
    assert CYRILLIC.search(restock["title"]) and restock["title"] != records[restock["id"]].title
    in_english = get(client, world, f"/actions/{restock['id']}")
    in_russian = get(client, world, f"/actions/{restock['id']}", **{"Accept-Language": "ru"})
    in_chinese = get(client, world, f"/actions/{restock['id']}?locale=zh-Hans-CN")
    for detail in (in_english, in_russian, in_chinese):
        ActionDetailOut.model_validate(detail)
    assert (in_english["locale"], in_english["title"]) == ("en", records[restock["id"]].title)
    assert (in_russian["locale"], in_russian["title"], in_russian["why"]) == ("ru", restock["title"], restock["why"])
    assert in_chinese["locale"] == "zh" and CHINESE.search(in_chinese["title"])
    # Only the words: the figures and the steps (the drafts are in each recipient's language) are the same.
    for detail in (in_russian, in_chinese):
        assert (detail["figures"], detail["steps"], detail["events"]) == (
            in_english["figures"],
            in_english["steps"],
            in_english["events"],
        )


def test_refreshing_answers_in_the_callers_language(client: TestClient, world: ShopWorld) -> None:
    owner = bearer(world, "owner")
    refreshed = client.post(api(world, "/brief/refresh?limit=200"), headers=owner | {"Accept-Language": "ru"})
    assert refreshed.status_code == 200, refreshed.text
    actions = BriefPageOut.model_validate(refreshed.json()).actions
    assert {a.locale for a in actions} == {"ru"}
    assert any(a.kind == "restock" and a.title.startswith("Заказать ") for a in actions)
    assert get(client, world, "/brief?limit=200&locale=ru")["actions"] == refreshed.json()["actions"]


def test_the_openapi_schema_documents_the_language(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/brief", "/actions", "/actions/{action_id}"):
        operation = paths[f"/api/v1/shops/{{shop}}{path}"]["get"]
        parameters = {(p["in"], p["name"].lower()): p for p in operation["parameters"]}
        assert "en, zh or ru" in parameters[("query", "locale")]["description"]
        assert "Accept-Language" in parameters[("query", "locale")]["description"]
        assert "English" in parameters[("header", "accept-language")]["description"]
