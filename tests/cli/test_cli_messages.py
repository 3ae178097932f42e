"""The messaging commands through Typer's runner: triage (one JSON object per line with --file), the outbox (list,
show, edit, queue, export), supplier status, messages and threads; errors as one line with an exit code."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests import factories as f
from tradewind.cli.main import app as main_app
from tradewind.cli.messages import messages_app, supplier_app, triage_command
from tradewind.db.session import make_engine
from tradewind.messaging.models import RecipientKind
from tradewind.messaging.outbox import Recipient, save_draft
from tradewind.messaging.situations import sample_facts
from tradewind.messaging.templates import render
from tradewind.shops.service import get_shop

app = typer.Typer()
app.add_typer(messages_app, name="messages")
app.add_typer(supplier_app, name="supplier")
app.command("triage")(triage_command)
runner = CliRunner()
TODAY = "2026-02-03"


def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def shop_db(tmp_path: Path) -> str:
    path = str(tmp_path / "shop.db")
    result = runner.invoke(main_app, ["init", "--shop", "boots", "--name", "Hua Yuye Shoes", "--db", path])
    assert result.exit_code == 0, result.stderr
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        shop = get_shop(session, code="boots")
        f.supplier(session, shop, "SUP-WZ")
        buyer = f.buyer(session, shop)
        now = datetime(2026, 2, 3, 9, tzinfo=UTC)
        order = f.order(session, shop, [(f.sku(session, shop), 1)], placed_at=now - timedelta(days=2), the_buyer=buyer)
        facts = sample_facts("shipping_delay") | {"order_number": order.number}
        save_draft(
            session,
            shop_id=shop.id,
            shop_code=shop.code,
            idempotency_key=f"shipping_delay:{order.number}",
            rendered=render("shipping_delay", "ru", facts),
            recipient=Recipient(kind=RecipientKind.BUYER),
            facts={},
            now=now,
        )
        session.commit()
    engine.dispose()
    return path


def test_triage_a_file_gives_one_json_object_per_line(tmp_path: Path) -> None:
    messages = tmp_path / "inbox.txt"
    messages.write_text("где мой заказ 8012000004433221??\nquiero cancelar mi pedido\n\n届きました、ありがとう\n")
    code, out, err = invoke("triage", "--file", str(messages), "--offline")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["language"] for r in rows] == ["ru", "es", "ja"]
    assert rows[0]["intent"] == "order_status" and rows[0]["order"] == "8012000004433221"
    assert rows[1]["intent"] == "cancel_order" and "cancelar" in rows[1]["reply"]
    assert set(rows[0]) >= {"text", "language", "intent", "confidence", "order", "reply"}


def test_triage_one_message_as_json_and_bad_input(tmp_path: Path) -> None:
    code, out, _ = invoke("triage", "hi, my card was declined twice, how can I pay?", "--json", "--offline")
    assert code == 0 and json.loads(out)["intent"] == "payment"
    code, _, err = invoke("triage", "--offline")
    assert code == 2 and "error:" in err and len(err.strip().splitlines()) == 1


def test_outbox_commands(shop_db: str, tmp_path: Path) -> None:
    code, out, err = invoke("messages", "list", "--db", shop_db, "--json")
    assert code == 0, err
    [draft] = json.loads(out)
    assert draft["state"] == "draft" and draft["locale"] == "ru"
    code, _, err = invoke("messages", "edit", str(draft["id"]), "--body", "Извините за задержку!", "--db", shop_db)
    assert code == 0, err
    code, out, _ = invoke("messages", "show", str(draft["id"]), "--db", shop_db, "--json")
    assert json.loads(out)["body"] == "Извините за задержку!\n" and json.loads(out)["edited"]
    assert invoke("messages", "queue", str(draft["id"]), "--db", shop_db)[0] == 0
    target = tmp_path / "paste.csv"
    code, _, err = invoke("messages", "export", "--format", "csv", "--out", str(target), "--db", shop_db)
    assert code == 0, err and "Извините за задержку!" in target.read_text()
    code, out, _ = invoke("messages", "export", "--format", "json", "--db", shop_db)
    assert code == 0 and json.loads(out) == []
    code, _, err = invoke("messages", "edit", str(draft["id"]), "--body", "too late", "--db", shop_db)
    assert code == 4 and "only a draft or a queued message" in err
    code, _, err = invoke("messages", "send", "--db", shop_db)
    assert code == 2 and "TRADEWIND_SMTP_HOST" in err


def test_supplier_commands(shop_db: str) -> None:
    code, out, err = invoke(
        "supplier",
        "message",
        "SUP-WZ",
        "您好，请问什么时候复工？",
        "--out",
        "--db",
        shop_db,
        "--at",
        "2026-02-01T09:00",
    )
    assert code == 0, err
    code, out, err = invoke(
        "supplier",
        "message",
        "SUP-WZ",
        "我们2月24日复工，3月2日可以发货",
        "--in",
        "--db",
        shop_db,
        "--at",
        "2026-02-01T21:00",
        "--json",
    )
    assert code == 0, err and json.loads(out)["status_hint"]["closed_until"] == "2026-02-24"
    code, _, err = invoke(
        "supplier",
        "status",
        "SUP-WZ",
        "--closed-until",
        "2026-02-24",
        "--restock-on",
        "2026-03-02",
        "--db",
        shop_db,
        "--today",
        TODAY,
    )
    assert code == 0, err
    code, out, _ = invoke("supplier", "threads", "--db", shop_db, "--today", TODAY, "--json")
    [stats] = json.loads(out)
    assert (
        stats["median_response_hours"] == 12.0 and stats["status"] == "closed" and stats["restock_on"] == "2026-03-02"
    )
    code, _, err = invoke("supplier", "message", "SUP-WZ", "hello", "--db", shop_db)
    assert code == 2 and "--in" in err
