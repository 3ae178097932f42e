"""A parcel's timeline has one home (`logistics.service.parcel_timeline`): `tradewind track show --json` and
`GET /shops/{shop}/shipments/{tracking}` give the same answer for the same demo parcel, events newest first."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.api.shop_data import CHEAP
from tests.demo.building import BuiltDemo, build_into_file
from tradewind.accounts.models import Role
from tradewind.accounts.service import create_user, grant, issue_token
from tradewind.app import create_app
from tradewind.cli.logistics import track_app
from tradewind.clock import FixedClock
from tradewind.config import Settings
from tradewind.db.session import make_sessionmaker, transaction
from tradewind.logistics.models import Shipment, TrackingEvent
from tradewind.server.config import ServerSettings
from tradewind.shops.models import Shop

cli = typer.Typer()
cli.add_typer(track_app, name="track")


@dataclass(frozen=True)
class Demo:
    path: Path
    built: BuiltDemo
    shop_code: str
    token: str
    tracking_numbers: list[str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    path = tmp_path_factory.mktemp("parcels") / "demo.db"
    built = build_into_file(path)
    with transaction(make_sessionmaker(built.engine)) as session:
        shop = session.scalars(select(Shop)).one()
        # The parcels with the most events (a long story), and the first one with none.
        counted = (
            select(Shipment.tracking_number, func.count(TrackingEvent.id).label("n"))
            .outerjoin(TrackingEvent, TrackingEvent.shipment_id == Shipment.id)
            .where(Shipment.shop_id == shop.id)
            .group_by(Shipment.id, Shipment.tracking_number)
        )
        rows = session.execute(counted.order_by(func.count(TrackingEvent.id).desc(), Shipment.tracking_number)).all()
        longest = [number for number, n in rows[:3] if n >= 2]
        silent = [number for number, n in rows if n == 0][:1]
        owner = create_user(session, email="owner@example.com", password="a long passphrase", name="o", rules=CHEAP)
        grant(session, user=owner, shop=shop, role=Role.OWNER)
        token, _ = issue_token(session, user=owner, name="tests", now=datetime(2025, 2, 1, tzinfo=UTC))
        code = shop.code
    assert longest, "the demo has parcels with tracking events"
    yield Demo(path, built, code, token, longest + silent)
    built.engine.dispose()


def test_the_cli_json_timeline_is_the_api_answer_for_the_same_demo_parcel(demo: Demo) -> None:
    app = create_app(
        Settings(database_url=f"sqlite:///{demo.path}"),
        server=ServerSettings(hash_time_cost=1, hash_memory_kib=8, warm_caches=False),
        engine=demo.built.engine,
        clock=FixedClock.on(demo.built.today),
    )
    runner = CliRunner()
    with TestClient(app) as client:
        for number in demo.tracking_numbers:
            answer = client.get(
                f"/api/v1/shops/{demo.shop_code}/shipments/{number}",
                headers={"Authorization": f"Bearer {demo.token}"},
            )
            assert answer.status_code == 200, answer.text
            shown = runner.invoke(
                cli, ["track", "show", number, "--db", str(demo.path), "--json", "--today", str(demo.built.today)]
            )
            assert shown.exit_code == 0, shown.stderr
            assert json.loads(shown.stdout) == answer.json()


def test_events_are_newest_first_in_both_faces(demo: Demo) -> None:
    runner = CliRunner()
    number = demo.tracking_numbers[0]
    shown = runner.invoke(
        cli, ["track", "show", number, "--db", str(demo.path), "--json", "--today", str(demo.built.today)]
    )
    events = json.loads(shown.stdout)["events"]
    assert len(events) >= 2
    moments = [datetime.fromisoformat(e["occurred_at"]) for e in events]
    assert moments == sorted(moments, reverse=True) and moments[0] > moments[-1]
    table = runner.invoke(cli, ["track", "show", number, "--db", str(demo.path), "--today", str(demo.built.today)])
    assert table.exit_code == 0, table.stderr
    # The table prints the same order: the newest event's minute comes before the oldest's.
    newest, oldest = (m.strftime("%Y-%m-%d %H:%M") for m in (moments[0], moments[-1]))
    assert table.stdout.index(newest) < table.stdout.index(oldest)
