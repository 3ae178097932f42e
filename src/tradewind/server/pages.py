"""Pagination shared by every list endpoint: `limit` (at most 200) and an opaque `cursor` from the previous page.

Long, growing lists (orders, shipments, messages, actions) page by key — the cursor is the last row's id and the
next page is "ids below it", which an index answers in the same time on page 1 and page 10,000. Short, sortable
lists (plans, SKUs, suppliers) page by offset, written into the same kind of cursor.

The busiest lists (orders, plans, actions, messages, parcels, SKUs) build each item as a plain dict from typed
columns and write the page with orjson (`page_response`): constructing and serialising fifty Pydantic models cost
≈ 0.45 ms of a 5 ms request. Their routes still declare the model (`response_model`) for the OpenAPI schema, and
the tests check that Pydantic, given the same body, writes the very same bytes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Path, Query
from pydantic import BaseModel, model_validator
from starlette.responses import Response

from tradewind.errors import ValidationError

T = TypeVar("T")
JsonObject = dict[str, Any]
MAX_LIMIT = 200

# Record ids are 32-bit integers (PostgreSQL's INTEGER): a larger number can only be "not found", never an overflow.
MAX_ID = 2**31 - 1
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="The record's number")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1–200)")]
Cursor = Annotated[
    str | None,
    Query(max_length=10, pattern=r"^[0-9]{1,10}$", description="`next_cursor` of the previous page"),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None
    limit: int


def page_of(model: type[BaseModel]) -> type[BaseModel]:
    """`Page[model]` for a model made at run time (a figure set's, `FigureSet.model`)."""
    found = Page.__class_getitem__(model)
    assert isinstance(found, type)  # not a recursive reference: the model is complete
    return found


def list_of(model: type[BaseModel]) -> Any:
    """`list[model]` for a model made at run time (a figure set's, `FigureSet.model`)."""
    return list[model]  # type: ignore[valid-type]


def cursor_value(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    if not cursor.isdigit():
        raise ValidationError("cursor: use the next_cursor of the previous page")
    return min(int(cursor), MAX_ID)  # past every id there is: the same as the largest


def keyset_page(rows: list[T], limit: int, key: Callable[[T], int]) -> tuple[list[T], str | None]:
    """`rows` fetched with limit + 1: the page, and the cursor of the next one (the `key` of the page's last row;
    None on the last page)."""
    if len(rows) > limit:
        return rows[:limit], str(key(rows[limit - 1]))
    return rows, None


def offset_cursor(offset: int, limit: int, fetched: int) -> str | None:
    return str(offset + limit) if fetched > limit else None


def json_response(content: JsonObject) -> Response:
    """`content` written as Pydantic writes JSON: UTC times end in "Z", dates and times in ISO 8601, floats as
    their shortest repr. A value orjson cannot write (a Decimal, say) raises rather than being turned into text."""
    return Response(orjson.dumps(content, option=orjson.OPT_UTC_Z), media_type="application/json")


def page_response(items: list[JsonObject], next_cursor: str | None, limit: int) -> Response:
    """A `Page` of items already built as dicts (see the module's note)."""
    return json_response({"items": items, "next_cursor": next_cursor, "limit": limit})


class InputModel(BaseModel):
    """A request body: text fields may not hold a NUL character (no database stores one)."""

    @model_validator(mode="after")
    def _no_nul(self) -> InputModel:
        for name, value in self:
            if isinstance(value, str) and "\x00" in value:
                raise ValueError(f"{name} contains a NUL character")
        return self
