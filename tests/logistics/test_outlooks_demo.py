"""Issue 17's checks of the delivery outlooks on the demo shop (seed 7, today 2026-12-07): no settled order at
risk, no expected p90 more than 120 days after hand-over, no pickup parcel expected more than 30 days ahead."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.demo.building import BuiltDemo, build_into_file
from tradewind.clock import start_of_day
from tradewind.db.session import make_sessionmaker
from tradewind.logistics.models import Shipment, TrackingStatus
from tradewind.logistics.watch import order_outlooks, orders_at_risk
from tradewind.orders.models import Dispute, DisputeState, Order, PaymentState
from tradewind.shops.models import Shop

TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltDemo]:
    built = build_into_file(tmp_path_factory.mktemp("outlooks") / "demo.db", seed=7, today=TODAY)
    yield built
    built.engine.dispose()


def test_the_demo_outlooks_respect_the_parcel_and_the_order(demo: BuiltDemo) -> None:
    now = datetime.combine(TODAY, time(12, 0), tzinfo=start_of_day(TODAY).tzinfo)
    with make_sessionmaker(demo.engine)() as session:
        shop = session.scalars(select(Shop)).one()
        refunded = set(session.scalars(select(Order.id).where(Order.payment_state == PaymentState.REFUNDED)))
        disputes_closed = set(session.scalars(select(Dispute.order_id).where(Dispute.state != DisputeState.OPEN)))
        # The demo has what the issue saw: refunded orders whose parcels have had no news for months.
        expired = session.scalars(select(Shipment).where(Shipment.status == TrackingStatus.EXPIRED)).all()
        assert expired and all(s.order_id in refunded for s in expired)

        at_risk = orders_at_risk(session, shop=shop, today=TODAY, now=now)
        assert at_risk
        assert not {o.order.id for o in at_risk} & (refunded | disputes_closed)
        outlooks = order_outlooks(session, shop=shop, today=TODAY, now=now)
        assert not {o.order.id for o in outlooks} & (refunded | disputes_closed)

        shipped = session.scalars(select(Shipment).where(Shipment.shop_id == shop.id)).all()
        shipped_on = {s.order_id: s.shipped_at.date() for s in sorted(shipped, key=lambda s: s.shipped_at)}
        spans = [
            (o.expected_p90_on - shipped_on[o.order.id]).days
            for o in outlooks
            if o.expected_p90_on is not None and o.order.id in shipped_on
        ]
        assert spans and max(spans) <= 120
        pickups = [
            o for o in outlooks if o.parcel is not None and o.parcel.status == TrackingStatus.AVAILABLE_FOR_PICKUP
        ]
        assert pickups
        assert all(o.expected_p90_on is None or o.expected_p90_on <= TODAY + timedelta(days=30) for o in pickups)
        # Where there is no date there is a reason that says why, or steps that say what to do.
        for o in outlooks:
            if o.parcel is not None and o.expected_p90_on is None:
                assert o.steps or {"no_estimate", "pickup_uncollected"} & set(o.reasons)
