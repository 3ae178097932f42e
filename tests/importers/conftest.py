"""Fixtures for the importer tests: a shop in a rolled-back session (SQLite and PostgreSQL, from tests/conftest.py),
CSV files written into tmp_path, and the row counts that show whether an import wrote anything."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.importers.samples import IMPORTED_TABLES, SKUS, RunImport, WriteCsv
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker
from tradewind.errors import InputFileError, RowError
from tradewind.importers.summary import ImportSummary
from tradewind.importers.tradewind_csv import import_file
from tradewind.models import Base
from tradewind.shops.models import Shop
from tradewind.shops.service import create_shop


@pytest.fixture
def import_session(session: Session) -> Session:
    """The shared rolled-back session (SQLite, and PostgreSQL under the `postgres` marker)."""
    return session


@pytest.fixture
def sqlite_file_sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated SQLite file of this test's own, for tests where the caller commits."""
    engine = make_engine(f"sqlite:///{tmp_path / 'tradewind.db'}")
    upgrade(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def import_shop(import_session: Session) -> Shop:
    return create_shop(import_session, code="t", name="Test shop", currency="USD", country="CN")


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    def write(name: str, text: str, *, encoding: str = "utf-8", bom: bool = False) -> Path:
        path = tmp_path / name
        data = text.encode(encoding)
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        return path

    return write


@pytest.fixture
def run_import(import_session: Session, import_shop: Shop) -> RunImport:
    def run(kind: str, path: Path, **options: Any) -> ImportSummary:
        return import_file(import_session, shop=import_shop, kind=kind, path=path, **options)

    return run


@pytest.fixture
def counts(import_session: Session) -> Callable[[], dict[str, int]]:
    """Rows per imported table, to show that a failed import wrote nothing."""

    def count() -> dict[str, int]:
        import_session.flush()
        return {
            name: import_session.scalar(select(func.count()).select_from(Base.metadata.tables[name])) or 0
            for name in IMPORTED_TABLES
        }

    return count


@pytest.fixture
def rejected(run_import: RunImport, counts: Callable[[], dict[str, int]]) -> Callable[..., list[RowError]]:
    """Import a file that must fail: returns its errors, having checked that no table gained or lost a row."""

    def reject(kind: str, path: Path, **options: Any) -> list[RowError]:
        before = counts()
        with pytest.raises(InputFileError) as caught:
            run_import(kind, path, **options)
        assert counts() == before
        return caught.value.errors

    return reject


@pytest.fixture
def catalogue(write_csv: WriteCsv, run_import: RunImport) -> None:
    """Three SKUs (SH-38-BLK, SH-39-BLK, CAP-RED) imported."""
    run_import("skus", write_csv("skus.csv", SKUS))
