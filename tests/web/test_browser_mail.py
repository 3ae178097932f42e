"""Messages that go out, in a real browser (Debian's Chromium driven by Playwright, as in test_browser.py) against
`uvicorn` on loopback running the outbox worker: the owner sets the shop's mail server and sends a test e-mail, then
presses Send on a draft, and both reach an aiosmtpd server started by the test."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.shop_data import NOW, PASSWORD, ShopWorld, build_world
from tests.messaging.smtp_server import Recorder, start
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, SERVER_WAIT_MS, TODAY, free_port, require_chromium, shot
from tradewind.app import create_app
from tradewind.clock import FixedClock
from tradewind.config import Settings
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.messaging.models import RecipientKind
from tradewind.messaging.outbox import Recipient, save_draft
from tradewind.messaging.templates import Rendered
from tradewind.server.config import ServerSettings

pytestmark = pytest.mark.slow
SUBJECT = "Статус заказа 42"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ShopWorld, int]]:
    import uvicorn

    require_chromium()
    path = tmp_path_factory.mktemp("browser_mail") / "shop.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        world = build_world(session, uuid.uuid4().hex[:6])
        draft, _ = save_draft(
            session,
            shop_id=world.shop.id,
            shop_code=world.shop.code,
            idempotency_key="reply:browser-1",
            rendered=Rendered(situation="reply", locale="ru", requested_locale="ru", subject=SUBJECT, body="В пути."),
            recipient=Recipient(kind=RecipientKind.BUYER, channel="email", address="buyer@example.com"),
            facts={},
            now=NOW,
        )
        draft_id = draft.id
    server = ServerSettings(hash_time_cost=1, hash_memory_kib=8, outbox_poll_seconds=0.2, warm_caches=False)
    app = create_app(
        Settings(database_url=f"sqlite:///{path}"), server=server, engine=engine, clock=FixedClock.on(TODAY)
    )
    port = free_port()
    uvicorn_server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uvicorn_server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", world, draft_id
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture
def page(served: tuple[str, ShopWorld, int]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        context = chromium.new_context(viewport={"width": 1360, "height": 900}, base_url=served[0])
        context.set_default_timeout(SERVER_WAIT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()
            chromium.close()


def wait_for(recorder: Recorder, subject: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + SERVER_WAIT_MS / 1000
    while time.monotonic() < deadline:
        found = [row for row in list(recorder.received) if row["subject"] == subject]
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no e-mail {subject!r} arrived: {[r['subject'] for r in recorder.received]}")


def test_the_owner_sets_the_mail_server_and_a_sent_draft_arrives(page: Any, served: tuple[str, ShopWorld, int]) -> None:
    _, world, draft_id = served
    recorder = Recorder()
    controller = start(recorder)
    try:
        page.goto("/login")
        page.fill("#email", world.owner.email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/today")
        page.goto(f"/shops/{world.shop.code}/messages/mail")
        page.fill("input[name=host]", "127.0.0.1")
        page.fill("input[name=port]", str(controller.port))
        page.select_option("select[name=tls]", "none")
        page.fill("input[name=from_address]", "shop@example.com")
        page.fill("input[name=password]", "not-shown-back")
        page.click("form[action$='/messages/mail'] button[type=submit]")
        page.wait_for_url("**/messages/mail?saved=1")
        assert "not-shown-back" not in page.content()
        page.click("text=Send a test e-mail")
        page.wait_for_selector("#test-result")
        assert "Test e-mail sent." in page.inner_text("#test-result")
        shot(page, "mail-settings")
        assert any(row["to"] == [world.owner.email] and "test e-mail" in row["subject"] for row in recorder.received)
        page.goto(f"/shops/{world.shop.code}/messages?tab=drafts")
        page.locator(f"#message-{draft_id}").get_by_role("button", name="Send", exact=True).click()
        arrived = wait_for(recorder, SUBJECT)
        assert arrived[0]["to"] == ["buyer@example.com"] and arrived[0]["language"] == "ru"
        page.goto(f"/shops/{world.shop.code}/messages?tab=outbox")
        assert "running" in page.inner_text("#worker-status")
        shot(page, "messages-outbox")
    finally:
        controller.stop()
