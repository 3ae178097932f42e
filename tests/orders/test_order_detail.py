"""One order as its page shows it (`orders.service.order_detail`, the API's `GET /orders/{number}`) on SQLite and
PostgreSQL: its buyer, its lines in line order each with its SKU's code; another shop's order is not found."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.catalog.service import sku_codes
from tradewind.errors import NotFoundError
from tradewind.orders.service import order_detail
from tradewind.shops.models import Shop
from tradewind.shops.service import create_shop

PLACED = datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_an_order_with_its_buyer_and_each_line_with_its_sku_code(session: Session, shop: Shop) -> None:
    boot, sandal = f.sku(session, shop, "BOOT-38"), f.sku(session, shop, "SANDAL-40")
    buyer = f.buyer(session, shop, name="Ольга")
    order = f.order(session, shop, [(sandal, 2), (boot, 1), (sandal, 3)], placed_at=PLACED, the_buyer=buyer)
    f.order(session, shop, [(boot, 9)], placed_at=PLACED)

    detail = order_detail(session, shop_id=shop.id, number=order.number)
    assert detail.order.id == order.id
    assert detail.order.buyer is not None and detail.order.buyer.name == "Ольга"
    assert [(line.line_no, code, line.quantity) for line, code in detail.lines] == [
        (1, "SANDAL-40", 2),
        (2, "BOOT-38", 1),
        (3, "SANDAL-40", 3),
    ]


def test_another_shops_order_and_skus_are_not_this_shops(session: Session, shop: Shop) -> None:
    elsewhere = create_shop(session, code=f"{shop.code}-b", name="Another shop", currency="USD")
    theirs = f.sku(session, elsewhere, "BOOT-38")
    order = f.order(session, elsewhere, [(theirs, 1)], placed_at=PLACED)
    with pytest.raises(NotFoundError):
        order_detail(session, shop_id=shop.id, number=order.number)
    ours = f.sku(session, shop, "BOOT-38")
    assert sku_codes(session, shop_id=shop.id, sku_ids=[ours.id, theirs.id]) == {ours.id: "BOOT-38"}
    assert sku_codes(session, shop_id=shop.id, sku_ids=[]) == {}
