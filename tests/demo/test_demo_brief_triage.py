"""Speed changes no figure: the demo's brief is the same, byte for byte, whether its messages' triage was stored when
they arrived (what `tradewind demo` does) or is computed by the brief itself (a database from before triage was
stored), and the brief stores what it computed."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradewind.cli.main import app

runner = CliRunner()
TODAY = "2026-12-07"
TRIAGE = "language, language_confidence, intent, confidence, order_id, triage_order, triage_order_id, triage_model"


def _brief(path: Path) -> str:
    result = runner.invoke(app, ["brief", "--db", str(path), "--today", TODAY, "--json"])
    assert result.exit_code == 0, result.output
    return result.stdout


def _triage(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT external_id, {TRIAGE} FROM inbound_messages ORDER BY id").fetchall()


@pytest.mark.slow
def test_the_brief_is_the_same_with_stored_or_computed_triage(tmp_path: Path) -> None:
    stored = tmp_path / "stored.db"
    built = runner.invoke(app, ["demo", "--db", str(stored), "--seed", "7", "--today", TODAY])
    assert built.exit_code == 0, built.output
    computed = tmp_path / "computed.db"
    shutil.copy(stored, computed)
    with sqlite3.connect(computed) as connection:  # as an older database holds them: never triaged
        connection.execute(
            "UPDATE inbound_messages SET language = NULL, language_confidence = NULL, intent = NULL, "
            "confidence = NULL, triage_order = NULL, triage_order_id = NULL, triage_model = NULL, triaged_at = NULL"
        )
    triaged = _triage(stored)
    assert triaged and all(row[-1] is not None for row in triaged)
    assert all(row[-1] is None for row in _triage(computed))

    with_stored = _brief(stored)
    with_computed = _brief(computed)
    assert with_computed == with_stored
    assert '"kind": "reply_needed"' in with_stored
    assert _triage(computed) == triaged  # the brief stored the triage it computed, the same as on arrival
