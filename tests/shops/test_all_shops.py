"""Every shop in the database (`shops.service.all_shops`, what the cache warming, the outbox worker and
`tradewind stores rebuild` walk) on SQLite and PostgreSQL: all of them, in the order they were created."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tradewind.shops.models import Shop
from tradewind.shops.service import all_shops, create_shop


def test_every_shop_in_the_order_they_were_created(session: Session, shop: Shop) -> None:
    before = [s.id for s in all_shops(session)]
    second = create_shop(session, code=f"{shop.code}-z", name="Second", currency="EUR")
    third = create_shop(session, code=f"{shop.code}-a", name="Third", currency="CNY")
    found = [s.id for s in all_shops(session)]
    assert found == [*before, second.id, third.id]
    assert shop.id in before and found == sorted(found)
