"""The compiled kernels are cached on disk and a fresh process loads them instead of compiling again (about 3 s of
CPU on each start of `tradewind brief` otherwise); where Numba can write no cache, the kernels still run."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.fresh import run_fresh

# A fresh interpreter runs the demand recursions (as the brief's plan does) and reports the compiled entry point's
# cache hits and misses, and the rates.
SCRIPT = """
import json, sys, warnings
import numpy as np
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from tradewind.planning.kernels import recursions
    from tradewind.planning.kernels.demand import estimate_demand
history = np.random.default_rng(7).poisson(1.5, (6, 90)).astype(float)
estimate = estimate_demand(history)
stats = recursions._smooth_all.stats
print(json.dumps({
    "hits": sum(stats.cache_hits.values()),
    "misses": sum(stats.cache_misses.values()),
    "rates": estimate.rate.tolist(),
    "warnings": [str(w.message) for w in caught],
}))
"""


def run_kernels(**env: str) -> dict[str, object]:
    done = run_fresh(SCRIPT, timeout=600, env={"HOME": os.environ.get("HOME", "/"), **env})
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_second_process_loads_the_kernels_the_first_compiled(tmp_path: Path) -> None:
    first = run_kernels(NUMBA_CACHE_DIR=str(tmp_path))
    assert (first["hits"], first["misses"]) == (0, 1)  # an empty cache folder: compiled and saved
    assert any(tmp_path.rglob("recursions._smooth_all-*.nbi"))
    second = run_kernels(NUMBA_CACHE_DIR=str(tmp_path))
    assert (second["hits"], second["misses"]) == (1, 0)
    assert second["rates"] == first["rates"]


def test_without_a_writable_cache_folder_the_kernels_compile_and_say_so(tmp_path: Path) -> None:
    """Numba refuses `cache=True` when no locator can write (here: only the IPython locator, which serves no file):
    the kernels then compile uncached with one warning, and give the cached kernels' rates."""
    cached = run_kernels(NUMBA_CACHE_DIR=str(tmp_path))
    uncached = run_kernels(NUMBA_CACHE_LOCATOR_CLASSES="IPythonCacheLocator")
    assert (uncached["hits"], uncached["misses"]) == (0, 1)  # compiled in this process, nothing loaded
    assert uncached["rates"] == cached["rates"]
    warned = uncached["warnings"]
    assert isinstance(warned, list) and any("NUMBA_CACHE_DIR" in message for message in warned)
