"""Optional Numba compilation of the recursions over time; without Numba the same code runs as Python."""

from __future__ import annotations

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


def jit(parallel: bool = False) -> Callable[[F], F]:
    """Compile with numba.njit (cached, fastmath off for determinism) when Numba is installed."""

    def decorate(function: F) -> F:
        if numba is None:  # pragma: no cover
            return function
        return cast(F, numba.njit(cache=True, parallel=parallel, fastmath=False)(function))

    return decorate
