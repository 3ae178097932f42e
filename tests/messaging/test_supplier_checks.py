"""The supplier_check producer on SQLite and PostgreSQL: it asks in the supplier's language and waits before asking
again, and its reply time is the threads' and the supplier page's median."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.action import BriefContext
from tradewind.config import Settings
from tradewind.messaging.supplier_checks import SupplierCheckProducer
from tradewind.shops.models import Shop
from tradewind.suppliers.models import MessageDirection
from tradewind.suppliers.overview import supplier_overview
from tradewind.suppliers.service import record_supplier_message
from tradewind.suppliers.threads import (
    thread_statistics,
)

NOW = datetime(2026, 2, 10, 9, tzinfo=UTC)
OUT, IN = MessageDirection.OUTGOING, MessageDirection.INCOMING


def test_supplier_check_asks_in_its_language_then_waits(session: Session, shop: Shop) -> None:
    supplier = f.supplier(session, shop, "SUP-GZ", name="广州美澜鞋厂")
    f.offer(session, shop, supplier, f.sku(session, shop, "BOOT-38"))
    context = BriefContext(today=NOW.date(), now=NOW, settings=Settings())
    producer = SupplierCheckProducer()
    action = producer.actions(session, shop=shop, context=context)[0]
    assert action.kind == "supplier_check" and action.steps[0]["locale"] == "zh"
    assert "BOOT-38" in action.steps[0]["body"] and "复工" in action.steps[0]["body"]
    record_supplier_message(session, shop=shop, supplier_code="SUP-GZ", direction=OUT, text="您好", at=NOW)
    assert producer.actions(session, shop=shop, context=context) == []  # asked: give them time
    two_days = NOW + timedelta(hours=60)
    later = BriefContext(today=two_days.date(), now=two_days, settings=Settings())
    chase = producer.actions(session, shop=shop, context=later)[0]
    assert "again" in chase.title and "再次询问" in chase.steps[0]["subject"]


def test_one_median_reply_time_for_the_brief_and_the_supplier_page(session: Session, shop: Shop) -> None:
    """Two answers, after 2 h and 4 h: the median is 3.0 h in the brief's words and figures, on the supplier page
    and in the thread statistics (the brief took the upper middle one, 4 h)."""
    supplier = f.supplier(session, shop, "SUP-NB", name="Ningbo Boots")
    f.offer(session, shop, supplier, f.sku(session, shop, "BOOT-39"))
    for hours_ago, direction in ((50, OUT), (48, IN), (30, OUT), (26, IN)):
        record_supplier_message(
            session,
            shop=shop,
            supplier_code="SUP-NB",
            direction=direction,
            text="…",
            at=NOW - timedelta(hours=hours_ago),
        )
    context = BriefContext(today=NOW.date(), now=NOW, settings=Settings())
    (action,) = SupplierCheckProducer().actions(session, shop=shop, context=context)
    assert "It usually answers in 3 h." in action.why
    assert action.figures["median_response_hours"] == 3.0
    page = supplier_overview(session, shop_id=shop.id, code="SUP-NB", today=NOW.date(), now=NOW, settings=Settings())
    assert page.responses.answered == 2 and page.responses.median_hours == 3.0
    assert page.responses.p90_hours == 4.0
    assert thread_statistics(session, shop=shop, now=NOW)[0].median_response_hours == 3.0
