"""The logistics commands through Typer's runner: track normalize/import/show, transit estimate/lanes/at-risk,
disruption add/list/end, logistics methods/compare; errors are one line with an exit code."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.logistics.parcels import parcel, shipped_order
from tests.logistics.synthetic import generate_event_texts
from tests.logistics.tracking.test_normalize import AWKWARD_LINES, dumped
from tradewind.cli.db import init_command
from tradewind.cli.logistics import disruption_app, logistics_app, track_app, transit_app
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.logistics.models import Shipment
from tradewind.shops.models import Shop

TRACKING_DATA = Path(__file__).parents[1] / "logistics" / "tracking" / "data"
TRANSIT_DATA = Path(__file__).parents[1] / "logistics" / "transit" / "data"
runner = CliRunner()
app = typer.Typer()
app.command("init")(init_command)
app.add_typer(track_app, name="track")
app.add_typer(transit_app, name="transit")
app.add_typer(disruption_app, name="disruption")
app.add_typer(logistics_app, name="logistics")


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def shop_db(tmp_path: Path) -> str:
    path = str(tmp_path / "shop.db")
    code, _, err = invoke("init", "--shop", "boots", "--name", "Hua Yuye Shoes", "--db", path)
    assert code == 0, err
    return path


def test_track_normalize_reads_standard_input_and_writes_json_lines() -> None:
    code, out, _ = invoke("track", "normalize", stdin="Вручение адресату\nPICK UP\n\nblah blah\nEMH\n")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(x["status"], x["confidence"]) for x in lines] == [
        ("Delivered", 0.95),
        ("AvailableForPickup", 0.9),
        ("Unknown", 0.0),
        ("AttemptFail", 1.0),
    ]
    assert set(lines[0]) == {"text", "status", "substatus", "confidence"}
    code, out, _ = invoke("track", "normalize", "--file", str(TRACKING_DATA / "event_texts.tsv"), "--json")
    assert code == 0 and len(out.splitlines()) > 100


def test_track_normalize_writes_one_json_dumps_per_event_from_a_file_or_standard_input(tmp_path: Path) -> None:
    lines = [*AWKWARD_LINES, *generate_event_texts(3000)]
    events = tmp_path / "events.txt"
    events.write_bytes("\r\n".join(lines).encode())  # Windows line ends: read as the lines they end
    expected = dumped("\n".join(lines).splitlines())  # U+2028 and the like end a line too
    code, out, _ = invoke("track", "normalize", "--file", str(events), "--json")
    assert code == 0 and out == expected
    code, out, _ = invoke("track", "normalize", stdin="\n".join(lines))
    assert code == 0 and out == expected


def test_track_normalize_refuses_a_file_that_is_not_utf8_before_writing_a_line(tmp_path: Path) -> None:
    events = tmp_path / "events.txt"
    events.write_bytes(b"Delivered\n" * 300_000 + b"\xe4\xb8 broken\nEntregado\n")  # past the first read of 1 MiB
    code, out, err = invoke("track", "normalize", "--file", str(events), "--json")
    assert code != 0 and out == ""
    assert "cannot read the file: 'utf-8' codec can't decode bytes in position 3000000-3000001" in err
    code, _, err = invoke("track", "normalize", "--file", str(tmp_path / "missing.txt"))
    assert code != 0 and "cannot read the file" in err


def test_transit_estimate_per_lane_with_as_of_and_reviews() -> None:
    code, out, err = invoke("transit", "estimate", "--shipments", str(TRANSIT_DATA / "shipments.csv"), "--json")
    assert code == 0, err
    rows = {(r["destination"], r["method"]): r for r in json.loads(out)}
    assert set(rows) == {("ES", "aliexpress-standard"), ("RU", "epacket"), ("BY", "epacket")}
    spain = rows[("ES", "aliexpress-standard")]
    assert {"origin", "destination", "method", "n_delivered", "n_in_transit", "p50_days", "p90_days"} <= set(spain)
    assert (spain["n_delivered"], spain["n_in_transit"]) == (5, 1)
    assert rows[("BY", "epacket")]["source"] != "lane" and rows[("BY", "epacket")]["borrowed_from"]
    code, out, _ = invoke(
        "transit", "estimate", "--shipments", str(TRANSIT_DATA / "shipments.csv"), "--as-of", "2024-01-15", "--json"
    )
    early = {(r["destination"], r["method"]): r for r in json.loads(out)}
    # On 15 January: S1 had arrived (14th); S2–S6 handed over by the 12th were travelling; S9 was on its way.
    assert (
        early[("ES", "aliexpress-standard")]["n_delivered"],
        early[("ES", "aliexpress-standard")]["n_in_transit"],
    ) == (1, 5)
    code, out, _ = invoke(
        "transit",
        "estimate",
        "--shipments",
        str(TRANSIT_DATA / "shipments.csv"),
        "--reviews",
        str(TRANSIT_DATA / "reviews.csv"),
        "--json",
    )
    assert code == 0 and {r["n_reviews"] for r in json.loads(out)} == {1, 0, 2}
    code, out, _ = invoke("transit", "estimate", "--shipments", str(TRANSIT_DATA / "shipments.csv"))
    assert code == 0 and "ES" in out


def test_a_bad_file_is_one_line_with_every_error_listed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("shipment_id,origin,destination,method,shipped_at\nS1,CN,XX,epacket,2024-01-02\nS2,CN,ES,,\n")
    code, out, err = invoke("transit", "estimate", "--shipments", str(bad))
    assert code == 2 and out == ""
    assert "bad.csv:2 [destination]" in err and "bad.csv:3 [method]" in err and "nothing was written" in err


def test_track_import_folds_the_parcels_into_the_lane_samples(shop_db: str, tmp_path: Path) -> None:
    """No brief runs: `track import` brings the shop's lane samples up to date in its own transaction, as a
    rebuild from the records makes them; a later file's news reaches a parcel already folded in."""
    from tests.stores import assert_stores_equal_a_rebuild
    from tradewind.logistics.models import LaneSample

    late = tmp_path / "late.csv"
    late.write_text(
        "tracking_number,occurred_at,code,text,location,time_zone,origin,destination,method\n"
        "UA987654321CN,2024-03-25T10:00:00+01:00,,Delivered,Madrid,,,,\n"
    )
    sessions = make_sessionmaker(make_engine(f"sqlite:///{shop_db}"))
    files = ((TRACKING_DATA / "tracking.csv", "csv"), (TRACKING_DATA / "cainiao_detail.json", "cainiao"), (late, "csv"))
    for path, source_format in files:
        code, _, err = invoke("track", "import", str(path), "--format", source_format, "--db", shop_db, "--json")
        assert code == 0, err
        with transaction(sessions) as session:
            shop = session.scalars(select(Shop)).one()
            parcels = session.scalar(select(func.count()).select_from(Shipment).where(Shipment.shop_id == shop.id))
            samples = session.scalar(select(func.count()).select_from(LaneSample).where(LaneSample.shop_id == shop.id))
            assert parcels and samples == parcels
            assert_stores_equal_a_rebuild(session, shop.id, built=["lane_samples"])
            session.rollback()
    with transaction(sessions) as session:
        delivered = session.scalar(
            select(LaneSample.delivered)
            .join(Shipment, Shipment.id == LaneSample.shipment_id)
            .where(Shipment.tracking_number == "UA987654321CN")
        )
        assert delivered == datetime(2024, 3, 25, 9, tzinfo=UTC).timestamp()


