"""Every API write fed arbitrary values, on SQLite and PostgreSQL (issue 18, 8): no answer is a server error.

test_schema.py fuzzes every operation from the schema, but with random path parameters nearly every write stops
at a 404 before its body is read, and it cannot sign a webhook. Here the path parameters are records that exist
(the shop's actions, outbox messages, disruptions, a token of its own) so that the fuzzed body reaches the
service and the database, and the tracking webhook gets correctly signed bodies of arbitrary shape and values."""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from tests.api.harness import bearer
from tests.api.shop_data import NOW, ShopWorld, sign
from tests.api.test_schema import operations_of
from tradewind.accounts.service import issue_token
from tradewind.brief.models import ActionRecord
from tradewind.logistics.models import Disruption
from tradewind.messaging.models import OutboxMessage

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
EXAMPLES = 25
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _records(db: Session, world: ShopWorld, token_id: int) -> dict[str, list[Any]]:
    shop = world.shop.id
    return {
        "action_id": list(db.scalars(select(ActionRecord.id).where(ActionRecord.shop_id == shop))),
        "message_id": list(db.scalars(select(OutboxMessage.id).where(OutboxMessage.shop_id == shop))),
        "disruption_id": list(db.scalars(select(Disruption.id).where(Disruption.shop_id == shop))),
        "token_id": [token_id],
        "step": [0, 1, 2],
        "shop": [world.shop.code],
    }


def _fuzz(operation: Any, records: dict[str, list[Any]], headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy(), pick=st.integers(min_value=0, max_value=1000))
    @FUZZ
    def run(case: Any, pick: int) -> None:
        for name in list(case.path_parameters or {}):
            choices = records.get(name)
            if choices:
                case.path_parameters[name] = choices[pick % len(choices)]
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    run()


def test_no_write_is_a_server_error_whatever_its_values(app: FastAPI, world: ShopWorld, db: Session) -> None:
    headers = bearer(world, "owner")
    # The brief first, so that the shop's actions exist: made in the request (the background thread that GET
    # /brief starts would share the test's one connection with the requests, which SQLite's savepoints do not bear).
    with TestClient(app) as client:
        assert client.post(f"/api/v1/shops/{world.shop.code}/brief/refresh", headers=headers).status_code == 200
    _, spare = issue_token(db, user=world.owner, name="to be revoked", now=NOW)
    db.commit()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = operations_of(schema)
    writes = [op for op in operations if op.method.upper() in WRITES and "webhooks" not in op.path]
    assert len(writes) >= 13
    assert _records(db, world, spare.id)["action_id"], "the brief made no actions: the writes would all be 404s"
    failures: list[str] = []
    for operation in writes:
        try:
            _fuzz(operation, _records(db, world, spare.id), headers)
        except Exception as problem:  # every write is tried; all failures are reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(problem)[:1500]}")
    assert not failures, "\n\n".join(failures)


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80)
_ANY_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
_TIMES = (
    st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat())
    | st.sampled_from(["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00", "2026-13-01", "", "Z"])
    | _ANY_JSON
)
_TEXT = st.text(max_size=300) | _ANY_JSON
_CHECKPOINT = st.fixed_dictionaries(
    {},
    optional={
        "checkpoint_time": _TIMES,
        "message": _TEXT,
        "tag": _TEXT | st.sampled_from(["InTransit", "Delivered", "Exception"]),
        "subtag": _TEXT | st.sampled_from(["Delivered_001", "Exception_011"]),
        "location": _TEXT,
        "city": _TEXT,
        "country_iso3": _TEXT | st.sampled_from(["RUS", "ESP"]),
    },
)


def _message(tracking_number: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "tracking_number": st.just(tracking_number) | st.text(min_size=1, max_size=100) | _ANY_JSON,
            "checkpoints": st.lists(_CHECKPOINT, min_size=1, max_size=3)
            | st.lists(_CHECKPOINT | _ANY_JSON, max_size=3)
            | _ANY_JSON,
        },
        optional={
            "slug": _TEXT,
            "shipment_type": _TEXT,
            "origin_country_iso3": _TEXT | st.just("CHN"),
            "destination_country_iso3": _TEXT | st.just("RUS"),
        },
    )


def test_a_signed_webhook_of_any_shape_is_stored_or_refused_never_a_server_error(
    app: FastAPI, world: ShopWorld, connection: Connection
) -> None:
    url = f"/api/v1/webhooks/tracking/{world.shop.code}"
    bodies = (
        st.fixed_dictionaries({"msg": _message(world.tracking_number)}, optional={"event": _TEXT}).map(
            lambda payload: json.dumps(payload).encode()
        )
        | _ANY_JSON.map(lambda value: json.dumps(value).encode())
        | st.binary(max_size=200)
    )
    seen: set[int] = set()
    with TestClient(app, raise_server_exceptions=False) as client:

        @given(body=bodies)
        @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(body: bytes) -> None:
            response = client.post(url, content=body, headers={"aftership-hmac-sha256": sign(body)})
            assert response.status_code in (200, 422), (response.status_code, body[:300], response.text[:300])
            seen.add(response.status_code)

        run()
    assert seen == {200, 422}  # both outcomes were reached: the bodies were not all refused at the door
