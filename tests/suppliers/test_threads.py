"""Supplier threads on SQLite and PostgreSQL: messages in and out give response times and what waits for an answer;
status reports the seller enters are what planning reads; dates in a reply are offered as a status."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.errors import NotFoundError, ValidationError
from tradewind.shops.models import Shop
from tradewind.suppliers.models import MessageDirection, SupplierStatus
from tradewind.suppliers.service import latest_status_reports, record_supplier_message, unanswered_since
from tradewind.suppliers.threads import (
    report_supplier_status,
    status_hint,
    thread_statistics,
)

NOW = datetime(2026, 2, 10, 9, tzinfo=UTC)
OUT, IN = MessageDirection.OUTGOING, MessageDirection.INCOMING


def test_response_times_and_silence(session: Session, shop: Shop) -> None:
    supplier = f.supplier(session, shop, "SUP-WZ")
    for hours_ago, direction in ((100, OUT), (96, OUT), (90, IN), (50, OUT), (40, IN), (30, OUT)):
        record_supplier_message(
            session,
            shop=shop,
            supplier_code="SUP-WZ",
            direction=direction,
            text="…",
            at=NOW - timedelta(hours=hours_ago),
        )
    stats = thread_statistics(session, shop=shop, now=NOW)[0]
    assert stats.supplier == "SUP-WZ" and stats.messages == 6 and stats.answered == 2
    assert stats.median_response_hours == 10.0 and stats.last_response_hours == 10.0  # 100→90 and 50→40
    assert stats.unanswered_since == NOW - timedelta(hours=30) and stats.unanswered_hours == 30.0
    assert unanswered_since(session, shop_id=shop.id)[supplier.id] == NOW - timedelta(hours=30)


def test_status_reports_are_what_planning_reads(session: Session, shop: Shop) -> None:
    supplier = f.supplier(session, shop, "SUP-PT")
    report_supplier_status(
        session,
        shop=shop,
        supplier_code="SUP-PT",
        today=NOW.date(),
        closed_until=date(2026, 2, 24),
        restock_on=date(2026, 3, 2),
        note="春节放假",
    )
    latest = latest_status_reports(session, shop_id=shop.id, as_of=NOW.date())[supplier.id]
    assert latest.status == SupplierStatus.CLOSED and latest.reopens_on == date(2026, 2, 24)
    assert latest.restock_on == date(2026, 3, 2) and latest.source == "seller"
    with pytest.raises(ValidationError, match="after today"):
        report_supplier_status(
            session, shop=shop, supplier_code="SUP-PT", today=NOW.date(), closed_until=date(2026, 2, 1)
        )
    with pytest.raises(NotFoundError):
        report_supplier_status(session, shop=shop, supplier_code="NOPE", today=NOW.date())
    with pytest.raises(ValidationError):
        record_supplier_message(session, shop=shop, supplier_code="SUP-PT", direction=IN, text="  ", at=NOW)


def test_dates_in_a_reply_are_read_as_a_status_hint() -> None:
    hint = status_hint("我们2月24日复工，3月2日左右可以发货", today=date(2026, 2, 10))
    assert hint.closed_until == date(2026, 2, 24) and hint.restock_on == date(2026, 3, 2)
    hint = status_hint("We reopen on 2026-02-24 and can ship from 2026-03-01", today=date(2026, 2, 10))
    assert hint.closed_until == date(2026, 2, 24) and hint.restock_on == date(2026, 3, 1)
    assert not status_hint("好的，收到", today=date(2026, 2, 10)).found
