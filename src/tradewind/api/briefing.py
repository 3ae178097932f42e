"""Today's brief as the faces read it: stored actions, computed once a day (on the first request of the day for a
shop, or on an explicit refresh), never on every page view."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradewind.api.inline import may_block
from tradewind.api.state import AppState
from tradewind.brief.models import ActionRecord, ActionState
from tradewind.brief.producers import default_producers
from tradewind.brief.ranking import overdue_first, urgency_group
from tradewind.brief.service import (
    ActionSummary,
    Brief,
    action_summaries,
    get_action,
    ranked_open_actions,
    refresh_brief,
)
from tradewind.db.session import transaction
from tradewind.errors import ConflictError, NotFoundError, ValidationError
from tradewind.messaging.service import edit_draft
from tradewind.planning.models import SkuPlan
from tradewind.shops.models import Shop

log = logging.getLogger(__name__)


def brief_made_on(session: Session, *, shop_id: int) -> date | None:
    """The last day the shop's brief was computed: the newest action seen, or the newest stored plan (a brief
    with no action at all still stores the plan)."""
    seen = session.scalar(select(func.max(ActionRecord.last_seen_on)).where(ActionRecord.shop_id == shop_id))
    planned = session.scalar(select(func.max(SkuPlan.planned_on)).where(SkuPlan.shop_id == shop_id))
    days = [day for day in (seen, planned) if day is not None]
    return max(days) if days else None


WAIT_FOR_BRIEF_SECONDS = 10.0


def ensure_todays_brief(state: AppState, shop: Shop, *, wait_seconds: float | None = None) -> bool:
    """Make today's brief if it does not exist yet; True when it is ready.

    It is made in a background thread and a transaction of its own; the request waits for it up to `wait_seconds`
    (a small shop's brief takes a second or two). A large shop's takes minutes: then the request goes on with the
    brief last made and the page says that today's is on its way (run `tradewind brief` early to avoid it)."""
    today = state.today_of(shop)
    key = (shop.id, today)
    if key in state.briefs_ready:
        return True
    may_block()
    with state.brief_lock:
        if key in state.briefs_ready:
            return True
        done = state.briefs_making.get(key)
        if done is None:
            done = threading.Event()
            state.briefs_making[key] = done
            threading.Thread(
                target=_make_brief, args=(state, shop.id, shop.code, today, done), name="tradewind-brief", daemon=True
            ).start()
    return done.wait(WAIT_FOR_BRIEF_SECONDS if wait_seconds is None else wait_seconds)


def _make_brief(state: AppState, shop_id: int, shop_code: str, today: date, done: threading.Event) -> None:
    key = (shop_id, today)
    try:
        with transaction(state.sessions) as session:
            made_on = brief_made_on(session, shop_id=shop_id)
            if made_on is None or made_on < today:
                started = time.perf_counter()
                the_shop = session.get(Shop, shop_id)
                assert the_shop is not None
                refresh_brief(session, shop=the_shop, context=state.context(the_shop), producers=default_producers())
                log.info("made today's brief for shop %s in %.1f s", shop_code, time.perf_counter() - started)
        state.briefs_ready.add(key)
    except IntegrityError:
        log.info("another process made today's brief for shop %s first", shop_code)
        state.briefs_ready.add(key)
    except Exception:
        log.exception("making today's brief for shop %s failed; the last one is shown", shop_code)
    finally:
        with state.brief_lock:
            state.briefs_making.pop(key, None)
        done.set()


def refresh_now(session: Session, state: AppState, shop: Shop) -> Brief:
    """An explicit refresh (the seller changed something): recompute in the request's transaction."""
    brief = refresh_brief(session, shop=shop, context=state.context(shop), producers=default_producers())
    state.briefs_ready.add((shop.id, state.today_of(shop)))
    return brief


def edit_message_step(
    session: Session, *, shop: Shop, action_id: int, step: int, subject: str, body: str, actor: str, now: datetime
) -> ActionRecord:
    """The seller's own words for a message draft of an open action. The draft lives in the outbox (messaging
    queues it as last edited when the action is applied); the action's step keeps a copy for the screen."""
    record = get_action(session, shop=shop, action_id=action_id)
    if record.state not in (ActionState.OPEN, ActionState.SNOOZED):
        raise ConflictError(
            f"action #{record.id} is {record.state.value}: its drafts can no longer change",
            details={"action": record.id, "state": record.state.value},
        )
    steps = [dict(item) for item in record.steps]
    if not 0 <= step < len(steps) or steps[step].get("type") != "message":
        raise NotFoundError(f"action #{record.id} has no message draft #{step}", details={"step": step})
    outbox_id = steps[step].get("outbox_id")
    if not isinstance(outbox_id, int):
        raise ConflictError(f"the draft of action #{record.id} is not in the outbox yet: refresh the brief first")
    message = edit_draft(session, shop=shop, message_id=outbox_id, subject=subject, body=body, now=now, actor=actor)
    steps[step].update(subject=message.subject, body=message.body, edited=True)
    record.steps = steps
    session.flush()
    return record


URGENCY_GROUPS = ("overdue", "today", "this week", "later")


@dataclass(frozen=True)
class OpenRanking:
    """The open actions in the brief's order, as (id, kind, due): what a page of the brief needs to pick its rows."""

    entries: tuple[tuple[int, str, date], ...]

    @cached_property
    def kind_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(kind for _, kind, _ in self.entries).items()))

    @cached_property
    def _filtered(self) -> dict[tuple[tuple[str, ...], str | None, date], list[int]]:
        return {}

    def matching(self, kinds: Sequence[str], urgency: str | None, today: date) -> list[int]:
        """The ids of the actions of these kinds and urgency, overdue first, then by priority (`overdue_first`:
        the order the CLI's table reads in too); each filter computed once per ranking and day."""
        if urgency is not None and urgency not in URGENCY_GROUPS:
            raise ValidationError(f"urgency must be one of {', '.join(URGENCY_GROUPS)}, not {urgency!r}")
        key = (tuple(sorted(set(kinds))), urgency, today)
        found = self._filtered.get(key)
        if found is None:
            found = [
                action_id
                for action_id, kind, due in overdue_first(self.entries, today, due=lambda entry: entry[2])
                if (not kinds or kind in kinds) and (urgency is None or urgency_group(due, today) == urgency)
            ]
            if len(self._filtered) >= 64:  # any text is a kind to filter by: keep the memo small
                self._filtered.clear()
            self._filtered[key] = found
        return found


