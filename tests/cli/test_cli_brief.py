"""The CLI through Typer's runner: init, brief (table and JSON), action show/apply/dismiss/snooze, and errors as
one red line with an exit code."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests import factories as f
from tests.fresh import commands_script, imported_modules, run_fresh
from tradewind.brief.schemas import BriefOut
from tradewind.cli.main import app
from tradewind.db.session import make_engine
from tradewind.shops.service import get_shop

TODAY = "2026-02-03"
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def shop_db(tmp_path: Path) -> str:
    path = str(tmp_path / "shop.db")
    code, _, err = invoke("init", "--shop", "boots", "--name", "Hua Yuye Shoes", "--db", path)
    assert code == 0, err
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        shop = get_shop(session, code="boots")
        day = date.fromisoformat(TODAY)
        sku = f.sku(session, shop, "BOOT-38")
        supplier = f.supplier(session, shop, "SUP-A")
        f.offer(session, shop, supplier, sku, moq=10, pack_size=10)
        f.stock(session, shop, f.warehouse(session, shop), sku, 2)
        f.daily_sales(session, shop, sku, today=day, per_day=1)
        now = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        f.order(
            session, shop, [(sku, 1)], placed_at=now - timedelta(days=2), the_buyer=f.buyer(session, shop), paid=False
        )
        session.commit()
    engine.dispose()
    return path


def test_brief_json_follows_the_schema_and_is_stable(shop_db: str) -> None:
    code, out, _ = invoke("brief", "--db", shop_db, "--today", TODAY, "--json")
    assert code == 0
    payload = json.loads(out)
    BriefOut.model_validate(payload)
    assert set(payload) == {"shop", "today", "actions"}
    assert payload["shop"] == "boots" and payload["today"] == TODAY
    assert {a["kind"] for a in payload["actions"]} == {
        "restock",
        "stockout_playbook",
        "supplier_check",
        "unpaid_reminder",
    }
    for action in payload["actions"]:
        assert set(action) == {"id", "kind", "priority", "subject", "due", "title", "why", "figures", "steps", "state"}
    priorities = [a["priority"] for a in payload["actions"]]
    assert priorities == sorted(priorities, reverse=True)
    assert json.loads(invoke("brief", "--db", shop_db, "--today", TODAY, "--json")[1]) == payload


def test_brief_table_and_filters(shop_db: str) -> None:
    code, out, _ = invoke("brief", "--db", shop_db, "--today", TODAY)
    assert code == 0
    assert "Hua Yuye Shoes" in out and "TODAY" in out and "from Wenzhou Shoes" in out
    code, out, _ = invoke("brief", "--db", shop_db, "--today", TODAY, "--json", "--kind", "restock")
    assert [a["kind"] for a in json.loads(out)["actions"]] == ["restock"]
    code, out, _ = invoke("brief", "--db", shop_db, "--today", TODAY, "--json", "--limit", "1")
    assert len(json.loads(out)["actions"]) == 1


def test_apply_dismiss_snooze_from_the_command_line(shop_db: str) -> None:
    actions = json.loads(invoke("brief", "--db", shop_db, "--today", TODAY, "--json")[1])["actions"]
    restock = next(a for a in actions if a["kind"] == "restock")
    unpaid = next(a for a in actions if a["kind"] == "unpaid_reminder")

    code, out, _ = invoke("action", "apply", str(restock["id"]), "--db", shop_db, "--today", TODAY, "--json")
    assert code == 0 and json.loads(out)["action"]["state"] == "applied"
    code, out, _ = invoke("action", "apply", str(restock["id"]), "--db", shop_db, "--today", TODAY)
    assert code == 0 and "already applied" in out

    code, out, _ = invoke("action", "show", str(restock["id"]), "--db", shop_db, "--json")
    detail = json.loads(out)
    assert [e["to_state"] for e in detail["events"]] == ["open", "applied"]
    assert "purchase order TW-" in detail["events"][-1]["note"]

    code, out, _ = invoke(
        "action", "snooze", str(unpaid["id"]), "--until", "2026-02-05", "--db", shop_db, "--today", TODAY
    )
    assert code == 0 and "snoozed" in out and "hidden until 2026-02-05" in out
    left = json.loads(invoke("brief", "--db", shop_db, "--today", TODAY, "--json")[1])["actions"]
    # the PO arrives after the stockout; the supplier has never reported its status
    assert sorted(a["kind"] for a in left) == ["stockout_playbook", "supplier_check"]

    code, _, err = invoke("action", "dismiss", str(restock["id"]), "--db", shop_db, "--today", TODAY)
    assert code == 4 and "cannot become dismissed" in err


def test_reopen_from_the_command_line(shop_db: str) -> None:
    actions = json.loads(invoke("brief", "--db", shop_db, "--today", TODAY, "--json")[1])["actions"]
    restock = next(a for a in actions if a["kind"] == "restock")
    unpaid = next(a for a in actions if a["kind"] == "unpaid_reminder")
    invoke("action", "apply", str(restock["id"]), "--db", shop_db, "--today", TODAY)
    code, out, _ = invoke("action", "reopen", str(restock["id"]), "--db", shop_db, "--today", TODAY)
    assert code == 0 and "reopened" in out and "cancelled purchase order TW-" in out
    detail = json.loads(invoke("action", "show", str(restock["id"]), "--db", shop_db, "--json")[1])
    assert [e["to_state"] for e in detail["events"]] == ["open", "applied", "open"]
    invoke("action", "apply", str(unpaid["id"]), "--db", shop_db, "--today", TODAY)
    code, _, err = invoke("action", "reopen", str(unpaid["id"]), "--db", shop_db, "--today", TODAY)
    assert code == 4 and "cannot be called back" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["brief", "--today", "03/02/2026"], 2, "--today must be a date written YYYY-MM-DD"),
        (["action", "apply", "999"], 3, "no action #999"),
        (["brief", "--shop", "nope"], 3, "no shop 'nope'"),
    ],
)
def test_errors_are_one_line(shop_db: str, args: list[str], exit_code: int, message: str) -> None:
    code, out, err = invoke(*args, "--db", shop_db)
    assert code == exit_code
    assert message in err and "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1


def test_missing_database_is_explained(tmp_path: Path) -> None:
    code, _, err = invoke("brief", "--db", str(tmp_path / "nothing.db"))
    assert code == 2 and "no database at" in err and "tradewind demo" in err


def test_db_upgrade_and_check(tmp_path: Path) -> None:
    path = str(tmp_path / "fresh.db")
    assert invoke("db", "upgrade", "--db", path)[0] == 0
    code, out, _ = invoke("db", "check", "--db", path)
    assert code == 0 and "matches" in out
    code, _, err = invoke("brief", "--db", path)
    assert code == 3 and "no shop yet" in err


def test_init_rejects_unknown_currency(tmp_path: Path) -> None:
    code, _, err = invoke("init", "--shop", "x", "--name", "X", "--currency", "XYZ", "--db", str(tmp_path / "x.db"))
    assert code == 2 and "unknown currency 'XYZ'" in err


def test_a_database_behind_the_migrations_is_explained(tmp_path: Path) -> None:
    from tradewind.db.migrate import upgrade

    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, "0002_planning")
    engine.dispose()
    code, _, err = invoke("brief", "--db", str(path))
    assert code == 2 and "schema revision 0002_planning" in err and "tradewind db upgrade" in err
    assert invoke("db", "upgrade", "--db", str(path))[0] == 0
    code, _, err = invoke("brief", "--db", str(path))
    assert code == 3 and "no shop yet" in err


def test_action_show_lists_the_first_members_of_a_large_group(tmp_path: Path) -> None:
    path = str(tmp_path / "busy.db")
    assert invoke("init", "--shop", "busy", "--name", "Busy shop", "--db", path)[0] == 0
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        shop = get_shop(session, code="busy")
        sku = f.sku(session, shop, "BOOT-38")
        day = date.fromisoformat(TODAY)
        now = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        for _ in range(40):
            f.order(
                session,
                shop,
                [(sku, 1)],
                placed_at=now - timedelta(days=2),
                the_buyer=f.buyer(session, shop),
                paid=False,
            )
        session.commit()
    engine.dispose()
    actions = json.loads(invoke("brief", "--db", path, "--today", TODAY, "--json")[1])["actions"]
    (unpaid,) = [a for a in actions if a["kind"] == "unpaid_reminder"]
    assert "Remind 40 buyers to pay" in unpaid["title"]
    code, out, _ = invoke("action", "show", str(unpaid["id"]), "--db", path)
    assert code == 0
    assert "Notices: 40" in out and "… and 30 more (--json shows them all)" in out
    assert "… and 10 more steps" in out
    detail = json.loads(invoke("action", "show", str(unpaid["id"]), "--db", path, "--json")[1])
    assert len(detail["figures"]["notices"]) == 40 and len(detail["steps"]) == 40


def test_action_show_and_dismiss_run_no_producer(shop_db: str) -> None:
    """`action show` and `action dismiss` read and change one stored action: in a fresh interpreter they import no
    producer, so neither the planning kernels (Numba) nor the holiday calendars."""
    actions = json.loads(invoke("brief", "--db", shop_db, "--today", TODAY, "--json")[1])["actions"]
    first = str(actions[0]["id"])
    runs = [["action", "show", first, "--db", shop_db, "--json"], ["action", "dismiss", first, "--db", shop_db]]
    done = run_fresh(commands_script(runs, must_succeed=True), timeout=300)
    assert done.returncode == 0 and "MODULES" in done.stderr, done.stderr[-3000:]
    assert '"state": "open"' in done.stdout and "dismissed" in done.stdout
    modules = imported_modules(done)
    assert "tradewind.cli.brief" in modules
    assert sorted(m for m in modules if m.endswith(".producers")) == []
    assert sorted(m for m in modules if m.split(".")[0] in ("numba", "holidays", "alembic")) == []


def test_brief_in_russian_and_chinese(shop_db: str) -> None:
    def titles(*locale: str) -> dict[str, str]:
        code, out, _ = invoke("brief", "--db", shop_db, "--today", TODAY, "--json", *locale)
        assert code == 0
        return {a["kind"]: a["title"] for a in json.loads(out)["actions"]}

    english, russian, chinese = titles(), titles("--locale", "ru"), titles("--locale", "zh")
    assert english == titles("--locale", "en")
    assert english["restock"] == "Order 30 pieces from Wenzhou Shoes by 03 Feb: BOOT-38"
    # 30 of a feminine noun take the genitive plural; one buyer the nominative singular.
    assert russian["restock"] == "Заказать у Wenzhou Shoes до 3 февр.: 30 штук, BOOT-38"
    assert "(1 покупатель, ждут оплаты 30,00\xa0$)" in russian["unpaid_reminder"]
    assert chinese["restock"] == "2月3日前向 Wenzhou Shoes 订购 30 件：BOOT-38"
    code, out, _ = invoke("brief", "--db", shop_db, "--today", TODAY, "--json", "--locale", "ru")
    why = next(a["why"] for a in json.loads(out)["actions"] if a["kind"] == "restock")
    # The reason too: "BOOT-38: 2 on hand + 0 on order (1.9 d at 1.04/day, out on 05 Feb); reorder point 17 …"
    assert why.startswith("BOOT-38: в наличии 2 + в заказе 0 (1,9 дн. при 1,04 в день, закончится 5 февр.); точка")
    code, table, _ = invoke("brief", "--db", shop_db, "--today", TODAY, "--locale", "ru")
    assert code == 0
    assert "вторник, 3 февраля 2026\u202fг." in table and "30 штук" in table and "3 февр." in table
    code, _, err = invoke("brief", "--db", shop_db, "--today", TODAY, "--locale", "fr")
    assert code != 0 and "--locale" in err


def test_the_brief_table_speaks_the_language_around_the_actions(shop_db: str) -> None:
    """The summary line, the column headings, the urgency groups and the hints of `brief --locale ru|zh` are in that
    language (the kinds stay the codes `--kind` takes); the English ones are unchanged."""

    def table(*args: str) -> str:
        code, out, _ = invoke("brief", "--db", shop_db, "--today", TODAY, "--limit", "1", *args)
        assert code == 0
        return " ".join(out.split())  # as one line: the terminal's width wraps the sentences

    english = table()
    assert "— brief for Tuesday 03 February 2026: 4 open actions (" in english
    assert "action and why" in english and "priority" in english and "TODAY" in english
    assert "… and 3 more: `tradewind brief --limit 0` shows them all." in english
    russian = table("--locale", "ru")
    assert "— сводка на вторник, 3 февраля 2026 г.: 4 открытых действия (" in russian
    assert "действие и причина" in russian and "приоритет" in russian and "СЕГОДНЯ" in russian
    assert "… и ещё 3: `tradewind brief --limit 0` покажет все." in russian
    assert "Выполнить действие: `tradewind action apply ID`" in russian
    for word in ("brief for", "open actions", "action and why", "priority", "TODAY", "more:", "Apply one"):
        assert word not in russian
    chinese = table("--locale", "zh")
    assert "— 2026年2月3日星期二 的简报：4 项待办 (" in chinese
    assert "行动与原因" in chinese and "优先级" in chinese and "今天" in chinese and "还有 3 项" in chinese


def test_action_show_names_and_formats_the_figures_in_the_readers_language(shop_db: str) -> None:
    actions = json.loads(invoke("brief", "--db", shop_db, "--today", TODAY, "--json")[1])["actions"]
    restock = next(a for a in actions if a["kind"] == "restock")
    assert (restock["figures"]["total_cost"], restock["figures"]["cost_currency"]) == ("1350.0000", "CNY")
    assert restock["figures"]["lead_time_mean_days"] == 10.0 and restock["figures"]["expected_on"] == "2026-02-13"
    shown = {}
    for locale in ("en", "ru", "zh"):
        code, out, _ = invoke("action", "show", str(restock["id"]), "--db", shop_db, "--locale", locale)
        assert code == 0
        # Babel's no-break spaces (a number's group, before a currency, CLDR's narrow one before "г.") read as spaces.
        shown[locale] = out.replace("\xa0", " ").replace("\u202f", " ")
    assert "Total cost: CNY 1,350.00" in shown["en"] and "Lead time (mean): 10 days" in shown["en"]
    assert "Общая стоимость: 1 350,00 CN¥" in shown["ru"] and "Срок поставки (среднее): 10 дн." in shown["ru"]
    assert "1. Заказ поставщику: Поставщик: SUP-A" in shown["ru"]
    assert "Ожидается: 13 февр. 2026 г." in shown["ru"] and "Заказать у Wenzhou Shoes" in shown["ru"]
    assert "总成本: ¥1,350.00" in shown["zh"] and "交货期（平均）: 10天" in shown["zh"]
    assert "预计到货: 2026年2月13日" in shown["zh"]
    assert "total_cost" not in shown["ru"] + shown["zh"]
    code, _, err = invoke("action", "show", str(restock["id"]), "--db", shop_db, "--locale", "fr")
    assert code != 0 and "--locale" in err
