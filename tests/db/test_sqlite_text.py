"""SQLite folds case as PostgreSQL does: a case-blind search (`ilike`, `icontains`) finds Cyrillic and Greek names
on both databases, not only ASCII ones."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, literal, select

from tradewind.db.session import make_engine


def test_a_case_blind_search_folds_every_alphabet_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'text.db'}")
    with engine.connect() as connection:
        assert connection.scalar(select(func.lower("ОЛЬГА Straße ΣΟΦΙΑ"))) == "ольга straße σοφια"
        assert connection.scalar(select(literal("Ольга Петрова").icontains("ольга"))) == 1
        assert connection.scalar(select(literal("Ольга").icontains("ОЛЬ%", autoescape=True))) == 0
        assert connection.scalar(select(func.lower(None))) is None
    engine.dispose()
