"""The tracking webhook (issue 18, 6 and 7): a secret per shop; a signed body with a time out of range, a tracking
number longer than its column, or 100,000 nested brackets is a 422 naming the field, never a 500, on SQLite and
PostgreSQL alike."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.api.harness import make_app
from tests.api.shop_data import NOW, WEBHOOK_SECRET, ShopWorld, sign
from tests.stores import assert_stores_equal_a_rebuild
from tradewind.accounts.models import WebhookSecret
from tradewind.accounts.service import set_webhook_secret
from tradewind.api.webhook_checks import MAX_WEBHOOK_DEPTH, nesting_depth
from tradewind.logistics.models import LaneSample, Shipment

SHOP_SECRET = "the-shoe-shops-own-secret"


def payload(world: ShopWorld, **changes: Any) -> dict[str, Any]:
    checkpoint = {
        "checkpoint_time": (NOW - timedelta(days=1)).isoformat(),
        "message": "Arrived at destination country",
        "tag": "InTransit",
        "location": "Moscow",
    }
    checkpoint.update(changes.pop("checkpoint", {}))
    message = {"tracking_number": world.tracking_number, "slug": "cainiao", "checkpoints": [checkpoint]}
    message.update(changes)
    return {"msg": message}


def post(client: TestClient, shop: str, body: bytes, secret: str = WEBHOOK_SECRET) -> Any:
    return client.post(
        f"/api/v1/webhooks/tracking/{shop}", content=body, headers={"aftership-hmac-sha256": sign(body, secret)}
    )


def test_a_shop_with_its_own_secret_accepts_only_that_one(client: TestClient, world: ShopWorld, db: Session) -> None:
    set_webhook_secret(db, shop=world.shop, secret=SHOP_SECRET)
    db.commit()
    body = json.dumps(payload(world)).encode()
    assert post(client, world.shop.code, body).status_code == 401  # the server-wide secret no longer serves it
    assert post(client, world.other.code, body, SHOP_SECRET).status_code == 401  # nor its key another shop
    accepted = post(client, world.shop.code, body, SHOP_SECRET)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["created"]["tracking_events"] == 1
    # a shop without a key of its own: the server-wide secret, configured here, still serves it
    assert post(client, world.other.code, json.dumps({"msg": {}}).encode()).status_code == 422


def test_without_the_server_wide_secret_only_shops_with_their_own_are_served(
    connection: Connection, world: ShopWorld, db: Session
) -> None:
    set_webhook_secret(db, shop=world.shop, secret=SHOP_SECRET)
    db.commit()
    client = TestClient(make_app(connection, tracking_webhook_secret=None))
    body = json.dumps(payload(world)).encode()
    assert post(client, world.shop.code, body, SHOP_SECRET).status_code == 200
    assert post(client, world.other.code, body, "").status_code == 401
    assert post(client, "no-such-shop", body, SHOP_SECRET).status_code == 401  # an unknown shop looks the same


def test_the_webhook_folds_the_news_into_the_shops_lane_samples(
    client: TestClient, world: ShopWorld, db: Session
) -> None:
    """No brief runs: the webhook's own transaction brings the lane samples up to date (a new parcel, and the
    delivery of one already known), as a rebuild from the records would make them."""
    delivered = payload(world, checkpoint={"message": "Delivered", "tag": "Delivered"})
    new_parcel = payload(world, tracking_number="NEW00001CN", destination_country_iso3="ESP")
    for message in (delivered, new_parcel):
        body = json.dumps(message).encode()
        answer = post(client, world.shop.code, body)
        assert answer.status_code == 200, answer.text
    db.expire_all()
    rows = db.execute(
        select(Shipment.tracking_number, LaneSample.delivered)
        .join(LaneSample, LaneSample.shipment_id == Shipment.id)
        .where(LaneSample.shop_id == world.shop.id)
    )
    samples = dict(rows.all())
    assert set(samples) == {world.tracking_number, "NEW00001CN"}
    assert samples[world.tracking_number] is not None and samples["NEW00001CN"] is None
    assert_stores_equal_a_rebuild(db, world.shop.id, built=["lane_samples", "daily_demand"])


def test_a_short_or_unprintable_secret_is_refused(db: Session, world: ShopWorld) -> None:
    from tradewind.errors import ValidationError

    for bad in ("short", "x" * 201, "sixteen chars\x00 long"):
        with pytest.raises(ValidationError):
            set_webhook_secret(db, shop=world.shop, secret=bad)
    made = set_webhook_secret(db, shop=world.shop)
    assert (
        len(made) >= 40
        and db.scalar(select(WebhookSecret.secret).where(WebhookSecret.shop_id == world.shop.id)) == made
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"checkpoint": {"checkpoint_time": "9999-12-31T23:00:00-05:00"}}, "msg.checkpoints[0].checkpoint_time"),
        ({"checkpoint": {"checkpoint_time": "0001-01-01T00:00:00+05:00"}}, "msg.checkpoints[0].checkpoint_time"),
        ({"checkpoint": {"checkpoint_time": "1970-01-01T00:00:00Z"}}, "msg.checkpoints[0].checkpoint_time"),
        ({"tracking_number": "LP" + "1" * 63}, "msg.tracking_number"),
        ({"slug": "c" * 101}, "msg.slug"),
        ({"shipment_type": "S" * 65}, "msg.shipment_type"),
        ({"checkpoint": {"tag": "T" * 65}}, "msg.checkpoints[0].tag"),
        ({"checkpoint": {"location": "M" * 201}}, "msg.checkpoints[0].location"),
        ({"checkpoint": {"message": "Arrived\x00"}}, "msg.checkpoints[0].message"),
        ({"tracking_number": {"nested": "x" * 80}}, "msg.tracking_number"),
        ({"checkpoints": 5}, "msg.checkpoints"),
    ],
)
def test_a_value_the_database_cannot_keep_is_a_422_naming_the_field(
    client: TestClient, world: ShopWorld, db: Session, changes: dict[str, Any], field: str
) -> None:
    body = json.dumps(payload(world, **changes)).encode()
    response = post(client, world.shop.code, body)
    assert response.status_code == 422, response.text
    assert response.json()["details"]["field"] == field
    # nothing was stored: the parcel has the world's two events still
    parcel = db.scalar(select(Shipment).where(Shipment.tracking_number == world.tracking_number))
    assert parcel is not None and len(parcel.events) == 2


def test_the_longest_tracking_number_the_column_keeps_is_stored(client: TestClient, world: ShopWorld) -> None:
    number = "LP" + "7" * 62
    body = json.dumps(payload(world, tracking_number=number, destination_country_iso3="RUS")).encode()
    response = post(client, world.shop.code, body)
    assert response.status_code == 200, response.text
    assert response.json()["created"]["shipments"] == 1


def test_deep_nesting_is_refused_before_parsing(client: TestClient, world: ShopWorld) -> None:
    for body in (b"[" * 100_000, b'{"msg": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"):
        response = post(client, world.shop.code, body)
        assert response.status_code == 422, response.text[:200]
        assert response.json()["details"]["field"] == "body"
    # brackets inside strings are text, not nesting
    quoted = payload(world, checkpoint={"message": "[[[[" * 100 + '\\" {{{'})
    assert post(client, world.shop.code, json.dumps(quoted).encode()).status_code == 200


def test_nesting_depth_counts_only_brackets_outside_strings() -> None:
    assert nesting_depth(b"") == 0
    assert nesting_depth(b'{"a": [1, {"b": []}]}') == 4
    assert nesting_depth(b'{"a": "[[[[\\"[[["}') == 1
    assert nesting_depth(b"]]]") == 0
    assert nesting_depth(b"[" * (MAX_WEBHOOK_DEPTH + 1)) == MAX_WEBHOOK_DEPTH + 1


def test_the_cli_gives_a_shop_its_secret(tmp_path: Path) -> None:
    from tests.cli.test_cli_users import app as cli
    from tradewind.db.migrate import upgrade
    from tradewind.db.session import make_engine, make_sessionmaker, transaction
    from tradewind.shops.service import create_shop

    path = tmp_path / "shop.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        create_shop(session, code="lucky", name="Lucky Step")
    runner = CliRunner()
    made = runner.invoke(cli, ["user", "webhook-secret", "lucky", "--db", str(path), "--json"])
    assert made.exit_code == 0, made.output
    secret = json.loads(made.output)["secret"]
    given = runner.invoke(
        cli, ["user", "webhook-secret", "lucky", "--secret-stdin", "--db", str(path)], input="from-the-provider-123\n"
    )
    assert given.exit_code == 0, given.output
    with transaction(make_sessionmaker(engine)) as session:
        stored = session.scalars(select(WebhookSecret.secret)).all()
    assert stored == ["from-the-provider-123"] and secret != stored[0]
    short = runner.invoke(cli, ["user", "webhook-secret", "lucky", "--secret-stdin", "--db", str(path)], input="x\n")
    assert short.exit_code == 2
    cleared = runner.invoke(cli, ["user", "webhook-secret", "lucky", "--clear", "--db", str(path), "--json"])
    assert json.loads(cleared.output) == {"shop": "lucky", "cleared": True}
    unknown = runner.invoke(cli, ["user", "webhook-secret", "nope", "--db", str(path)])
    assert unknown.exit_code == 3
    engine.dispose()
