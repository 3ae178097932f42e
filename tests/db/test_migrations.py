"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL (`alembic check`)."""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from tradewind.db.migrate import (
    MIGRATIONS,
    VERSIONS,
    alembic_config,
    current_revision,
    head_revision,
    schema_drift,
    script_heads,
    upgrade,
)
from tradewind.db.session import make_engine
from tradewind.models import Base


def test_models_and_migrations_agree(engine: Engine) -> None:
    assert schema_drift(engine) == []


def test_database_is_at_head(engine: Engine) -> None:
    """The test database is at the migration scripts' one head (get_current_head fails on two heads)."""
    scripts = ScriptDirectory.from_config(alembic_config())
    (head,) = scripts.get_heads()
    assert head_revision() == head
    assert current_revision(engine) == head


def test_the_head_read_from_the_scripts_text_is_alembic_s() -> None:
    """Every command checks the head without importing Alembic: reading the scripts finds the head Alembic finds."""
    scripts = ScriptDirectory.from_config(alembic_config())
    assert script_heads(VERSIONS) == list(scripts.get_heads())
    assert head_revision() == scripts.get_current_head()


def test_two_heads_read_from_the_scripts_are_alembic_s_two(tmp_path: Path) -> None:
    """A script planted beside the head, on the revision before it, makes a second head for both readings (and a
    merge of the two makes one again): the reading follows down_revision, not the files' names."""
    shutil.copytree(MIGRATIONS, tmp_path / "migrations")
    versions = tmp_path / "migrations" / "versions"
    head_id = head_revision()
    assert head_id is not None
    head = ScriptDirectory.from_config(alembic_config()).get_revision(head_id)
    assert head is not None and isinstance(head.down_revision, str)
    (versions / "0000_aside.py").write_text(
        f'"""aside"""\n\nrevision: str = "zz_aside"\ndown_revision: str | None = "{head.down_revision}"\n'
        "branch_labels = None\ndepends_on = None\n\n\ndef upgrade() -> None:\n    pass\n",
        encoding="utf-8",
    )
    config = alembic_config()
    config.set_main_option("script_location", str(tmp_path / "migrations"))
    assert (
        script_heads(versions)
        == sorted(ScriptDirectory.from_config(config).get_heads())
        == sorted([head.revision, "zz_aside"])
    )
    (versions / "0001_merge.py").write_text(
        f'"""merge"""\n\nrevision: str = "zz_merge"\ndown_revision = ("{head.revision}", "zz_aside")\n'
        "branch_labels = None\ndepends_on = None\n\n\ndef upgrade() -> None:\n    pass\n",
        encoding="utf-8",
    )
    assert script_heads(versions) == list(ScriptDirectory.from_config(config).get_heads()) == ["zz_merge"]


def test_the_revision_read_with_one_select_is_alembic_s(engine: Engine, tmp_path: Path) -> None:
    """The database's revision read without Alembic equals Alembic's reading, at the head, behind it and on a
    database with no version table (None)."""
    with engine.connect() as connection:
        assert current_revision(engine) == MigrationContext.configure(connection).get_current_revision()
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert current_revision(empty) is None
        with empty.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() is None
    finally:
        empty.dispose()


def test_a_database_behind_the_head_is_not_at_head(tmp_path: Path) -> None:
    """The check above can fail: a database migrated to the revision before the head is not at the head."""
    wanted = head_revision()
    assert wanted is not None
    head = ScriptDirectory.from_config(alembic_config()).get_revision(wanted)
    assert head is not None and isinstance(head.down_revision, str)
    engine = make_engine(f"sqlite:///{tmp_path / 'behind.db'}")
    try:
        upgrade(engine, head.down_revision)
        assert current_revision(engine) == head.down_revision != head_revision()
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == head.down_revision
    finally:
        engine.dispose()


def test_every_table_is_created(engine: Engine) -> None:
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_drift_is_detected(engine: Engine) -> None:
    from sqlalchemy import Column, Integer, MetaData, Table

    from tradewind.db.migrate import compare_with

    extra = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(extra)
    Table("not_migrated", extra, Column("id", Integer, primary_key=True))
    assert any("not_migrated" in str(diff) for diff in compare_with(engine, extra))


# People and their credentials span shops (a user reaches a shop through a membership row, which has shop_id).
NOT_SHOP_RECORDS = {"shops", "alembic_version", "users", "api_tokens", "web_sessions", "login_attempts"}


def test_every_record_belongs_to_a_shop() -> None:
    for name, table in Base.metadata.tables.items():
        if name in NOT_SHOP_RECORDS:
            continue
        assert "shop_id" in table.columns, f"{name} has no shop_id"
