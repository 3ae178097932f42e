"""The brief and its actions: read, refresh, apply, dismiss, snooze, and edit a message draft."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from tradewind.brief.models import ActionState
from tradewind.brief.producers import default_producers
from tradewind.brief.schemas import ActionDetailOut, ActionOut, SubjectOut
from tradewind.brief.service import (
    ActionSummary,
    action_summaries,
    apply_action,
    dismiss_action,
    edit_message_step,
    get_action,
    recent_action_ids,
    reopen_action,
    snooze_action,
    summary_of,
    title_in,
    why_in,
)
from tradewind.server.briefing import ensure_todays_brief, open_action_summaries, refresh_now
from tradewind.server.deps import CallerLocale, DbSession, ReadShop, State, WriteShop
from tradewind.server.errors import ERRORS, WRITE_ERRORS
from tradewind.server.inline import on_the_loop
from tradewind.server.pages import (
    Cursor,
    InputModel,
    JsonObject,
    Limit,
    Page,
    RecordId,
    cursor_value,
    json_response,
    keyset_page,
    page_response,
)

router = APIRouter(prefix="/shops/{shop}", tags=["brief"], responses=ERRORS)


class Urgency(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    THIS_WEEK = "this week"
    LATER = "later"


KindFilter = Annotated[list[str] | None, Query(description="Only actions of these kinds (repeatable)")]
UrgencyFilter = Annotated[Urgency | None, Query(description="overdue, today, this week or later")]


class ActionSummaryOut(BaseModel):
    """An action in a list: what it is about and why, without its figures and steps (`GET /actions/{id}`)."""

    model_config = ConfigDict(extra="forbid")

    id: int
    kind: str
    priority: float
    subject: SubjectOut
    due: date
    title: str = Field(description="In the caller's language (`locale`)")
    why: str = Field(description="In the caller's language (`locale`)")
    state: str
    locale: str = Field(description="The language `title` and `why` are written in: en, zh or ru")


def action_summary_json(summary: ActionSummary, locale: str) -> JsonObject:
    """The summary as `ActionSummaryOut` writes it, its title and reason in `locale` (the brief's own phrases,
    rendered by `title_in` and `why_in`; English is the text the producer stored)."""
    return {
        "id": summary.id,
        "kind": summary.kind,
        "priority": summary.priority,
        "subject": {"kind": summary.subject_kind, "ref": summary.subject},
        "due": summary.due,
        "title": title_in(summary, locale),
        "why": why_in(summary, locale),
        "state": summary.state.value,
        "locale": locale,
    }


class BriefPageOut(BaseModel):
    """A page of today's brief: the open actions in their ranking, as summaries."""

    model_config = ConfigDict(extra="forbid")

    shop: str
    today: date
    total: int = Field(description="Open actions matching the filters, on every page")
    actions: list[ActionSummaryOut]
    next_cursor: str | None
    limit: int


