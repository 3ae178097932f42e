"""The issue's acceptance: the demo's brief has at least 10 actions of each foundation kind with their figures, and
the same --seed and --today give the same actions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradewind.brief.schemas import BriefOut
from tradewind.cli.main import app

runner = CliRunner()
TODAY = "2026-11-25"


def brief_of_a_fresh_demo(path: Path, seed: int) -> dict[str, object]:
    built = runner.invoke(app, ["demo", "--db", str(path), "--seed", str(seed), "--today", TODAY])
    assert built.exit_code == 0, built.stderr
    result = runner.invoke(app, ["brief", "--db", str(path), "--today", TODAY, "--json"])
    assert result.exit_code == 0, result.stderr
    payload: dict[str, object] = json.loads(result.stdout)
    return payload


@pytest.mark.slow
def test_same_seed_and_day_give_the_same_brief(tmp_path: Path) -> None:
    first = brief_of_a_fresh_demo(tmp_path / "a.db", 7)
    second = brief_of_a_fresh_demo(tmp_path / "b.db", 7)
    assert first == second
    brief = BriefOut.model_validate(first)
    kinds = [action.kind for action in brief.actions]
    for kind in ("restock", "unpaid_reminder", "cancellation_followup"):
        assert kind in kinds
    assert len(kinds) >= 10
    assert all(action.figures and action.why for action in brief.actions)
    other = brief_of_a_fresh_demo(tmp_path / "c.db", 8)
    assert other != first
