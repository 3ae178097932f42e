"""The delay notice on a small shop: written only for parcels still on their way (not for one waiting at the buyer's
post office), saying 'later than promised' only when the estimate is after the promise, with the records' dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.action import BriefContext
from tradewind.config import Settings
from tradewind.logistics.watch import OrderAtRisk, ParcelFacts
from tradewind.messaging import producers
from tradewind.messaging.producers import NotifyDelayProducer
from tradewind.orders.models import Order, OrderStatus
from tradewind.shops.models import Shop

TODAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)


def parcel(status: str, substatus: str | None = None) -> ParcelFacts:
    return ParcelFacts(
        tracking_number="LP00000010227896",
        carrier_method="AliExpress Standard Shipping",
        status=status,
        status_words=status,
        substatus=substatus,
        last_event=None,
        last_event_at=None,
        location="Москва",
        shipped_on=date(2026, 11, 10),
        days_since_shipping=27,
    )


def outlook(order: Order, the_parcel: ParcelFacts, *, p90: date, reasons: tuple[str, ...]) -> OrderAtRisk:
    promised = date(2026, 12, 15)
    return OrderAtRisk(
        order=order,
        reason=reasons[0],
        reason_words="expected late",
        reasons=reasons,
        promised_on=promised,
        expected_p50_on=p90 - timedelta(days=5),
        expected_p90_on=p90,
        days_late=max(0, (p90 - promised).days),
        lane=None,
        estimate_source=None,
        parcel=the_parcel,
        restrictions=(),
    )


@pytest.fixture
def orders(session: Session, shop: Shop, monkeypatch: pytest.MonkeyPatch) -> dict[str, Order]:
    sku = f.sku(session, shop, "BOOT-38")
    made = {
        name: f.order(
            session,
            shop,
            [(sku, 1)],
            placed_at=NOW - timedelta(days=30),
            the_buyer=f.buyer(session, shop, language=language, name=name),
            status=OrderStatus.SHIPPED,
            total="46.50",
        )
        for name, language in (("Мария", "ru"), ("Ольга", "ru"), ("נועה", "he"))
    }
    found = [
        # Waiting at the post office since 29 Nov: the pickup reminder speaks, not a delay notice.
        outlook(made["Мария"], parcel("AvailableForPickup"), p90=date(2027, 3, 28), reasons=("late",)),
        outlook(made["Ольга"], parcel("InTransit"), p90=date(2026, 12, 28), reasons=("late",)),
        # Held by customs, estimate still within the promise.
        outlook(made["נועה"], parcel("Exception", "customs_hold"), p90=date(2026, 12, 12), reasons=("customs_hold",)),
    ]
    monkeypatch.setattr(producers, "orders_at_risk", lambda session, *, shop, today, now: found)
    return made


def test_delay_notices_only_for_parcels_on_their_way(session: Session, shop: Shop, orders: dict[str, Order]) -> None:
    context = BriefContext(today=TODAY, now=NOW, settings=Settings())
    producer = NotifyDelayProducer()
    actions = producer.order_actions(session, shop=shop, context=context)
    assert not producer._outlooks  # the outlooks (and their orders as records) are let go once the actions are made
    by_order: dict[str, Any] = {a.subject: a for a in actions}
    assert set(by_order) == {orders["Ольга"].number, orders["נועה"].number}
    (late,) = by_order[orders["Ольга"].number].steps
    assert "позже, чем мы обещали" in late["body"]
    assert "15 декабря 2026\u202fг., теперь рассчитываем примерно на 28 декабря 2026\u202fг." in late["body"]
    (held,) = by_order[orders["נועה"].number].steps
    assert "מאוחר יותר ממה שהבטחנו" not in held["body"] and "מתעכבת בדרך" in held["body"]
    assert "12 בדצמבר" not in held["body"]  # the estimate does not see the customs hold: no date is promised


def test_a_delay_notice_promises_no_date_where_the_curve_gives_no_p90() -> None:
    """The median alone is no date to promise a buyer: where the lane cannot place the parcel at its 90th percentile
    the notice gives none (it gave the p50 before)."""
    from types import SimpleNamespace

    from tradewind.messaging.producers import _expected

    today = date(2026, 12, 7)
    median_only = SimpleNamespace(expected_p90_on=None, expected_p50_on=date(2026, 12, 20))
    both = SimpleNamespace(expected_p90_on=date(2026, 12, 28), expected_p50_on=date(2026, 12, 20))
    passed = SimpleNamespace(expected_p90_on=date(2026, 12, 1), expected_p50_on=date(2026, 11, 28))
    # Stand-ins for an OrderAtRisk with only the two dates _expected reads (hence the arg-type ignores below).
    assert _expected(median_only, today) is None  # type: ignore[arg-type]
    assert _expected(both, today) == date(2026, 12, 28)  # type: ignore[arg-type]
    assert _expected(passed, today) is None  # type: ignore[arg-type]
