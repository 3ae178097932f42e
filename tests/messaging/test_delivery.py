"""Delivery against a real SMTP server (aiosmtpd on 127.0.0.1): messages arrive with their Message-ID and language;
refused addresses fail for good, temporary errors come back later; export writes what the seller pastes. And the
crash test: a sender killed with SIGKILL while the server is slow loses no message, and on restart sends again only
the one message that was in flight, with the same Message-ID (detectable as a resend)."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.messaging.smtp_server import Recorder, start
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.errors import ConfigurationError
from tradewind.messaging.channels import SmtpChannel, export_text
from tradewind.messaging.dispatch import deliver_outbox, export_outbox
from tradewind.messaging.models import OutboxMessage, OutboxState, RecipientKind
from tradewind.messaging.outbox import Recipient, queue_message
from tradewind.messaging.settings import MessagingSettings
from tradewind.messaging.situations import sample_facts
from tradewind.messaging.templates import render
from tradewind.shops.service import create_shop

NOW = datetime(2026, 2, 3, 9, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[Engine, sessionmaker[Session], int]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        shop_id = create_shop(session, code="boots", name="Hua Yuye Shoes").id
    yield engine, sessions, shop_id
    engine.dispose()


def queue(
    sessions: sessionmaker[Session],
    shop_id: int,
    n: int,
    *,
    locale: str = "ru",
    address: str = "b{}@example.com",
    channel: str = "email",
    first: int = 0,
) -> list[int]:
    ids = []
    with transaction(sessions) as session:
        for i in range(first, first + n):
            rendered = render(
                "unpaid_reminder", locale, sample_facts("unpaid_reminder") | {"order_number": f"80120000{i:08d}"}
            )
            message, _ = queue_message(
                session,
                shop_id=shop_id,
                shop_code="boots",
                idempotency_key=f"unpaid_reminder:80120000{i:08d}",
                rendered=rendered,
                recipient=Recipient(kind=RecipientKind.BUYER, address=address.format(i), channel=channel),
                facts={},
                now=NOW - timedelta(minutes=1),
            )
            ids.append(message.id)
    return ids


def settings_for(port: int, **extra: Any) -> MessagingSettings:
    return MessagingSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="shop@example.com", **extra)


def states(sessions: sessionmaker[Session]) -> dict[int, OutboxMessage]:
    with transaction(sessions) as session:
        return {m.id: m for m in session.scalars(select(OutboxMessage))}


def test_messages_arrive_over_smtp_with_their_message_id(database: tuple[Engine, sessionmaker[Session], int]) -> None:
    _, sessions, shop_id = database
    ids = queue(sessions, shop_id, 3, locale="zh")
    recorder = Recorder()
    controller = start(recorder)
    try:
        report = deliver_outbox(
            sessions,
            channel=SmtpChannel(settings_for(controller.port)),
            settings=settings_for(controller.port),
            clock=lambda: NOW,
        )
    finally:
        controller.stop()
    assert sorted(report.sent) == ids
    stored = states(sessions)
    assert all(stored[i].state == OutboxState.SENT and stored[i].sent_at == NOW for i in ids)
    assert sorted(recorder.message_ids()) == sorted(str(stored[i].mail_message_id) for i in ids)
    first = recorder.received[0]
    assert first["language"] == "zh" and "您好" in first["body"] and first["to"] == ["b0@example.com"]
    assert first["attempt"] == "1"
    again = deliver_outbox(
        sessions,
        channel=SmtpChannel(settings_for(controller.port)),
        settings=settings_for(controller.port),
        clock=lambda: NOW,
    )
    assert again.sent == []  # nothing is sent twice


def test_refused_fails_for_good_and_temporary_errors_retry(database: tuple[Engine, sessionmaker[Session], int]) -> None:
    _, sessions, shop_id = database
    gone = queue(sessions, shop_id, 1, address="gone{}@example.com")[0]
    busy = queue(sessions, shop_id, 1, address="busy{}@example.org", first=1)[0]
    recorder = Recorder(
        refuse={"gone0@example.com": "550 5.1.1 no such user", "busy1@example.org": "451 4.3.0 mailbox busy"}
    )
    controller = start(recorder)
    try:
        config = settings_for(controller.port)
        report = deliver_outbox(sessions, channel=SmtpChannel(config), settings=config, clock=lambda: NOW)
    finally:
        controller.stop()
    assert report.failed == [gone] and report.retrying == [busy]
    stored = states(sessions)
    assert stored[gone].state == OutboxState.FAILED and "550" in (stored[gone].last_error or "")
    assert stored[busy].state == OutboxState.QUEUED and stored[busy].next_attempt_at == NOW + timedelta(minutes=1)


def test_a_server_that_is_down_is_a_retry_not_a_loss(database: tuple[Engine, sessionmaker[Session], int]) -> None:
    _, sessions, shop_id = database
    message = queue(sessions, shop_id, 1)[0]
    from tests.messaging.smtp_server import free_port

    config = settings_for(free_port(), smtp_timeout_seconds=2)
    report = deliver_outbox(sessions, channel=SmtpChannel(config), settings=config, clock=lambda: NOW)
    assert report.retrying == [message] and states(sessions)[message].state == OutboxState.QUEUED


def test_email_needs_settings() -> None:
    with pytest.raises(ConfigurationError, match="TRADEWIND_SMTP_HOST"):
        SmtpChannel(MessagingSettings(smtp_host=None))


def test_export_writes_rows_and_marks_them_sent_once(database: tuple[Engine, sessionmaker[Session], int]) -> None:
    _, sessions, shop_id = database
    ids = queue(sessions, shop_id, 2, locale="es", channel="export")
    with transaction(sessions) as session:
        from tradewind.shops.models import Shop

        shop = session.get(Shop, shop_id)
        assert shop is not None
        rows = export_outbox(session, shop=shop, now=NOW)
        text = export_text(rows, fmt="csv")
        assert export_outbox(session, shop=shop, now=NOW) == []  # exported once
        assert len(export_outbox(session, shop=shop, now=NOW, again=True)) == 2
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["id"]) for r in parsed] == ids and parsed[0]["language"] == "es"
    assert "Hola" in parsed[0]["body"] and "\n" in parsed[0]["body"]
    assert json.loads(export_text(rows, fmt="json"))[1]["id"] == ids[1]
    assert all(m.state == OutboxState.SENT for m in states(sessions).values())


@pytest.mark.slow
def test_a_sender_killed_mid_delivery_loses_nothing_and_resends_only_the_one_in_flight(
    database: tuple[Engine, sessionmaker[Session], int], tmp_path: Path
) -> None:
    engine, sessions, shop_id = database
    ids = queue(sessions, shop_id, 12)
    recorder = Recorder(delay_seconds=0.4)  # a slow server: it takes each message, then waits 0.4 s to say 250
    controller = start(recorder)
    lease = 2
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "tests.messaging.sender_process",
        str(engine.url),
        str(controller.port),
        str(lease),
    ]
    try:
        sender = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(recorder.received) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)  # the server has the fifth message, the sender has no reply yet
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=10)
        assert sender.returncode == -signal.SIGKILL, sender.stderr.read().decode()[-3000:] if sender.stderr else ""
        before = states(sessions)
        sent_before = {i for i, m in before.items() if m.state == OutboxState.SENT}
        in_flight = {i for i, m in before.items() if m.state == OutboxState.QUEUED and m.claimed_by}
        assert sent_before and len(sent_before) < len(ids) and len(in_flight) <= 1
        time.sleep(lease + 0.5)  # the dead sender's lease runs out
        restarted = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert restarted.returncode == 0, restarted.stderr
    finally:
        controller.stop()
    after = states(sessions)
    assert all(m.state == OutboxState.SENT for m in after.values())  # nothing lost
    by_id = {str(after[i].mail_message_id): i for i in ids}
    received = Counter(recorder.message_ids())
    assert set(received) == set(by_id)  # every message reached the server
    duplicated = {by_id[m] for m, n in received.items() if n > 1}
    assert duplicated == in_flight and not duplicated & sent_before  # the one in flight, never one recorded sent
    assert sum(received.values()) - len(ids) == len(duplicated) <= 1
    attempts = sorted(row["attempt"] for row in recorder.received if by_id[row["message_id"]] in duplicated)
    assert attempts == ["1", "2"]  # the resend is detectable: same Message-ID, attempt 2
