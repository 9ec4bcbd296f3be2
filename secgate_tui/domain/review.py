"""The periodic security review (IEC 81001-5-1 4.1.6, 4.1.8): one import for callers.

The pieces live in their own modules, one idea each:

- :mod:`~secgate_tui.domain.review_schedule`: when the review is due;
- :mod:`~secgate_tui.domain.review_metrics` (with
  :mod:`~secgate_tui.domain.review_stats`): the period's figures;
- :mod:`~secgate_tui.domain.conclusions`: the reviewer's answers and actions;
- :mod:`~secgate_tui.domain.review_record`: the record written to the tracker.

A review in four pure calls::

    schedule = review_schedule(last_review, interval_days, now)
    metrics = review_metrics(issues, classification, period_start=..., now=now, ...)
    conclusions = parse_conclusions(path.read_text("utf-8"), source=str(path))
    record = build_review_record(product=..., metrics=metrics, conclusions=conclusions,
                                 reviewer=..., interval_days=..., now=now)
"""

from secgate_tui.domain.conclusions import (
    QUESTIONS,
    ActionLink,
    Answer,
    Conclusion,
    ConclusionsError,
    ImprovementAction,
    ReviewConclusions,
    parse_conclusions,
)
from secgate_tui.domain.review_metrics import (
    DeployedAnalysis,
    DeployedDefect,
    DispositionItem,
    EventState,
    GroupMetrics,
    ReopenedItem,
    ReviewMetrics,
    ReviewPeriod,
    StateEvent,
    review_metrics,
)
from secgate_tui.domain.review_record import (
    REVIEW_MARKER,
    Reviewer,
    ReviewRecord,
    ReviewRecordError,
    build_review_record,
    export_stem,
    marker_line,
    record_dict,
    record_json,
    review_record_from_json,
    with_action_links,
)
from secgate_tui.domain.review_schedule import (
    DUE_SOON_DAYS,
    MAX_INTERVAL_DAYS,
    ReviewSchedule,
    ReviewState,
    check_interval,
    latest_review,
    review_schedule,
)
from secgate_tui.domain.review_stats import AgeBuckets, DurationStats, nearest_rank

__all__ = [
    "DUE_SOON_DAYS",
    "MAX_INTERVAL_DAYS",
    "QUESTIONS",
    "REVIEW_MARKER",
    "ActionLink",
    "AgeBuckets",
    "Answer",
    "Conclusion",
    "ConclusionsError",
    "DeployedAnalysis",
    "DeployedDefect",
    "DispositionItem",
    "DurationStats",
    "EventState",
    "GroupMetrics",
    "ImprovementAction",
    "ReopenedItem",
    "ReviewConclusions",
    "ReviewMetrics",
    "ReviewPeriod",
    "ReviewRecord",
    "ReviewRecordError",
    "ReviewSchedule",
    "ReviewState",
    "Reviewer",
    "StateEvent",
    "build_review_record",
    "check_interval",
    "export_stem",
    "latest_review",
    "marker_line",
    "nearest_rank",
    "parse_conclusions",
    "record_dict",
    "record_json",
    "review_metrics",
    "review_record_from_json",
    "review_schedule",
    "with_action_links",
]