def test_tracking_and_the_register_against_a_database(shop_db: str) -> None:
    code, out, err = invoke(
        "track",
        "import",
        str(TRACKING_DATA / "cainiao_detail.json"),
        "--format",
        "cainiao",
        "--db",
        shop_db,
        "--json",
        "--today",
        "2024-03-20",
    )
    assert code == 0, err
    summary = json.loads(out)
    assert set(summary) == {"created", "updated", "unchanged", "errors"}
    assert summary["created"]["tracking_events"] == 17
    code, out, _ = invoke("track", "show", "LP00698765432109", "--db", shop_db, "--json", "--today", "2024-03-20")
    shown = json.loads(out)
    assert shown["status"] == "AvailableForPickup" and shown["status_words"] == "waiting at the pickup point"
    code, _, err = invoke("track", "import", str(TRACKING_DATA / "tracking_bad.csv"), "--db", shop_db)
    assert code == 2 and "tracking_bad.csv:3 [tracking_number]" in err

    code, out, err = invoke(
        "disruption",
        "add",
        "--kind",
        "suspended_route",
        "--origin",
        "CN",
        "--destination",
        "RU",
        "--method",
        "rail",
        "--from",
        "2024-03-01",
        "--source",
        "Russia suspended China–Russia rail",
        "--db",
        shop_db,
        "--json",
        "--today",
        "2024-03-20",
    )
    assert code == 0, err
    added = json.loads(out)
    assert added["blocks"] and added["in_force"]
    code, out, _ = invoke("disruption", "list", "--db", shop_db, "--json", "--today", "2024-03-20")
    assert [d["id"] for d in json.loads(out)] == [added["id"]]
    code, out, _ = invoke("disruption", "end", str(added["id"]), "--on", "2024-03-25", "--db", shop_db, "--json")
    assert json.loads(out)["ends_on"] == "2024-03-25"
    code, out, _ = invoke("disruption", "list", "--db", shop_db, "--json", "--today", "2024-03-26")
    assert json.loads(out) == []
    code, _, err = invoke("disruption", "end", "999", "--db", shop_db)
    assert code == 3 and "no disruption #999" in err

    for command in (("transit", "lanes"), ("transit", "at-risk"), ("logistics", "methods")):
        code, out, err = invoke(*command, "--db", shop_db, "--json", "--today", "2024-03-20")
        assert code == 0, err
        assert isinstance(json.loads(out), list)
    code, _, err = invoke("logistics", "compare", "--sku", "NOPE", "--destination", "DE", "--db", shop_db)
    assert code == 3 and "no SKU 'NOPE'" in err


