"""Measuring a command end to end, for the benchmarks that time a whole process (brief.py, tracking.py): not a
benchmark itself (tests/test_benchmarks_smoke.py leaves out the modules whose name starts with "_")."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


def tradewind_command() -> list[str]:
    """The installed `tradewind` script next to this interpreter, else the same entry point through it."""
    script = Path(sys.executable).with_name("tradewind")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from tradewind.cli.main import run; run()"]


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float  # user + system: on a machine shared with other work, the wall time is the larger
    peak_mb: float
    stdout: str


# The child is started and reaped by this small stdlib process, not by the benchmark itself: a process's peak RSS
# (ru_maxrss) counts the memory of the process it was forked from up to its exec (Linux records the old address
# space's high-water mark at exec, and a vfork/posix_spawn child shares its parent's), so a child of a benchmark
# holding a million texts and NumPy would read as large as the benchmark. Run with -S (no site): it stays ~10 MB.
# It times the child from spawn to reaped (wait4 with WNOHANG, so that a stuck child is killed at the timeout) and
# writes "seconds cpu_seconds max_rss_kb exit_code" (exit code None after a timeout) to the file it is given.
_MEASURER = """
import os, sys, time
report, timeout, *command = sys.argv[1:]
started = time.perf_counter()
pid = os.posix_spawnp(command[0], command, os.environ)
code = None
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        code = os.waitstatus_to_exitcode(status)
        break
    if time.perf_counter() - started > float(timeout):
        os.kill(pid, 9)
        done, status, usage = os.wait4(pid, 0)
        break
    time.sleep(0.002)
seconds = time.perf_counter() - started
with open(report, "w") as out:
    out.write(f"{seconds} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss} {code}")
"""


def run_measured(command: list[str], *, timeout: float = 7200.0, output: Path | None = None) -> Run:
    """Run a child to its end: wall time from spawn to reaped, its CPU time and its own peak RSS (wait4's rusage of
    that child, not RUSAGE_CHILDREN, which would be the largest of every child ever reaped; see _MEASURER). Its
    output goes to files (a pipe nobody reads while waiting could fill and stall it): to `output` when given (then
    `stdout` is empty), else read back."""
    with tempfile.TemporaryDirectory(prefix="tradewind-run-") as folder, tempfile.TemporaryFile() as err:
        report, scratch = Path(folder) / "report", Path(folder) / "stdout"
        with (output or scratch).open("wb") as out:
            measurer = [sys.executable, "-S", "-c", _MEASURER, str(report), str(timeout), *command]
            subprocess.run(measurer, stdout=out, stderr=err, check=True, timeout=timeout + 60)
        seconds, cpu_seconds, max_rss_kb, code = report.read_text().split()
        stdout = scratch.read_bytes().decode() if output is None else ""
        err.seek(0)
        stderr = err.read().decode()
    if code == "None":
        raise RuntimeError(f"{' '.join(command)} ran past {timeout:.0f} s")
    if code != "0":
        raise RuntimeError(f"{' '.join(command)} failed ({code}):\n{stderr[-3000:]}")
    return Run(float(seconds), float(cpu_seconds), int(max_rss_kb) / 1024, stdout)  # ru_maxrss is in kB on Linux
