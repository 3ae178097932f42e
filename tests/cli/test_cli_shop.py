"""The shop's own settings through the CLI (`init --country`, `shop set`, `shop show`), the shop's local day in
imports and growth windows, and `sku list`."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests import factories as f
from tests.importers.platform_samples import SHOPIFY_HEADER, shopify_row
from tradewind.cli.main import app
from tradewind.cli.runtime import open_runtime
from tradewind.clock import FixedClock, SystemClock, local_today
from tradewind.db.session import make_engine
from tradewind.orders.models import Order, OrderStatus
from tradewind.shops.service import get_shop

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def show(db: str) -> dict[str, object]:
    code, out, err = invoke("shop", "show", "--db", db, "--json")
    assert code == 0, err
    settings: dict[str, object] = json.loads(out)
    return settings


def test_init_with_a_country_takes_its_zone_currency_and_language(tmp_path: Path) -> None:
    db = str(tmp_path / "uk.db")
    code, out, err = invoke("init", "--shop", "uk", "--name", "UK gifts", "--country", "GB", "--db", db)
    assert code == 0, err
    assert show(db) == {
        "code": "uk",
        "name": "UK gifts",
        "country": "GB",
        "timezone": "Europe/London",
        "currency": "GBP",
        "language": "en",
        "platform": "aliexpress",
        "opened_on": None,
        "digest_at": "07:30",
    }
    brazil = str(tmp_path / "br.db")
    code, out, err = invoke("init", "--shop", "br", "--name", "Loja", "--country", "br", "--db", brazil)
    assert code == 0, err
    settings = show(brazil)
    # zone.tab lists America/Noronha first; the country's main zone is São Paulo's
    assert (settings["timezone"], settings["currency"], settings["language"]) == ("America/Sao_Paulo", "BRL", "pt")
    assert "BR has 16 time zones" in out and "America/Sao_Paulo" in out


def test_init_options_win_over_the_country_and_without_a_country_nothing_changed(tmp_path: Path) -> None:
    db = str(tmp_path / "us.db")
    args = ["--country", "US", "--timezone", "America/Los_Angeles", "--currency", "eur", "--language", "es"]
    code, _, err = invoke("init", "--shop", "us", "--name", "West", *args, "--platform", "Shopify", "--db", db)
    assert code == 0, err
    settings = show(db)
    assert (settings["timezone"], settings["currency"], settings["language"], settings["platform"]) == (
        "America/Los_Angeles",
        "EUR",
        "es",
        "shopify",
    )
    plain = str(tmp_path / "plain.db")
    assert invoke("init", "--shop", "cn", "--name", "Boots", "--db", plain)[0] == 0
    settings = show(plain)
    assert (settings["country"], settings["timezone"], settings["currency"]) == ("CN", "Asia/Shanghai", "USD")


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--timezone", "Europe/Londres", "timezone"),
        ("--timezone", "GMT+3", "timezone"),
        ("--currency", "GBX", "currency"),
        ("--country", "UK", "country"),
        ("--country", "ZZ", "country"),
        ("--platform", "ebay", "platform"),
        ("--language", "xx", "language"),
        ("--opened-on", "2026-12-08", "opened_on"),
        ("--opened-on", "07/12/2026", "--opened-on"),
        ("--digest-at", "25:00", "digest_at"),
        ("--digest-at", "7h30", "digest_at"),
    ],
)
def test_shop_set_refuses_an_unknown_value_naming_the_field(
    tmp_path: Path, option: str, value: str, field: str
) -> None:
    db = str(tmp_path / "shop.db")
    assert invoke("init", "--shop", "uk", "--name", "UK gifts", "--country", "GB", "--db", db)[0] == 0
    before = show(db)
    valid = ["--platform", "shopify"] if option != "--platform" else ["--timezone", "Europe/Dublin"]
    code, _, err = invoke("shop", "set", option, value, *valid, "--db", db, "--today", "2026-12-07")
    assert code == 2 and "Traceback" not in err
    assert f"error: {field}" in err
    assert show(db) == before  # nothing changed, not even the valid setting given with it


def test_shop_set_changes_only_what_is_given(tmp_path: Path) -> None:
    db = str(tmp_path / "shop.db")
    assert invoke("init", "--shop", "uk", "--name", "UK gifts", "--country", "GB", "--db", db)[0] == 0
    code, out, err = invoke(
        "shop", "set", "--opened-on", "2026-11-02", "--platform", "woocommerce", "--language", "en-GB", "--db", db
    )
    assert code == 0, err
    assert "platform: aliexpress → woocommerce" in out and "opened_on: — → 2026-11-02" in out
    settings = show(db)
    assert (settings["opened_on"], settings["platform"], settings["language"]) == ("2026-11-02", "woocommerce", "en_GB")
    assert (settings["timezone"], settings["currency"]) == ("Europe/London", "GBP")
    code, out, _ = invoke("shop", "set", "--platform", "woocommerce", "--db", db)
    assert code == 0 and "nothing changed" in out
    code, out, err = invoke("shop", "set", "--digest-at", "6:05", "--db", db)
    assert code == 0, err
    assert show(db)["digest_at"] == "06:05"


US_ORDERS = (
    "order,placed_at,currency,sku,quantity,unit_price\n"
    "US-1,2026-03-03 23:30,USD,MUG-1,1,12.00\n"
    "US-2,2026-03-03T23:30:00Z,USD,MUG-1,1,12.00\n"
)


def test_a_time_without_an_offset_is_the_shops_local_time(tmp_path: Path) -> None:
    db = str(tmp_path / "us.db")
    assert invoke("init", "--shop", "us", "--name", "Mugs", "--country", "US", "--db", db)[0] == 0
    skus = tmp_path / "skus.csv"
    skus.write_text("sku,title,price,currency\nMUG-1,Mug,12.00,USD\n")
    assert invoke("import", "skus", str(skus), "--db", db)[0] == 0
    orders = tmp_path / "orders.csv"
    orders.write_text(US_ORDERS)
    code, _, err = invoke("import", "orders", str(orders), "--db", db)
    assert code == 0, err
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        placed = {o.number: o.placed_at.replace(tzinfo=UTC) for o in session.scalars(select(Order))}
    engine.dispose()
    # 23:30 in New York (EST, UTC-5) is 04:30 UTC the next day, and still 3 March on the shop's wall
    assert placed["US-1"] == datetime(2026, 3, 4, 4, 30, tzinfo=UTC)
    assert placed["US-1"].astimezone(ZoneInfo("America/New_York")).date() == date(2026, 3, 3)
    assert placed["US-2"] == datetime(2026, 3, 3, 23, 30, tzinfo=UTC)  # an offset is kept as written


def test_a_uk_shops_30_day_window_is_30_london_days(tmp_path: Path) -> None:
    db = str(tmp_path / "uk.db")
    assert invoke("init", "--shop", "uk", "--name", "UK gifts", "--country", "GB", "--db", db)[0] == 0
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        shop = get_shop(session, code="uk")
        sku = f.sku(session, shop)
        # 1 March 20:00 in London (GMT) is already 2 March in Shanghai, the zone every shop used to be in
        for placed in (datetime(2024, 3, 1, 20, tzinfo=UTC), datetime(2024, 3, 2, 0, 30, tzinfo=UTC)):
            f.order(session, shop, [(sku, 1)], placed_at=placed, status=OrderStatus.DELIVERED, total="10.00")
        session.commit()
    engine.dispose()
    code, out, err = invoke("growth", "--db", db, "--today", "2024-03-31", "--days", "30", "--json")
    assert code == 0, err
    kpis = json.loads(out)["kpis"]
    assert (kpis["start"], kpis["end"], kpis["orders"]) == ("2024-03-02", "2024-03-31", 1)


def test_the_shops_today_is_the_date_on_its_wall() -> None:
    new_york, auckland = ZoneInfo("America/New_York"), ZoneInfo("Pacific/Auckland")
    early = FixedClock(datetime(2026, 12, 8, 2, 0, tzinfo=UTC))  # 21:00 on 7 December in New York
    assert early.today() == date(2026, 12, 8)
    assert local_today(early, new_york) == date(2026, 12, 7)
    assert local_today(early, auckland) == date(2026, 12, 8)
    # --today is that day everywhere, though noon UTC is 01:00 the next day in Auckland in summer (UTC+13)
    assert local_today(FixedClock.on(date(2026, 12, 7)), auckland) == date(2026, 12, 7)
    assert local_today(SystemClock(), UTC) == SystemClock().today()


SKUS = """sku,title,price,currency,unit
BOOT-38,Chelsea boot 38,39.90,USD,pair
MUG-1,Enamel mug,12.00,USD,piece
"""


def test_sku_list_prints_every_code_with_its_title(tmp_path: Path) -> None:
    db = str(tmp_path / "shop.db")
    assert invoke("init", "--shop", "s", "--name", "Shop", "--db", db)[0] == 0
    code, out, _ = invoke("sku", "list", "--db", db, "--json")
    assert code == 0 and json.loads(out) == []
    skus = tmp_path / "skus.csv"
    skus.write_text(SKUS)
    assert invoke("import", "skus", str(skus), "--db", db)[0] == 0
    code, out, err = invoke("sku", "list", "--db", db, "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert [(s["code"], s["title"], s["price"], s["unit"], s["active"]) for s in listed] == [
        ("MUG-1", "Enamel mug", "12.0000", "piece", True),  # newest first, as the API pages them
        ("BOOT-38", "Chelsea boot 38", "39.9000", "pair", True),
    ]
    code, out, _ = invoke("sku", "list", "--db", db, "--json", "--search", "chelsea")
    assert code == 0 and [s["code"] for s in json.loads(out)] == ["BOOT-38"]
    code, out, _ = invoke("sku", "list", "--db", db)
    assert code == 0 and "BOOT-38" in out and "Enamel mug" in out and "(2)" in out


def test_the_brief_and_the_plan_are_about_the_shops_day(tmp_path: Path) -> None:
    db = str(tmp_path / "us.db")
    assert invoke("init", "--shop", "us", "--name", "Mugs", "--country", "US", "--db", db)[0] == 0
    runtime = replace(open_runtime(db, None), clock=FixedClock(datetime(2026, 12, 8, 2, 0, tzinfo=UTC)))
    with runtime.transaction() as session:
        shop = get_shop(session, code="us")
        assert runtime.context(shop).today == date(2026, 12, 7)  # 21:00 on 7 December in New York
        assert runtime.context(shop).now == datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
        shop.timezone = "Asia/Tokyo"
        assert runtime.today_of(shop) == date(2026, 12, 8)
    runtime.engine.dispose()


def test_a_us_shopify_export_lands_on_us_days_and_its_generated_codes_are_listed(tmp_path: Path) -> None:
    db = str(tmp_path / "us.db")
    code, _, err = invoke(
        "init", "--shop", "us", "--name", "Mugs", "--country", "US", "--platform", "shopify", "--db", db
    )
    assert code == 0, err
    export = tmp_path / "orders_export.csv"
    row = shopify_row(
        Name="#2001",
        Email="sam@example.com",
        Financial_Status="paid",
        Paid_at="2026-03-03 23:31:00",
        Currency="USD",
        Subtotal="12.00",
        Shipping="0.00",
        Taxes="0.00",
        Total="12.00",
        Created_at="2026-03-03 23:30:00",
        Lineitem_quantity="1",
        Lineitem_name="Enamel camping mug",
        Lineitem_price="12.00",
        Shipping_Country="US",
        Id="7700000001",
    )
    export.write_text(SHOPIFY_HEADER + "\n" + row + "\n")
    code, _, err = invoke("import", "orders", str(export), "--format", "shopify", "--db", db)
    assert code == 0, err
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        placed = session.scalars(select(Order.placed_at)).one().replace(tzinfo=UTC)
    engine.dispose()
    assert placed == datetime(2026, 3, 4, 4, 30, tzinfo=UTC)  # 23:30 in New York, not 15:30 UTC (Shanghai's clock)
    code, out, _ = invoke("sku", "list", "--db", db, "--json")
    listed = json.loads(out)
    assert code == 0 and [s["title"] for s in listed] == ["Enamel camping mug"] and listed[0]["code"]


def test_the_disruption_register_is_about_the_shops_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "us.db")
    assert invoke("init", "--shop", "us", "--name", "Mugs", "--country", "US", "--db", db)[0] == 0
    from tradewind.cli import runtime as cli_runtime

    instant = FixedClock(datetime(2026, 12, 8, 2, 0, tzinfo=UTC))  # 21:00 on 7 December in New York
    monkeypatch.setattr(cli_runtime, "clock_for", lambda today: instant)
    for starts in ("2026-12-01", "2026-12-08"):
        code, _, err = invoke(
            "disruption", "add", "--kind", "import_ban", "--from", starts, "--source", "news", "--db", db
        )
        assert code == 0, err
    # The ban starting on 8 December (already today in UTC) is not yet in force on the shop's 7 December.
    code, out, err = invoke("disruption", "list", "--db", db, "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["starts_on"], r["in_force"]) for r in rows] == [("2026-12-01", True)]
    code, out, err = invoke("disruption", "end", str(rows[0]["id"]), "--db", db, "--json")
    assert code == 0, err
    assert json.loads(out)["ends_on"] == "2026-12-07"
