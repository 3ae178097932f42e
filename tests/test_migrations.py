"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL (`alembic check`)."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from tradewind.db.migrate import current_revision, schema_drift
from tradewind.models import Base


def test_models_and_migrations_agree(engine: Engine) -> None:
    assert schema_drift(engine) == []


def test_database_is_at_head(engine: Engine) -> None:
    assert current_revision(engine) is not None


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
