"""FDA's metrics for this period and the previous one, worked out by hand.

NOW = 2026-11-22 UTC, Dn = NOW - n days. This period (D100, NOW]; the previous
period (D200, D100]. Released: 1.0 at D300, 1.1 at D150, 1.2 at D20.

key  created  closed (fixed)  affects  fix
A    D250     D180            1.0      1.1   (shipped D150)
B    D160     D50             1.0      1.2   (shipped D20)
C    D120     open            1.1
E    D50      D40             1.1      1.2

Previous period, as the issues stood at D100 (B still open then; E not created):
A, B, C deployed; A fixed -> 1 of 3 = 33.3 %; identification to fix A 70;
fix to fix shipped A 30.
This period: A closed before it (out of scope); B, C, E deployed; B, E fixed -> 2 of 3;
identification to fix [110, 10] -> median 10, p90 110; fix to shipped B 30, E 20
-> median 20, p90 30.
The previous record (written at D100 before C was labelled security) stored
A and B: 1 of 2 = 50.0 %, the same times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from secgate_tui.domain.classify import CategoryRule, Classification
from secgate_tui.domain.conclusions import parse_conclusions
from secgate_tui.domain.model import Category, Disposition, Issue
from secgate_tui.domain.render import dialect
from secgate_tui.domain.render.review_record import render_review_text
from secgate_tui.domain.review_fda import (
    as_of,
    compare,
    comparison_holds,
    previous_period,
    recompute,
)
from secgate_tui.domain.review_metrics import DeployedAnalysis, ReviewPeriod, review_metrics
from secgate_tui.domain.review_record import (
    Reviewer,
    ReviewRecord,
    ReviewRecordError,
    build_review_record,
    record_json,
    review_record_from_json,
)
from secgate_tui.domain.review_sources import SourceCount
from secgate_tui.domain.review_stats import DurationStats

NOW = datetime(2026, 11, 22, tzinfo=UTC)
CLASSIFICATION = Classification(
    rules={Category.DEFECT_MANAGEMENT: CategoryRule(labels=("sec-defect",))},
    security_labels=("security",),
)
RELEASED = {
    "1.0": NOW - timedelta(days=300),
    "1.1": NOW - timedelta(days=150),
    "1.2": NOW - timedelta(days=20),
}


def d(days: float) -> datetime:
    return NOW - timedelta(days=days)


def issue(
    key: str, created: int, closed: int | None, affects: str, fix: str = "", source: str = "jira"
) -> Issue:
    return Issue(
        source=source,
        key=key,
        title=key,
        status="Done" if closed is not None else "Open",
        closed=closed is not None,
        closed_at=None if closed is None else d(closed),
        disposition=Disposition.FIXED if closed is not None else Disposition.UNKNOWN,
        labels=("sec-defect",),
        severity="high",
        created=d(created),
        updated=d(closed if closed is not None else created),
        affects_versions=(affects,),
        fix_versions=(fix,) if fix else (),
    )


A = issue("A", 250, 180, "1.0", "1.1")
B = issue("B", 160, 50, "1.0", "1.2")
C = issue("C", 120, None, "1.1")
E = issue("E", 50, 40, "1.1", "1.2")
ISSUES = [A, B, C, E]
PREVIOUS = ReviewPeriod(start=d(200), end=d(100))


def then(item: Issue) -> Issue:
    """``item`` as it stood at the previous period's end."""
    rewound = as_of(item, d(100))
    assert rewound is not None
    return rewound


def test_an_issue_is_rewound_to_the_period_end() -> None:
    assert as_of(E, d(100)) is None  # created later
    rewound = as_of(B, d(100))
    assert rewound is not None and not rewound.closed and rewound.closed_at is None
    assert as_of(A, d(100)) == A


def test_previous_period_figures_are_recomputed_as_the_issues_stood() -> None:
    figures = recompute(ISSUES, CLASSIFICATION, PREVIOUS, released=RELEASED)
    assert (figures.count, figures.fixed, figures.share_fixed) == (3, 1, 0.3333)
    assert figures.time_to_fix == DurationStats(count=1, median_days=70.0, p90_days=70.0)
    assert figures.time_fix_to_ship == DurationStats(count=1, median_days=30.0, p90_days=30.0)
    assert figures.time_ship_to_deploy is None


def _current() -> DeployedAnalysis:
    return review_metrics(
        ISSUES, CLASSIFICATION, period_start=d(100), now=NOW, released=RELEASED
    ).deployed


