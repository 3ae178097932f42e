"""`tradewind plan --json` and the API's stored plan (GET /api/v1/shops/{shop}/plans) give the same figures, with
the same rounding (planning.schemas), for SKUs whose rates need more than two places."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests import factories as f
from tests.api.shop_data import CHEAP
from tradewind.accounts.models import Role
from tradewind.accounts.service import create_user, grant, issue_token
from tradewind.app import create_app
from tradewind.cli.main import app as cli
from tradewind.clock import FixedClock
from tradewind.config import Settings
from tradewind.db.session import make_engine, make_sessionmaker
from tradewind.orders.models import OrderStatus
from tradewind.server.config import ServerSettings
from tradewind.shops.service import get_shop

TODAY = date(2026, 2, 3)
runner = CliRunner()


def test_plan_json_and_the_api_agree(tmp_path: Path) -> None:
    path = tmp_path / "parity.db"
    assert runner.invoke(cli, ["init", "--shop", "s", "--name", "Shop", "--db", str(path)]).exit_code == 0
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        shop = get_shop(session, code="s")
        supplier = f.supplier(session, shop, "SUP-A")
        warehouse = f.warehouse(session, shop)
        for n in range(4):
            sku = f.sku(session, shop, f"SKU-{n}")
            f.offer(session, shop, supplier, sku, moq=5, pack_size=1, lead_time_days=9)
            f.stock(session, shop, warehouse, sku, 4 + 3 * n)
            for back in range(1, 43):  # n + 1 units every third day, more on Mondays: rates like 0.333…
                if back % 3 == 0:
                    units = n + 1 + (2 if (TODAY - timedelta(days=back)).weekday() == 0 else 0)
                    day = TODAY - timedelta(days=back)
                    f.order(session, shop, [(sku, units)], placed_at=f.noon(day), status=OrderStatus.DELIVERED)
        user = create_user(session, email="owner@example.com", password="a long password", rules=CHEAP)
        grant(session, user=user, shop=shop, role=Role.OWNER)
        token, _ = issue_token(session, user=user, name="parity", now=datetime(2026, 2, 3, tzinfo=UTC))
        session.commit()
    result = runner.invoke(cli, ["plan", "--db", str(path), "--today", TODAY.isoformat(), "--json"])
    assert result.exit_code == 0, result.stderr
    from_cli = {row["sku"]: row for row in json.loads(result.stdout)["skus"]}
    api = create_app(
        Settings(),
        server=ServerSettings(
            hash_time_cost=1, hash_memory_kib=8, tracking_webhook_secret=SecretStr("secret"), warm_caches=False
        ),
        engine=engine,
        sessions=make_sessionmaker(engine),
        clock=FixedClock.on(TODAY),
    )
    with TestClient(api, base_url="http://testserver") as client:
        response = client.get("/api/v1/shops/s/plans?limit=50", headers={"Authorization": f"Bearer {token}"})
    engine.dispose()
    assert response.status_code == 200, response.text
    from_api = {row["sku"]: row for row in response.json()["items"]}
    assert sorted(from_api) == sorted(from_cli) == [f"SKU-{n}" for n in range(4)]
    shared = sorted((set(next(iter(from_api.values()))) & set(next(iter(from_cli.values())))) - {"sku"})
    assert {"demand_per_day", "demand_sigma", "safety_stock", "reorder_point", "days_of_cover"} <= set(shared)
    for sku, row in from_cli.items():
        assert {k: from_api[sku][k] for k in shared} == {k: row[k] for k in shared}, sku
    # The figures are not round already: the test would see a second rounding.
    assert any(row["demand_per_day"] != round(row["demand_per_day"], 1) for row in from_cli.values())
