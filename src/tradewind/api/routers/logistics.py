"""Shipping: parcels and their tracking timelines, lanes (p50/p90 now and week by week), the disruption register
(list, add, end), orders at risk, and the signed tracking webhook."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from tradewind.accounts.service import webhook_key
from tradewind.api.webhook_checks import check_webhook_body
from tradewind.brief.stores import bring_stores_up_to_date
from tradewind.db.session import transaction
from tradewind.errors import ValidationError
from tradewind.logistics.disruptions import add_disruption, disruption_to_dict, end_disruption, list_disruptions
from tradewind.logistics.models import DisruptionKind, TrackingStatus
from tradewind.logistics.schemas import (
    DISRUPTION,
    LANE,
    ORDER_AT_RISK,
    PARCEL,
    SHIPMENT,
    parcel_figures,
    shipment_figures,
)
from tradewind.logistics.service import parcel_timeline, shipments_page
from tradewind.logistics.tracking.store import BadSignatureError, receive_webhook, verify_signature
from tradewind.server.deps import DbSession, ReadShop, State, WriteShop
from tradewind.server.errors import ERRORS, WRITE_ERRORS, ErrorOut
from tradewind.server.figures import at_risk_today, lane_trend, lanes_today
from tradewind.server.inline import on_the_loop
from tradewind.server.pages import (
    Cursor,
    InputModel,
    JsonObject,
    Limit,
    RecordId,
    cursor_value,
    keyset_page,
    list_of,
    page_of,
    page_response,
)
from tradewind.server.state import AppState
from tradewind.shops.service import get_shop

router = APIRouter(prefix="/shops/{shop}", tags=["logistics"], responses=ERRORS)
webhooks = APIRouter(tags=["webhooks"])
Country = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO country code")]
MAX_WEBHOOK_BYTES = 1 << 20


ShipmentOut = SHIPMENT.model
TimelineOut = PARCEL.model


@router.get("/shipments", response_model=page_of(ShipmentOut), summary="Parcels, newest first, with filters")
@on_the_loop
def list_shipments(
    access: ReadShop,
    session: DbSession,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: TrackingStatus | None = None,
    destination: Country = None,
    undelivered: Annotated[bool, Query(description="Only parcels not yet delivered")] = False,
) -> Response:
    rows = shipments_page(
        session,
        shop_id=access.shop.id,
        limit=limit + 1,
        before_id=cursor_value(cursor),
        status=status,
        destination=destination,
        undelivered=undelivered,
    )
    page, next_cursor = keyset_page(rows, limit, lambda row: row.id)
    return page_response([shipment_figures(s) for s in page], next_cursor, limit)


@router.get("/shipments/{tracking_number}", response_model=TimelineOut, summary="A parcel's tracking timeline")
@on_the_loop
def read_shipment(
    tracking_number: Annotated[str, Path(max_length=64)], access: ReadShop, session: DbSession, state: State
) -> JsonObject:
    found = parcel_timeline(session, shop_id=access.shop.id, tracking_number=tracking_number, now=state.clock.now())
    return parcel_figures(found)


LaneOut = LANE.model


@router.get("/lanes", response_model=list_of(LaneOut), summary="Transit p50/p90 per lane, with restrictions")
@on_the_loop
def list_lanes(access: ReadShop, state: State) -> list[JsonObject]:
    return lanes_today(state, access.shop)


class LaneSeriesOut(BaseModel):
    lane: str
    p50: list[int | None]
    p90: list[int | None]


class LaneTrendOut(BaseModel):
    weeks: list[date]
    lanes: list[LaneSeriesOut]


@router.get("/lanes/trend", response_model=LaneTrendOut, summary="p50/p90 of the busiest lanes, week by week")
@on_the_loop
def read_lane_trend(access: ReadShop, state: State) -> LaneTrendOut:
    trend = lane_trend(state, access.shop)
    return LaneTrendOut(weeks=trend.weeks, lanes=[LaneSeriesOut(**lane) for lane in trend.lanes])


DisruptionOut = DISRUPTION.model


class DisruptionIn(InputModel):
    kind: DisruptionKind
    starts_on: date
    source: str = Field(min_length=1, max_length=2000)
    ends_on: date | None = None
    origin: str | None = Field(default=None, max_length=60)
    destination: str | None = Field(default=None, max_length=60)
    method: str | None = Field(default=None, max_length=64)
    extra_days: int | None = Field(default=None, ge=0, le=365)


class DisruptionEndIn(InputModel):
    ends_on: date | None = None


@router.get("/disruptions", response_model=list_of(DisruptionOut), summary="The disruption register")
@on_the_loop
def read_disruptions(
    access: ReadShop,
    session: DbSession,
    state: State,
    include_ended: Annotated[bool, Query(description="Also the ended and future ones")] = False,
) -> list[dict[str, object]]:
    today = state.today_of(access.shop)
    rows = list_disruptions(session, shop=access.shop, on=today, include_ended=include_ended)
    return [disruption_to_dict(d, today=today) for d in rows]


@router.post(
    "/disruptions",
    response_model=DisruptionOut,
    status_code=201,
    responses=WRITE_ERRORS,
    summary="Register a restriction (it blocks or slows the lanes in its scope)",
)
def create_disruption(body: DisruptionIn, access: WriteShop, session: DbSession, state: State) -> dict[str, object]:
    disruption = add_disruption(
        session,
        shop=access.shop,
        kind=body.kind,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        source=body.source,
        origin=body.origin,
        destination=body.destination,
        method=body.method,
        extra_days=body.extra_days,
        now=state.clock.now(),
    )
    return disruption_to_dict(disruption, today=state.today_of(access.shop))


@router.post(
    "/disruptions/{disruption_id}/end",
    response_model=DisruptionOut,
    responses=WRITE_ERRORS,
    summary="End a restriction on a day (today by default)",
)
def finish_disruption(
    disruption_id: RecordId, access: WriteShop, session: DbSession, state: State, body: DisruptionEndIn | None = None
) -> dict[str, object]:
    ends_on = (body.ends_on if body else None) or state.today_of(access.shop)
    disruption = end_disruption(session, shop=access.shop, disruption_id=disruption_id, ends_on=ends_on)
    return disruption_to_dict(disruption, today=state.today_of(access.shop))


AtRiskOut = ORDER_AT_RISK.model


@router.get(
    "/orders-at-risk", response_model=page_of(AtRiskOut), summary="Open orders that may miss their promised date"
)
@on_the_loop
def list_at_risk(access: ReadShop, state: State, limit: Limit = 50, cursor: Cursor = None) -> JsonObject:
    rows = at_risk_today(state, access.shop)
    offset = cursor_value(cursor) or 0
    # The cached rows carry the dashboard's reason phrase too (`reason_msg`): the response model leaves it out.
    next_cursor = str(offset + limit) if offset + limit < len(rows) else None
    return {"items": rows[offset : offset + limit], "next_cursor": next_cursor, "limit": limit}


class WebhookOut(BaseModel):
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]


@webhooks.post(
    "/webhooks/tracking/{shop}",
    response_model=WebhookOut,
    responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    summary="Tracking updates (AfterShip format), signed with HMAC-SHA256 of the raw body",
)
async def tracking_webhook(
    request: Request,
    shop: Annotated[str, Path(max_length=64)],
    state: State,
    signature: Annotated[
        str, Header(alias="aftership-hmac-sha256", max_length=200, description="base64 (or hex) HMAC-SHA256")
    ] = "",
) -> WebhookOut:
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        raise ValidationError("the webhook body is larger than 1 MiB")
    return await run_in_threadpool(_store_webhook, state, shop, body, signature)


def _store_webhook(state: AppState, shop: str, body: bytes, signature: str) -> WebhookOut:
    fallback = state.server.tracking_webhook_secret
    with transaction(state.sessions) as session:
        # The shop's own key; the server-wide one only for a shop without its own. The signature is checked
        # before anything else, and an unknown shop is refused like a bad signature: an unsigned caller learns
        # nothing, not even which shop codes exist.
        key = webhook_key(session, shop_code=shop, fallback=fallback.get_secret_value() if fallback else None)
        if not key or not verify_signature(body, signature, key):
            raise BadSignatureError("the webhook signature does not match: rejected, nothing was stored")
        check_webhook_body(body)
        the_shop = get_shop(session, code=shop)
        summary = receive_webhook(
            session, shop=the_shop, body=body, signature=signature, secret=key, now=state.clock.now()
        )
        # The shop's stores take the parcels' news in within the webhook's transaction.
        bring_stores_up_to_date(session, shop_id=the_shop.id, touched=summary.written())
    payload = summary.to_dict()
    return WebhookOut(created=payload["created"], updated=payload["updated"], unchanged=payload["unchanged"])
