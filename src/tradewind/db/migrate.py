"""Schema migrations run from code: `tradewind db upgrade`, the demo, and the drift check in the tests.

Every command checks that its database is at the head revision before it runs. That check reads the head from the
migration scripts' own text and the database's revision with one SELECT, without importing Alembic (its import
brings in every dialect's DDL, about a third of a second at each start); Alembic is imported to migrate or to
compare the models with a database. tests/db/test_migrations.py checks that both readings equal Alembic's.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, MetaData, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSIONS = MIGRATIONS / "versions"
VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps

# A script's own identity, as `alembic revision` writes it: `revision: str = "0019_stores"` and
# `down_revision: str | None = "0018_phrases"` (a merge names a tuple of revisions).
_REVISION = re.compile(r"^revision\b[^=]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=]*=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        # configparser treats % as interpolation: escape it (socket paths are URL-encoded).
        url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
        config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to `revision` (the latest by default)."""
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@functools.cache
def head_revision() -> str | None:
    """The revision this version of Tradewind's models needs: the one script no other script follows (None when
    there are none). Two heads are an error, as for Alembic's get_current_head."""
    heads = script_heads(VERSIONS)
    if len(heads) > 1:
        raise RuntimeError(f"the migration scripts have several heads: {', '.join(heads)}; merge them")
    return heads[0] if heads else None


def script_heads(versions: Path) -> list[str]:
    """The revisions of the scripts in `versions` that no other script follows, read from the scripts' text."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for script in sorted(versions.glob("*.py")):
        source = script.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:  # __init__.py, a helper: not a migration
            continue
        revisions.add(found.group(1))
        down = _DOWN_REVISION.search(source)
        if down is not None:
            followed.update(_QUOTED.findall(down.group(1)))
    return sorted(revisions - followed)


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision (Alembic's version table), or None when it has none (not migrated)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(rows) > 1:
        raise RuntimeError(f"the database is at several revisions at once: {', '.join(sorted(rows))}")
    return rows[0] if rows else None


def schema_drift(engine: Engine) -> list[object]:
    """Differences between the models and the migrated database (empty when they agree): `alembic check`."""
    from tradewind.models import Base

    return compare_with(engine, Base.metadata)


def compare_with(engine: Engine, metadata: MetaData) -> list[object]:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))