def test_transit_at_risk_gives_steps_for_a_probably_lost_parcel_and_reads_the_settings(shop_db: str) -> None:
    now = datetime(2024, 3, 20, 12, tzinfo=UTC)
    engine = make_engine(f"sqlite:///{shop_db}")
    with transaction(make_sessionmaker(engine)) as session:
        shop = session.scalars(select(Shop)).one()
        order = shipped_order(session, shop, placed_at=now - timedelta(days=60), promised_days=45)
        order.protection_ends_on = now.date() + timedelta(days=10)
        number = order.number
        events = [(now - timedelta(days=57), "Прием, Иу 322000"), (now - timedelta(days=40), "Прибыло, Москва 101000")]
        parcel(
            session,
            shop,
            destination="RU",
            method_code="epacket",
            shipped_at=now - timedelta(days=58),
            order=order,
            events=events,
            now=now,
        )
    engine.dispose()

    code, out, err = invoke("transit", "at-risk", "--db", shop_db, "--json", "--today", "2024-03-20")
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["order"] == number and row["reason"] == "probably_lost" and row["expected_p90_on"] is None
    assert [s["type"] for s in row["steps"]] == ["carrier_inquiry", "refund_or_resend"]
    assert row["act_by"] == "2024-03-30"
    code, out, err = invoke("transit", "at-risk", "--db", shop_db, "--today", "2024-03-20")
    assert code == 0 and "none:" in out and "inquiry" in out and "resend" in out  # the table's cell, wrapped
    # TRADEWIND_LOGISTICS_EXPIRED_AFTER_DAYS=50: 40 days of silence are only stalled.
    result = runner.invoke(
        app,
        ["transit", "at-risk", "--db", shop_db, "--json", "--today", "2024-03-20"],
        env={"TRADEWIND_LOGISTICS_EXPIRED_AFTER_DAYS": "50"},
    )
    assert result.exit_code == 0, result.stderr
    assert [r["reason"] for r in json.loads(result.stdout)] == ["stalled"]
