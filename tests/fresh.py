"""A script run by a fresh Python interpreter that sees the checkout's source and nothing of the test process (no
module imported yet, no environment but PATH and what the caller adds): what a command imports and does from its
start, as the console script runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
MODULES = "MODULES"


def run_fresh(
    script: str, *, timeout: float = 120.0, check: bool = False, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`script` run by `python -c` in a fresh interpreter (with `env` added to its environment), its output
    captured as text."""
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin", **(env or {})},
        check=check,
    )


def commands_script(runs: list[list[str]], *, must_succeed: bool = False) -> str:
    """A script that runs `tradewind <args>` for each of `runs` in turn (with `must_succeed`, a non-zero exit fails
    it), then writes MODULES and the names of every module imported, as JSON, to standard error."""
    on_exit = "assert not exit.code, exit.code" if must_succeed else "pass"
    return (
        "import json, sys\n"
        "from tradewind.cli.main import run\n"
        f"for args in {runs!r}:\n"
        "    sys.argv = ['tradewind', *args]\n"
        f"    try:\n        run()\n    except SystemExit as exit:\n        {on_exit}\n"
        f"sys.stderr.write({MODULES!r} + json.dumps(sorted(sys.modules)))\n"
    )


def imported_modules(done: subprocess.CompletedProcess[str]) -> set[str]:
    """The modules a `commands_script` run had imported at its end."""
    return set(json.loads(done.stderr.split(MODULES, 1)[1]))
