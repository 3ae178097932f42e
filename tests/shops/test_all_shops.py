"""Every shop in the database (`shops.service.all_shops`, what the cache warming, the outbox worker and
`tradewind stores rebuild` walk) on SQLite and PostgreSQL: all of them, in the order they were created."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tradewind.errors import NotFoundError
from tradewind.shops.models import Shop
from tradewind.shops.service import all_shops, create_shop, shop_by_id


def test_every_shop_in_the_order_they_were_created(session: Session, shop: Shop) -> None:
    before = [s.id for s in all_shops(session)]
    second = create_shop(session, code=f"{shop.code}-z", name="Second", currency="EUR")
    third = create_shop(session, code=f"{shop.code}-a", name="Third", currency="CNY")
    found = [s.id for s in all_shops(session)]
    assert found == [*before, second.id, third.id]
    assert shop.id in before and found == sorted(found)


def test_a_shop_by_its_id_and_a_clear_error_for_one_that_is_gone(session: Session, shop: Shop) -> None:
    """A job that keeps shop ids between its transactions (the brief's refresh, the mail worker, the figure cache)
    reads the shop again by id; a shop deleted meanwhile is a NotFoundError naming the id, not an assertion."""
    assert shop_by_id(session, shop.id) is shop
    missing = max(s.id for s in all_shops(session)) + 1
    with pytest.raises(NotFoundError, match=f"no shop with id {missing}"):
        shop_by_id(session, missing)
