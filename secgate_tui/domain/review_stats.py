"""Counting helpers of the review figures: percentiles, age buckets, per-group sums.

Kept apart from :mod:`secgate_tui.domain.review_metrics` so the arithmetic an
auditor recomputes by hand sits in one short module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from pydantic import BaseModel, ConfigDict

from secgate_tui.domain.model import Category, Issue

ALL: Final = "all"
_CATEGORY_ORDER: Final = {category.value: index for index, category in enumerate(Category)}

GroupKey = tuple[str, str]


def group_order(key: GroupKey) -> tuple[int, str, str]:
    """Categories in the standard's order, then ``unclassified``, then ``all``."""
    category, severity = key
    rank = _CATEGORY_ORDER.get(category, len(_CATEGORY_ORDER) + (category == ALL))
    return (rank, category, severity)


def nearest_rank(values: Sequence[float], percent: int) -> float:
    """The ``percent``-th percentile of ``values`` by the nearest-rank method.

    Sort ascending and take the value at 1-based rank ``ceil(percent / 100 * n)``
    (at least 1). The median is ``nearest_rank(values, 50)``: for an even count
    that is the lower of the two middle values, not their mean.

    Raises:
        ValueError: ``values`` is empty or ``percent`` is outside 1..100.
    """
    if not values:
        raise ValueError("no values: a percentile of nothing is undefined")
    if not 1 <= percent <= 100:
        raise ValueError(f"percent must be 1..100, got {percent}")
    ordered = sorted(values)
    # Integer ceiling: float rounding must not move a rank (0.9 * 10 = 9.000000000000002).
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]


class AgeBuckets(BaseModel):
    """Open issues by age at the period's end; ``over_180_days`` is 180 or more."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    under_30_days: int = 0
    days_30_to_90: int = 0
    days_90_to_180: int = 0
    over_180_days: int = 0

    @property
    def total(self) -> int:
        return self.under_30_days + self.days_30_to_90 + self.days_90_to_180 + self.over_180_days


class DurationStats(BaseModel):
    """Count, nearest-rank median and 90th percentile in days (None when count is 0)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int = 0
    median_days: float | None = None
    p90_days: float | None = None


_BUCKETS: Final = ("under_30_days", "days_30_to_90", "days_90_to_180", "over_180_days")


@dataclass(frozen=True, slots=True)
class Facts:
    """What one security issue contributes to the period's figures."""

    issue: Issue
    group: GroupKey
    opened: bool
    closed_in_period: bool
    closed_undated: bool
    age_seconds: float | None
    history_known: bool
    reopens: tuple[datetime, ...]


@dataclass(slots=True)
class Accumulator:
    opened: int = 0
    closed: int = 0
    closed_undated: int = 0
    open: int = 0
    reopened: int = 0
    history_known: bool = True
    ages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_BUCKETS, 0))
    close_days: list[float] = field(default_factory=list)
    dispositions: dict[str, int] = field(default_factory=dict)

    def add(self, fact: Facts) -> None:
        issue = fact.issue
        self.opened += fact.opened
        self.closed_undated += fact.closed_undated
        self.reopened += bool(fact.reopens)  # issues reopened, not reopen events
        self.history_known &= fact.history_known
        if fact.age_seconds is not None:
            self.open += 1
            self.ages[bucket(fact.age_seconds)] += 1
        if fact.closed_in_period and issue.closed_at is not None:
            self.closed += 1
            self.close_days.append(in_days((issue.closed_at - issue.created).total_seconds()))
        if fact.closed_in_period or fact.closed_undated:
            name = issue.disposition.value
            self.dispositions[name] = self.dispositions.get(name, 0) + 1

    def merge(self, other: Accumulator) -> None:
        """Add everything ``other`` counted (as if its facts had been added here)."""
        self.opened += other.opened
        self.closed += other.closed
        self.closed_undated += other.closed_undated
        self.open += other.open
        self.reopened += other.reopened
        self.history_known &= other.history_known
        for name, count in other.ages.items():
            self.ages[name] += count
        self.close_days += other.close_days
        for name, count in other.dispositions.items():
            self.dispositions[name] = self.dispositions.get(name, 0) + count


def bucket(age_seconds: float) -> str:
    days = age_seconds / 86400
    if days < 30:
        return _BUCKETS[0]
    if days < 90:
        return _BUCKETS[1]
    if days < 180:
        return _BUCKETS[2]
    return _BUCKETS[3]


def duration_stats(days: Sequence[float]) -> DurationStats:
    if not days:
        return DurationStats()
    return DurationStats(
        count=len(days), median_days=nearest_rank(days, 50), p90_days=nearest_rank(days, 90)
    )


def in_days(seconds: float) -> float:
    return round(seconds / 86400, 2)


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)
