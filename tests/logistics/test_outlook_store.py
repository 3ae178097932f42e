"""The outlook inputs store: folded in step by step it equals a rebuild from scratch and the records it is made of
(SQLite and PostgreSQL); orders changed below the watermarks (shipped, refunded, a dispute closed, a promise or a
parcel corrected) are found and projected again; and the outlooks read from it are those read from the records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.logistics.parcels import history, parcel, shipped_order
from tradewind.db.session import memo_scope, read_memo
from tradewind.db.stores import watermarks
from tradewind.logistics import watch
from tradewind.logistics.models import Shipment
from tradewind.logistics.outlook_store import (
    STORE,
    is_up_to_date,
    outlook_inputs,
    project,
    rebuild_outlook_inputs,
    refresh_outlook_inputs,
)
from tradewind.logistics.watch import expected_deliveries, order_outlooks, orders_at_risk
from tradewind.orders.models import Dispute, DisputeState, Order, OrderStatus, PaymentState
from tradewind.shops.models import Shop

TODAY = date(2024, 3, 20)
NOW = datetime(2024, 3, 20, 12, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days, microseconds=int(days * 1000) % 997)


def records(session: Session, shop: Shop) -> list[tuple[Any, ...]]:
    """The inputs projected from the records themselves (what the store must hold)."""
    return [tuple(row) for row in project(session, shop_id=shop.id, where=Order.id.is_not(None))]


def stored(session: Session, shop: Shop) -> list[tuple[Any, ...]]:
    assert is_up_to_date(session, shop_id=shop.id)
    return [tuple(row) for row in outlook_inputs(session, shop_id=shop.id)]


def outlooks(session: Session, shop: Shop) -> list[Any]:
    with read_memo(session):
        found = [o.to_dict() for o in order_outlooks(session, shop=shop, today=TODAY, now=NOW)]
        at_risk = [o.to_dict() for o in orders_at_risk(session, shop=shop, today=TODAY, now=NOW)]
        expected = expected_deliveries(session, shop=shop, today=TODAY, now=NOW)
    assert at_risk and {o["order"] for o in at_risk} <= {o["order"] for o in found}
    assert len(expected) == len(found)
    return [*found, *at_risk, sorted(expected.values(), key=lambda d: d or date.min)]


def travelling(session: Session, shop: Shop, days: float, events: list[tuple[float, str]], **kw: Any) -> Order:
    order = shipped_order(session, shop, placed_at=ago(days + 2), **kw)
    parcel(
        session,
        shop,
        destination=order.destination_country or "RU",
        method_code="epacket",
        shipped_at=ago(days),
        order=order,
        events=[(ago(d), text) for d, text in events],
        now=NOW,
    )
    return order


def test_folded_in_step_by_step_the_store_equals_a_rebuild_and_the_records(session: Session, shop: Shop) -> None:
    history(session, shop, destination="RU", method_code="epacket", days=[14 + i % 5 for i in range(30)], end=NOW)
    quiet = travelling(session, shop, 38, [(37, "Прием, Иу 322000"), (15, "Прибыло в сортировочный центр, Москва")])
    waiting = travelling(
        session, shop, 20, [(19, "Прием, Иу 322000"), (4, "Ожидает адресата в месте вручения, Казань")]
    )
    late = travelling(session, shop, 25, [(24, "Прием, Иу 322000")], promised_days=20)
    unshipped = shipped_order(session, shop, placed_at=ago(3), status=OrderStatus.AWAITING_SHIPMENT, promised_days=2)
    before = outlooks(session, shop)  # from the records: the store is not built
    assert not is_up_to_date(session, shop_id=shop.id)

    assert refresh_outlook_inputs(session, shop_id=shop.id) == 4  # the first refresh builds it
    assert stored(session, shop) == records(session, shop)
    assert outlooks(session, shop) == before  # read from the store now
    assert {quiet.number, waiting.number, late.number, unshipped.number} == {r[1] for r in stored(session, shop)}

    # A reader while records are past the watermarks projects the records, and writes nothing.
    newer = travelling(session, shop, 5, [(4, "Прием, Иу 322000")], promised_days=4)
    assert not is_up_to_date(session, shop_id=shop.id)
    kept = [tuple(row) for row in outlook_inputs(session, shop_id=shop.id)]
    assert kept == records(session, shop) and newer.number in {row[1] for row in kept}
    assert watermarks(session, shop_id=shop.id, store=STORE)["orders"] < newer.id

    # Step one: a new order and parcel; news of a parcel already folded in (at the pickup point now); an order
    # refunded and one whose dispute closed (edits of records below the watermarks, no new record).
    parcel(
        session,
        shop,
        destination="RU",
        method_code="epacket",
        shipped_at=ago(1),
        order=unshipped,
        events=[(ago(0.5), "Прием, Иу 322000")],
        now=NOW,
    )
    unshipped.status = OrderStatus.SHIPPED
    quiet.payment_state = PaymentState.REFUNDED
    session.add(
        Dispute(
            shop_id=shop.id,
            order_id=late.id,
            opened_at=ago(2),
            reason="not received",
            state=DisputeState.RESOLVED_SELLER,
            closed_at=ago(1),
        )
    )
    session.flush()
    assert refresh_outlook_inputs(session, shop_id=shop.id) == 4  # newer, unshipped, quiet and late
    assert stored(session, shop) == records(session, shop)
    numbers = {row[1] for row in stored(session, shop)}
    assert quiet.number not in numbers and late.number not in numbers and unshipped.number in numbers

    # Step two: the order at the pickup point collected (delivered: it leaves), a promise corrected.
    waiting.status, waiting.delivered_at = OrderStatus.DELIVERED, ago(1)
    newer.promised_delivery_on = TODAY + timedelta(days=40)
    session.flush()
    assert not is_up_to_date(session, shop_id=shop.id)
    assert refresh_outlook_inputs(session, shop_id=shop.id) == 2
    assert refresh_outlook_inputs(session, shop_id=shop.id) == 0  # nothing new: nothing written
    assert stored(session, shop) == records(session, shop)
    fresh = outlooks(session, shop)

    folded, marks = stored(session, shop), watermarks(session, shop_id=shop.id, store=STORE)
    assert rebuild_outlook_inputs(session, shop_id=shop.id) == 2
    assert stored(session, shop) == folded
    assert watermarks(session, shop_id=shop.id, store=STORE) == marks
    assert outlooks(session, shop) == fresh


def test_an_edit_of_a_parcel_below_the_watermarks_is_projected_again(session: Session, shop: Shop) -> None:
    """A parcel corrected without a new event (a shipments file imported again): the watermarks do not see it, the
    comparison of the key values does, and only that order is projected again."""
    history(session, shop, destination="RU", method_code="epacket", days=[14 + i % 5 for i in range(30)], end=NOW)
    orders = [travelling(session, shop, 10 + day, [(9 + day, "Прием, Иу 322000")]) for day in range(5)]
    refresh_outlook_inputs(session, shop_id=shop.id)
    parcel_row = session.query(Shipment).filter_by(order_id=orders[2].id).one()
    parcel_row.shipped_at = parcel_row.shipped_at - timedelta(days=3, seconds=1)
    parcel_row.destination_country = "BY"
    session.flush()
    assert not is_up_to_date(session, shop_id=shop.id)
    assert refresh_outlook_inputs(session, shop_id=shop.id) == 1
    assert stored(session, shop) == records(session, shop)
    # A parcel deleted goes with its order's inputs (the foreign key): the order is open still, and projected again
    # with no parcel.
    session.delete(parcel_row)
    session.flush()
    session.expire_all()
    assert not is_up_to_date(session, shop_id=shop.id)
    assert refresh_outlook_inputs(session, shop_id=shop.id) == 1
    assert stored(session, shop) == records(session, shop)
    row = next(r for r in stored(session, shop) if r[0] == orders[2].id)
    assert row[8] is None  # no parcel


def test_the_outlooks_are_let_go_with_their_scope_and_the_expected_deliveries_kept(
    session: Session, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The brief's notify_delay reads every open order's outlook within its own memo scope; those figures are let go
    at its end, and the replies that ask for the expected deliveries later get the same dates without the outlooks
    being worked out again."""
    history(session, shop, destination="RU", method_code="epacket", days=[14 + i % 5 for i in range(30)], end=NOW)
    travelling(session, shop, 25, [(24, "Прием, Иу 322000")], promised_days=20)
    travelling(session, shop, 6, [(5, "Прием, Иу 322000")], promised_days=30)
    shipped_order(session, shop, placed_at=ago(3), status=OrderStatus.AWAITING_SHIPMENT, promised_days=2)
    fresh = expected_deliveries(session, shop=shop, today=TODAY, now=NOW)
    computed: list[int] = []
    real = watch._order_outlooks

    def counted(*args: Any, **kw: Any) -> list[tuple[int, dict[str, Any]]]:
        computed.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(watch, "_order_outlooks", counted)
    with read_memo(session):
        with memo_scope(session):
            assert orders_at_risk(session, shop=shop, today=TODAY, now=NOW)
            orders_at_risk(session, shop=shop, today=TODAY, now=NOW)
        assert computed == [1]
        assert not [k for k in session.info["tradewind.read_memo"] if k[0] == "order_outlook_figures"]
        assert expected_deliveries(session, shop=shop, today=TODAY, now=NOW) == fresh and len(fresh) == 3
        assert computed == [1]
        with memo_scope(session):  # asked for again after its scope: worked out again
            orders_at_risk(session, shop=shop, today=TODAY, now=NOW)
        assert computed == [1, 1]
