"""Building a demo shop into a fresh SQLite file, as `tradewind demo` does: migrate, build in one transaction,
commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.demo import DemoSummary, build_demo_shop

# A day a few weeks after Chinese New Year 2025 (29 January): the boot factory is closed for Spring Festival.
DEMO_TODAY = date(2025, 2, 20)


@dataclass(frozen=True)
class BuiltDemo:
    engine: Engine
    summary: DemoSummary
    today: date
    progress: tuple[tuple[str, int, int], ...]


def build_into_file(path: Path, *, seed: int = 7, today: date = DEMO_TODAY) -> BuiltDemo:
    """Create a SQLite file, migrate it, build the demo shop in one transaction and commit, as the CLI does."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    calls: list[tuple[str, int, int]] = []
    with transaction(make_sessionmaker(engine)) as session:
        summary = build_demo_shop(
            session, seed=seed, today=today, progress=lambda stage, done, total: calls.append((stage, done, total))
        )
    return BuiltDemo(engine, summary, today, tuple(calls))
