"""Who may do what, on every route: without a session → 401 (API) or the login page (dashboard); a viewer's
write → 403; another shop's records → 404; a form without its token → 403; a forged webhook → 401. And the
secrets: argon2 password hashes, token digests, cookie flags, the login rate limit."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from tests.api.harness import bearer, make_app, sign_in
from tests.api.shop_data import NOW, PASSWORD, TODAY, ShopWorld, sign
from tradewind.accounts.models import ApiToken, LoginAttempt, User
from tradewind.brief.models import ActionRecord, ActionState

OPEN = {("GET", "/api/v1/health"), ("GET", "/login"), ("POST", "/login"), ("GET", "/docs"), ("GET", "/")}
WEBHOOK = "/api/v1/webhooks/tracking/{shop}"


def routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route the app serves, the included routers' ones with their prefixes."""
    found = []
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        assert route.path is not None  # an APIRoute has a path
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if (method, route.path) not in OPEN and route.path != WEBHOOK:
                found.append((method, route.path))
    return found


def concrete(path: str, world: ShopWorld, shop: str | None = None) -> str:
    values = {
        "shop": shop or world.shop.code,
        "sku": world.sku_code,
        "code": "SUP-X",
        "number": "800001",
        "tracking_number": world.tracking_number,
        "step": "0",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)


BODIES = {
    "/snooze": {"until": "2026-12-20"},
    "/steps/": {"subject": "s", "body": "b"},
    "/disruptions": {"kind": "import_ban", "starts_on": "2026-11-25", "source": "test"},
    "/me/tokens": {"name": "x"},
    "/outbox/": {"subject": "s", "body": "b"},
}


def body_for(path: str) -> dict[str, str]:
    return next((b for key, b in BODIES.items() if key in path), {})


def test_the_route_list_covers_both_faces(app: FastAPI) -> None:
    paths = {p for _, p in routes(app)}
    assert len(paths) > 40
    assert any(p.startswith("/api/v1/shops/") for p in paths) and any(p.startswith("/shops/") for p in paths)


