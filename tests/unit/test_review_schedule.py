"""Review due dates: the edges a pipeline alert depends on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secgate_tui.domain.review_schedule import (
    ReviewState,
    check_interval,
    latest_review,
    review_schedule,
)

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)  # UTC day 2026-11-22


def test_never_reviewed_is_overdue_fail_closed() -> None:
    schedule = review_schedule(None, 365, NOW)
    assert schedule.state is ReviewState.OVERDUE
    assert schedule.due is None
    assert schedule.days_left is None
    assert "no review" in schedule.reason


def test_exactly_thirty_days_left_is_due_soon() -> None:
    # 2026-10-23 + 60 days = 2026-12-22; 2026-12-22 - 2026-11-22 = 30 days.
    schedule = review_schedule(date(2026, 10, 23), 60, NOW)
    assert schedule.due == date(2026, 12, 22)
    assert schedule.days_left == 30
    assert schedule.state is ReviewState.DUE_SOON


def test_thirty_one_days_left_is_ok() -> None:
    # 2026-10-24 + 60 = 2026-12-23: 31 days after 2026-11-22.
    schedule = review_schedule(date(2026, 10, 24), 60, NOW)
    assert schedule.days_left == 31
    assert schedule.state is ReviewState.OK


def test_due_today_is_due_soon_not_overdue() -> None:
    # 2025-11-22 + 365 = 2026-11-22 (2026 is not a leap year).
    schedule = review_schedule(date(2025, 11, 22), 365, NOW)
    assert schedule.due == date(2026, 11, 22)
    assert schedule.days_left == 0
    assert schedule.state is ReviewState.DUE_SOON
    assert schedule.reason == "due today"


def test_overdue_by_one_day() -> None:
    # 2025-11-21 + 365 = 2026-11-21, one day before today.
    schedule = review_schedule(date(2025, 11, 21), 365, NOW)
    assert schedule.days_left == -1
    assert schedule.state is ReviewState.OVERDUE
    assert "overdue by 1 day" in schedule.reason


def test_interval_365_is_the_maximum() -> None:
    assert review_schedule(date(2026, 11, 1), 365, NOW).due == date(2027, 11, 1)
    with pytest.raises(ValueError, match="at least once a year"):
        review_schedule(date(2026, 11, 1), 366, NOW)


@pytest.mark.parametrize("bad", [0, -1, 366, 1000])
def test_interval_outside_range_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="review_interval_days"):
        check_interval(bad)


def test_only_the_utc_day_of_now_counts() -> None:
    # 23:30 at UTC-5 on the 21st is 04:30 UTC on the 22nd.
    local = datetime(2026, 11, 21, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert review_schedule(date(2025, 11, 22), 365, local).days_left == 0


def test_last_review_as_datetime_is_taken_as_its_utc_day() -> None:
    # 2025-11-22 22:00 at UTC-5 is 2025-11-23 03:00 UTC: due 2026-11-23, 1 day left.
    last = datetime(2025, 11, 22, 22, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert review_schedule(last, 365, NOW).days_left == 1


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        review_schedule(date(2026, 1, 1), 365, datetime(2026, 11, 22))


def test_latest_review_prefers_the_newest_of_tracker_and_config() -> None:
    recorded = [datetime(2026, 3, 1, 12, tzinfo=UTC), date(2025, 12, 1)]
    assert latest_review(recorded, configured=date(2025, 1, 1)) == date(2026, 3, 1)
    assert latest_review([], configured=date(2025, 1, 1)) == date(2025, 1, 1)
    assert latest_review([], configured=None) is None


@given(
    last=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    interval=st.integers(min_value=1, max_value=365),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2101, 1, 1)),
)
def test_state_follows_days_left(last: date, interval: int, today: date) -> None:
    now = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    schedule = review_schedule(last, interval, now)
    assert schedule.days_left is not None
    assert schedule.due == last + timedelta(days=interval)
    assert (schedule.state is ReviewState.OVERDUE) == (schedule.days_left < 0)
    assert (schedule.state is ReviewState.OK) == (schedule.days_left > 30)
