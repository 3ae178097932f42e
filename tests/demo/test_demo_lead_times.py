"""The SKU page and the brief's restock card give one lead time for the same SKU and supplier on the demo (a day
when the boot factory is closed for Spring Festival: the offer's own days are far from an order's real wait)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from tests.api.harness import sign_in
from tests.api.shop_data import CHEAP, PASSWORD
from tests.demo.building import BuiltDemo
from tradewind.accounts.models import Role
from tradewind.accounts.service import create_user, grant
from tradewind.app import create_app
from tradewind.brief.models import ActionRecord
from tradewind.catalog.models import Sku
from tradewind.clock import FixedClock
from tradewind.config import Settings
from tradewind.db.session import make_sessionmaker
from tradewind.server import briefing
from tradewind.server.config import ServerSettings
from tradewind.shops.models import Shop
from tradewind.suppliers.models import Supplier, SupplyOffer


def test_the_sku_page_shows_the_cards_lead_time(demo_engine: BuiltDemo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app runs on the module's own demo file (its commits stay there), as `tradewind serve` would. The first
    page waits for the day's brief as long as it takes (10 s in production; on a loaded machine making the demo's
    brief takes longer, and the page would show none)."""
    monkeypatch.setattr(briefing, "WAIT_FOR_BRIEF_SECONDS", 300.0)
    sessions = make_sessionmaker(demo_engine.engine)
    with sessions() as session:
        shop = session.get(Shop, demo_engine.summary.shop_id)
        assert shop is not None
        user = create_user(session, email="owner@example.com", password=PASSWORD, rules=CHEAP)
        grant(session, user=user, shop=shop, role=Role.OWNER)
        session.commit()
    app = create_app(
        Settings(),
        server=ServerSettings(
            hash_time_cost=1,
            hash_memory_kib=8,
            tracking_webhook_secret=SecretStr("secret"),
            warm_caches=False,
        ),
        engine=demo_engine.engine,
        sessions=sessions,
        clock=FixedClock.on(demo_engine.today),
    )
    code = demo_engine.summary.shop_code
    with TestClient(app, base_url="http://testserver") as client:
        sign_in(client, "owner@example.com")
        assert client.get(f"/shops/{code}/today").status_code == 200  # makes the day's brief
        with sessions() as session:
            cards = list(
                session.scalars(
                    select(ActionRecord).where(
                        ActionRecord.shop_id == demo_engine.summary.shop_id, ActionRecord.kind == "restock"
                    )
                )
            )
            quoted = {
                (sku_code, supplier): (days, p90)
                for sku_code, supplier, days, p90 in session.execute(
                    select(Sku.code, Supplier.code, SupplyOffer.lead_time_days, SupplyOffer.lead_time_p90_days)
                    .join(Sku, Sku.id == SupplyOffer.sku_id)
                    .join(Supplier, Supplier.id == SupplyOffer.supplier_id)
                )
            }
        assert cards
        compared = differs = 0
        for card in cards:
            supplier = card.figures["supplier"]
            for line in card.figures["lines"][:3]:
                page = client.get(f"/shops/{code}/stock/{line['sku']}")
                assert page.status_code == 200
                row = re.search(
                    rf'/suppliers/{re.escape(supplier)}">.*?</a></td>.*?<td class="num">([^<]*)</td></tr>',
                    page.text,
                    re.S,
                )
                assert row is not None, line["sku"]
                expected = f"{line['lead_time_mean_days']:.0f} ({line['lead_time_p90_days']:.0f})"
                assert row.group(1).strip() == expected, (line["sku"], supplier)
                compared += 1
                differs += quoted[line["sku"], supplier][0] != line["lead_time_mean_days"]
        assert compared >= 3
        assert differs  # the offer's own days are not what the card says: the page no longer shows those
