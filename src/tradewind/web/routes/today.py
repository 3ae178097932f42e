"""Today: the brief, filtered by kind and urgency, with apply / dismiss / snooze in place and the message drafts
editable before they are sent; the open actions as a CSV or Excel download."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Form, Path, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tradewind.brief.models import ActionRecord, ActionState
from tradewind.brief.producers import default_producers
from tradewind.brief.ranking import URGENCY_GROUPS, urgency_group
from tradewind.brief.service import (
    CONFIRM_STEPS,
    DONE_STATES,
    BulkOutcome,
    HandledAction,
    apply_action,
    apply_actions,
    count_open_actions_by_kind,
    dismiss_action,
    dismiss_actions,
    edit_message_step,
    get_action,
    handled_actions,
    latest_snooze,
    needs_confirmation,
    planned_orders,
    reopen_action,
    snooze_action,
    snooze_actions,
)
from tradewind.clock import parse_day
from tradewind.errors import ValidationError
from tradewind.server.briefing import (
    ensure_todays_brief,
    open_action_summaries,
    open_kinds,
    refresh_now,
)
from tradewind.server.deps import DbSession, State, WriteShop
from tradewind.server.inline import on_the_loop
from tradewind.server.pages import RecordId
from tradewind.web.deps import Page
from tradewind.web.downloads import DOWNLOAD_ROWS, FormatPath, download
from tradewind.web.words import _

router = APIRouter(prefix="/shops/{shop}")
PAGE_SIZE = 25  # a card carries its controls (apply, snooze, dismiss): 25 to a page
# The kinds "Apply selected" applies several at a time, after one confirmation listing them all: restocks (their
# purchase orders) and the actions whose applying queues their message drafts for the outbox worker (delay notices,
# replies, unpaid reminders, cancellation follow-ups, supplier checks): applying several is "send all drafts". Any
# open card can be ticked to dismiss or snooze several at a time.
BULK_KINDS = frozenset(
    {"restock", "notify_delay", "reply_needed", "unpaid_reminder", "cancellation_followup", "supplier_check"}
)


def _back(page: Page) -> Response:
    return RedirectResponse(f"/shops/{page.access.shop.code}/today", status_code=303)


@router.get("/today")
@on_the_loop
def today_page(
    page: Page,
    session: DbSession,
    state: State,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    urgency: Annotated[str | None, Query(max_length=16)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    shop = page.access.shop
    ready = ensure_todays_brief(state, shop)
    today = state.today_of(shop)
    chosen_urgency = urgency if urgency in URGENCY_GROUPS else None
    kinds = [kind] if kind else []
    records, total = open_action_summaries(
        session, state, shop=shop, kinds=kinds, urgency=chosen_urgency, offset=offset, limit=PAGE_SIZE
    )
    kinds_open = open_kinds(state, shop)
    context = {
        "section": "today",
        "actions": records,
        "groups": {r.id: urgency_group(r.due, today) for r in records},
        "total": total,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "kind": kind or "",
        "urgency": chosen_urgency or "",
        "kind_counts": kinds_open,
        "open_total": sum(kinds_open.values()),
        "urgency_groups": URGENCY_GROUPS,
        "brief_ready": ready,
        "bulk_kinds": BULK_KINDS,
    }
    if page.is_htmx and page.request.headers.get("hx-target") == "actions":
        return page.render("today_list.html", **context)
    return page.render("today.html", **context)


@router.get("/done")
@on_the_loop
def done_page(
    page: Page,
    session: DbSession,
    state: Annotated[str | None, Query(max_length=16)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    """What was handled: the actions applied, dismissed, snoozed or expired, by day of their last change."""
    chosen = next((s for s in DONE_STATES if s.value == state), None)
    found, total = handled_actions(
        session,
        shop_id=page.access.shop.id,
        states=[chosen] if chosen else DONE_STATES,
        offset=offset,
        limit=PAGE_SIZE * 2,
    )
    days: dict[date, list[HandledAction]] = {}
    for item in found:
        days.setdefault(item.changed_at.date(), []).append(item)
    return page.render(
        "done.html",
        section="done",
        days=days,
        total=total,
        offset=offset,
        page_size=PAGE_SIZE * 2,
        state=chosen.value if chosen else "",
        done_states=[s.value for s in DONE_STATES],
    )


@router.post("/today/refresh")
def refresh(page: Page, access: WriteShop, session: DbSession, state: State) -> Response:
    refresh_now(session, state, access.shop)
    if page.is_htmx:
        return Response(status_code=204, headers={"HX-Refresh": "true"})
    return _back(page)


def _removed(page: Page, session: Session, message: str, lines: list[str]) -> Response:
    """The card disappears; what was done shows in the message area, and the open counts follow: the heading's
    total and, on the Today page, the kind filter's count of each kind (one query, as this transaction sees them).
    The kind the filter shows chosen is read from the page's address (htmx sends it; the filter pushes it)."""
    if not page.is_htmx:
        return _back(page)
    counts = count_open_actions_by_kind(session, shop_id=page.access.shop.id)
    shown = urlsplit(page.request.headers.get("hx-current-url", ""))
    if shown.path != f"/shops/{page.access.shop.code}/today":
        return page.render("action_done.html", message=message, lines=lines, open_total=sum(counts.values()))
    kind = parse_qs(shown.query).get("kind", [""])[0][:32]
    return page.render(
        "action_done.html",
        message=message,
        lines=lines,
        open_total=sum(counts.values()),
        kind_counts=counts,
        kind=kind,
    )


