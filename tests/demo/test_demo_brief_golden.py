"""Speed changes no figure: the demo shop's brief (`tradewind brief --json`, seed 7, scale 1, 2025-02-20) is compared
byte for byte with the committed golden/demo_brief.json.

A change that moves a figure, a rounding, a word of a draft or the order of the actions fails here. When the change
is meant (a new figure, a better draft), regenerate the file and commit it with the change, saying why:

    TRADEWIND_UPDATE_GOLDEN=1 .venv/bin/pytest tests/demo/test_demo_brief_golden.py -q -p no:cacheprovider

The brief is the CLI's own output (the same command, the same JSON printer), so the bytes are what a user sees.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import drop_postgres_database, fresh_postgres_database
from tests.demo.building import DEMO_TODAY, BuiltDemo, build_into_file
from tests.fresh import commands_script, imported_modules, run_fresh
from tradewind.cli.main import app

GOLDEN = Path(__file__).resolve().parent / "golden" / "demo_brief.json"
UPDATE = os.environ.get("TRADEWIND_UPDATE_GOLDEN") == "1"
runner = CliRunner()


def brief_json(database: str) -> str:
    """The stdout of `tradewind brief --db DATABASE --today DEMO_TODAY --json` (every open action)."""
    result = runner.invoke(app, ["brief", "--db", database, "--today", DEMO_TODAY.isoformat(), "--json"])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def first_difference(made: str, golden: str) -> str:
    """Where the brief first differs from the golden one, a few lines either side (the file is a megabyte: pytest's
    own diff of it is unreadable)."""
    ours, theirs = made.splitlines(), golden.splitlines()
    at = next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), min(len(ours), len(theirs)))
    window = slice(max(at - 3, 0), at + 4)
    return (
        f"the demo brief differs from {GOLDEN.name} at line {at + 1} ({len(ours)} lines vs {len(theirs)}); if the "
        "change is meant, regenerate it (see this module's docstring)\n--- made\n"
        + "\n".join(ours[window])
        + "\n--- golden\n"
        + "\n".join(theirs[window])
    )


def test_the_demo_brief_is_the_golden_one_byte_for_byte(demo_engine: BuiltDemo) -> None:
    database = str(demo_engine.engine.url.database)
    first = brief_json(database)
    if UPDATE:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(first, encoding="utf-8")
    golden = GOLDEN.read_text(encoding="utf-8")
    assert len(json.loads(golden)["actions"]) >= 10
    if first != golden:
        pytest.fail(first_difference(first, golden))


@pytest.mark.slow
def test_the_demo_brief_is_the_same_when_built_again_and_refreshed(tmp_path: Path) -> None:
    """Another build of the same demo gives the same bytes, and so does refreshing it again the same day (the
    actions stored by the first brief keep their ids and figures)."""
    database = str(build_into_file(tmp_path / "again.db").engine.url.database)
    golden = GOLDEN.read_text(encoding="utf-8")
    for _ in range(2):
        again = brief_json(database)
        if again != golden:
            pytest.fail(first_difference(again, golden))


@pytest.mark.slow
@pytest.mark.postgres
def test_the_demo_brief_on_postgresql_is_the_golden_one(postgres_server_url: str) -> None:
    """The same demo built on PostgreSQL gives the same bytes: the same actions, ids, figures and drafts."""
    name, url = fresh_postgres_database(postgres_server_url)
    try:
        built = runner.invoke(app, ["demo", "--db", url, "--today", DEMO_TODAY.isoformat(), "--json"])
        assert built.exit_code == 0, built.stderr
        made = brief_json(url)
        if made != GOLDEN.read_text(encoding="utf-8"):
            pytest.fail(first_difference(made, GOLDEN.read_text(encoding="utf-8")))
    finally:
        drop_postgres_database(postgres_server_url, name)


# Libraries the brief never needs: language detection (triage ran when the messages arrived), data frames,
# forecasting baselines, Dask, a browser; Alembic (the revision check reads the scripts' text, see db/migrate.py).
NOT_FOR_THE_BRIEF = ("lingua", "pandas", "statsforecast", "dask", "distributed", "playwright", "alembic")
# Packages and modules of the libraries and domains it does use that it never runs on a SQLite database: the
# PostgreSQL dialect (all its drivers' modules), the carriers' phrase rules (its timelines are built from stored,
# already read events).
NOT_FOR_THE_SQLITE_BRIEF = ("sqlalchemy.dialects.postgresql", "tradewind.logistics.tracking.phrases")


def test_the_brief_in_a_fresh_interpreter_imports_no_library_it_does_not_use(
    demo_engine: BuiltDemo, tmp_path: Path
) -> None:
    """`tradewind brief --json` as a user runs it (the console script's run() in a fresh interpreter, on a copy of
    the demo whose stores were rebuilt for the day, as the importers leave them) prints the golden bytes and has
    imported none of the libraries only other commands use: not even Numba, the plan's demand estimate being
    stored for these records (planning/estimate_store.py)."""
    copy = tmp_path / "copy.db"
    with sqlite3.connect(str(demo_engine.engine.url.database)) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with sqlite3.connect(copy) as connection:
        connection.execute("DELETE FROM demand_estimates")  # whatever an earlier test's brief stored
    rebuilt = runner.invoke(app, ["stores", "rebuild", "--db", str(copy), "--today", DEMO_TODAY.isoformat()])
    assert rebuilt.exit_code == 0, rebuilt.stderr
    brief = ["brief", "--db", str(copy), "--today", DEMO_TODAY.isoformat(), "--json"]
    done = run_fresh(commands_script([brief], must_succeed=True), timeout=600)
    assert done.returncode == 0 and "MODULES" in done.stderr, done.stderr[-3000:]
    modules = imported_modules(done)
    assert {"tradewind.brief.producers", "tradewind.planning.estimate_store"} <= modules  # the brief ran
    assert sorted(m for m in modules if m.split(".")[0] == "numba") == []
    assert sorted(m for m in modules if m.split(".")[0] in NOT_FOR_THE_BRIEF) == []
    assert sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_FOR_THE_SQLITE_BRIEF)) == []
    golden = GOLDEN.read_text(encoding="utf-8")
    if done.stdout != golden:
        pytest.fail(first_difference(done.stdout, golden))
