"""`tradewind growth` through Typer's runner (on its own app until cli/main.py registers it): JSON and the table."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests import factories as f
from tradewind.cli.growth import growth_command
from tradewind.cli.main import app as main_app
from tradewind.db.session import make_engine
from tradewind.orders.models import OrderStatus
from tradewind.shops.service import get_shop

runner = CliRunner()
app = typer.Typer()
app.command("growth")(growth_command)
app.command("other")(lambda: None)  # two commands, so that "growth" is a subcommand as in the real CLI


def test_growth_json_and_table(tmp_path: Path) -> None:
    db = str(tmp_path / "shop.db")
    assert runner.invoke(main_app, ["init", "--shop", "s", "--name", "Shop", "--db", db]).exit_code == 0
    engine = make_engine(f"sqlite:///{db}")
    today = date(2024, 3, 31)
    with Session(engine) as session:
        shop = get_shop(session, code="s")
        shop.opened_on = today - timedelta(days=20)
        sku = f.sku(session, shop)
        for day in range(5):
            placed = datetime(2024, 3, 20 + day, 12, tzinfo=UTC)
            f.order(session, shop, [(sku, 1)], placed_at=placed, status=OrderStatus.DELIVERED, total="100.00")
        session.commit()
    engine.dispose()
    result = runner.invoke(app, ["growth", "--db", db, "--today", today.isoformat(), "--json"])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["kpis"]["orders"] == 5 and payload["kpis"]["gmv_usd"] == "500.00"
    assert [m["code"] for m in payload["milestones"]] == ["store_opened", "sales", "gmv"]
    # The SKU's record is newer than the day, but its sales from day 10 prove the listing: the first task is done.
    assert payload["milestones"][0]["state"] == "reached" and payload["level"]["code"] == "helmsman"
    table = runner.invoke(app, ["growth", "--db", db, "--today", today.isoformat()])
    assert table.exit_code == 0 and "Order defect rate" in table.stdout and "by day 180" in table.stdout
