"""The outbox worker of `tradewind serve`: a background thread that, every `outbox_poll_seconds`, queues the morning
digest of each shop whose digest time has come (making today's brief first) and sends the due e-mail of every shop
through its mail server. It stops cleanly when the server shuts down (the pass under way finishes its message).

Several server processes may each run one: claims are compare-and-set with a lease, and a digest is queued once per
owner and day by its idempotency key, so nothing is sent twice.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import IntegrityError

from tradewind.brief.digest import digest_queued, digest_time_has_come, owners_of, queue_digests
from tradewind.clock import FixedClock
from tradewind.db.session import transaction
from tradewind.messaging.dispatch import deliver_mail_of_shops
from tradewind.messaging.mail_server import mail_server_of
from tradewind.messaging.settings import messaging_settings
from tradewind.server.briefing import ensure_todays_brief
from tradewind.server.state import AppState
from tradewind.shops.service import all_shops, shop_by_id

log = logging.getLogger(__name__)
# A large shop's brief takes minutes: the worker waits for it up to this long, then tries again at the next pass.
BRIEF_WAIT_SECONDS = 600.0


def dashboard_url(state: AppState, configured: str | None) -> str | None:
    return configured or state.server.public_url


def queue_due_digests(state: AppState) -> dict[int, int]:
    """Queue the digest of every shop whose digest time has come today and that has none yet; returns how many
    messages were queued per shop."""
    now = state.clock.now()
    # A clock stopped on a day (`serve --today`) stands at noon UTC, which is still night for a shop west of Greenwich:
    # the stopped day is a whole day, its digest is due at once.
    pinned = isinstance(state.clock, FixedClock) and state.clock.day is not None
    with transaction(state.sessions) as session:
        shops = all_shops(session)
        due = [
            shop
            for shop in shops
            if (pinned or digest_time_has_come(shop, now))
            and not digest_queued(session, shop_id=shop.id, day=state.today_of(shop))
            and owners_of(session, shop_id=shop.id)
        ]
        session.expunge_all()
    queued: dict[int, int] = {}
    for shop in due:
        if not ensure_todays_brief(state, shop, wait_seconds=BRIEF_WAIT_SECONDS):
            log.info("today's brief of shop %s is not ready yet: its digest waits for the next pass", shop.code)
            continue
        try:
            with transaction(state.sessions) as session:
                the_shop = shop_by_id(session, shop.id)
                server = mail_server_of(session, shop_id=shop.id)
                rows = queue_digests(
                    session,
                    shop=the_shop,
                    today=state.today_of(the_shop),
                    now=state.clock.now(),
                    base_url=dashboard_url(state, server.dashboard_url if server else None),
                )
        except IntegrityError:
            log.info("another process queued the digest of shop %s first", shop.code)
            continue
        queued[shop.id] = sum(1 for row in rows if row.queued_now)
        log.info("queued the digest of shop %s for %d owner(s)", shop.code, len(rows))
    return queued


def run_once(state: AppState) -> None:
    """One pass: the digests that are due, then the due e-mail of every shop. Errors are recorded, never raised."""
    status = state.mail_worker
    try:
        for shop_id, count in queue_due_digests(state).items():
            status.of(shop_id).digests_queued += count
        run = deliver_mail_of_shops(
            state.sessions, base=messaging_settings(state.settings), clock=state.security_clock.now
        )
        for shop_id, report in run.by_shop.items():
            counts = status.of(shop_id)
            counts.sent += len(report.sent)
            counts.failed += len(report.failed)
            counts.retrying += len(report.retrying)
            if report.errors:
                counts.last_error = "; ".join(f"#{i}: {e}" for i, e in report.errors.items())[:1000]
                counts.last_error_at = state.security_clock.now()
        status.waiting_shops = run.waiting_shops
    except Exception as exc:  # the worker outlives any one pass
        log.exception("the outbox worker's pass failed")
        # Only the kind of error: its text may quote any shop's rows, and every shop's page shows this one.
        status.last_error = f"the last pass failed ({type(exc).__name__}; the server's log has the details)"
        status.last_error_at = state.security_clock.now()
    finally:
        status.runs += 1
        status.last_run_at = state.security_clock.now()


class MailWorker:
    """The thread; `start` and `stop` are called by the app's lifespan."""

    def __init__(self, state: AppState, *, poll_seconds: float) -> None:
        self.state = state
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        status = self.state.mail_worker
        status.running, status.poll_seconds = True, self.poll_seconds
        status.started_at = self.state.security_clock.now()
        self._thread = threading.Thread(target=self._loop, name="tradewind-outbox", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            run_once(self.state)
            self._stop.wait(self.poll_seconds)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the outbox worker did not stop within %.0f s (a send under way)", timeout)
        self.state.mail_worker.running = False
