"""Messages that go out, from the dashboard: the shop's mail server is an owner's setting (others get 403), its test
e-mail reaches a real SMTP server (aiosmtpd) or shows the server's error; the outbox worker sends a queued draft and
queues the morning digest once a day; the platform messages download as CSV (formulas escaped) or JSONL."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from tests.api.harness import make_app
from tests.api.shop_data import NOW, ShopWorld
from tests.messaging.smtp_server import Recorder, free_port, start
from tests.web.test_pages import signed_in
from tradewind.messaging.mail_server import MailServerForm, set_mail_server
from tradewind.messaging.models import OutboxMessage, OutboxState, RecipientKind
from tradewind.messaging.outbox import Recipient, queue_message
from tradewind.messaging.templates import Rendered
from tradewind.server.mail_worker import queue_due_digests, run_once
from tradewind.server.state import AppState


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    controller = start(recorder)
    try:
        yield recorder, controller.port
    finally:
        controller.stop()


def save_server(client: TestClient, world: ShopWorld, csrf: str, port: int, **extra: str) -> None:
    response = client.post(
        f"/shops/{world.shop.code}/messages/mail",
        data={"host": "127.0.0.1", "port": str(port), "tls": "none", "from_address": "shop@example.com"}
        | extra
        | {"csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def queued(db: Session, world: ShopWorld, key: str, *, channel: str, subject: str, body: str) -> int:
    message, _ = queue_message(
        db,
        shop_id=world.shop.id,
        shop_code=world.shop.code,
        idempotency_key=key,
        rendered=Rendered(situation="reply", locale="ru", requested_locale="ru", subject=subject, body=body),
        recipient=Recipient(
            kind=RecipientKind.BUYER, channel=channel, address="buyer@example.com" if channel == "email" else None
        ),
        facts={},
        now=NOW,
    )
    db.commit()
    return message.id


def test_only_an_owner_sees_and_changes_the_mail_settings(app: FastAPI, world: ShopWorld) -> None:
    for who in ("staff", "viewer"):
        client, csrf = signed_in(app, world, who)
        assert client.get(f"/shops/{world.shop.code}/messages/mail").status_code == 403
        refused = client.post(
            f"/shops/{world.shop.code}/messages/mail",
            data={"host": "smtp.example.com", "from_address": "a@example.com", "csrf_token": csrf},
        )
        assert refused.status_code == 403
        assert client.post(f"/shops/{world.shop.code}/messages/mail/test", data={"csrf_token": csrf}).status_code == 403
        assert "/messages/mail" not in client.get(f"/shops/{world.shop.code}/messages?tab=outbox").text
    client, csrf = signed_in(app, world, "owner")
    no_token = client.post(
        f"/shops/{world.shop.code}/messages/mail", data={"host": "smtp.example.com", "from_address": "a@example.com"}
    )
    assert no_token.status_code == 403  # the form token is checked like every other form's
    save_server(client, world, csrf, 2525, password="hunter2-secret", username="shop", digest_at="06:45")
    page = client.get(f"/shops/{world.shop.code}/messages/mail").text
    assert 'value="127.0.0.1"' in page and "Password: set" in page and "hunter2-secret" not in page
    assert 'value="06:45"' in page
    assert "/messages/mail" in client.get(f"/shops/{world.shop.code}/messages?tab=outbox").text


def test_the_test_email_reaches_the_owner_or_shows_the_servers_error(
    app: FastAPI, world: ShopWorld, smtp: tuple[Recorder, int]
) -> None:
    recorder, port = smtp
    client, csrf = signed_in(app, world, "owner")
    save_server(client, world, csrf, port)
    page = client.post(f"/shops/{world.shop.code}/messages/mail/test", data={"csrf_token": csrf})
    assert page.status_code == 200 and "Test e-mail sent." in page.text
    assert [row["to"] for row in recorder.received] == [[world.owner.email]]
    closed = free_port()
    save_server(client, world, csrf, closed)
    page = client.post(f"/shops/{world.shop.code}/messages/mail/test", data={"csrf_token": csrf})
    assert "The test e-mail was not sent." in page.text
    assert f"nothing answers at 127.0.0.1:{closed}" in page.text
    assert len(recorder.received) == 1


def test_the_worker_sends_a_queued_draft_and_queues_the_digest_once_a_day(
    app: FastAPI, world: ShopWorld, db: Session, smtp: tuple[Recorder, int]
) -> None:
    recorder, port = smtp
    client, csrf = signed_in(app, world, "owner")
    save_server(client, world, csrf, port, dashboard_url="https://tw.example.com/")
    draft = queued(db, world, "reply:test-1", channel="email", subject="Ваш заказ", body="Здравствуйте!")
    # Another shop whose server does not answer: its error is its own, never shown on this shop's page.
    closed = free_port()
    set_mail_server(
        db,
        shop=world.other,
        form=MailServerForm("127.0.0.1", closed, None, None, "other@example.com", "none"),
        now=NOW,
        actor="x",
    )
    other = ShopWorld(**(world.__dict__ | {"shop": world.other}))
    queued(db, other, "reply:other-1", channel="email", subject="Other shop", body="Hello")
    state: AppState = app.state.tradewind
    run_once(state)
    assert "nothing answers" in str(state.mail_worker.shops[world.other.id].last_error)
    # (Other tests' shops may share this database, each with its own server: only this shop's mail is looked at.)
    db.expire_all()
    message = db.get(OutboxMessage, draft)
    assert message is not None and message.state == OutboxState.SENT, message.last_error if message else None
    by_subject = {row["subject"]: row for row in recorder.received}
    assert by_subject["Ваш заказ"]["message_id"] == message.mail_message_id
    digests = [row for row in recorder.received if row["to"] == [world.owner.email]]
    assert len(digests) == 1
    digest = digests[0]
    action_links = re.findall(rf"https://tw\.example\.com/shops/{world.shop.code}/actions/(\d+)", digest["body"])
    assert (
        action_links
        and digest["html"]
        and f'href="https://tw.example.com/shops/{world.shop.code}/actions/' in (digest["html"])
    )
    assert digest["subject"].startswith("Test shoe shop: ")
    counts = state.mail_worker.shops[world.shop.id]
    assert (counts.sent, counts.failed, counts.digests_queued, state.mail_worker.runs) == (2, 0, 1, 1)
    run_once(state)  # the same day again: no second digest
    assert len([row for row in recorder.received if row["to"] == [world.owner.email]]) == 1
    stored = db.scalars(
        select(OutboxMessage).where(OutboxMessage.situation == "morning_digest", OutboxMessage.shop_id == world.shop.id)
    ).all()
    assert [m.address for m in stored] == [world.owner.email] and stored[0].state == OutboxState.SENT
    state.mail_worker.running = True  # as the lifespan's worker would say
    page = client.get(f"/shops/{world.shop.code}/messages?tab=outbox").text
    assert "2 sent · 0 failed · 0 to retry · 1 digests queued" in page and f"127.0.0.1:{port}" in page
    assert "nothing answers" not in page and "last error" not in page
    assert "the outbox worker sends it through" in page


def test_the_platform_messages_download_with_formulas_escaped_and_become_sent(
    app: FastAPI, world: ShopWorld, db: Session
) -> None:
    first = queued(db, world, "reply:x-1", channel="export", subject='=HYPERLINK("http://evil","x")', body="-2+3")
    second = queued(db, world, "reply:x-2", channel="export", subject="Привет", body="Спасибо\nза заказ")
    client, csrf = signed_in(app, world, "viewer")
    assert client.post(f"/shops/{world.shop.code}/messages/export", data={"csrf_token": csrf}).status_code == 403
    client, csrf = signed_in(app, world, "staff")
    page = client.get(f"/shops/{world.shop.code}/messages?tab=drafts").text
    assert "Drafts go out when you queue them here" not in page
    assert "2 封待发" in page and "此店铺尚未设置邮件服务器" in page  # the staff member reads Chinese
    response = client.post(f"/shops/{world.shop.code}/messages/export", data={"csrf_token": csrf, "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(row["id"]) for row in rows] == [first, second]
    assert rows[0]["subject"] == '\'=HYPERLINK("http://evil","x")' and rows[0]["body"] == "'-2+3"
    assert rows[1]["body"] == "Спасибо\nза заказ" and rows[1]["language"] == "ru"
    db.expire_all()
    assert {db.get_one(OutboxMessage, i).state for i in (first, second)} == {OutboxState.SENT}
    empty = client.post(f"/shops/{world.shop.code}/messages/export", data={"csrf_token": csrf, "format": "csv"})
    assert list(csv.DictReader(io.StringIO(empty.text))) == []  # exported once
    again = client.post(
        f"/shops/{world.shop.code}/messages/export", data={"csrf_token": csrf, "format": "jsonl", "again": "true"}
    )
    lines = [json.loads(line) for line in again.text.splitlines()]
    assert [line["id"] for line in lines] == [first, second]
    assert lines[0]["subject"].startswith("=HYPERLINK")  # JSON is data, not a spreadsheet: kept as written


def test_the_server_runs_the_worker_and_stops_it_on_shutdown(
    connection: Connection, world: ShopWorld, db: Session, smtp: tuple[Recorder, int]
) -> None:
    recorder, port = smtp
    app = make_app(connection, outbox_worker=True, outbox_poll_seconds=0.05)
    state: AppState = app.state.tradewind
    draft = queued(db, world, "reply:lifespan-1", channel="email", subject="Трек-номер", body="Вот он.")
    client, csrf = signed_in(app, world, "owner")
    save_server(client, world, csrf, port)
    assert not state.mail_worker.running
    with TestClient(app):
        assert state.mail_worker.running
        deadline = time.monotonic() + 60
        while "Трек-номер" not in [row["subject"] for row in recorder.received] and time.monotonic() < deadline:
            time.sleep(0.05)
    assert not state.mail_worker.running
    assert not [t for t in threading.enumerate() if t.name == "tradewind-outbox"]  # the thread has ended
    db.expire_all()
    message = db.get(OutboxMessage, draft)
    assert message is not None and message.state == OutboxState.SENT and state.mail_worker.runs >= 1


def test_a_stopped_clock_makes_the_digest_due_in_the_west(app: FastAPI, world: ShopWorld, db: Session) -> None:
    world.shop.timezone = "America/Los_Angeles"  # noon UTC on the stopped day is 04:00 there, before 07:30
    db.commit()
    state: AppState = app.state.tradewind
    assert queue_due_digests(state).get(world.shop.id) == 1
    assert queue_due_digests(state).get(world.shop.id) is None  # once
