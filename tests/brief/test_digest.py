"""The morning digest: due at the shop's own time on its own clock, queued once per owner and local day (run twice:
one message each, with one stable Message-ID), e-mail to owners only, grouped by urgency with links to the actions."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.api.shop_data import CHEAP, PASSWORD
from tests.brief.test_one_voice import Fixed
from tradewind.accounts.models import Role
from tradewind.accounts.service import create_user, grant
from tradewind.action import Action, BriefContext
from tradewind.brief.digest import compose_digest, digest_queued, digest_time_has_come, queue_digests
from tradewind.brief.service import refresh_brief
from tradewind.config import Settings
from tradewind.messaging.models import OutboxMessage, OutboxState
from tradewind.shops.models import Shop
from tradewind.wording import Day, joined, phrase

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


def test_each_owner_reads_the_digest_in_their_own_language(session: Session, shop: Shop) -> None:
    title = phrase("Overstock %(sku)s: %(state)s — pause purchasing, promote it", sku="SH-9", state=phrase("no sales"))
    why = phrase("Also %(skus)s.", skus=joined(phrase("%(sku)s out %(day)s", sku="SH-8", day=Day(DAY, "day_month"))))
    overstock = Action(
        kind="overstock",
        key="overstock:SH-9",
        subject_kind="sku",
        subject="SH-9",
        due=date(2026, 3, 1),
        title=title.english(),
        title_phrase=title,
        why=why.english(),
        why_phrase=why,
        value_at_risk=Decimal("10"),
    )
    context = BriefContext(today=DAY, now=datetime(2026, 3, 2, 0, 0, tzinfo=UTC), settings=Settings())
    refresh_brief(session, shop=shop, context=context, producers=[Fixed(("overstock",), [overstock])])
    for locale in ("zh", "en"):
        email = f"{locale}-{uuid.uuid4().hex[:6]}@example.com"
        user = create_user(session, email=email, password=PASSWORD, name=email, locale=locale, rules=CHEAP)
        grant(session, user=user, shop=shop, role=Role.OWNER)
    rows = queue_digests(session, shop=shop, today=DAY, now=context.now, base_url=None)
    sent = {row.owner[:2]: session.get(OutboxMessage, row.message_id) for row in rows}
    chinese, english = sent["zh"], sent["en"]
    assert chinese is not None and english is not None
    assert chinese.locale == "zh" and chinese.subject == f"{shop.name}：2026年3月2日 有 1 项待办，1 项已逾期"
    assert "早上好。" in chinese.body and "已逾期 (1)" in chinese.body and "（截止 2026年3月1日）" in chinese.body
    assert "SH-9 库存积压：无销售" in chinese.body and "另有 SH-8 3月2日断货。" in chinese.body
    assert chinese.body_html is not None and "完整简报</a>" in chinese.body_html
    # A reader's English: Babel's dates throughout, not the stored English's "02 Mar" and ISO days (wording.for_reader)
    assert english.locale == "en" and english.subject == f"{shop.name}: 1 open action on Mar 2, 2026, 1 overdue"
    assert "- Overstock SH-9: no sales — pause purchasing, promote it (due Mar 1, 2026)\n  Also SH-8 out Mar 2.\n" in (
        english.body
    )
    assert "2026-03-0" not in english.body and "02 Mar" not in english.body
    # A user's language is one the dashboard has (en, zh); the digest itself reads in every language of the brief.
    russian = compose_digest(session, shop=shop, today=DAY, base_url=None, locale="ru")
    assert russian.subject == f"{shop.name}: 1 открытое действие на 2 мар. 2026\u202fг., просрочено: 1"
    assert "Доброе утро." in russian.text and "Также SH-8 (закончится 2 мар.)." in russian.text