@router.post("/actions/{action_id}/apply")
def apply(
    action_id: RecordId,
    page: Page,
    access: WriteShop,
    session: DbSession,
    state: State,
    confirmed: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Apply an action. One whose steps spend money or change listings is answered first with its lines and a
    Confirm button (which posts here again with `confirmed=1`); nothing is done until then."""
    pending = get_action(session, shop=access.shop, action_id=action_id)
    if confirmed != "1" and pending.state != ActionState.APPLIED and needs_confirmation(pending.steps):
        context = {"action": pending, "orders": planned_orders(pending.steps), "confirm_steps": CONFIRM_STEPS}
        if page.is_htmx:
            return page.render("action_confirm.html", **context)
        return page.render("action_confirm_page.html", section="today", **context)
    record, done = apply_action(
        session,
        shop=access.shop,
        action_id=action_id,
        context=state.context(access.shop),
        producers=default_producers(),
        actor=access.actor,
    )
    return _removed(page, session, page.gettext("Applied: %(title)s") % {"title": page.action_title(record)}, done)


def _selected(session: Session, page: Page, action: list[int] | None, verb: str) -> list[ActionRecord]:
    """The actions ticked on the Today page, each once, in the order ticked (one of another shop: not found)."""
    if not action:
        raise ValidationError(
            f"no action selected: tick the cards to {verb} together, then {verb.capitalize()} selected"
        )
    return [get_action(session, shop=page.access.shop, action_id=number) for number in dict.fromkeys(action)]


def _bulk_done(page: Page, verb: str, outcomes: list[BulkOutcome], until: date | None = None) -> HTMLResponse:
    """What a bulk change did: how many were changed here, and each one another change got to first, in its state."""
    not_done = Counter(outcome.state.value for outcome in outcomes if outcome.state is not None)
    return page.render(
        "bulk_done.html",
        section="today",
        verb=verb,
        until=until,
        outcomes=outcomes,
        done_here=sum(outcome.applied for outcome in outcomes),
        not_done=dict(not_done),
    )


@router.post("/today/apply")
def apply_selected(
    page: Page,
    access: WriteShop,
    session: DbSession,
    state: State,
    confirmed: Annotated[str, Form(max_length=1)] = "",
    action: Annotated[list[int] | None, Form(max_length=PAGE_SIZE)] = None,
) -> Response:
    """ "Apply selected" on the Today page: first one page listing every selected action with its lines and one
    Confirm button (which posts here again with `confirmed=1`), then each applied through `apply_actions` and a
    summary of what was applied and what another change got to first. Applying a message action queues its drafts
    for the outbox worker: this is "send all drafts" of the ticked delay notices and replies."""
    found = _selected(session, page, action, "apply")
    other = [record.id for record in found if record.kind not in BULK_KINDS]
    if other:
        raise ValidationError(
            f"only {', '.join(sorted(BULK_KINDS))} actions are applied several at a time: "
            f"apply #{other[0]} on its card (or untick it)",
            details={"actions": other},
        )
    if confirmed != "1":
        return page.render(
            "bulk_confirm.html",
            section="today",
            actions=found,
            planned={record.id: planned_orders(record.steps) for record in found},
            confirm_steps=CONFIRM_STEPS,
        )
    outcomes = apply_actions(
        session,
        shop=access.shop,
        action_ids=[record.id for record in found],
        context=state.context(access.shop),
        producers=default_producers(),
        actor=access.actor,
    )
    return _bulk_done(page, "apply", outcomes)


@router.post("/today/dismiss")
def dismiss_selected(
    page: Page,
    access: WriteShop,
    session: DbSession,
    state: State,
    confirmed: Annotated[str, Form(max_length=1)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
    action: Annotated[list[int] | None, Form(max_length=PAGE_SIZE)] = None,
) -> Response:
    """ "Dismiss selected" on the Today page, any kind: first a page listing the selected actions with the one reason
    box (its own form: Enter in it dismisses, nothing else), then each dismissed through `dismiss_actions`."""
    found = _selected(session, page, action, "dismiss")
    if confirmed != "1":
        return page.render("bulk_dismiss.html", section="today", actions=found)
    outcomes = dismiss_actions(
        session,
        shop=access.shop,
        action_ids=[record.id for record in found],
        context=state.context(access.shop),
        actor=access.actor,
        reason=reason.strip() or None,
    )
    return _bulk_done(page, "dismiss", outcomes)


@router.post("/today/snooze")
def snooze_selected(
    page: Page,
    access: WriteShop,
    session: DbSession,
    state: State,
    confirmed: Annotated[str, Form(max_length=1)] = "",
    until: Annotated[str, Form(max_length=10)] = "",
    action: Annotated[list[int] | None, Form(max_length=PAGE_SIZE)] = None,
) -> Response:
    """ "Snooze selected" on the Today page, any kind: first a page with the selected actions, the last day each may
    be snoozed to and one day box (no later than the earliest of those), then each snoozed through `snooze_actions`
    (the horizon of a single snooze, checked for every action before any is snoozed)."""
    found = _selected(session, page, action, "snooze")
    context = state.context(access.shop)
    grace = context.settings.snooze_grace_days
    latest = {record.id: latest_snooze(record.due, context.today, grace) for record in found}
    if confirmed != "1":
        last_day = min(latest.values())
        return page.render(
            "bulk_snooze.html",
            section="today",
            actions=found,
            latest=latest,
            first_day=context.today + timedelta(days=1),
            last_day=last_day,
            default_day=min(context.today + timedelta(days=7), last_day),
        )
    day = parse_day(until, what="snooze until")
    outcomes = snooze_actions(
        session,
        shop=access.shop,
        action_ids=[record.id for record in found],
        until=day,
        context=context,
        actor=access.actor,
    )
    return _bulk_done(page, "snooze", outcomes, until=day)


@router.post("/actions/{action_id}/reopen")
def reopen(action_id: RecordId, page: Page, access: WriteShop, session: DbSession, state: State) -> Response:
    """Back to the brief, with the undo of what applying did; the action's page shows it reopened and why."""
    record, _ = reopen_action(
        session,
        shop=access.shop,
        action_id=action_id,
        context=state.context(access.shop),
        producers=default_producers(),
        actor=access.actor,
    )
    return RedirectResponse(f"/shops/{access.shop.code}/actions/{record.id}", status_code=303)


@router.post("/actions/{action_id}/dismiss")
def dismiss(
    action_id: RecordId,
    page: Page,
    access: WriteShop,
    session: DbSession,
    state: State,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    record = dismiss_action(
        session,
        shop=access.shop,
        action_id=action_id,
        context=state.context(access.shop),
        actor=access.actor,
        reason=reason.strip() or None,
    )
    return _removed(page, session, page.gettext("Dismissed: %(title)s") % {"title": page.action_title(record)}, [])


@router.post("/actions/{action_id}/snooze")
def snooze(
    action_id: RecordId,
    page: Page,
    access: WriteShop,
    session: DbSession,
    state: State,
    until: Annotated[str, Form(max_length=10)],
) -> Response:
    day: date = parse_day(until, what="snooze until")
    record = snooze_action(
        session,
        shop=access.shop,
        action_id=action_id,
        until=day,
        context=state.context(access.shop),
        actor=access.actor,
    )
    message = page.gettext("Snoozed until %(day)s: %(title)s") % {
        "day": day.isoformat(),
        "title": page.action_title(record),
    }
    return _removed(page, session, message, [])


@router.post("/actions/{action_id}/steps/{step}")
def save_draft(
    action_id: RecordId,
    step: Annotated[int, Path(ge=0, le=1000)],
    page: Page,
    access: WriteShop,
    session: DbSession,
    state: State,
    subject: Annotated[str, Form(max_length=300)],
    body: Annotated[str, Form(max_length=20_000)],
) -> Response:
    record = edit_message_step(
        session,
        shop=access.shop,
        action_id=action_id,
        step=step,
        subject=subject,
        body=body,
        actor=access.actor,
        now=state.clock.now(),
    )
    if not page.is_htmx:
        return _back(page)
    return page.render("draft_form.html", action=record, step=record.steps[step], index=step, saved=True)


@router.get("/actions/{action_id}/steps")
@on_the_loop
def action_steps(action_id: RecordId, page: Page, session: DbSession) -> HTMLResponse:
    """The figures and steps of one card, loaded when the seller opens them (the list stays light)."""
    record = get_action(session, shop=page.access.shop, action_id=action_id)
    return page.render("action_steps.html", action=record)


@router.get("/actions/{action_id}")
@on_the_loop
def action_page(action_id: RecordId, page: Page, session: DbSession, state: State) -> HTMLResponse:
    record = get_action(session, shop=page.access.shop, action_id=action_id)
    return page.render(
        "action_page.html",
        section="today",
        action=record,
        group=urgency_group(record.due, state.today_of(page.access.shop)),
    )


ACTION_COLUMNS = (_("Action"), _("Urgency"), _("Kind"), _("Due"), _("Priority"), _("Title"), _("Why"))


@router.get("/today.{fmt}")
@on_the_loop
def actions_download(
    page: Page,
    session: DbSession,
    state: State,
    fmt: FormatPath,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    urgency: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """The open actions the Today page lists (its filters; every page, overdue first), as CSV or Excel."""
    shop = page.access.shop
    today = state.today_of(shop)
    chosen_urgency = urgency if urgency in URGENCY_GROUPS else None
    urgency_words, kind_words = page.words("urgency_names"), page.words("kind_names")

    def rows() -> Iterator[tuple[object, ...]]:
        offset = 0
        while offset < DOWNLOAD_ROWS:
            found, total = open_action_summaries(
                session,
                state,
                shop=shop,
                kinds=[kind] if kind else [],
                urgency=chosen_urgency,
                offset=offset,
                limit=min(PAGE_SIZE * 200, DOWNLOAD_ROWS - offset),
            )
            for action in found:
                group = urgency_group(action.due, today)
                yield (
                    action.id,
                    urgency_words.get(group, group),
                    kind_words.get(action.kind, action.kind),
                    action.due,
                    action.priority,
                    action.title,
                    action.why,
                )
            offset += PAGE_SIZE * 200
            if offset >= total:
                return

    return download(page, fmt, table=_("Actions"), header=ACTION_COLUMNS, rows=rows())
