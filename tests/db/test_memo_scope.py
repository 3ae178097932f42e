"""A `memo_scope` within a `read_memo`: what is memoized with `scoped=True` is kept to the scope's end only (the
brief opens one per producer, so that one producer's large figures are not held through the others'), the rest for
the whole `read_memo`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tradewind.db.session import memo_scope, memoized, read_memo


def test_scoped_figures_are_let_go_at_the_scope_end_shared_ones_kept(session: Session) -> None:
    calls: list[str] = []

    def compute(name: str) -> object:
        calls.append(name)
        return object()

    with read_memo(session):
        with memo_scope(session):
            scoped = memoized(session, "big", lambda: compute("big"), scoped=True)
            shared = memoized(session, "small", lambda: compute("small"))
            assert memoized(session, "big", lambda: compute("big"), scoped=True) is scoped
            assert memoized(session, "small", lambda: compute("small")) is shared
        assert calls == ["big", "small"]
        with memo_scope(session):
            assert memoized(session, "small", lambda: compute("small")) is shared
            again = memoized(session, "big", lambda: compute("big"), scoped=True)
            assert again is not scoped
            with memo_scope(session):  # an inner scope has its own scoped figures, the outer's come back after it
                assert memoized(session, "big", lambda: compute("big"), scoped=True) is not again
            assert memoized(session, "big", lambda: compute("big"), scoped=True) is again
        assert calls == ["big", "small", "big", "big"]
        # Scoped outside any scope: kept for the whole read_memo, as any other.
        first = memoized(session, "big", lambda: compute("big"), scoped=True)
        assert memoized(session, "big", lambda: compute("big"), scoped=True) is first
    assert "tradewind.read_memo.scope" not in session.info


def test_outside_a_read_memo_a_scope_changes_nothing(session: Session) -> None:
    calls: list[int] = []
    with memo_scope(session):
        memoized(session, "big", lambda: calls.append(1), scoped=True)
        memoized(session, "big", lambda: calls.append(1), scoped=True)
    assert calls == [1, 1]
