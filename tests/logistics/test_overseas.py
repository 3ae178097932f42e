"""Overseas stock or direct shipping (`seeds/004`): the arithmetic, and the comparison from the shop's records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests import factories as f
from tests.logistics.parcels import history
from tradewind.errors import NotFoundError
from tradewind.logistics.overseas import SkuDemand, StockingInputs, compare_overseas, compare_stocking
from tradewind.shops.models import Shop

TODAY = date(2024, 3, 20)
NOW = datetime(2024, 3, 20, 12, tzinfo=UTC)


def inputs(**changes: Any) -> StockingInputs:
    base: dict[str, Any] = {
        "destination": "FR",
        "skus": (SkuDemand("COSMETIC-SET", 5.0, Decimal("20.00")),),
        "currency": "USD",
        "direct_method": "epacket",
        "direct_cost_per_parcel": Decimal("6.00"),
        "direct_p50_days": 10,
        "direct_p90_days": 14,
    }
    base.update(changes)
    return StockingInputs(**base)


def test_a_week_of_five_sets_a_day_is_thirty_five_sets() -> None:
    result = compare_stocking(inputs())
    (row,) = result.skus
    assert row.batch_units == 35
    # Freight 0.80 + local 3.50 + holding 20 × 25% × (3.5 + 25) / 365 + storage 0.02 × 3.5.
    assert row.overseas_cost_per_unit == Decimal("4.76")
    assert row.direct_cost_per_unit == Decimal("6.00")
    assert result.direct_cost == Decimal("210.00") and result.overseas_cost == Decimal("166.61")
    assert result.recommendation == "overseas" and "saves 43.39 USD per 7 days" in result.reason
    assert row.capital_tied_up == Decimal("700.00")


def test_direct_wins_when_parcels_are_cheap_unless_it_breaks_the_promise() -> None:
    cheap = compare_stocking(inputs(direct_cost_per_parcel=Decimal("2.00"), promise_days=30))
    assert cheap.recommendation == "direct" and cheap.direct_meets_promise is True
    late = compare_stocking(inputs(direct_cost_per_parcel=Decimal("2.00"), direct_p90_days=40, promise_days=30))
    assert late.recommendation == "overseas" and "misses the 30-day promise" in late.reason


def test_no_sales_means_nothing_to_stock() -> None:
    result = compare_stocking(inputs(skus=(SkuDemand("A", 0.0, Decimal(10)),)))
    assert result.recommendation == "direct" and result.skus[0].batch_units == 0


def test_from_the_shop_records(session: Session, shop: Shop) -> None:
    boot = f.sku(session, shop, "BOOT-38", price="40.00")
    buyer = f.buyer(session, shop, country="DE", language="de")
    for back in range(1, 29):
        order = f.order(session, shop, [(boot, 2)], placed_at=NOW - timedelta(days=back), the_buyer=buyer)
        order.shipping_method = "epacket"
    history(
        session,
        shop,
        destination="DE",
        method_code="epacket",
        days=[9 + i % 4 for i in range(30)],
        end=NOW,
        cost="5.00",
    )
    result = compare_overseas(
        session, shop=shop, skus=["BOOT-38"], destination="DE", today=TODAY, now=NOW, cover_days=14
    )
    payload = result.to_dict()
    assert payload["skus"][0]["units_per_day"] == 2.0 and payload["skus"][0]["batch_units"] == 28
    assert payload["direct"]["method"] == "epacket" and payload["direct"]["cost_per_parcel"] == "5.00"
    assert payload["direct"]["p90_days"] is not None and payload["cover_days"] == 14
    # Two boots per order: one parcel carries both.
    assert payload["skus"][0]["direct_cost_per_unit"] == "2.50"
    with pytest.raises(NotFoundError):
        compare_overseas(session, shop=shop, skus=["NOPE"], destination="DE", today=TODAY, now=NOW)
