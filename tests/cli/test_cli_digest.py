"""`tradewind digest` for cron users: today's brief e-mailed to each owner through the outbox and a real SMTP server
(aiosmtpd), grouped by urgency with links to the action pages; run twice the same day, it sends nothing more."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.api.shop_data import CHEAP, PASSWORD
from tests.cli.test_cli_brief import TODAY, invoke, shop_db
from tests.messaging.smtp_server import Recorder, start
from tradewind.accounts.models import Role
from tradewind.accounts.service import create_user, grant
from tradewind.brief.models import ActionRecord, ActionState
from tradewind.db.session import make_engine
from tradewind.messaging.mail_server import MailServerForm, set_mail_server
from tradewind.messaging.models import OutboxMessage
from tradewind.shops.service import get_shop

__all__ = ["shop_db"]


def add_owner_and_server(path: str, port: int | None) -> None:
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        shop = get_shop(session, code="boots")
        for email, role in (("owner@example.com", Role.OWNER), ("staff@example.com", Role.STAFF)):
            user = create_user(session, email=email, password=PASSWORD, name=email, rules=CHEAP)
            grant(session, user=user, shop=shop, role=role)
        if port is not None:
            form = MailServerForm(
                host="127.0.0.1", port=port, username=None, password=None, from_address="shop@example.com", tls="none"
            )
            set_mail_server(session, shop=shop, form=form, now=datetime.now(UTC), actor="test")
        session.commit()
    engine.dispose()


def test_the_digest_reaches_each_owner_once_a_day(shop_db: str) -> None:
    recorder = Recorder()
    controller = start(recorder)
    try:
        add_owner_and_server(shop_db, controller.port)
        args = ("digest", "--db", shop_db, "--today", TODAY, "--url", "https://tw.example.com")
        code, out, err = invoke(*args)
        assert code == 0, err
        assert f"owner@example.com: digest of {TODAY} queued" in out and "1 e-mail sent (1 digest)" in out
        code, out, err = invoke(*args, "--json")
        assert code == 0, err
        again = json.loads(out)
        assert [o["queued_now"] for o in again["owners"]] == [False] and again["sent"] == []
    finally:
        controller.stop()
    assert len(recorder.received) == 1  # the staff member gets none, the owner one, however often it runs
    mail = recorder.received[0]
    assert mail["to"] == ["owner@example.com"] and mail["subject"].startswith("Hua Yuye Shoes: ")
    engine = make_engine(f"sqlite:///{shop_db}")
    with Session(engine) as session:
        open_ids = set(session.scalars(select(ActionRecord.id).where(ActionRecord.state == ActionState.OPEN)).all())
        stored = session.scalars(select(OutboxMessage).where(OutboxMessage.situation == "morning_digest")).all()
    engine.dispose()
    linked = {int(n) for n in re.findall(r"https://tw\.example\.com/shops/boots/actions/(\d+)", mail["body"])}
    assert linked and linked <= open_ids
    assert "Due today" in mail["body"] or "Overdue" in mail["body"] or "Due this week" in mail["body"]
    assert len(stored) == 1 and mail["message_id"] == stored[0].mail_message_id
    assert mail["html"] is not None and "<ul>" in mail["html"]


def test_without_a_mail_server_the_digest_waits_in_the_outbox(shop_db: str) -> None:
    add_owner_and_server(shop_db, None)
    code, out, err = invoke("digest", "--db", shop_db, "--today", TODAY, "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["waiting_for_mail_server"] is True and payload["sent"] == []
    assert [o["owner"] for o in payload["owners"]] == ["owner@example.com"]
