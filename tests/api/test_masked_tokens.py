"""Form tokens as pages show them: masked afresh for every response (BREACH), and only the session's token, under
any pad, is accepted."""

from __future__ import annotations

import secrets

from tradewind.accounts.service import masked, matches_masked


def test_a_masked_token_differs_every_time_and_still_matches() -> None:
    token = secrets.token_urlsafe(32)
    shown = {masked(token) for _ in range(20)}
    assert len(shown) == 20
    assert all(token not in value for value in shown)
    assert all(matches_masked(value, token) for value in shown)


def test_another_token_a_bare_token_or_garbage_does_not_match() -> None:
    token, other = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    assert not matches_masked(masked(other), token)
    assert not matches_masked(token, token)  # the bare token is never what a page shows
    for junk in ("", "x", "wrong-" + masked(token), masked(token)[:-4], "ünïcode", "=" * 88):
        assert not matches_masked(junk, token)
    assert not matches_masked(masked(token), "")
