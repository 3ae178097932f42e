"""'Apply selected' on the Today page (no browser): the restocks ticked are listed with their lines on one
confirmation page, then applied together through the one-action service (each purchase order placed once), an
action someone else handled in between is reported in its state, and a read-only user is refused."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories as f
from tests.api.harness import sign_in
from tests.api.shop_data import TODAY, ShopWorld
from tradewind.inventory.models import PurchaseOrder, Warehouse


@pytest.fixture
def two_restocks(db: Session, world: ShopWorld) -> ShopWorld:
    """A second supplier whose only SKU runs out within its lead time: the brief holds two restocks."""
    warehouse = db.scalars(select(Warehouse).where(Warehouse.shop_id == world.shop.id)).one()
    supplier = f.supplier(db, world.shop, f"SUP2-{world.shop.code}", name="Guangzhou Soles")
    sku = f.sku(db, world.shop, f"SANDAL-{world.shop.code}")
    f.offer(db, world.shop, supplier, sku, lead_time_days=12)
    f.stock(db, world.shop, warehouse, sku, 5)
    f.daily_sales(db, world.shop, sku, today=TODAY, per_day=3)
    db.commit()
    return world


def _restocks(client: TestClient, world: ShopWorld) -> list[int]:
    actions = client.get(f"/api/v1/shops/{world.shop.code}/brief").json()["actions"]
    return sorted(a["id"] for a in actions if a["kind"] == "restock")


def _orders_placed(db: Session, world: ShopWorld, action_id: int) -> int:
    code = f"TW-{action_id:06d}"
    return (
        db.scalar(
            select(func.count())
            .select_from(PurchaseOrder)
            .where(PurchaseOrder.shop_id == world.shop.id, PurchaseOrder.code == code)
        )
        or 0
    )


def test_selected_restocks_are_confirmed_then_applied_once_each(
    app: FastAPI, two_restocks: ShopWorld, db: Session
) -> None:
    world = two_restocks
    client = TestClient(app)
    csrf = sign_in(client, world.owner.email)
    base = f"/shops/{world.shop.code}"
    today = client.get(f"{base}/today").text
    first, second = _restocks(client, world)
    assert 'id="bulk-apply"' in today
    for number in (first, second):
        assert f'name="action" value="{number}" form="bulk-apply"' in today
    picked = {"csrf_token": csrf, "action": [first, second]}
    asked = client.post(f"{base}/today/apply", data=picked)
    assert asked.status_code == 200
    assert f'id="action-{first}"' in asked.text and f'id="action-{second}"' in asked.text
    assert asked.text.count('class="grid order-lines"') == 2
    for number in (first, second):
        detail = client.get(f"/api/v1/shops/{world.shop.code}/actions/{number}").json()
        (order,) = [step for step in detail["steps"] if step["type"] == "purchase_order"]
        for line in order["lines"]:  # every SKU with its quantity, as the one-action confirmation lists it
            cells = rf"<td>{re.escape(line['sku'])}</td><td class=\"num\">{line['quantity']:,}</td>"
            assert re.search(cells, asked.text)
        assert _orders_placed(db, world, number) == 0  # nothing done before the confirmation
    assert asked.text.count('name="action" value=') == 2 and 'name="confirmed" value="1"' in asked.text

    done = client.post(f"{base}/today/apply", data=picked | {"confirmed": "1"})
    assert done.status_code == 200
    summary = re.search(r'id="bulk-summary">(.*?)</div>', done.text, re.S)
    assert summary is not None and summary.group(1).strip() == "2 applied"
    again = client.post(f"{base}/today/apply", data=picked | {"confirmed": "1"})  # a second click changes nothing
    assert "0 applied, 2 were already applied" in again.text
    for number in (first, second):
        assert _orders_placed(db, world, number) == 1
        assert client.get(f"/api/v1/shops/{world.shop.code}/actions/{number}").json()["state"] == "applied"
    listed = {int(n) for n in re.findall(r'id="action-(\d+)"', client.get(f"{base}/today").text)}
    assert not {first, second} & listed


def test_an_action_handled_in_between_is_reported_not_failed(
    app: FastAPI, two_restocks: ShopWorld, db: Session
) -> None:
    world = two_restocks
    seller, other = TestClient(app), TestClient(app)
    csrf = sign_in(seller, world.owner.email)
    other_csrf = sign_in(other, world.staff.email)
    base = f"/shops/{world.shop.code}"
    seller.get(f"{base}/today")
    first, second = _restocks(seller, world)
    picked = {"csrf_token": csrf, "action": [first, second]}
    assert seller.post(f"{base}/today/apply", data=picked).status_code == 200  # the confirmation page is open...
    dismissed = other.post(f"{base}/actions/{second}/dismiss", data={"csrf_token": other_csrf, "reason": "by phone"})
    assert dismissed.status_code in (200, 303)  # ...when a colleague dismisses one of them
    done = seller.post(f"{base}/today/apply", data=picked | {"confirmed": "1"})
    assert done.status_code == 200
    assert "1 applied, 1 was already dismissed" in done.text
    assert f'id="outcome-{second}" data-state="dismissed"' in done.text
    assert _orders_placed(db, world, first) == 1 and _orders_placed(db, world, second) == 0


def test_apply_selected_needs_the_forms_token_and_a_selection(
    app: FastAPI, two_restocks: ShopWorld, db: Session
) -> None:
    world = two_restocks
    client = TestClient(app)
    csrf = sign_in(client, world.owner.email)
    base = f"/shops/{world.shop.code}"
    first, second = _restocks(client, world)
    forged = client.post(f"{base}/today/apply", data={"action": [first, second], "confirmed": "1"})
    assert forged.status_code == 403
    assert _orders_placed(db, world, first) == 0 and _orders_placed(db, world, second) == 0
    nothing = client.post(f"{base}/today/apply", data={"csrf_token": csrf, "confirmed": "1"})
    assert nothing.status_code == 422 and "no action selected" in nothing.text


def test_a_viewer_cannot_apply_selected(app: FastAPI, two_restocks: ShopWorld, db: Session) -> None:
    world = two_restocks
    owner, viewer = TestClient(app), TestClient(app)
    sign_in(owner, world.owner.email)
    csrf = sign_in(viewer, world.viewer.email)
    base = f"/shops/{world.shop.code}"
    assert 'id="bulk-apply"' not in viewer.get(f"{base}/today").text
    first, second = _restocks(owner, world)
    for confirmed in ("", "1"):
        refused = viewer.post(
            f"{base}/today/apply", data={"csrf_token": csrf, "action": [first, second], "confirmed": confirmed}
        )
        assert refused.status_code == 403
    assert _orders_placed(db, world, first) == 0 and _orders_placed(db, world, second) == 0


def test_only_restocks_and_delay_notices_are_applied_together(app: FastAPI, world: ShopWorld) -> None:
    client = TestClient(app)
    csrf = sign_in(client, world.owner.email)
    base = f"/shops/{world.shop.code}"
    actions = client.get(f"/api/v1/shops/{world.shop.code}/brief").json()["actions"]
    playbook = next(a["id"] for a in actions if a["kind"] == "stockout_playbook")
    refused = client.post(f"{base}/today/apply", data={"csrf_token": csrf, "action": [playbook], "confirmed": "1"})
    assert refused.status_code == 422
    assert client.get(f"/api/v1/shops/{world.shop.code}/actions/{playbook}").json()["state"] == "open"


MESSAGE_KINDS = ("reply_needed", "unpaid_reminder", "cancellation_followup", "supplier_check")


def test_send_all_drafts_of_the_selected_message_actions(app: FastAPI, world: ShopWorld) -> None:
    """Applying a reply, a reminder, a follow-up or a supplier check queues its drafts for the outbox worker: ticked
    together, 'Apply selected' lists every draft (to whom, subject) before anything is queued, then queues them all,
    each once."""
    client = TestClient(app)
    csrf = sign_in(client, world.owner.email)
    base = f"/shops/{world.shop.code}"
    api = f"/api/v1/shops/{world.shop.code}"
    actions = client.get(f"{api}/brief").json()["actions"]
    picked_ids = [a["id"] for a in actions if a["kind"] in MESSAGE_KINDS]
    assert len({a["kind"] for a in actions if a["id"] in picked_ids}) == len(MESSAGE_KINDS)
    drafts = {
        number: [s for s in client.get(f"{api}/actions/{number}").json()["steps"] if s["type"] == "message"]
        for number in picked_ids
    }
    assert all(drafts.values())
    queued_before = len(client.get(f"{api}/outbox?state=queued&limit=200").json()["items"])
    picked = {"csrf_token": csrf, "action": picked_ids}
    asked = client.post(f"{base}/today/apply", data=picked)
    assert asked.status_code == 200
    for number, steps in drafts.items():
        listed = re.search(rf'id="action-{number}".*?</article>', asked.text, re.S)
        assert listed is not None and listed.group(0).count("<li>Queue the message to ") == len(steps)
        for step in steps:
            assert str(escape(step["subject"])) in listed.group(0)  # as the page writes it
    assert len(client.get(f"{api}/outbox?state=queued&limit=200").json()["items"]) == queued_before  # not yet
    done = client.post(f"{base}/today/apply", data=picked | {"confirmed": "1"})
    assert done.status_code == 200
    summary = re.search(r'id="bulk-summary">(.*?)</div>', done.text, re.S)
    assert summary is not None and summary.group(1).strip() == f"{len(picked_ids)} applied"
    queued = client.get(f"{api}/outbox?state=queued&limit=200").json()["items"]
    assert len(queued) == queued_before + sum(len(steps) for steps in drafts.values())
    assert {m["action_id"] for m in queued} >= set(picked_ids)
    again = client.post(f"{base}/today/apply", data=picked | {"confirmed": "1"})
    assert f"0 applied, {len(picked_ids)} were already applied" in again.text
    assert len(client.get(f"{api}/outbox?state=queued&limit=200").json()["items"]) == len(queued)  # each once
