"""'Snooze selected' and 'Dismiss selected' on the Today page (no browser), for cards of any kind: a page that asks
first (the day, no later than every selected action's horizon; the one reason), then each changed through the
one-action service, an action a colleague handled in between reported in its state; a viewer and a post without
the form's token are refused. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.harness import sign_in
from tests.api.shop_data import TODAY, ShopWorld

GRACE_DAYS = 7  # Settings.snooze_grace_days by default: a snooze reaches at most this far past the due day


def _two_of_other_kinds(client: TestClient, world: ShopWorld) -> list[dict[str, Any]]:
    """Two open actions of different kinds, neither of which 'Apply selected' takes (any kind can be snoozed or
    dismissed together)."""
    actions = client.get(f"/api/v1/shops/{world.shop.code}/brief").json()["actions"]
    first = next(a for a in actions if a["kind"] not in ("restock", "notify_delay"))
    second = next(a for a in actions if a["kind"] != first["kind"] and a["id"] != first["id"])
    return [first, second]


def _detail(client: TestClient, world: ShopWorld, action_id: int) -> dict[str, Any]:
    found: dict[str, Any] = client.get(f"/api/v1/shops/{world.shop.code}/actions/{action_id}").json()
    return found


def _summary(html: str) -> str:
    found = re.search(r'id="bulk-summary">(.*?)</div>', html, re.S)
    assert found is not None, html[:800]
    return " ".join(found.group(1).split())


def test_selected_actions_of_any_kind_are_dismissed_with_one_reason(app: FastAPI, world: ShopWorld) -> None:
    client = TestClient(app)
    csrf = sign_in(client, world.owner.email)
    base = f"/shops/{world.shop.code}"
    today = client.get(f"{base}/today").text
    picked_actions = _two_of_other_kinds(client, world)
    ids = [a["id"] for a in picked_actions]
    for number in ids:  # every open card can be ticked, whatever its kind
        assert f'name="action" value="{number}" form="bulk-apply"' in today
    assert f'formaction="{base}/today/dismiss"' in today and f'formaction="{base}/today/snooze"' in today
    picked = {"csrf_token": csrf, "action": ids}

    asked = client.post(f"{base}/today/dismiss", data=picked)
    assert asked.status_code == 200
    for number in ids:
        assert f'<li id="action-{number}"' in asked.text
        assert _detail(client, world, number)["state"] == "open"  # nothing done before the reason is given
    form = re.search(r'<form class="dismiss bulk".*?</form>', asked.text, re.S)
    assert form is not None
    assert 'name="reason"' in form.group(0) and 'name="confirmed" value="1"' in form.group(0)
    assert form.group(0).count('type="submit"') == 1  # Enter in the reason box can only dismiss

    done = client.post(f"{base}/today/dismiss", data=picked | {"confirmed": "1", "reason": " sold by phone "})
    assert done.status_code == 200 and _summary(done.text) == "2 dismissed"
    for number in ids:
        detail = _detail(client, world, number)
        assert detail["state"] == "dismissed"
        assert detail["events"][-1]["note"] == "sold by phone" and detail["events"][-1]["to_state"] == "dismissed"
    again = client.post(f"{base}/today/dismiss", data=picked | {"confirmed": "1"})
    assert _summary(again.text) == "0 dismissed, 2 were already dismissed"
    for number in ids:  # nothing done twice
        events = _detail(client, world, number)["events"]
        assert [e["to_state"] for e in events].count("dismissed") == 1
    listed = {int(n) for n in re.findall(r'id="action-(\d+)"', client.get(f"{base}/today").text)}
    assert not set(ids) & listed


def test_selected_actions_are_snoozed_within_every_ones_horizon(app: FastAPI, world: ShopWorld) -> None:
    client = TestClient(app)
    csrf = sign_in(client, world.owner.email)
    base = f"/shops/{world.shop.code}"
    client.get(f"{base}/today")
    picked_actions = _two_of_other_kinds(client, world)
    ids = [a["id"] for a in picked_actions]
    latest = {a["id"]: max(date.fromisoformat(a["due"]), TODAY) + timedelta(days=GRACE_DAYS) for a in picked_actions}
    last_day = min(latest.values())
    picked = {"csrf_token": csrf, "action": ids}

    asked = client.post(f"{base}/today/snooze", data=picked)
    assert asked.status_code == 200
    day_box = re.search(r'<input type="date" name="until"[^>]*>', asked.text)
    assert day_box is not None
    assert f'min="{(TODAY + timedelta(days=1)).isoformat()}"' in day_box.group(0)
    assert f'max="{last_day.isoformat()}"' in day_box.group(0)

    too_late = next(number for number in ids if latest[number] == last_day)
    beyond = client.post(
        f"{base}/today/snooze",
        data=picked | {"confirmed": "1", "until": (last_day + timedelta(days=1)).isoformat()},
    )
    assert beyond.status_code == 422 and f"snooze #{too_late} until {last_day.isoformat()} at the latest" in beyond.text
    assert all(_detail(client, world, number)["state"] == "open" for number in ids)  # none snoozed, not even one
    past = client.post(f"{base}/today/snooze", data=picked | {"confirmed": "1", "until": TODAY.isoformat()})
    assert past.status_code == 422

    done = client.post(f"{base}/today/snooze", data=picked | {"confirmed": "1", "until": last_day.isoformat()})
    assert done.status_code == 200 and _summary(done.text).startswith("2 snoozed until")
    for number in ids:
        detail = _detail(client, world, number)
        assert detail["state"] == "snoozed" and detail["snoozed_until"] == last_day.isoformat()


def test_an_action_a_colleague_handled_in_between_is_reported(app: FastAPI, world: ShopWorld) -> None:
    seller, other = TestClient(app), TestClient(app)
    csrf = sign_in(seller, world.owner.email)
    other_csrf = sign_in(other, world.staff.email)
    base = f"/shops/{world.shop.code}"
    seller.get(f"{base}/today")
    first, second = (a["id"] for a in _two_of_other_kinds(seller, world))
    picked = {"csrf_token": csrf, "action": [first, second]}
    assert seller.post(f"{base}/today/dismiss", data=picked).status_code == 200  # the reason page is open...
    handled = other.post(f"{base}/actions/{second}/apply", data={"csrf_token": other_csrf, "confirmed": "1"})
    assert handled.status_code in (200, 303)  # ...when a colleague applies one of them
    assert _detail(seller, world, second)["state"] == "applied"
    done = seller.post(f"{base}/today/dismiss", data=picked | {"confirmed": "1", "reason": "not now"})
    assert done.status_code == 200 and _summary(done.text) == "1 dismissed, 1 was already applied"
    assert f'id="outcome-{second}" data-state="applied"' in done.text
    assert _detail(seller, world, first)["state"] == "dismissed"
    assert _detail(seller, world, second)["state"] == "applied"
    snoozed = seller.post(
        f"{base}/today/snooze",
        data=picked | {"confirmed": "1", "until": (TODAY + timedelta(days=1)).isoformat()},
    )
    assert _summary(snoozed.text) == "0 snoozed until 26 Nov 2026, 1 was already dismissed, 1 was already applied"


def test_a_viewer_and_a_post_without_the_token_are_refused(app: FastAPI, world: ShopWorld) -> None:
    owner, viewer = TestClient(app), TestClient(app)
    owner_csrf = sign_in(owner, world.owner.email)
    csrf = sign_in(viewer, world.viewer.email)
    base = f"/shops/{world.shop.code}"
    today = viewer.get(f"{base}/today").text
    assert 'id="bulk-apply"' not in today and 'form="bulk-apply"' not in today
    ids = [a["id"] for a in _two_of_other_kinds(owner, world)]
    until = (TODAY + timedelta(days=1)).isoformat()
    for verb in ("dismiss", "snooze"):
        for confirmed in ("", "1"):
            refused = viewer.post(
                f"{base}/today/{verb}",
                data={"csrf_token": csrf, "action": ids, "confirmed": confirmed, "until": until},
            )
            assert refused.status_code == 403
        forged = owner.post(f"{base}/today/{verb}", data={"action": ids, "confirmed": "1", "until": until})
        assert forged.status_code == 403
        nothing = owner.post(f"{base}/today/{verb}", data={"csrf_token": owner_csrf, "confirmed": "1", "until": until})
        assert nothing.status_code == 422 and "no action selected" in nothing.text
    assert all(_detail(owner, world, number)["state"] == "open" for number in ids)


def test_a_day_too_late_only_for_an_action_handled_meanwhile_still_snoozes_the_rest(
    app: FastAPI, world: ShopWorld
) -> None:
    """The horizon is checked for the actions still to snooze: one a colleague dismissed in between is reported in its
    state, and its own (earlier) horizon does not refuse the day for the others."""
    seller, other = TestClient(app), TestClient(app)
    csrf = sign_in(seller, world.owner.email)
    other_csrf = sign_in(other, world.staff.email)
    base = f"/shops/{world.shop.code}"
    seller.get(f"{base}/today")
    actions = seller.get(f"/api/v1/shops/{world.shop.code}/brief").json()["actions"]
    latest = {a["id"]: max(date.fromisoformat(a["due"]), TODAY) + timedelta(days=GRACE_DAYS) for a in actions}
    early = min(actions, key=lambda a: latest[a["id"]])["id"]
    late = max(actions, key=lambda a: latest[a["id"]])["id"]
    assert latest[early] < latest[late]
    picked = {"csrf_token": csrf, "action": [early, late], "confirmed": "1", "until": latest[late].isoformat()}
    refused = seller.post(f"{base}/today/snooze", data=picked)
    assert refused.status_code == 422 and f"snooze #{early} until" in refused.text  # too late for the early one
    other.post(f"{base}/actions/{early}/dismiss", data={"csrf_token": other_csrf, "reason": "done"})
    done = seller.post(f"{base}/today/snooze", data=picked)
    assert done.status_code == 200
    assert _summary(done.text).endswith(", 1 was already dismissed") and _summary(done.text).startswith("1 snoozed")
    assert _detail(seller, world, late)["snoozed_until"] == latest[late].isoformat()
    assert _detail(seller, world, early)["state"] == "dismissed"
