"""What a fresh install must answer whatever SQLAlchemy release pip picked within pyproject's range (issue 18, 2):
the order page read its SKU codes with `dict(result.tuples())`, a TypeError (a 500) on SQLAlchemy 2.1."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.api.harness import bearer
from tests.api.shop_data import ShopWorld
from tradewind.logistics.models import Shipment
from tradewind.orders.models import Order


@pytest.mark.filterwarnings("error::sqlalchemy.exc.SADeprecationWarning")
def test_every_order_of_the_shop_has_its_page(client: TestClient, world: ShopWorld, db: Session) -> None:
    orders = db.scalars(select(Order).where(Order.shop_id == world.shop.id).order_by(Order.id)).all()
    assert len(orders) > 3  # the daily sales and the three orders the tests look at
    for order in orders:
        response = client.get(f"/api/v1/shops/{world.shop.code}/orders/{order.number}", headers=bearer(world, "owner"))
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["number"] == order.number
        skus = [line["sku"] for line in page["lines"]]
        assert skus and all(sku.startswith("BOOT-") for sku in skus)  # "?" when the codes were not found
    shipped = db.scalar(select(Shipment.order_id).where(Shipment.tracking_number == world.tracking_number))
    parcel_page = next(o for o in orders if o.id == shipped)
    response = client.get(
        f"/api/v1/shops/{world.shop.code}/orders/{parcel_page.number}", headers=bearer(world, "owner")
    )
    assert world.tracking_number in response.text
