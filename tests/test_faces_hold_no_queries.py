"""The faces (the command line, the API, the dashboard and what they share in `server/`) run no query of their own:
a list, a count or a record they show comes from the owning domain's service (docs/architecture.md, "A new dashboard
page"). Read from their source: no SQL statement built (sqlalchemy's select, func, text, insert, update, delete) and
no statement run on a session (execute, scalars, scalar, query)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tradewind"
FACES = ("cli", "api", "web", "server")
STATEMENTS = {"select", "func", "text", "insert", "update", "delete", "exists", "union", "and_", "or_"}
RUNS = {"execute", "scalars", "scalar", "query", "exec_driver_sql"}


def queries_in(source: str) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found += [f"line {node.lineno}: imports {a.name}" for a in node.names if a.name in STATEMENTS]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RUNS
            and isinstance(node.func.value, ast.Name)
            and "session" in node.func.value.id
        ):
            found.append(f"line {node.lineno}: {node.func.value.id}.{node.func.attr}(…)")
    return found


def face_modules() -> list[Path]:
    return sorted(p for face in FACES for p in (SRC / face).rglob("*.py"))


@pytest.mark.parametrize("path", face_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_a_face_runs_no_query_of_its_own(path: Path) -> None:
    assert queries_in(path.read_text(encoding="utf-8")) == []


def test_the_check_sees_a_query() -> None:
    planted = (
        "from sqlalchemy import func, select\n"
        "def count(session, shop_id):\n"
        "    return session.scalar(select(func.count()).where(X.shop_id == shop_id))\n"
    )
    assert queries_in(planted) == ["line 1: imports func", "line 1: imports select", "line 3: session.scalar(…)"]