def test_this_period_beside_the_previous_and_what_was_stored() -> None:
    stored = review_metrics(
        [then(A), then(B)],
        CLASSIFICATION,
        period_start=d(200),
        now=d(100),
        released=RELEASED,
    ).deployed
    recomputed = recompute(ISSUES, CLASSIFICATION, PREVIOUS, released=RELEASED)
    current = _current()
    fda = compare(
        current, period=PREVIOUS, recomputed=recomputed, stored_record="rev-1", stored=stored
    )
    assert (fda.current.count, fda.current.fixed, fda.current.share_fixed) == (3, 2, 0.6667)
    assert fda.current.time_to_fix == DurationStats(count=2, median_days=10.0, p90_days=110.0)
    assert fda.current.time_fix_to_ship == DurationStats(count=2, median_days=20.0, p90_days=30.0)
    assert fda.stored_record == "rev-1"
    assert fda.differences == (
        "deployed vulnerabilities: recorded 2, recomputed 3",
        "share fixed: recorded 50.0 %, recomputed 33.3 %",
    )
    assert comparison_holds(fda, current)
    edited = fda.model_copy(update={"differences": ()})
    assert not comparison_holds(edited, current)


def test_the_same_figures_show_no_difference() -> None:
    recomputed = recompute(ISSUES, CLASSIFICATION, PREVIOUS, released=RELEASED)
    stored = review_metrics(
        [i for i in (as_of(x, d(100)) for x in ISSUES) if i is not None],
        CLASSIFICATION,
        period_start=d(200),
        now=d(100),
        released=RELEASED,
    ).deployed
    fda = compare(
        _current(), period=PREVIOUS, recomputed=recomputed, stored_record="r", stored=stored
    )
    assert fda.differences == ()


@pytest.mark.parametrize(
    ("stored", "start", "expected"),
    [
        (PREVIOUS, d(100), PREVIOUS),
        (None, d(100), ReviewPeriod(start=d(465), end=d(100))),
        (None, None, None),
    ],
)
def test_the_previous_period(
    stored: ReviewPeriod | None, start: datetime | None, expected: ReviewPeriod | None
) -> None:
    assert previous_period(previous=stored, start=start, interval_days=365) == expected


def test_each_source_says_what_it_contributed() -> None:
    other = issue("R-1", 10, None, "1.1", source="redmine")
    plain = other.model_copy(update={"labels": (), "key": "R-2"})
    metrics = review_metrics(
        [*ISSUES, other, plain],
        CLASSIFICATION,
        period_start=d(100),
        now=NOW,
        released=RELEASED,
        source_names={"jira", "redmine", "gitlab"},
    )
    # A (closed before the period) is read and security-related but not in the period.
    assert metrics.sources == (
        SourceCount(source="gitlab", issues=0, security=0, in_period=0),
        SourceCount(source="jira", issues=4, security=4, in_period=3),
        SourceCount(source="redmine", issues=2, security=1, in_period=1),
    )


def _record_with_fda() -> ReviewRecord:
    metrics = review_metrics(
        ISSUES,
        CLASSIFICATION,
        period_start=d(100),
        now=NOW,
        released=RELEASED,
        source_names={"jira"},
    )
    stored = review_metrics(
        [then(A), then(B)],
        CLASSIFICATION,
        period_start=d(200),
        now=d(100),
        released=RELEASED,
    ).deployed
    fda = compare(
        metrics.deployed,
        period=PREVIOUS,
        recomputed=recompute(ISSUES, CLASSIFICATION, PREVIOUS, released=RELEASED),
        stored_record="rev-previous",
        stored=stored,
    )
    return build_review_record(
        product="ipc",
        metrics=metrics,
        conclusions=parse_conclusions(
            'complete = { answer = "yes" }\nefficient = { answer = "yes" }\n'
            'resolution = { answer = "yes" }\n'
        ),
        reviewer=Reviewer(id="u-1", name="qa.lead"),
        interval_days=365,
        now=NOW,
        fda=fda,
    )


def test_the_record_shows_sources_and_both_periods_with_the_differences() -> None:
    text = render_review_text(_record_with_fda(), dialect("plain"))
    assert "jira: 4 issue(s) read, 4 security-related, 3 in the period" in text
    assert (
        "Share of deployed vulnerabilities fixed: this period 66.7 % (2 of 3); previous "
        "period 33.3 % (1 of 3); as recorded by rev-previous 50.0 % (1 of 2)" in text
    )
    assert "Time from fix shipped to deployment: this period no deployment source" in text
    assert "DIFFERENCES" in text and " from the figures recorded by rev-previous" in text
    assert "share fixed: recorded 50.0 %, recomputed 33.3 %" in text


def test_an_edited_fda_section_is_refused_on_read_back() -> None:
    record = _record_with_fda()
    assert review_record_from_json(record_json(record)) == record
    assert record.fda is not None
    edited = record.model_copy(
        update={"fda": record.fda.model_copy(update={"differences": ("nothing",)})}
    )
    with pytest.raises(ReviewRecordError, match="FDA figures"):
        review_record_from_json(record_json(edited))


def test_records_without_the_section_keep_their_json() -> None:
    record = _record_with_fda().model_copy(update={"fda": None})
    assert "fda" not in record_json(record)
