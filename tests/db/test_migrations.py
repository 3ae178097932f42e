"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL (`alembic check`)."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from tradewind.db.migrate import alembic_config, current_revision, head_revision, schema_drift, upgrade
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
