"""Trends of the periodic review: security issues per calendar month over 24 months.

For each of the last :data:`TREND_MONTHS` UTC calendar months (the month of the
review's end last): how many security issues were opened, how many closed, how
many were still open at the month's end, and those still open by age at the
month's end (the buckets of the review figures: under 30 days, 30-90, 90-180,
180 or more, half-open). The month of the review's end ends at the review's
end, not at the calendar month's.

Conventions, so every figure can be recomputed by hand:

- Months run from 00:00 UTC on their first day (inclusive) to 00:00 UTC on the
  next month's first day (exclusive).
- "Opened" counts creations, "closed" closes (by the issue's close date) in the
  month; an issue created before the 24 months is open in them until its close.
- "Still open at the month's end" is read from each issue's creation and its
  (last) close date: an issue reopened and closed again counts as open from its
  creation to its last close.
- A closed issue whose tracker gives no close date cannot be placed in any
  month: it counts in no month's "closed" nor "still open", and
  ``closed_undated`` says how many there are.
- Times after the review's end (a clock ahead) count as not happened yet.

The trends are a summary for people; unlike the figures they are not checked
against the conclusions.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, field_validator

from secgate_tui.domain.classify import Classification, Classifier
from secgate_tui.domain.collector import collector_paused
from secgate_tui.domain.model import Issue, utc
from secgate_tui.domain.review_stats import AgeBuckets

TREND_MONTHS: Final = 24
#: The lower bounds of the age buckets after the first (as review_stats.bucket), in seconds.
_DAY_30: Final = 30 * 86400
_DAY_90: Final = 90 * 86400
_DAY_180: Final = 180 * 86400


class MonthTrend(BaseModel):
    """One calendar month: ``month`` is ``YYYY-MM``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    month: str
    opened: int
    closed: int
    still_open: int
    open_ages: AgeBuckets


class ReviewTrends(BaseModel):
    """The months oldest first, as of ``as_of`` (the review's end)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: AwareDatetime
    months: tuple[MonthTrend, ...]
    closed_undated: int

    @field_validator("as_of")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return utc(value)


def month_starts(now: datetime, count: int = TREND_MONTHS) -> list[datetime]:
    """The first instants of the ``count`` months ending with ``now``'s, and of the next."""
    now = utc(now)
    index = now.year * 12 + now.month - 1 - (count - 1)
    return [
        datetime((index + n) // 12, (index + n) % 12 + 1, 1, tzinfo=UTC) for n in range(count + 1)
    ]


@collector_paused()
def review_trends(
    issues: Iterable[Issue], classification: Classification, *, now: datetime
) -> ReviewTrends:
    """The trends of the security issues among ``issues`` as of ``now``.

    Args:
        issues: the product's issues (any state, any age); those the
            classification does not mark as security-related are left out.
        classification: the product's category rules and security labels.
        now: the review's end (timezone-aware); its month is the last one.
    """
    now = utc(now)
    starts = month_starts(now)
    count = len(starts) - 1
    # Month k ends at the next month's start; the last month at `now`.
    ends = [s.timestamp() for s in starts[1:-1]] + [now.timestamp()]
    bounds = [s.timestamp() for s in starts]
    horizon = now.timestamp()
    opened = [0] * count
    closed = [0] * count
    # Difference arrays, one per age bucket: +1 where an issue enters, -1 where it leaves.
    ages = [[0] * (count + 1) for _ in range(4)]
    under_30, days_30, days_90, over_180 = ages
    undated = 0
    classify = Classifier(classification).classify
    for issue in issues:
        created = issue.created.timestamp()
        if created > horizon or classify(issue) is None:
            continue
        # -1: before the first month; `count`: after the last (not happened yet).
        first = bisect_right(bounds, created) - 1
        if first >= 0:
            opened[first] += 1
        last = count
        if issue.closed:
            if issue.closed_at is None:
                undated += 1
                continue
            at = issue.closed_at.timestamp()
            if at <= horizon:
                last = bisect_right(bounds, at) - 1
                if last < 0:
                    continue  # closed before the first month: open in none of them
                closed[last] += 1
        # Open at the end of months [low, last), in the bucket of its age at each: the
        # first month ends at which it is 30, 90, 180 days old, searched within the range.
        low = first if first > 0 else 0
        if low >= last:
            continue
        d30 = bisect_left(ends, created + _DAY_30, low, last)
        d90 = bisect_left(ends, created + _DAY_90, d30, last)
        d180 = bisect_left(ends, created + _DAY_180, d90, last)
        # Empty bands (equal edges) add and remove at the same index: no test needed.
        under_30[low] += 1
        under_30[d30] -= 1
        days_30[d30] += 1
        days_30[d90] -= 1
        days_90[d90] += 1
        days_90[d180] -= 1
        over_180[d180] += 1
        over_180[last] -= 1
    return ReviewTrends(
        as_of=now,
        months=tuple(_months(starts, opened, closed, ages)),
        closed_undated=undated,
    )


def _months(
    starts: list[datetime], opened: list[int], closed: list[int], ages: list[list[int]]
) -> Iterable[MonthTrend]:
    running = [0] * len(ages)
    for k, start in enumerate(starts[:-1]):
        running = [total + diff[k] for total, diff in zip(running, ages, strict=True)]
        buckets = AgeBuckets(
            under_30_days=running[0],
            days_30_to_90=running[1],
            days_90_to_180=running[2],
            over_180_days=running[3],
        )
        yield MonthTrend(
            month=f"{start.year:04d}-{start.month:02d}",
            opened=opened[k],
            closed=closed[k],
            still_open=buckets.total,
            open_ages=buckets,
        )
