"""The morning digest: due at the shop's own time on its own clock, queued once per owner and local day (run twice:
one message each, with one stable Message-ID), e-mail to owners only, grouped by urgency with links to the actions."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.api.shop_data import CHEAP, PASSWORD
from tradewind.accounts.models import Role
from tradewind.accounts.service import create_user, grant
from tradewind.brief.digest import compose_digest, digest_queued, digest_time_has_come, queue_digests
from tradewind.messaging.models import OutboxMessage, OutboxState
from tradewind.shops.models import Shop

DAY = date(2026, 3, 2)


def test_the_digest_is_due_at_the_shops_own_time(shop: Shop) -> None:
    assert (shop.timezone, shop.digest_at) == ("Asia/Shanghai", time(7, 30))
    assert not digest_time_has_come(shop, datetime(2026, 3, 1, 23, 29, tzinfo=UTC))  # 07:29 in Shanghai
    assert digest_time_has_come(shop, datetime(2026, 3, 1, 23, 30, tzinfo=UTC))  # 07:30 in Shanghai
    shop.timezone, shop.digest_at = "America/New_York", time(6, 0)
    assert not digest_time_has_come(shop, datetime(2026, 3, 2, 10, 59, tzinfo=UTC))  # 05:59 in New York (EST)
    assert digest_time_has_come(shop, datetime(2026, 3, 2, 11, 0, tzinfo=UTC))


def test_the_digest_is_queued_once_per_owner_and_day(session: Session, shop: Shop) -> None:
    owners = []
    for role in (Role.OWNER, Role.OWNER, Role.STAFF, Role.VIEWER):
        email = f"{role.value}-{uuid.uuid4().hex[:6]}@example.com"
        user = create_user(session, email=email, password=PASSWORD, name=email, rules=CHEAP)
        grant(session, user=user, shop=shop, role=role)
        if role == Role.OWNER:
            owners.append(email)
    now = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert not digest_queued(session, shop_id=shop.id, day=DAY)
    first = queue_digests(session, shop=shop, today=DAY, now=now, base_url="https://tw.example.com")
    second = queue_digests(session, shop=shop, today=DAY, now=now, base_url="https://tw.example.com")
    assert [r.owner for r in first] == owners and all(r.queued_now for r in first)
    assert [r.message_id for r in second] == [r.message_id for r in first] and not any(r.queued_now for r in second)
    assert digest_queued(session, shop_id=shop.id, day=DAY)
    stored = session.scalars(select(OutboxMessage).where(OutboxMessage.shop_id == shop.id)).all()
    assert sorted(m.address or "" for m in stored) == sorted(owners)
    assert all(m.state == OutboxState.QUEUED and m.channel == "email" and m.body_html for m in stored)
    assert len({m.mail_message_id for m in stored}) == 2
    tomorrow = queue_digests(session, shop=shop, today=date(2026, 3, 3), now=now, base_url=None)
    assert all(r.queued_now for r in tomorrow)  # a new day, a new digest
    for message in stored:  # yesterday's, never sent (no mail server then), is not sent late beside it
        session.refresh(message)
        assert message.state == OutboxState.CANCELLED


def test_an_empty_brief_says_so(session: Session, shop: Shop) -> None:
    digest = compose_digest(session, shop=shop, today=DAY, base_url=None)
    assert digest.open_count == 0 and "Nothing to do this morning." in digest.text
    assert f"/shops/{shop.code}/today" in digest.text
