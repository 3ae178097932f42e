"""Schemathesis over the OpenAPI schema, signed in as the shop's owner on its own shop: no request, however odd,
gets a server error, and every response (errors included) is documented and matches the schema.

Each operation's cases come from Schemathesis's Hypothesis strategy and are run here directly (its pytest plugin
does not work with this pytest), collecting every failure before reporting."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.harness import bearer
from tests.api.shop_data import ShopWorld

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SKIPPED = {("DELETE", "/api/v1/me/tokens/{token_id}")}  # it would revoke the token the test signs in with
EXAMPLES = 12


def operations_of(schema: BaseSchema) -> list[APIOperation[Any, Any, Any, Any]]:
    """Every operation of the schema; one schemathesis cannot read fails the test with its reason."""
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operations.append(result.ok())
    return operations


def test_the_api_keeps_to_its_schema(app: FastAPI, world: ShopWorld) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = bearer(world, "owner")
    failures: list[str] = []
    operations = operations_of(schema)
    assert len(operations) > 35
    for operation in operations:
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            if "shop" in (case.path_parameters or {}):
                case.path_parameters["shop"] = world.shop.code
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as problem:  # every operation is tried; all failures are reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(problem)[:1500]}")
    assert not failures, "\n\n".join(failures)
