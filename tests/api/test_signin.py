"""Sign-in that holds (issue 18, 8): the rate limit runs on the real time whatever `serve --today` says, a
successful sign-in does not reset the per-address count, and an unknown e-mail costs the same argon2 work as a
known one."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from tests.api.harness import make_app
from tests.api.shop_data import CHEAP, PASSWORD, ShopWorld
from tradewind.accounts.models import LoginAttempt
from tradewind.accounts.service import TooManyAttemptsError, authenticate


class MovableClock:
    """A clock the test moves forward (the real time, as a server running for a while would see it)."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def now(self) -> datetime:
        return self.instant

    def today(self) -> date:
        return self.instant.date()


def _login(client: TestClient, email: str, password: str) -> int:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    data = {"email": email, "password": password, "csrf_token": token.group(1)}
    # TestClient's methods are untyped for mypy (starlette types them with httpx2, which is not installed).
    status: int = client.post("/login", data=data, follow_redirects=False).status_code
    return status


def test_a_lockout_ends_on_the_real_clock_whatever_today_says(connection: Connection, world: ShopWorld) -> None:
    # The app's day is pinned (`serve --today`: FixedClock in make_app); the sign-in clock is the real one.
    real = MovableClock(datetime(2031, 3, 1, 9, tzinfo=UTC))
    client = TestClient(make_app(connection, security_clock=real))
    assert [_login(client, world.owner.email, "wrong password") for _ in range(5)] == [401] * 5
    assert _login(client, world.owner.email, PASSWORD) == 429
    real.instant += timedelta(minutes=16)  # the 15-minute window has passed on the real clock
    assert _login(client, world.owner.email, PASSWORD) == 303
    attempts = connection.execute(select(LoginAttempt.at).where(LoginAttempt.email == world.owner.email)).all()
    assert {row.at.date() for row in attempts} == {real.instant.date()}  # recorded on the real time


def test_attempts_dated_in_the_future_do_not_lock_anyone_out(
    connection: Connection, world: ShopWorld, db: Session
) -> None:
    # What a server started with a `--today` ahead of the real date used to record: a real-clock server then
    # answered 429 with a Retry-After of hours (31982 s in the issue).
    real = MovableClock(datetime(2031, 3, 1, 9, tzinfo=UTC))
    later = real.instant + timedelta(hours=9)
    for _ in range(5):
        db.add(LoginAttempt(email=world.owner.email, client="testclient", at=later, succeeded=False))
    db.commit()
    client = TestClient(make_app(connection, security_clock=real))
    assert _login(client, world.owner.email, PASSWORD) == 303


def test_signing_in_to_ones_own_account_does_not_reset_the_per_address_limit(db: Session, world: ShopWorld) -> None:
    now = datetime(2031, 3, 1, 9, tzinfo=UTC)
    victims = [f"victim{n}-{world.shop.code}@example.com" for n in range(6)]
    failures = 0
    # 4 wrong passwords for each of 5 addresses (under the per-e-mail limit of 5), the attacker signing in to
    # their own account (the staff user) after each 4: 20 failures from one address, the per-address limit.
    for victim in victims[:5]:
        now += timedelta(seconds=5)
        own = authenticate(db, email=world.staff.email, password=PASSWORD, client="10.0.0.9", now=now, rules=CHEAP)
        assert own is not None
        for _ in range(4):
            now += timedelta(seconds=5)
            assert authenticate(db, email=victim, password="guess", client="10.0.0.9", now=now, rules=CHEAP) is None
            failures += 1
    assert failures == 20
    with pytest.raises(TooManyAttemptsError):
        authenticate(db, email=victims[5], password="guess", client="10.0.0.9", now=now, rules=CHEAP)
    # another address is not affected, and the owner of an e-mail still resets that e-mail's count
    assert authenticate(db, email=world.owner.email, password=PASSWORD, client="10.0.0.10", now=now, rules=CHEAP)


def test_attempts_older_than_the_window_are_deleted_at_the_next_sign_in(db: Session, world: ShopWorld) -> None:
    """Every try is recorded; without pruning the table grew with every sign-in for ever."""
    start = datetime(2031, 3, 1, 9, tzinfo=UTC)
    for minute in range(3):
        authenticate(
            db, email="nobody@example.com", password="x", client="b", now=start + timedelta(minutes=minute), rules=CHEAP
        )
    later = start + timedelta(minutes=CHEAP.login_window_minutes + 2)
    assert authenticate(db, email=world.owner.email, password=PASSWORD, client="c", now=later, rules=CHEAP)
    kept = db.scalars(
        select(LoginAttempt.at).where(LoginAttempt.client.in_(("b", "c")), LoginAttempt.at >= start)
    ).all()
    # the first two are older than the window at `later`; the third is at its very edge, still counted
    assert sorted(at.replace(tzinfo=UTC) if at.tzinfo is None else at for at in kept) == [
        start + timedelta(minutes=2),
        later,
    ]


def test_an_unknown_email_costs_the_same_argon2_work_as_a_known_one(
    db: Session, world: ShopWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_verify = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str, password: str | bytes) -> bool:
        calls.append(hash)
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    now = datetime(2031, 3, 1, 9, tzinfo=UTC)
    assert authenticate(db, email=world.owner.email, password="wrong one", client="a", now=now, rules=CHEAP) is None
    assert authenticate(db, email="nobody@example.com", password="wrong one", client="a", now=now, rules=CHEAP) is None
    world.viewer.active = False
    assert authenticate(db, email=world.viewer.email, password=PASSWORD, client="a", now=now, rules=CHEAP) is None
    assert len(calls) == 3
    # the dummy hash has the same parameters as a real one, so its check takes as long
    assert all(h.split("$")[3] == calls[0].split("$")[3] for h in calls), calls


def test_a_write_is_committed_before_its_response_is_sent(connection: Connection, world: ShopWorld) -> None:
    """A browser follows a sign-in's 303 at once: the session it was given must already be committed. (FastAPI
    ends a `yield` dependency after the response by default; the CI saw the redirect land on the login page.)"""
    from sqlalchemy import event

    events: list[str] = []
    app = make_app(connection)
    inner = app.build_middleware_stack()

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        async def noting(message: Any) -> None:
            if message["type"] == "http.response.start" and scope["method"] == "POST":
                events.append("response")
            await send(message)

        if scope.get("method") == "POST":
            events.append("post")
        await inner(scope, receive, noting)

    app.middleware_stack = recording

    def committed(_session: Session) -> None:
        events.append("commit")

    event.listen(Session, "after_commit", committed)
    try:
        with TestClient(app, base_url="http://testserver") as client:
            assert _login(client, world.owner.email, PASSWORD) == 303
    finally:
        event.remove(Session, "after_commit", committed)
    posted = events[events.index("post") :]
    assert "response" in posted and "commit" in posted[: posted.index("response")], events
