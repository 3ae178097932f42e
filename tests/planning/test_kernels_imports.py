"""The planning kernels are pure array code: an allow-list of what they may import (the standard library, NumPy,
Numba and the kernels themselves), read from their source, so that any new dependency fails here, not only the
ones import-linter's deny-list names."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import tradewind.planning.kernels as kernels

ALLOWED = frozenset({"numpy", "numba"})
OWN = "tradewind.planning.kernels"


def imported_modules(source: str) -> set[str]:
    """Every module a source imports, at any depth (inside functions and `try` blocks too); relative imports as
    the kernels' own."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(OWN if node.level else str(node.module))
    return found


def not_allowed(modules: set[str]) -> set[str]:
    def allowed(name: str) -> bool:
        top = name.split(".")[0]
        return top in sys.stdlib_module_names or top in ALLOWED or name == OWN or name.startswith(OWN + ".")

    return {name for name in modules if not allowed(name)}


def test_the_kernels_import_only_the_standard_library_numpy_and_numba() -> None:
    sources = sorted(Path(kernels.__file__).parent.glob("*.py"))
    assert len(sources) >= 5
    found = {path.name: not_allowed(imported_modules(path.read_text(encoding="utf-8"))) for path in sources}
    assert {name: bad for name, bad in found.items() if bad} == {}


def test_the_allow_list_refuses_what_it_does_not_name() -> None:
    planted = (
        "import numpy as np\ndef f():\n    import pandas\n    from sqlalchemy import select\n    from . import plan\n"
    )
    assert not_allowed(imported_modules(planted)) == {"pandas", "sqlalchemy"}
    assert not_allowed(imported_modules("from tradewind.planning.service import build_plan\n")) == {
        "tradewind.planning.service"
    }
