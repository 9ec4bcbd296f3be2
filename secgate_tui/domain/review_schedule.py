"""When the periodic security review is due (IEC 81001-5-1 4.1.8, ISO 13485 8.5).

The standard asks for a review at least once a year, so an interval above 365
days is refused, and a product that was never reviewed is overdue: there is no
date from which a grace period could run (fail closed).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from secgate_tui.domain.model import utc

#: The standard's ceiling: at least one review a year.
MAX_INTERVAL_DAYS: Final = 365
#: A review due within this many days (inclusive) is shown as due soon.
DUE_SOON_DAYS: Final = 30


class ReviewState(StrEnum):
    OK = "ok"
    DUE_SOON = "due-soon"
    OVERDUE = "overdue"


class ReviewSchedule(BaseModel):
    """A product's review schedule as of one day.

    ``due`` and ``days_left`` are None only when the product was never reviewed;
    its state is then ``overdue``. ``days_left`` is negative once overdue.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    last_review: date | None
    interval_days: int = Field(ge=1, le=MAX_INTERVAL_DAYS)
    due: date | None
    days_left: int | None
    state: ReviewState
    reason: str


def check_interval(interval_days: int) -> int:
    """Return ``interval_days`` or raise ValueError saying what to write instead."""
    if isinstance(interval_days, bool) or not 1 <= interval_days <= MAX_INTERVAL_DAYS:
        raise ValueError(
            f"review_interval_days is {interval_days!r}, but it must be a whole number of "
            f"days from 1 to {MAX_INTERVAL_DAYS}: IEC 81001-5-1 4.1.8 asks for a review of "
            f"the security problem-resolution process at least once a year. Set "
            f"review_interval_days = {MAX_INTERVAL_DAYS} (or less) for the product."
        )
    return interval_days


def review_schedule(
    last_review: date | datetime | None, interval_days: int, now: datetime
) -> ReviewSchedule:
    """Due date, days left and state of a product's review as of ``now``.

    Args:
        last_review: the day of the last review; a datetime is taken as its UTC
            day. None when no review is on record.
        interval_days: 1..365.
        now: the current time (timezone-aware); only its UTC day matters.

    Returns:
        ``overdue`` when the due day has passed or there is no last review;
        ``due-soon`` when the due day is today or at most 30 days away;
        ``ok`` otherwise.

    Raises:
        ValueError: the interval is outside 1..365, or ``now`` is naive.
    """
    check_interval(interval_days)
    today = utc(now).date()
    last = _as_day(last_review)
    if last is None:
        return ReviewSchedule(
            last_review=None,
            interval_days=interval_days,
            due=None,
            days_left=None,
            state=ReviewState.OVERDUE,
            reason="no review is on record, so the first review is due now",
        )
    due = next_due(last, interval_days)
    days_left = (due - today).days
    if days_left < 0:
        state = ReviewState.OVERDUE
        reason = f"overdue by {-days_left} day(s) (due {due.isoformat()})"
    elif days_left <= DUE_SOON_DAYS:
        state = ReviewState.DUE_SOON
        reason = "due today" if days_left == 0 else f"due in {days_left} day(s)"
    else:
        state = ReviewState.OK
        reason = f"due in {days_left} day(s)"
    return ReviewSchedule(
        last_review=last,
        interval_days=interval_days,
        due=due,
        days_left=days_left,
        state=state,
        reason=reason,
    )


def next_due(held_on: date, interval_days: int) -> date:
    """The day the next review is due after a review that counts from ``held_on``."""
    return held_on + timedelta(days=interval_days)


def latest_review(
    recorded: Iterable[date | datetime], configured: date | None = None
) -> date | None:
    """The last review day: the newest review record in the tracker, else the config's.

    A configured date newer than every tracker record still counts, so a review
    held before secgate was adopted is not forgotten once records exist.
    """
    days = [day for day in (_as_day(value) for value in recorded) if day is not None]
    if configured is not None:
        days.append(configured)
    return max(days, default=None)


def _as_day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return utc(value).date()
    return value