RANKING_SECONDS = 20.0  # how stale a ranking may get through changes made elsewhere (another process, the CLI)


def open_ranking(state: AppState, shop: Shop) -> OpenRanking:
    """The ranking of the shop's open actions, kept for a few seconds (and dropped as soon as a change made through
    this server commits), so that paging and filtering the brief costs one primary-key load of a page of rows."""

    def compute(session: Session) -> OpenRanking:
        return OpenRanking(tuple(ranked_open_actions(session, shop_id=shop.id)))

    found: OpenRanking = state.cache.get((shop.id, "open-ranking"), compute, ttl_seconds=RANKING_SECONDS)
    return found


def open_action_summaries(
    session: Session,
    state: AppState,
    *,
    shop: Shop,
    kinds: Sequence[str] = (),
    urgency: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[ActionSummary], int]:
    """One page of the brief (the ranked open actions), as summaries, and how many match in all. Whether each is
    still open is checked against the database: the ranking may be a few seconds old."""
    page, total = _page_ids(state, shop, kinds, urgency, offset, limit)
    return action_summaries(session, shop_id=shop.id, ids=page, only_open=True), total


def _page_ids(
    state: AppState, shop: Shop, kinds: Sequence[str], urgency: str | None, offset: int, limit: int | None
) -> tuple[list[int], int]:
    wanted = open_ranking(state, shop).matching(kinds, urgency, state.today_of(shop))
    return wanted[offset : None if limit is None else offset + limit], len(wanted)


def open_kinds(state: AppState, shop: Shop) -> dict[str, int]:
    """Open actions per kind, for the filter."""
    return open_ranking(state, shop).kind_counts
