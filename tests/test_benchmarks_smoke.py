"""Every benchmark runs in CI at a small size, so that none of them rots: it must finish and print its figures.

The full sizes are run by hand for the closing notes (see each script's --help)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared_data import ONLINE_RETAIL, shared_data_file

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

SMOKE_RUNS = {
    "planning.py": (["--skus", "500", "--days", "200"], "speed-up"),
    "backtest_report.py": (["--small"], "inventory at the seed's fill rate"),
    "tracking.py": (["--small"], "× the stdlib floor"),
    "transit_backtest.py": (["--small"], "pinball90"),
    "import.py": (["--lines", "20000"], "lines/s"),
    "triage.py": (["--small"], "messages"),
    "intent_cv.py": (["--folds", "2"], "fold CV over"),
    "web.py": (["--small", "--seconds", "2", "--clients", "4"], "p95"),
    "plan_accuracy.py": (["--small"], "plan after the stock take: ratio"),
    "brief.py": (["--sizes", "1"], "producers' shares of a brief"),
    "stores_read.py": (["--small"], "lane samples is_up_to_date"),
}


NEEDS_REAL_DATA = {"import.py", "plan_accuracy.py"}


def test_every_benchmark_has_a_smoke_run() -> None:
    scripts = {path.name for path in BENCHMARKS.glob("*.py") if not path.name.startswith("_")}  # _*: helpers
    assert scripts <= set(SMOKE_RUNS) | set(), "add the new benchmark to SMOKE_RUNS"


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(SMOKE_RUNS))
def test_benchmark_smoke_run(script: str) -> None:
    arguments, expected = SMOKE_RUNS[script]
    if script in NEEDS_REAL_DATA:
        shared_data_file(ONLINE_RETAIL)  # skips on a user's machine without ../shared, fails under CI
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *arguments],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert expected in result.stdout, result.stdout[-3000:]
    if script == "web.py" and os.environ.get("CI") == "true":  # .ci/run installs wrk: the figures are wrk's
        assert "clients: wrk" in result.stdout, result.stdout[-3000:]


@pytest.mark.slow
def test_web_benchmark_without_wrk_measures_with_its_own_clients() -> None:
    arguments = ["--small", "--seconds", "1", "--clients", "4", "--client", "aiohttp", "--only", "Growth"]
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "web.py"), *arguments],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "clients: aiohttp" in result.stdout and "Growth" in result.stdout, result.stdout[-3000:]
