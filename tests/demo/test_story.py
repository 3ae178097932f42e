"""The demo's story holds for any `today`: the closure straddles today and ends within weeks, it is for Spring
Festival only when one is near, and the disruptions begin 40, 25 and 15 days back."""

from __future__ import annotations

from datetime import date, timedelta

from tradewind.demo.story import spring_festivals, story_for


def test_spring_festival_dates_come_from_the_holiday_calendar() -> None:
    assert spring_festivals([2024, 2025, 2026]) == [date(2024, 2, 10), date(2025, 1, 29), date(2026, 2, 17)]


def test_a_closure_for_spring_festival_a_few_weeks_after_it() -> None:
    story = story_for(date(2025, 2, 20))
    assert story.closure.spring_festival == date(2025, 1, 29)
    assert "Spring Festival" in story.closure.reason_en
    assert "春节" in story.closure.reason_zh


def test_an_epidemic_control_stop_far_from_spring_festival() -> None:
    story = story_for(date(2024, 9, 3))
    assert story.closure.spring_festival is None
    assert "epidemic control" in story.closure.reason_en
    assert story.announced_holiday is None


def test_a_coming_spring_festival_is_announced() -> None:
    story = story_for(date(2025, 12, 31))
    assert story.announced_holiday is not None
    closes, reopens = story.announced_holiday
    assert date(2025, 12, 31) < closes < date(2026, 2, 17) < reopens


def test_the_story_holds_on_every_day_of_two_years() -> None:
    day = date(2024, 1, 1)
    while day < date(2026, 1, 1):
        story = story_for(day)
        closure = story.closure
        assert closure.closed_from <= day - timedelta(days=2)
        assert day + timedelta(days=14) <= closure.reopens_on <= day + timedelta(days=30)
        assert closure.reopens_on < closure.restock_on
        if closure.spring_festival is not None:
            assert day - timedelta(days=60) <= closure.spring_festival <= day + timedelta(days=10)
        assert story.first_day < story.epacket_cut_on < story.rail_suspended_on < story.import_ban_on < day
        assert story.stocktake_on < day
        day += timedelta(days=1)
