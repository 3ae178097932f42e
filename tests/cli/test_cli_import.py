"""`tradewind import` end to end: a good file, the same file again, a dry run, and a bad file (every error at
once, nothing written, and the JSON summary with the errors)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tradewind.cli.main import app

runner = CliRunner()

SKUS = """sku,title,price,currency,unit
BOOT-38,Chelsea boot 38,39.90,USD,pair
BOOT-39,Chelsea boot 39,39.90,USD,pair
"""

BAD_STOCK = """warehouse,sku,on_hand
CN-1,BOOT-38,12
CN-1,BOOT-99,4
CN-1,BOOT-39,-2
"""


def test_import_then_reimport_then_a_bad_file(tmp_path: Path) -> None:
    db = str(tmp_path / "shop.db")
    assert runner.invoke(app, ["init", "--shop", "s", "--name", "Shop", "--db", db]).exit_code == 0
    skus = tmp_path / "skus.csv"
    skus.write_text(SKUS)

    dry = runner.invoke(app, ["import", "skus", str(skus), "--db", db, "--dry-run", "--json"])
    assert dry.exit_code == 0 and json.loads(dry.stdout)["created"]["skus"] == 2
    first = runner.invoke(app, ["import", "skus", str(skus), "--db", db, "--json"])
    assert json.loads(first.stdout)["created"]["skus"] == 2  # the dry run wrote nothing
    again = json.loads(runner.invoke(app, ["import", "skus", str(skus), "--db", db, "--json"]).stdout)
    assert again["created"]["skus"] == 0 and again["unchanged"]["skus"] == 2 and again["errors"] == []

    stock = tmp_path / "stock.csv"
    stock.write_text(BAD_STOCK)
    bad = runner.invoke(app, ["import", "stock", str(stock), "--db", db])
    assert bad.exit_code == 2 and "Traceback" not in bad.stderr
    assert "stock.csv:3 [sku]" in bad.stderr and "stock.csv:4 [on_hand]" in bad.stderr
    as_json = runner.invoke(app, ["import", "stock", str(stock), "--db", db, "--json"])
    assert as_json.exit_code == 2
    errors = json.loads(as_json.stdout)["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [(3, "sku"), (4, "on_hand")]
    good = tmp_path / "good.csv"
    good.write_text("warehouse,sku,on_hand\nCN-1,BOOT-38,12\n")
    written = json.loads(runner.invoke(app, ["import", "stock", str(good), "--db", db, "--json"]).stdout)
    assert written["created"]["stock_levels"] == 1  # nothing of the bad file had been written


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "shop.db")
    runner.invoke(app, ["init", "--shop", "s", "--name", "Shop", "--db", db])
    result = runner.invoke(app, ["import", "parcels", str(tmp_path / "x.csv"), "--db", db])
    assert result.exit_code == 2 and "unknown import kind 'parcels'" in result.stderr
