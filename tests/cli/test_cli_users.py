"""`tradewind user add|grant|token|list` and `tradewind serve`'s start-up check, on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tradewind.cli.serve import serve_command
from tradewind.cli.users import user_app
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.shops.service import create_shop

app = typer.Typer()
app.add_typer(user_app, name="user")
app.command("serve")(serve_command)
runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = tmp_path / "shop.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        create_shop(session, code="lucky", name="Lucky Step")
    engine.dispose()
    return str(path)


def test_add_a_user_and_give_them_a_token(database: str) -> None:
    added = runner.invoke(
        app,
        ["user", "add", "Lin@Example.com", "--role", "owner", "--password-stdin", "--db", database, "--json"],
        input="a long enough password\n",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.output) == {
        "email": "lin@example.com",
        "name": "lin",
        "locale": "en",
        "shops": [{"code": "lucky", "role": "owner"}],
    }
    token = runner.invoke(app, ["user", "token", "lin@example.com", "--name", "sync", "--db", database, "--json"])
    assert token.exit_code == 0 and json.loads(token.output)["token"].startswith("tw_")
    listed = runner.invoke(app, ["user", "list", "--db", database, "--json"])
    assert [u["email"] for u in json.loads(listed.output)] == ["lin@example.com"]


def test_errors_are_one_line_with_an_exit_code(database: str) -> None:
    short = runner.invoke(app, ["user", "add", "a@b.c", "--password-stdin", "--db", database], input="short\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    role = runner.invoke(app, ["user", "add", "a@b.c", "--role", "boss", "--password-stdin", "--db", database])
    assert role.exit_code == 2 and "owner, staff or viewer" in role.output
    nobody = runner.invoke(app, ["user", "token", "nobody@b.c", "--name", "x", "--db", database])
    assert nobody.exit_code == 3


def test_serve_refuses_a_database_behind_the_migrations(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, "0001")
    engine.dispose()
    result = runner.invoke(app, ["serve", "--db", str(path)])
    assert result.exit_code == 2 and "tradewind db upgrade" in result.output


def test_a_user_reads_the_interface_in_russian_and_only_in_a_language_it_speaks(database: str) -> None:
    added = runner.invoke(
        app,
        ["user", "add", "olga@example.com", "--locale", "ru", "--password-stdin", "--db", database, "--json"],
        input="a long enough password\n",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["locale"] == "ru"
    french = runner.invoke(
        app,
        ["user", "add", "jean@example.com", "--locale", "fr", "--password-stdin", "--db", database],
        input="a long enough password\n",
    )
    assert french.exit_code == 2 and "en, zh, ru" in french.output and "'fr'" in french.output
