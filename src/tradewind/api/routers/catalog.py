"""SKUs with their listings per channel and their supply offers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from tradewind.catalog.models import Sku
from tradewind.catalog.schemas import LISTING, SKU, sku_figures
from tradewind.catalog.service import find_skus, get_sku, listings_of, sku_to_dict
from tradewind.figure_sets import Figure, Nested
from tradewind.server.deps import DbSession, ReadShop
from tradewind.server.errors import ERRORS
from tradewind.server.inline import on_the_loop
from tradewind.server.pages import Cursor, JsonObject, Limit, cursor_value, keyset_page, page_of, page_response
from tradewind.suppliers.overview import offers_for_sku
from tradewind.suppliers.schemas import OFFER, offer_values

router = APIRouter(prefix="/shops/{shop}", tags=["catalog"], responses=ERRORS)


SkuOut = SKU.model
# The SKU's page: the catalog's figures and its supply offers (the suppliers' figures), as the API composes them.
SKU_DETAIL = SKU.pick(
    "SkuDetailOut",
    "A SKU with its listings and live supply offers (preferred first).",
    tuple(f.name for f in SKU.figures),
    Figure("listings", Nested(LISTING, many=True), "Its listings on the sales channels"),
    Figure("offers", Nested(OFFER, many=True), "Its live supply offers, preferred first"),
)
SkuDetailOut = SKU_DETAIL.model


def sku_json(sku: Sku) -> JsonObject:
    return sku_to_dict(sku)


@router.get("/skus", response_model=page_of(SkuOut), summary="SKUs, newest first")
@on_the_loop
def list_skus(
    access: ReadShop,
    session: DbSession,
    limit: Limit = 50,
    cursor: Cursor = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of a SKU code or title")] = None,
    active: bool | None = None,
) -> Response:
    rows = find_skus(
        session, shop_id=access.shop.id, search=q, active=active, before_id=cursor_value(cursor), limit=limit + 1
    )
    page, next_cursor = keyset_page(rows, limit, lambda row: row.id)
    return page_response([sku_json(s) for s in page], next_cursor, limit)


@router.get("/skus/{sku}", response_model=SkuDetailOut, summary="One SKU with its listings and supply offers")
@on_the_loop
def read_sku(sku: Annotated[str, Path(max_length=64)], access: ReadShop, session: DbSession) -> JsonObject:
    found = get_sku(session, shop_id=access.shop.id, code=sku)
    return SKU_DETAIL.publish(
        sku_figures(found)
        | {
            "listings": [
                {f.name: getattr(item, f.name) for f in LISTING.figures}
                for item in listings_of(session, shop_id=access.shop.id, sku_id=found.id)
            ],
            "offers": [offer_values(line) for line in offers_for_sku(session, shop_id=access.shop.id, sku_id=found.id)],
        }
    )
