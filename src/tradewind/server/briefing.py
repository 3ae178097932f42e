"""Today's brief as the faces read it: stored actions, computed once a day (on the first request of the day for a
shop, or on an explicit refresh), never on every page view. The brief's own work is `brief.service`
(`make_brief_unless_made`, `refresh_brief`, `action_summaries`) and `brief.ranking` (`OpenRanking`); what is here
needs the server's state: the thread that makes the day's brief while a request waits, and the ranking kept in the
figure cache."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradewind.brief.producers import default_producers
from tradewind.brief.ranking import OpenRanking
from tradewind.brief.service import (
    ActionSummary,
    Brief,
    action_summaries,
    make_brief_unless_made,
    ranked_open_actions,
    refresh_brief,
)
from tradewind.db.session import transaction
from tradewind.server.inline import may_block
from tradewind.server.state import AppState
from tradewind.shops.models import Shop
from tradewind.shops.service import shop_by_id

log = logging.getLogger(__name__)
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
            started = time.perf_counter()
            the_shop = shop_by_id(session, shop_id)
            made = make_brief_unless_made(
                session, shop=the_shop, context=state.context(the_shop), producers=default_producers()
            )
            if made is not None:
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
