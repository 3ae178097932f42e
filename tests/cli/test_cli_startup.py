"""`tradewind` starts fast: `--help` imports no command's module (so no domain and no heavy library), each command
imports its own module when it runs, and the help the top level lists is each command's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.fresh import commands_script, imported_modules, run_fresh
from tradewind.cli.main import COMMANDS, app, load_command

HEAVY = ("lingua", "pandas", "statsforecast", "dask", "distributed", "playwright", "numba", "numpy", "sqlalchemy")


def _modules_after(*args: str) -> set[str]:
    """The modules a fresh interpreter has imported once `tradewind <args>` has run."""
    return _modules_after_runs([list(args)])


def _modules_after_runs(runs: list[list[str]]) -> set[str]:
    """The modules a fresh interpreter has imported once `tradewind <args>` has run for each of `runs`, one after
    the other (what any of them imported stays in sys.modules)."""
    done = run_fresh(commands_script(runs))
    assert "MODULES" in done.stderr, done.stderr
    return imported_modules(done)


def test_help_imports_no_domain_and_no_heavy_library() -> None:
    modules = _modules_after("--help")
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []
    assert sorted(m for m in modules if m.startswith("tradewind.")) == ["tradewind.cli", "tradewind.cli.main"]


def test_a_command_imports_its_own_module_only() -> None:
    modules = _modules_after("shop", "--help")
    assert "tradewind.cli.shop" in modules
    assert not {"tradewind.cli.brief", "tradewind.cli.planning", "tradewind.messaging.triage.language"} & modules
    assert sorted(m for m in modules if m.split(".")[0] in ("lingua", "pandas", "statsforecast", "playwright")) == []


def test_the_installed_tradewind_help_imports_no_domain_and_no_heavy_library() -> None:
    """The console script a user runs (`tradewind --help`), with Python's own import log (-X importtime)."""
    script = Path(sys.executable).with_name("tradewind")
    if not script.exists():
        pytest.skip(f"tradewind is not installed next to {sys.executable} (pip install -e .)")
    done = subprocess.run(
        [str(script), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPROFILEIMPORTTIME": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Usage:" in done.stdout
    log = [line.removeprefix("import time:").split("|") for line in done.stderr.splitlines()]
    imported = {fields[2].strip() for fields in log if len(fields) == 3 and fields[0].strip().isdigit()}
    assert "tradewind.cli.main" in imported  # the log is there and names what was imported
    assert sorted(m for m in imported if m.split(".")[0] in HEAVY) == []
    assert sorted(m for m in imported if m.startswith("tradewind.")) == ["tradewind.cli", "tradewind.cli.main"]


def test_no_command_s_help_imports_a_heavy_library() -> None:
    """Every command's --help (its module imported to build it), one after the other in one interpreter: none
    brings in the libraries only some commands run (language detection, data frames, forecasting, Dask, a
    browser)."""
    modules = _modules_after_runs([[name, "--help"] for name in COMMANDS])
    assert {module for module, _, _ in COMMANDS.values()} <= modules
    only_some = ("lingua", "pandas", "statsforecast", "dask", "distributed", "playwright")
    assert sorted(m for m in modules if m.split(".")[0] in only_some) == []


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_listed_help_is_the_command_s_own(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    assert command.help == COMMANDS[name][2]


def test_help_lists_every_command_and_a_typo_gets_a_suggestion() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["--help"])
    assert listed.exit_code == 0
    for name in COMMANDS:
        assert f"\n  {name} " in listed.output
    typo = runner.invoke(app, ["bref"])
    assert typo.exit_code == 2
    assert "Did you mean 'brief'?" in typo.output


def test_a_command_runs_with_the_collector_tuned_for_a_short_process() -> None:
    """`run()` (the console script) collects the young generation every 50,000 allocations, not Python's 700: with
    the defaults the collector took a fifth of `tradewind brief`'s CPU time on the demo shop."""
    script = (
        "import gc, sys\n"
        "from tradewind.cli.main import run\n"
        "assert gc.get_threshold()[0] == 700, gc.get_threshold()\n"
        "sys.argv = ['tradewind', '--help']\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('THRESHOLD %s %s %s' % gc.get_threshold())\n"
    )
    done = run_fresh(script)
    assert "THRESHOLD 50000 20 100" in done.stderr, done.stderr
