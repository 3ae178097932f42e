"""The brief and its actions: read, refresh, apply, dismiss, snooze, and edit a message draft."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from tradewind.api.briefing import (
    edit_message_step,
    ensure_todays_brief,
    open_action_page,
    refresh_now,
)
from tradewind.api.deps import DbSession, ReadShop, State, WriteShop
from tradewind.api.errors import ERRORS, WRITE_ERRORS
from tradewind.api.pages import Cursor, InputModel, Limit, Page, RecordId, cursor_value, keyset_page
from tradewind.brief.models import ActionRecord, ActionState
from tradewind.brief.producers import default_producers
from tradewind.brief.schemas import ActionDetailOut, ActionOut, BriefOut
from tradewind.brief.service import apply_action, dismiss_action, get_action, snooze_action

router = APIRouter(prefix="/shops/{shop}", tags=["brief"], responses=ERRORS)


class Urgency(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    THIS_WEEK = "this week"
    LATER = "later"


KindFilter = Annotated[list[str] | None, Query(description="Only actions of these kinds (repeatable)")]
UrgencyFilter = Annotated[Urgency | None, Query(description="overdue, today, this week or later")]


def todays_actions(
    session: DbSession,
    access: ReadShop,
    state: State,
    kinds: list[str] | None,
    urgency: Urgency | None,
    limit: int | None = None,
) -> list[ActionRecord]:
    """The open actions, ranked, after making today's brief if it does not exist yet (or, while a large shop's is
    still being made, the last brief's)."""
    ensure_todays_brief(state, access.shop)
    records, _ = open_action_page(
        session,
        state,
        shop=access.shop,
        kinds=kinds or (),
        urgency=urgency.value if urgency else None,
        offset=0,
        limit=limit,
    )
    return records


@router.get("/brief", response_model=BriefOut, summary="Today's brief: the open actions, ranked")
def read_brief(
    access: ReadShop,
    session: DbSession,
    state: State,
    kind: KindFilter = None,
    urgency: UrgencyFilter = None,
    limit: Annotated[int | None, Query(ge=1, le=10_000, description="At most this many actions")] = None,
) -> BriefOut:
    records = todays_actions(session, access, state, kind, urgency, limit)
    return BriefOut(shop=access.shop.code, today=state.clock.today(), actions=[ActionOut.of(r) for r in records])


@router.post("/brief/refresh", response_model=BriefOut, responses=WRITE_ERRORS, summary="Recompute today's brief")
def refresh(access: WriteShop, session: DbSession, state: State) -> BriefOut:
    brief = refresh_now(session, state, access.shop)
    return BriefOut(shop=access.shop.code, today=brief.today, actions=[ActionOut.of(r) for r in brief.actions])


@router.get("/actions", response_model=Page[ActionOut], summary="Actions in any state, newest first")
def list_actions(
    access: ReadShop,
    session: DbSession,
    limit: Limit = 50,
    cursor: Cursor = None,
    state: Annotated[ActionState | None, Query(description="open, applied, dismissed, snoozed or expired")] = None,
    kind: KindFilter = None,
) -> Page[ActionOut]:
    query = select(ActionRecord).where(ActionRecord.shop_id == access.shop.id)
    if state is not None:
        query = query.where(ActionRecord.state == state)
    if kind:
        query = query.where(ActionRecord.kind.in_(kind))
    after = cursor_value(cursor)
    if after is not None:
        query = query.where(ActionRecord.id < after)
    rows = list(session.scalars(query.order_by(ActionRecord.id.desc()).limit(limit + 1)))
    page, next_cursor = keyset_page(rows, limit, rows[limit - 1].id if len(rows) > limit else None)
    return Page[ActionOut](items=[ActionOut.of(r) for r in page], next_cursor=next_cursor, limit=limit)


@router.get("/actions/{action_id}", response_model=ActionDetailOut, summary="One action with its history")
def read_action(action_id: RecordId, access: ReadShop, session: DbSession) -> ActionDetailOut:
    return ActionDetailOut.detail(get_action(session, shop=access.shop, action_id=action_id))


class AppliedOut(BaseModel):
    action: ActionOut
    done: list[str]


class DismissIn(InputModel):
    reason: str | None = Field(default=None, max_length=500)


class SnoozeIn(InputModel):
    until: date


class DraftIn(InputModel):
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=20_000)


@router.post("/actions/{action_id}/apply", response_model=AppliedOut, responses=WRITE_ERRORS, summary="Do it")
def apply(action_id: RecordId, access: WriteShop, session: DbSession, state: State) -> AppliedOut:
    record, done = apply_action(
        session,
        shop=access.shop,
        action_id=action_id,
        context=state.context(),
        producers=default_producers(),
        actor=access.actor,
    )
    state.cache.forget_shop(access.shop.id)
    return AppliedOut(action=ActionOut.of(record), done=done)


@router.post("/actions/{action_id}/dismiss", response_model=ActionOut, responses=WRITE_ERRORS)
def dismiss(
    action_id: RecordId, access: WriteShop, session: DbSession, state: State, body: DismissIn | None = None
) -> ActionOut:
    record = dismiss_action(
        session,
        shop=access.shop,
        action_id=action_id,
        context=state.context(),
        actor=access.actor,
        reason=body.reason if body else None,
    )
    state.cache.forget_shop(access.shop.id)
    return ActionOut.of(record)


@router.post("/actions/{action_id}/snooze", response_model=ActionOut, responses=WRITE_ERRORS)
def snooze(action_id: RecordId, body: SnoozeIn, access: WriteShop, session: DbSession, state: State) -> ActionOut:
    record = snooze_action(
        session, shop=access.shop, action_id=action_id, until=body.until, context=state.context(), actor=access.actor
    )
    state.cache.forget_shop(access.shop.id)
    return ActionOut.of(record)


@router.put(
    "/actions/{action_id}/steps/{step}",
    response_model=ActionDetailOut,
    responses=WRITE_ERRORS,
    summary="Edit a message draft (step numbers start at 0)",
)
def edit_draft(
    action_id: RecordId,
    step: Annotated[int, Path(ge=0, le=1000)],
    body: DraftIn,
    access: WriteShop,
    session: DbSession,
    state: State,
) -> ActionDetailOut:
    record = edit_message_step(
        session,
        shop=access.shop,
        action_id=action_id,
        step=step,
        subject=body.subject,
        body=body.body,
        actor=access.actor,
        now=state.clock.now(),
    )
    return ActionDetailOut.detail(record)
