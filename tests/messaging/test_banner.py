"""The shop banner's facts on a small shop: delivery ranges only from lanes with enough delivered parcels, and the
Spring Festival closure only when the shop has suppliers that close for it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.action import BriefContext
from tradewind.config import Settings
from tradewind.logistics.transit.lanes import Lane
from tradewind.messaging import banner
from tradewind.shops.models import Shop
from tradewind.suppliers.models import SupplierStatus

TODAY = date(2027, 1, 25)  # the 2027 Spring Festival closure runs 30 Jan – 21 Feb (New Year 6 Feb, 7 + 15 days)


def context(settings: Settings | None = None) -> BriefContext:
    return BriefContext(today=TODAY, now=datetime(2027, 1, 25, 9, tzinfo=UTC), settings=settings or Settings())


def lane(destination: str, delivered: int, in_transit: int, p50: int, p90: int) -> Any:
    estimate = SimpleNamespace(
        lane=Lane(origin="CN", destination=destination, method="EPACKET"),
        blocked=False,
        n_delivered=delivered,
        n_in_transit=in_transit,
        p50_days=p50,
        p90_days=p90,
        slowed_by_days=0,
    )
    return SimpleNamespace(estimate=estimate)


@pytest.fixture
def lanes(monkeypatch: pytest.MonkeyPatch) -> None:
    found = [lane("ES", 30, 5, 12, 20), lane("RU", 0, 4, 2, 2), lane("BY", 9, 1, 15, 25), lane("KZ", 10, 0, 16, 30)]
    monkeypatch.setattr(banner, "lane_statistics", lambda session, *, shop, now: found)


def test_ranges_come_only_from_lanes_with_enough_delivered_parcels(session: Session, shop: Shop, lanes: None) -> None:
    facts = banner.banner_facts(session, shop=shop, context=context())
    # RU: four parcels still travelling, none delivered ("2–2 days"); BY: 9 delivered, one short of 10. Neither shows.
    assert sorted((r["countries"], r["low"], r["high"]) for r in facts.ranges) == [(["ES"], 12, 20), (["KZ"], 16, 30)]
    stricter = banner.banner_facts(session, shop=shop, context=context(Settings(banner_min_delivered_parcels=20)))
    assert [r["countries"] for r in stricter.ranges] == [["ES"]]


def test_no_supplier_no_closure_notice(session: Session, shop: Shop, lanes: None) -> None:
    assert banner.banner_facts(session, shop=shop, context=context()).closure_until is None
    f.supplier(session, shop, "SUP-TR", name="Istanbul Shoes", calendar="TR")
    assert banner.banner_facts(session, shop=shop, context=context()).closure_until is None


def test_the_closure_notice_names_when_the_shops_closed_suppliers_reopen(
    session: Session, shop: Shop, lanes: None
) -> None:
    working = f.supplier(session, shop, "SUP-A")
    f.status_report(session, shop, working, SupplierStatus.OPERATING, reported_on=date(2027, 1, 31))
    late = f.supplier(session, shop, "SUP-B")
    # Reported in the future of TODAY: not known yet, so SUP-A counts as closing with the festival.
    assert banner.banner_facts(session, shop=shop, context=context()).closure_until == date(2027, 2, 21)
    f.status_report(
        session, shop, late, SupplierStatus.CLOSED, reported_on=date(2027, 1, 20), reopens_on=date(2027, 2, 25)
    )
    assert banner.banner_facts(session, shop=shop, context=context()).closure_until == date(2027, 2, 25)
    epidemic = f.supplier(session, shop, "SUP-C")
    f.status_report(
        session, shop, epidemic, SupplierStatus.CLOSED, reported_on=date(2026, 12, 1), reopens_on=date(2026, 12, 21)
    )
    # An earlier, unrelated closure does not move the festival's reopening.
    assert banner.banner_facts(session, shop=shop, context=context()).closure_until == date(2027, 2, 25)