@router.get("/brief", response_model=BriefPageOut, summary="Today's brief: the open actions, ranked, page by page")
@on_the_loop
def read_brief(
    access: ReadShop,
    session: DbSession,
    state: State,
    locale: CallerLocale,
    kind: KindFilter = None,
    urgency: UrgencyFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """The open actions after making today's brief if it does not exist yet (or, while a large shop's is still
    being made, the last brief's). Each action's figures, steps and message drafts: `GET /actions/{id}`.

    Titles and reasons come in the caller's language: `?locale=en|zh|ru`, else the `Accept-Language` header
    (negotiated over en, zh and ru), else English; each action's `locale` says which."""
    ensure_todays_brief(state, access.shop)
    offset = cursor_value(cursor) or 0
    summaries, total = open_action_summaries(
        session,
        state,
        shop=access.shop,
        kinds=kind or (),
        urgency=urgency.value if urgency else None,
        offset=offset,
        limit=limit,
    )
    return json_response(
        {
            "shop": access.shop.code,
            "today": state.today_of(access.shop),
            "total": total,
            "actions": [action_summary_json(s, locale) for s in summaries],
            "next_cursor": str(offset + limit) if offset + limit < total else None,
            "limit": limit,
        }
    )


@router.post(
    "/brief/refresh",
    response_model=BriefPageOut,
    responses=WRITE_ERRORS,
    summary="Recompute today's brief (answers with its first page)",
)
def refresh(
    access: WriteShop, session: DbSession, state: State, locale: CallerLocale, limit: Limit = 50
) -> BriefPageOut:
    """Titles and reasons in the caller's language, as `GET /brief` gives them."""
    brief = refresh_now(session, state, access.shop)
    first = [ActionSummaryOut(**action_summary_json(summary_of(r), locale)) for r in brief.actions[:limit]]
    return BriefPageOut(
        shop=access.shop.code,
        today=brief.today,
        total=len(brief.actions),
        actions=first,
        next_cursor=str(limit) if limit < len(brief.actions) else None,
        limit=limit,
    )


@router.get("/actions", response_model=Page[ActionSummaryOut], summary="Actions in any state, newest first")
@on_the_loop
def list_actions(
    access: ReadShop,
    session: DbSession,
    locale: CallerLocale,
    limit: Limit = 50,
    cursor: Cursor = None,
    state: Annotated[ActionState | None, Query(description="open, applied, dismissed, snoozed or expired")] = None,
    kind: KindFilter = None,
) -> Response:
    """Titles and reasons in the caller's language (`?locale=`, else `Accept-Language`, else English), as in
    `GET /brief`."""
    ids = recent_action_ids(
        session, shop_id=access.shop.id, state=state, kinds=kind or (), before_id=cursor_value(cursor), limit=limit + 1
    )
    page, next_cursor = keyset_page(ids, limit, lambda action_id: action_id)
    summaries = action_summaries(session, shop_id=access.shop.id, ids=page)
    return page_response([action_summary_json(s, locale) for s in summaries], next_cursor, limit)


@router.get("/actions/{action_id}", response_model=ActionDetailOut, summary="One action with its history")
@on_the_loop
def read_action(action_id: RecordId, access: ReadShop, session: DbSession, locale: CallerLocale) -> ActionDetailOut:
    """Its title and reason in the caller's language (`?locale=`, else `Accept-Language`, else English), as in
    `GET /brief`; the figures, steps and message drafts as stored (each draft is in its recipient's language)."""
    return ActionDetailOut.detail(get_action(session, shop=access.shop, action_id=action_id), locale)


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
        context=state.context(access.shop),
        producers=default_producers(),
        actor=access.actor,
    )
    return AppliedOut(action=ActionOut.of(record), done=done)


@router.post(
    "/actions/{action_id}/reopen", response_model=AppliedOut, responses=WRITE_ERRORS, summary="Undo and reopen"
)
def reopen(action_id: RecordId, access: WriteShop, session: DbSession, state: State) -> AppliedOut:
    """Put a handled action back in the brief; an applied one only with the undo of what applying it did (409,
    saying why, when that cannot be undone). `done` lists what was undone."""
    record, undone = reopen_action(
        session,
        shop=access.shop,
        action_id=action_id,
        context=state.context(access.shop),
        producers=default_producers(),
        actor=access.actor,
    )
    return AppliedOut(action=ActionOut.of(record), done=undone)


@router.post("/actions/{action_id}/dismiss", response_model=ActionOut, responses=WRITE_ERRORS)
def dismiss(
    action_id: RecordId, access: WriteShop, session: DbSession, state: State, body: DismissIn | None = None
) -> ActionOut:
    record = dismiss_action(
        session,
        shop=access.shop,
        action_id=action_id,
        context=state.context(access.shop),
        actor=access.actor,
        reason=body.reason if body else None,
    )
    return ActionOut.of(record)


@router.post("/actions/{action_id}/snooze", response_model=ActionOut, responses=WRITE_ERRORS)
def snooze(action_id: RecordId, body: SnoozeIn, access: WriteShop, session: DbSession, state: State) -> ActionOut:
    record = snooze_action(
        session,
        shop=access.shop,
        action_id=action_id,
        until=body.until,
        context=state.context(access.shop),
        actor=access.actor,
    )
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
