"""The planning service on a real database: stockout-corrected history from stock movements, the plan command,
the backtest command, and the same plan on a Dask cluster."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests import factories as f
from tradewind.cli.main import app
from tradewind.config import Settings
from tradewind.inventory.models import MovementReason, StockMovement
from tradewind.orders.models import OrderStatus
from tradewind.planning.frames import load_inputs
from tradewind.planning.kernels import plan
from tradewind.planning.service import build_plan
from tradewind.shops.models import Shop

TODAY = date(2026, 2, 3)
NOW = datetime(2026, 2, 3, 9, tzinfo=UTC)
runner = CliRunner()


def test_days_without_stock_are_missing_not_zero(session: Session, shop: Shop) -> None:
    """A SKU sells 4/day for two months but was out of stock for ten days: those days are missing demand."""
    sku = f.sku(session, shop, "BOOT-40")
    warehouse = f.warehouse(session, shop)
    f.stock(session, shop, warehouse, sku, 40)
    for back in range(1, 61):
        day = TODAY - timedelta(days=back)
        if 11 <= back <= 20:
            continue  # out of stock: nothing sold
        f.order(session, shop, [(sku, 4)], placed_at=f.noon(day), status=OrderStatus.DELIVERED)
        session.add(
            StockMovement(
                shop_id=shop.id,
                warehouse_id=warehouse.id,
                sku_id=sku.id,
                quantity=-4,
                occurred_at=f.noon(day),
                reason=MovementReason.SALE,
            )
        )
    # stock ran out on day −21 and 80 arrived on day −10
    session.add(
        StockMovement(
            shop_id=shop.id,
            warehouse_id=warehouse.id,
            sku_id=sku.id,
            quantity=80,
            occurred_at=f.noon(TODAY - timedelta(days=10)) - timedelta(hours=3),
            reason=MovementReason.RECEIPT,
        )
    )
    session.flush()
    inputs = load_inputs(session, shop_id=shop.id, today=TODAY, history_days=60, horizon=30)
    (row,) = inputs.in_stock
    out = [i for i in range(60) if not row[i]]
    assert out == list(range(60 - 20, 60 - 10))  # the ten days −20 … −11
    corrected = plan(inputs.history, inputs.in_stock, inputs.on_hand, inputs.inbound, 10.0, 14.0, 0.95)
    naive = plan(inputs.history, None, inputs.on_hand, inputs.inbound, 10.0, 14.0, 0.95)
    assert corrected.demand_per_day[0] == pytest.approx(4.0, rel=0.02)
    assert naive.demand_per_day[0] < 3.5  # the zeros of the stock-out read as no demand


def test_plan_decisions_carry_every_figure(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop, "BOOT-41")
    supplier = f.supplier(session, shop, "SUP-A")
    f.offer(session, shop, supplier, sku, moq=12, pack_size=6, lead_time_days=12)
    f.stock(session, shop, f.warehouse(session, shop), sku, 10)
    f.daily_sales(session, shop, sku, today=TODAY, per_day=3)
    (decision,) = build_plan(session, shop_id=shop.id, today=TODAY, now=NOW, settings=Settings()).decisions
    assert decision.chosen is not None and decision.chosen.supplier.code == "SUP-A"
    assert decision.quantity % 6 == 0 and decision.quantity >= 12
    assert decision.reorder_point >= decision.demand_per_day * 12  # at least the lead-time demand
    assert decision.stockout_on == TODAY + timedelta(days=4)  # 10 units at 3/day: short on the 4th day
    assert decision.order_by == TODAY  # p90 lead time is longer than the cover
    assert decision.stockout_unavoidable


def test_an_overdue_purchase_order_counts_once(session: Session, shop: Shop) -> None:
    """10 on hand, 3 sold a day, one PO line of 20 units expected five days ago (assumed to arrive tomorrow): on
    order is 20, and the projection has 10 + 20 = 30 units, 3 a day for ten days (tomorrow … day 10), short on the
    11th day. Counting the 20 twice gave on order 40 and 50 units, short on the 17th day."""
    sku = f.sku(session, shop, "BOOT-42")
    supplier = f.supplier(session, shop, "SUP-A")
    f.offer(session, shop, supplier, sku, moq=1, pack_size=1, lead_time_days=5)
    warehouse = f.warehouse(session, shop)
    f.stock(session, shop, warehouse, sku, 10)
    f.daily_sales(session, shop, sku, today=TODAY, per_day=3)
    f.purchase_order(
        session,
        shop,
        supplier,
        warehouse,
        sku,
        20,
        ordered_on=TODAY - timedelta(days=20),
        expected_on=TODAY - timedelta(days=5),
    )
    inputs = load_inputs(session, shop_id=shop.id, today=TODAY, history_days=60, horizon=30)
    assert float(inputs.inbound.sum()) == 20.0 and float(inputs.inbound[0, 0]) == 20.0
    (decision,) = build_plan(session, shop_id=shop.id, today=TODAY, now=NOW, settings=Settings()).decisions
    assert decision.demand_per_day == pytest.approx(3.0)
    assert decision.on_hand == 10
    assert decision.on_order == 20
    assert decision.stockout_on == TODAY + timedelta(days=11)
    assert decision.days_of_cover == pytest.approx(10 / 3)


@pytest.fixture
def planned_db(tmp_path: Path) -> str:
    path = str(tmp_path / "plan.db")
    assert runner.invoke(app, ["init", "--shop", "s", "--name", "Shop", "--db", path]).exit_code == 0
    from tradewind.db.session import make_engine
    from tradewind.shops.service import get_shop

    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        shop = get_shop(session, code="s")
        supplier = f.supplier(session, shop, "SUP-A")
        warehouse = f.warehouse(session, shop)
        for n in range(12):
            sku = f.sku(session, shop, f"SKU-{n:02d}")
            f.offer(session, shop, supplier, sku, moq=10, pack_size=5, lead_time_days=8)
            f.stock(session, shop, warehouse, sku, 5 + 7 * n)
            f.daily_sales(session, shop, sku, today=TODAY, per_day=1 + n % 4, days=35)
        session.commit()
    engine.dispose()
    return path


def test_plan_command_json_and_table(planned_db: str) -> None:
    result = runner.invoke(app, ["plan", "--db", planned_db, "--today", TODAY.isoformat(), "--json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["skus"]
    assert len(rows) == 12
    expected = {
        "sku",
        "method",
        "demand_per_day",
        "demand_sigma",
        "lead_time_mean_days",
        "lead_time_p90_days",
        "safety_stock",
        "reorder_point",
        "on_hand",
        "on_order",
        "days_of_cover",
        "stockout_on",
        "order_by",
        "suggested_quantity",
        "supplier",
    }
    assert expected <= set(rows[0])
    one = runner.invoke(app, ["plan", "--db", planned_db, "--today", TODAY.isoformat(), "--json", "--sku", "SKU-03"])
    assert [r["sku"] for r in json.loads(one.stdout)["skus"]] == ["SKU-03"]
    table = runner.invoke(app, ["plan", "--db", planned_db, "--today", TODAY.isoformat()])
    assert table.exit_code == 0 and "SKU-00" in table.stdout
    missing = runner.invoke(app, ["plan", "--db", planned_db, "--sku", "NOPE"])
    assert missing.exit_code == 2 and "no active SKU NOPE" in missing.stderr


@pytest.mark.slow
def test_dask_plan_equals_the_local_plan(planned_db: str) -> None:
    args = ["plan", "--db", planned_db, "--today", TODAY.isoformat(), "--json"]
    local = runner.invoke(app, args)
    distributed = runner.invoke(app, [*args, "--dask", "local"])
    assert distributed.exit_code == 0, distributed.stderr
    assert json.loads(distributed.stdout) == json.loads(local.stdout)


@pytest.mark.slow
def test_partitions_on_a_cluster_equal_one_call() -> None:
    from tradewind.planning.distributed import dask_runner

    rng = np.random.default_rng(5)
    n = 301
    arguments: dict[str, Any] = {  # the kernel's array arguments (its settings keep their defaults)
        "history": rng.poisson(rng.uniform(0.05, 6, (n, 1)), (n, 200)).astype(float),
        "in_stock": rng.random((n, 200)) > 0.05,
        "on_hand": rng.integers(0, 80, n).astype(float),
        "inbound": np.zeros((n, 60)),
        "lead_time_mean": rng.uniform(5, 30, n),
        "lead_time_p90": rng.uniform(30, 45, n),
        "service_level": np.full(n, 0.95),
        "moq": np.full(n, 10.0),
        "pack_size": np.full(n, 5.0),
    }
    expected = plan(**arguments)
    with dask_runner("local", partitions=7) as run:
        got = run(**arguments)
    for name in ("demand_per_day", "reorder_point", "order_up_to", "suggested_quantity", "stockout_day"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name))


def test_backtest_command(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    lines = ["sku,date,units"]
    for sku in ("A", "B", "C"):
        for d in range(90):
            units = int(rng.poisson(2 if sku != "C" else 0.3))
            if units:
                lines.append(f"{sku},{(date(2024, 1, 1) + timedelta(days=d)).isoformat()},{units}")
    history = tmp_path / "history.csv"
    history.write_text("\n".join(lines) + "\n")
    result = runner.invoke(
        app,
        [
            "backtest",
            "--history",
            str(history),
            "--lead-time",
            "3",
            "--json",
            "--policy",
            "seed",
            "--policy",
            "tradewind",
        ],
    )
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["skus"] == 3 and payload["periods"] == 90
    assert set(payload["policies"]) == {"seed", "tradewind"}
    for scores in payload["policies"].values():
        assert 0 <= scores["fill_rate"] <= 1 and scores["avg_on_hand_units"] >= 0
    sweep = runner.invoke(
        app,
        [
            "backtest",
            "--history",
            str(history),
            "--service-level",
            "0.8",
            "--service-level",
            "0.95",
            "--policy",
            "seed",
            "--policy",
            "tradewind",
        ],
    )
    assert sweep.exit_code == 0 and "tradewind@0.95" in sweep.stdout


@pytest.mark.parametrize("missing", ["statsforecast", "pandas"])
def test_backtest_without_the_extra_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    """A plain install has neither pandas nor statsforecast: the default policies (statsforecast among them) say
    which extra to install, exit 2, no traceback; the policies that need neither still run."""
    history = tmp_path / "history.csv"
    days = [date(2024, 1, 1) + timedelta(days=d) for d in range(90)]
    history.write_text("sku,date,units\n" + "".join(f"A,{day.isoformat()},{1 + day.day % 3}\n" for day in days))
    monkeypatch.setitem(sys.modules, missing, None)  # `import missing` raises ImportError
    result = runner.invoke(app, ["backtest", "--history", str(history)])
    assert result.exit_code == 2, result.output
    assert "tradewind backtest needs the backtest extra: pip install 'tradewind[backtest]'" in result.stderr
    assert "Traceback" not in result.stderr and isinstance(result.exception, SystemExit)
    plain = runner.invoke(app, ["backtest", "--history", str(history), "--policy", "seed", "--policy", "tradewind"])
    assert plain.exit_code == 0, plain.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sku,day,units\nA,2024-01-01,1\n", "[date]"),
        ("sku,date,units\nA,2024-01-01,many\n", ":2 [units]"),
        ("sku,date,units\nA,2024-01-01,-3\n", ":2 [units]"),
    ],
)
def test_backtest_bad_history_is_one_clear_line(tmp_path: Path, content: str, message: str) -> None:
    history = tmp_path / "bad.csv"
    history.write_text(content)
    result = runner.invoke(app, ["backtest", "--history", str(history)])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_sku_without_an_offer_has_no_source_not_a_made_up_lead_time(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop, "ORPHAN-40")
    f.stock(session, shop, f.warehouse(session, shop), sku, 10)
    f.daily_sales(session, shop, sku, today=TODAY, per_day=3)
    (decision,) = build_plan(session, shop_id=shop.id, today=TODAY, now=NOW, settings=Settings()).decisions
    assert decision.no_source and decision.chosen is None and decision.quantity == 0
    assert np.isnan(decision.reorder_point) and np.isnan(decision.order_up_to) and decision.order_by is None
    assert decision.stockout_on == TODAY + timedelta(days=4)  # the stock still runs out: 10 at 3/day
    assert decision.stockout_unavoidable


def test_the_plan_table_says_no_source(tmp_path: Path) -> None:
    path = str(tmp_path / "orphan.db")
    assert runner.invoke(app, ["init", "--shop", "s", "--name", "Shop", "--db", path]).exit_code == 0
    from tradewind.db.session import make_engine
    from tradewind.shops.service import get_shop

    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        shop = get_shop(session, code="s")
        sku = f.sku(session, shop, "ORPHAN-40")
        f.stock(session, shop, f.warehouse(session, shop), sku, 10)
        f.daily_sales(session, shop, sku, today=TODAY, per_day=3)
        session.commit()
    engine.dispose()
    table = runner.invoke(app, ["plan", "--db", path, "--today", TODAY.isoformat()])
    assert table.exit_code == 0, table.stderr
    assert "no source" in table.stdout
    rows = json.loads(runner.invoke(app, ["plan", "--db", path, "--today", TODAY.isoformat(), "--json"]).stdout)
    (row,) = rows["skus"]
    assert row["supplier"] is None and row["lead_time_mean_days"] is None and row["reorder_point"] is None
