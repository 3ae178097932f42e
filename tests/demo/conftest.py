"""Demo shops built once per test module into temporary SQLite files (building takes about two seconds)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.demo.building import BuiltDemo, build_into_file


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltDemo]:
    """The default demo shop (seed 7, scale 1, today 2025-02-20) in a migrated SQLite file."""
    built = build_into_file(tmp_path_factory.mktemp("demo") / "demo.db")
    yield built
    built.engine.dispose()
