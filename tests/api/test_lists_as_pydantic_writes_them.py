"""The busiest lists are written from plain dicts with orjson, not through their Pydantic models (see
`tradewind.server.pages`). Each must still be exactly what its declared model documents: Pydantic, reading the body as
the route's `response_model`, accepts it (extra fields forbidden) and writes the very same bytes back."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

from tests.api.harness import bearer
from tests.api.shop_data import ShopWorld
from tradewind.api.routers.brief import ActionSummaryOut, BriefPageOut
from tradewind.api.routers.catalog import SkuOut
from tradewind.api.routers.logistics import ShipmentOut
from tradewind.api.routers.messaging import InboundOut, OutboxOut
from tradewind.api.routers.orders import OrderOut
from tradewind.api.routers.planning import PlanOut
from tradewind.server.pages import Page, page_of

LISTS: list[tuple[str, str, Any]] = [
    ("/brief", "", BriefPageOut),
    ("/actions", "", Page[ActionSummaryOut]),
    ("/plans", "", page_of(PlanOut)),
    ("/plans", "?sort=days_of_cover&descending=true", page_of(PlanOut)),
    ("/orders", "", Page[OrderOut]),
    ("/shipments", "", page_of(ShipmentOut)),
    ("/skus", "", page_of(SkuOut)),
    ("/outbox", "", page_of(OutboxOut)),
    ("/drafts", "", page_of(OutboxOut)),
    ("/inbound", "", Page[InboundOut]),
]


def strict_copy(model: type[BaseModel]) -> type[BaseModel]:
    """The model with every object, nested ones included, refusing fields it does not declare."""
    fields: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        nested = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type)]
        for inner in nested:
            if issubclass(inner, BaseModel):
                annotation = _replace(annotation, inner, strict_copy(inner))
        fields[name] = (annotation, ...)
    strict: type[BaseModel] = create_model(f"Strict{model.__name__}", __config__=ConfigDict(extra="forbid"), **fields)
    return strict


def _replace(annotation: Any, old: type, new: type) -> Any:
    if annotation is old:
        return new
    origin = getattr(annotation, "__origin__", None)
    if origin is list:  # a list of a type known at run time only: mypy cannot check it (misc)
        return list[_replace(annotation.__args__[0], old, new)]  # type: ignore[misc]
    if hasattr(annotation, "__args__"):  # X | None
        args = tuple(_replace(a, old, new) for a in annotation.__args__)
        result = args[0]
        for arg in args[1:]:
            result = result | arg
        return result
    return annotation


def documented_as(app: FastAPI, path: str) -> str:
    """The name of the schema OpenAPI documents for the route's answer (`Page_PlanOut_` for `page_of(PlanOut)`)."""
    answer = app.openapi()["paths"][f"/api/v1/shops/{{shop}}{path}"]["get"]["responses"]["200"]
    ref: str = answer["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[-1]


@pytest.mark.parametrize(("path", "query", "model"), LISTS)
def test_each_list_is_what_its_model_documents_byte_for_byte(
    app: FastAPI, client: TestClient, world: ShopWorld, path: str, query: str, model: Any
) -> None:
    owner = bearer(world, "owner")
    client.get(f"/api/v1/shops/{world.shop.code}/brief", headers=owner)  # the brief drafts messages, triages
    response = client.get(f"/api/v1/shops/{world.shop.code}{path}{query}", headers=owner)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert documented_as(app, path) == model.__name__.replace("[", "_").replace("]", "_")
    items_field = "actions" if path == "/brief" else "items"
    assert response.json()[items_field], f"{path}: the test shop should give this list items to check"

    strict = TypeAdapter(strict_copy(model))
    strict.validate_json(response.content)  # nothing missing, nothing more, every value of its declared type
    adapter = TypeAdapter(model)
    assert adapter.dump_json(adapter.validate_json(response.content)) == response.content


def test_the_strict_copy_refuses_an_extra_field_in_a_nested_item() -> None:
    strict = TypeAdapter(strict_copy(Page[InboundOut]))
    body = b'{"items": [], "next_cursor": null, "limit": 1, "surplus": 1}'
    with pytest.raises(ValueError, match="surplus"):
        strict.validate_json(body)
