"""The brief's table reads overdue first: the actions past their deadline lead it, in the order of the ranking, and
a limit cuts the rest, never an overdue action ranked below others (the demo shop on 25 November 2026 has five,
ranked 4th to 10th)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradewind.brief.ranking import overdue_first
from tradewind.cli.main import app

runner = CliRunner()
TODAY = "2026-11-25"


@pytest.mark.slow
def test_the_tables_overdue_actions_come_first_and_are_never_cut(tmp_path: Path) -> None:
    path = str(tmp_path / "demo.db")
    built = runner.invoke(app, ["demo", "--db", path, "--today", TODAY])
    assert built.exit_code == 0, built.output
    ranked = json.loads(runner.invoke(app, ["brief", "--db", path, "--today", TODAY, "--json"]).stdout)["actions"]
    overdue = [a["id"] for a in ranked if a["due"] < TODAY]
    assert len(overdue) >= 3 and [a["id"] for a in ranked[: len(overdue)]] != overdue  # not already first
    shown = len(overdue) + 2
    table = runner.invoke(app, ["brief", "--db", path, "--today", TODAY, "--limit", str(shown)])
    assert table.exit_code == 0, table.output
    ids = [int(n) for n in re.findall(r"^│\s*(\d+)\s*│", table.stdout, flags=re.MULTILINE)]
    today = date.fromisoformat(TODAY)
    expected = [a["id"] for a in overdue_first(ranked, today, due=lambda a: date.fromisoformat(a["due"]))]
    assert ids == expected[:shown] and ids[: len(overdue)] == overdue
    assert table.stdout.index("OVERDUE") < table.stdout.index("TODAY")
