"""The shop's own mail server: its settings are checked field by field and the password is never shown back; a test
e-mail reaches a real SMTP server (aiosmtpd on 127.0.0.1) or says in plain words why not; the outbox's queued
e-mail leaves through the shop's server, and waits while the shop has none."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.cli.test_cli_brief import invoke
from tests.messaging.smtp_server import Recorder, free_port, start
from tests.messaging.test_delivery import queue
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.errors import ValidationError
from tradewind.messaging.dispatch import deliver_mail_of_shops
from tradewind.messaging.mail_server import (
    MailServerForm,
    mail_server_dict,
    send_test_email,
    server_settings,
    set_mail_server,
    shop_mail_settings,
)
from tradewind.messaging.models import OutboxMessage, OutboxState
from tradewind.messaging.settings import MessagingSettings
from tradewind.shops.models import Shop
from tradewind.shops.service import create_shop

NOW = datetime(2026, 2, 3, 9, tzinfo=UTC)
NO_SERVER = MessagingSettings(smtp_host=None, smtp_from=None)


def form(port: int | None = None, **changes: Any) -> MailServerForm:
    fields: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "username": None,
        "password": None,
        "from_address": "shop@example.com",
        "tls": "none",
    }
    return MailServerForm(**(fields | changes))


def test_settings_are_checked_and_the_password_is_kept_but_never_shown(session: Session, shop: Shop) -> None:
    bad_fields: list[tuple[dict[str, Any], str]] = [
        ({"host": "smtp example.com"}, "host"),
        ({"port": 70000}, "port"),
        ({"tls": "ssl3"}, "tls"),
        ({"from_address": "not an address"}, "from_address"),
        ({"dashboard_url": "javascript:alert(1)"}, "dashboard_url"),
    ]
    for bad, field in bad_fields:
        with pytest.raises(ValidationError) as refused:
            set_mail_server(session, shop=shop, form=form(**bad), now=NOW, actor="owner@example.com")
        assert refused.value.details["field"] == field
    server = set_mail_server(
        session, shop=shop, form=form(tls="starttls", username="u", password="s3cret"), now=NOW, actor="o@example.com"
    )
    assert server.port == 587  # no port given: the one of the TLS mode
    shown = mail_server_dict(server)
    assert shown is not None and shown["password"] == "set" and "s3cret" not in str(shown)
    set_mail_server(session, shop=shop, form=form(port=2525, tls="starttls"), now=NOW, actor="o@example.com")
    assert server.password == "s3cret" and server.port == 2525  # an empty password field keeps the stored one
    settings = server_settings(server, NO_SERVER)
    assert (settings.smtp_starttls, settings.smtp_ssl, settings.smtp_password) == (True, False, "s3cret")
    set_mail_server(session, shop=shop, form=form(clear_password=True), now=NOW, actor="o@example.com")
    assert server.password is None and mail_server_dict(server)["password"] == "not set"


def test_the_test_email_reaches_the_server_or_says_why_not(session: Session, shop: Shop) -> None:
    recorder = Recorder()
    controller = start(recorder)
    try:
        server = set_mail_server(session, shop=shop, form=form(controller.port), now=NOW, actor="o@example.com")
        sent = send_test_email(server_settings(server, NO_SERVER), shop=shop, to="owner@example.com", now=NOW)
    finally:
        controller.stop()
    assert sent.ok, sent.detail
    assert [row["to"] for row in recorder.received] == [["owner@example.com"]]
    assert "test e-mail" in recorder.received[0]["subject"]
    closed = free_port()
    server = set_mail_server(session, shop=shop, form=form(closed), now=NOW, actor="o@example.com")
    failed = send_test_email(server_settings(server, NO_SERVER), shop=shop, to="owner@example.com", now=NOW)
    assert not failed.ok
    assert failed.detail.startswith(f"nothing answers at 127.0.0.1:{closed}")
    refusing = Recorder(refuse={"owner@example.com": "550 no such user here"})
    controller = start(refusing)
    try:
        server = set_mail_server(session, shop=shop, form=form(controller.port), now=NOW, actor="o@example.com")
        refused = send_test_email(server_settings(server, NO_SERVER), shop=shop, to="owner@example.com", now=NOW)
    finally:
        controller.stop()
    assert not refused.ok and "no such user here" in refused.detail


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[Engine, sessionmaker[Session], int]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'mail.db'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        shop_id = create_shop(session, code="boots", name="Hua Yuye Shoes").id
    yield engine, sessions, shop_id
    engine.dispose()


def test_queued_email_leaves_through_the_shops_server_and_waits_without_one(
    database: tuple[Engine, sessionmaker[Session], int],
) -> None:
    _, sessions, shop_id = database
    ids = queue(sessions, shop_id, 2, locale="en")
    waiting = deliver_mail_of_shops(sessions, base=NO_SERVER, clock=lambda: NOW)
    assert waiting.waiting_shops == [shop_id] and waiting.report.sent == []
    recorder = Recorder()
    controller = start(recorder)
    try:
        with transaction(sessions) as session:
            shop = session.get(Shop, shop_id)
            assert shop is not None
            set_mail_server(session, shop=shop, form=form(controller.port), now=NOW, actor="o@example.com")
            assert shop_mail_settings(session, shop_id=shop_id, base=NO_SERVER) is not None
        run = deliver_mail_of_shops(sessions, base=NO_SERVER, clock=lambda: NOW)
    finally:
        controller.stop()
    assert sorted(run.report.sent) == ids and run.waiting_shops == []
    with transaction(sessions) as session:
        stored = {m.id: m for m in session.scalars(select(OutboxMessage))}
    assert sorted(recorder.message_ids()) == sorted(str(stored[i].mail_message_id) for i in ids)
    assert all(stored[i].state == OutboxState.SENT for i in ids)
    assert recorder.received[0]["to"] == ["b0@example.com"]


def test_messages_send_uses_the_shops_server(database: tuple[Engine, sessionmaker[Session], int]) -> None:
    engine, sessions, shop_id = database
    ids = queue(sessions, shop_id, 1, locale="en")
    path = str(engine.url.database)
    code, _, err = invoke("messages", "send", "--db", path)
    assert code == 2 and "Mail settings" in err  # no server anywhere yet: it says where to set one
    recorder = Recorder()
    controller = start(recorder)
    try:
        with transaction(sessions) as session:
            shop = session.get(Shop, shop_id)
            assert shop is not None
            set_mail_server(session, shop=shop, form=form(controller.port), now=NOW, actor="o@example.com")
        code, out, err = invoke("messages", "send", "--db", path, "--json")
    finally:
        controller.stop()
    assert code == 0, err
    assert json.loads(out)["sent"] == ids and len(recorder.received) == 1
