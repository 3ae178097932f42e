"""The shop's parcels a page at a time (`logistics.service.shipments_page`, the API's shipment list) on SQLite and
PostgreSQL: newest first, keyset by id, each filter on its own and together, another shop's parcels never; and an
order's tracking numbers (`tracking_numbers_of_order`, the API's order detail)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from tests.logistics.parcels import parcel, shipped_order
from tradewind.logistics.models import TrackingStatus
from tradewind.logistics.service import shipments_page, tracking_numbers_of_order
from tradewind.shops.models import Shop
from tradewind.shops.service import create_shop

SHIPPED = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_parcels_newest_first_filtered_and_a_page_at_a_time(session: Session, shop: Shop) -> None:
    made = [
        parcel(
            session,
            shop,
            destination=destination,
            method_code="epacket",
            shipped_at=SHIPPED + timedelta(days=n),
            delivered_at=SHIPPED + timedelta(days=n + 12) if delivered else None,
        )
        for n, (destination, delivered) in enumerate(
            [("RU", True), ("ES", False), ("RU", False), ("US", True), ("RU", True), ("ES", False)]
        )
    ]
    elsewhere = create_shop(session, code=f"{shop.code}-b", name="Another shop", currency="USD")
    parcel(session, elsewhere, destination="RU", method_code="epacket", shipped_at=SHIPPED)
    newest_first = [p.id for p in reversed(made)]

    def ids(
        *,
        limit: int,
        before_id: int | None = None,
        status: TrackingStatus | None = None,
        destination: str | None = None,
        undelivered: bool = False,
    ) -> list[int]:
        found = shipments_page(
            session,
            shop_id=shop.id,
            limit=limit,
            before_id=before_id,
            status=status,
            destination=destination,
            undelivered=undelivered,
        )
        return [s.id for s in found]

    assert ids(limit=50) == newest_first
    first = ids(limit=4)
    assert first == newest_first[:4]
    assert ids(limit=4, before_id=first[-1]) == newest_first[4:]
    assert ids(limit=50, destination="ru") == [made[4].id, made[2].id, made[0].id]
    assert ids(limit=50, undelivered=True) == [made[5].id, made[2].id, made[1].id]
    assert ids(limit=50, status=TrackingStatus.DELIVERED) == [made[4].id, made[3].id, made[0].id]
    assert ids(limit=50, destination="RU", undelivered=True) == [made[2].id]
    assert ids(limit=1, destination="ES", before_id=made[5].id) == [made[1].id]


def test_an_orders_tracking_numbers_in_the_order_of_hand_over(session: Session, shop: Shop) -> None:
    order = shipped_order(session, shop, placed_at=SHIPPED - timedelta(days=2))
    other = shipped_order(session, shop, placed_at=SHIPPED - timedelta(days=2))
    later = parcel(
        session, shop, destination="RU", method_code="epacket", shipped_at=SHIPPED + timedelta(days=3), order=order
    )
    first = parcel(session, shop, destination="RU", method_code="epacket", shipped_at=SHIPPED, order=order)
    parcel(session, shop, destination="RU", method_code="epacket", shipped_at=SHIPPED, order=other)
    found = tracking_numbers_of_order(session, shop_id=shop.id, order_id=order.id)
    assert found == [first.tracking_number, later.tracking_number]
    assert tracking_numbers_of_order(session, shop_id=shop.id + 1, order_id=order.id) == []
