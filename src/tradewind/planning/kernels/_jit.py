"""Optional Numba compilation of the recursions over time; without Numba the same code runs as Python.

The compiled code is cached on disk (`cache=True`) and loaded by the next process instead of compiled again (about
3 s of CPU for the recursions): beside the source in `__pycache__` when that folder is writable (a checkout, an
editable install, a virtual environment the user owns), else in the user's cache folder (~/.cache/numba), or in
$NUMBA_CACHE_DIR when set. Where none of these can be written (a read-only install run by a user without a home),
Numba refuses to decorate a cached function at import; the kernels then compile in each process, with a warning
that says how to keep the cache. tests/planning/test_kernels_cache.py checks that a second process loads what the
first compiled.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])

try:
    import numba

    HAVE_NUMBA = True
    prange: Callable[..., Any] = numba.prange
except ImportError:  # pragma: no cover - exercised only where numba is absent
    numba = None  # type: ignore[assignment]
    HAVE_NUMBA = False
    prange = range

NO_CACHE_FOLDER = (
    "the planning kernels compile in every process: Numba finds no folder it can write its cache to "
    "(set NUMBA_CACHE_DIR to a writable folder to keep the compiled code between runs)"
)


def jit(parallel: bool = False) -> Callable[[F], F]:
    """Compile with numba.njit (cached, fastmath off for determinism) when Numba is installed."""

    def decorate(function: F) -> F:
        if numba is None:  # pragma: no cover
            return function
        try:
            return cast(F, numba.njit(cache=True, parallel=parallel, fastmath=False)(function))
        except RuntimeError as exc:  # Numba's "cannot cache function …: no locator available for file …"
            if "cannot cache" not in str(exc):
                raise
            warnings.warn(NO_CACHE_FOLDER, RuntimeWarning, stacklevel=2)
            return cast(F, numba.njit(cache=False, parallel=parallel, fastmath=False)(function))

    return decorate
