"""SKUs with their listings per channel and their supply offers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from starlette.responses import Response

from tradewind.api.routers.suppliers import OfferOut
from tradewind.catalog.models import Sku
from tradewind.catalog.service import find_skus, get_sku, listings_of, sku_to_dict
from tradewind.server.deps import DbSession, ReadShop
from tradewind.server.errors import ERRORS
from tradewind.server.inline import on_the_loop
from tradewind.server.pages import Cursor, JsonObject, Limit, Page, cursor_value, keyset_page, page_response
from tradewind.suppliers.overview import offers_for_sku

router = APIRouter(prefix="/shops/{shop}", tags=["catalog"], responses=ERRORS)


class SkuOut(BaseModel):
    code: str
    title: str
    attributes: dict[str, object]
    price: str | None
    currency: str
    unit: str
    active: bool


def sku_json(sku: Sku) -> JsonObject:
    return sku_to_dict(sku)


class ListingOut(BaseModel):
    channel: str
    external_id: str | None
    state: str
    stock_shown: int | None
    price: str | None


class SkuDetailOut(SkuOut):
    listings: list[ListingOut]
    offers: list[OfferOut]


@router.get("/skus", response_model=Page[SkuOut], summary="SKUs, newest first")
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
def read_sku(sku: Annotated[str, Path(max_length=64)], access: ReadShop, session: DbSession) -> SkuDetailOut:
    found = get_sku(session, shop_id=access.shop.id, code=sku)
    listings = [
        ListingOut(
            channel=item.channel,
            external_id=item.external_id,
            state=item.state.value,
            stock_shown=item.stock_shown,
            price=str(item.price) if item.price is not None else None,
        )
        for item in listings_of(session, shop_id=access.shop.id, sku_id=found.id)
    ]
    offers = [OfferOut.of(line) for line in offers_for_sku(session, shop_id=access.shop.id, sku_id=found.id)]
    return SkuDetailOut(**sku_json(found), listings=listings, offers=offers)