def test_every_route_without_a_session_is_refused(app: FastAPI, world: ShopWorld) -> None:
    client = TestClient(app)
    for method, path in routes(app):
        url = concrete(path, world)
        response = client.request(method, url, json=body_for(path), follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.json()["code"] == "unauthenticated"
        else:
            assert response.status_code == 303, (method, url, response.status_code)
            assert response.headers["location"].startswith("/login?next=")
    htmx = client.post(concrete("/shops/{shop}/actions/{action_id}/apply", world), headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")


def test_a_bad_token_or_cookie_is_refused(client: TestClient, world: ShopWorld) -> None:
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer tw_not-a-token"}).status_code == 401
    client.cookies.set("tradewind_session", "forged")
    assert client.get("/api/v1/me").status_code == 401


def test_a_viewer_cannot_change_anything(app: FastAPI, world: ShopWorld) -> None:
    api_client = TestClient(app)
    web_client = TestClient(app)
    csrf = sign_in(web_client, world.viewer.email)
    writes = [(m, p) for m, p in routes(app) if m != "GET" and "{shop}" in p]
    assert len(writes) >= 15
    for method, path in writes:
        url = concrete(path, world)
        if path.startswith("/api/"):
            response = api_client.request(method, url, json=body_for(path), headers=bearer(world, "viewer"))
        else:
            response = web_client.request(method, url, data={"csrf_token": csrf, **body_for(path)})
        assert response.status_code == 403, (method, url, response.status_code, response.text[:200])
    assert web_client.get(concrete("/shops/{shop}/today", world)).status_code == 200  # but reads


def test_a_viewer_sees_no_buttons(app: FastAPI, world: ShopWorld) -> None:
    client = TestClient(app)
    sign_in(client, world.viewer.email)
    page = client.get(f"/shops/{world.shop.code}/today")
    assert page.status_code == 200 and 'id="action-' in page.text
    assert "/apply" not in page.text and "/brief/refresh" not in page.text


def test_another_shop_is_not_found(app: FastAPI, world: ShopWorld, db: Session) -> None:
    client = TestClient(app)
    stranger = bearer(world, "stranger")
    for method, path in routes(app):
        if method != "GET" or not path.startswith("/api/v1/shops/{shop}"):
            continue
        response = client.get(concrete(path, world), headers=stranger)
        assert response.status_code == 404, (path, response.status_code)
        assert response.json()["code"] == "not_found"
    web = TestClient(app)
    sign_in(web, world.stranger.email)
    assert web.get(f"/shops/{world.shop.code}/today").status_code == 404
    # a record of the other shop, asked for through one's own shop
    theirs = ActionRecord(
        shop_id=world.other.id,
        key="restock:theirs",
        kind="restock",
        priority=1.0,
        subject_kind="sku",
        subject=world.other_sku_code,
        due=TODAY,
        title="theirs",
        why="theirs",
        figures={},
        steps=[],
        state=ActionState.OPEN,
        first_seen_on=TODAY,
        last_seen_on=TODAY,
    )
    db.add(theirs)
    db.commit()
    owner = bearer(world, "owner")
    mine = f"/api/v1/shops/{world.shop.code}"
    assert client.get(f"{mine}/actions/{theirs.id}", headers=owner).status_code == 404
    assert client.post(f"{mine}/actions/{theirs.id}/apply", headers=owner).status_code == 404
    assert client.get(f"{mine}/plans/{world.other_sku_code}", headers=owner).status_code == 404
    assert client.get(f"{mine}/skus/{world.other_sku_code}", headers=owner).status_code == 404
    assert client.get(f"/api/v1/shops/{world.other.code}/brief", headers=owner).status_code == 404
    owner_web = TestClient(app)
    sign_in(owner_web, world.owner.email)
    assert owner_web.get(f"/shops/{world.shop.code}/stock/{world.other_sku_code}").status_code == 404
    assert owner_web.get(f"/shops/{world.other.code}/stock").status_code == 404


def test_a_form_without_its_token_is_refused(app: FastAPI, world: ShopWorld) -> None:
    client = TestClient(app)
    csrf = sign_in(client, world.owner.email)
    posts = [(m, p) for m, p in routes(app) if m != "GET" and not p.startswith("/api/")]
    assert len(posts) >= 10
    for method, path in posts:
        url = concrete(path, world)
        for token in (None, "wrong-" + csrf):
            data = body_for(path) | ({"csrf_token": token} if token else {})
            response = client.request(method, url, data=data, follow_redirects=False)
            assert response.status_code == 403, (url, token, response.status_code)
    # the same holds for the API used with the session cookie (a browser would send it along)
    assert client.post(f"/api/v1/shops/{world.shop.code}/brief/refresh").status_code == 403
    assert (
        client.post(f"/api/v1/shops/{world.shop.code}/brief/refresh", headers={"X-CSRF-Token": csrf}).status_code == 200
    )


def test_the_login_form_has_its_own_token(client: TestClient, world: ShopWorld) -> None:
    response = client.post(
        "/login", data={"email": world.owner.email, "password": PASSWORD, "csrf_token": "x"}, follow_redirects=False
    )
    assert response.status_code == 403 and "tradewind_session" not in response.headers.get("set-cookie", "")


def webhook_body(world: ShopWorld) -> bytes:
    payload = {
        "msg": {
            "tracking_number": world.tracking_number,
            "slug": "cainiao",
            "checkpoints": [
                {
                    "checkpoint_time": (NOW - timedelta(days=1)).isoformat(),
                    "message": "Arrived at destination country",
                    "tag": "InTransit",
                    "location": "Moscow",
                }
            ],
        }
    }
    return json.dumps(payload).encode()


def test_a_forged_webhook_is_refused(client: TestClient, world: ShopWorld) -> None:
    url = f"/api/v1/webhooks/tracking/{world.shop.code}"
    body = webhook_body(world)
    forged: tuple[dict[str, str], ...] = (
        {},
        {"aftership-hmac-sha256": "bm90IGEgc2lnbmF0dXJl"},
        {"aftership-hmac-sha256": sign(body, "guess")},
    )
    for headers in forged:
        response = client.post(url, content=body, headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["code"] == "bad_signature"
    tampered = client.post(url, content=body + b" ", headers={"aftership-hmac-sha256": sign(body)})
    assert tampered.status_code == 401
    unknown_shop = client.post("/api/v1/webhooks/tracking/nope", content=body, headers={})
    assert unknown_shop.status_code == 401  # the signature first: an unsigned caller learns no shop codes


def test_a_signed_webhook_is_stored(client: TestClient, world: ShopWorld) -> None:
    body = webhook_body(world)
    url = f"/api/v1/webhooks/tracking/{world.shop.code}"
    response = client.post(url, content=body, headers={"aftership-hmac-sha256": sign(body)})
    assert response.status_code == 200, response.text
    assert response.json()["created"]["tracking_events"] == 1
    again = client.post(url, content=body, headers={"aftership-hmac-sha256": sign(body)})
    assert again.json()["unchanged"]["tracking_events"] == 1


def test_without_a_secret_every_webhook_is_refused(connection: Connection, world: ShopWorld) -> None:
    app = make_app(connection, tracking_webhook_secret=None)
    body = webhook_body(world)
    response = TestClient(app).post(
        f"/api/v1/webhooks/tracking/{world.shop.code}", content=body, headers={"aftership-hmac-sha256": sign(body)}
    )
    assert response.status_code == 401


def test_login_attempts_are_rate_limited(client: TestClient, world: ShopWorld, db: Session) -> None:
    form = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert found is not None
    token = found.group(1)

    def attempt(password: str) -> int:
        data = {"email": world.owner.email, "password": password, "csrf_token": token}
        # TestClient's methods are untyped for mypy (starlette types them with httpx2, which is not installed).
        status: int = client.post("/login", data=data, follow_redirects=False).status_code
        return status

    assert [attempt("wrong password") for _ in range(5)] == [401] * 5
    assert attempt(PASSWORD) == 429  # even the right password, until the window has passed
    response = client.post(
        "/login", data={"email": world.owner.email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert int(response.headers["Retry-After"]) > 0
    failures = db.scalars(select(LoginAttempt).where(LoginAttempt.email == world.owner.email)).all()
    assert len(failures) == 5 and not any(a.succeeded for a in failures)


def test_secrets_are_stored_hashed_and_cookies_are_locked_down(
    client: TestClient, world: ShopWorld, db: Session
) -> None:
    user = db.scalar(select(User).where(User.email == world.owner.email))
    assert user is not None and user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    secret = world.tokens["owner"]
    digests = set(db.scalars(select(ApiToken.digest)))
    assert hashlib.sha256(secret.encode()).hexdigest() in digests and secret not in digests
    form = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert found is not None
    token = found.group(1)
    response = client.post(
        "/login",
        data={"email": world.owner.email, "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"  # never an open redirect
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("tradewind_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    page = client.get("/", follow_redirects=True)
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


def test_signing_out_ends_the_session(app: FastAPI, world: ShopWorld) -> None:
    client = TestClient(app)
    csrf = sign_in(client, world.owner.email)
    assert client.get("/api/v1/me").status_code == 200
    session_cookie = client.cookies.get("tradewind_session")
    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    client.cookies.set("tradewind_session", session_cookie or "")
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_owner_and_staff_may_write(client: TestClient, world: ShopWorld, who: str) -> None:
    response = client.post(f"/api/v1/shops/{world.shop.code}/brief/refresh", headers=bearer(world, who))
    assert response.status_code == 200
