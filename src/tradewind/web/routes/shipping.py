"""Shipping: lanes with p50/p90 and their trend, the disruption register (add, end), and the orders at risk with
their parcels' tracking in plain words."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tradewind.clock import parse_day
from tradewind.logistics.disruptions import add_disruption, end_disruption, list_disruptions
from tradewind.logistics.models import DisruptionKind
from tradewind.logistics.service import parcel_timeline
from tradewind.server.deps import DbSession, State, WriteShop
from tradewind.server.figures import at_risk_today, lane_trend, lanes_today
from tradewind.server.inline import on_the_loop
from tradewind.server.pages import RecordId
from tradewind.web.charts import as_script_json, lane_trend_charts
from tradewind.web.deps import Page
from tradewind.web.rendering import day_and_month

router = APIRouter(prefix="/shops/{shop}")
PAGE_SIZE = 50


@router.get("/shipping")
@on_the_loop
def shipping_page(
    page: Page,
    session: DbSession,
    state: State,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ended: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    shop = page.access.shop
    today = state.today_of(shop)
    at_risk = at_risk_today(state, shop)
    trend = lane_trend(state, shop)
    words = {
        "title": page.gettext("Transit days of the busiest lanes, week by week"),
        "days": page.gettext("days"),
    }
    return page.render(
        "shipping.html",
        section="shipping",
        lanes=lanes_today(state, shop),
        trend_title=words["title"],
        trend_charts=[
            (spec["title"], as_script_json(spec))
            for spec in lane_trend_charts(trend, words, week_label=lambda week: day_and_month(week, page.language))
        ],
        disruptions=list_disruptions(session, shop=shop, on=today, include_ended=ended),
        show_ended=ended,
        kinds=[k.value for k in DisruptionKind],
        at_risk=at_risk[offset : offset + PAGE_SIZE],
        at_risk_total=len(at_risk),
        offset=offset,
        page_size=PAGE_SIZE,
    )


@router.get("/shipping/parcels/{tracking_number}")
@on_the_loop
def parcel_fragment(
    tracking_number: Annotated[str, Path(max_length=64)], page: Page, session: DbSession, state: State
) -> HTMLResponse:
    found = parcel_timeline(
        session, shop_id=page.access.shop.id, tracking_number=tracking_number, now=state.clock.now()
    )
    return page.render("timeline.html", parcel=found)


def _back(shop_code: str) -> Response:
    return RedirectResponse(f"/shops/{shop_code}/shipping#disruptions", status_code=303)


@router.post("/shipping/disruptions")
def add(
    access: WriteShop,
    session: DbSession,
    state: State,
    kind: Annotated[str, Form(max_length=32)],
    starts_on: Annotated[str, Form(max_length=10)],
    source: Annotated[str, Form(max_length=2000)],
    ends_on: Annotated[str, Form(max_length=10)] = "",
    origin: Annotated[str, Form(max_length=60)] = "",
    destination: Annotated[str, Form(max_length=60)] = "",
    method: Annotated[str, Form(max_length=64)] = "",
    extra_days: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    add_disruption(
        session,
        shop=access.shop,
        kind=kind,
        starts_on=parse_day(starts_on, what="from"),
        ends_on=parse_day(ends_on, what="until") if ends_on.strip() else None,
        source=source,
        origin=origin or None,
        destination=destination or None,
        method=method or None,
        extra_days=int(extra_days) if extra_days.strip().isdigit() else None,
        now=state.clock.now(),
    )
    return _back(access.shop.code)


@router.post("/shipping/disruptions/{disruption_id}/end")
def end(
    disruption_id: RecordId,
    access: WriteShop,
    session: DbSession,
    state: State,
    ends_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    day = parse_day(ends_on, what="end on") if ends_on.strip() else state.today_of(access.shop)
    end_disruption(session, shop=access.shop, disruption_id=disruption_id, ends_on=day)
    return _back(access.shop.code)
