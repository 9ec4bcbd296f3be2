"""Trends in the review record: a table in every markup, read back, absent from old records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from secgate_tui.domain.classify import CategoryRule, Classification
from secgate_tui.domain.model import Category, Issue
from secgate_tui.domain.render import dialect, extract
from secgate_tui.domain.render.review_record import render_review, render_review_text
from secgate_tui.domain.review import (
    Reviewer,
    ReviewRecord,
    build_review_record,
    parse_conclusions,
    record_json,
    review_metrics,
    review_record_from_json,
)
from secgate_tui.domain.review_checks import check_review
from secgate_tui.domain.review_targets import ReviewTargets
from secgate_tui.domain.review_trends import review_trends

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
CLASSIFICATION = Classification(
    rules={Category.DEFECT_MANAGEMENT: CategoryRule(labels=("sec-defect",))}
)
ISSUES = [
    Issue(
        source="jira",
        key="IPC-1",
        title="overflow",
        status="Open",
        closed=False,
        labels=("sec-defect",),
        created=NOW - timedelta(days=40),  # 2026-10-13: opened in October
        updated=NOW - timedelta(days=40),
    )
]


def _record(*, trends: bool) -> ReviewRecord:
    metrics = review_metrics(
        ISSUES, CLASSIFICATION, period_start=NOW - timedelta(days=365), now=NOW
    )
    conclusions = parse_conclusions(
        'complete = { answer = "yes" }\nefficient = { answer = "yes" }\n'
        'resolution = { answer = "yes" }\n'
    )
    # As `review record` builds it since issue 15: with targets and checks.
    return build_review_record(
        product="ipc",
        metrics=metrics,
        conclusions=conclusions,
        targets=ReviewTargets(),
        checks=check_review(metrics, ReviewTargets(), conclusions, ()),
        reviewer=Reviewer(id="1", name="qa.lead"),
        interval_days=365,
        now=NOW,
        trends=review_trends(ISSUES, CLASSIFICATION, now=NOW) if trends else None,
    )


def test_the_markdown_minutes_show_one_table_row_per_month() -> None:
    text = render_review_text(_record(trends=True), dialect("markdown"))
    assert "### Trends: security issues per month, 2024-12 to 2026-11" in text
    assert (
        "| Month | Opened | Closed | Still open | under 30 d | 30-90 d | 90-180 d | 180 d or more |"
        in text
    )
    assert "| 2026-10 | 1 | 0 | 1 | 1 | 0 | 0 | 0 |" in text  # 18.6 days old on 1 November
    assert "| 2026-11 | 0 | 0 | 1 | 0 | 1 | 0 | 0 |" in text  # 40 days old at the review
    assert "| 2024-12 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" in text
    rows = [line for line in text.splitlines() if line.startswith("| 20")]
    assert len(rows) == 24


@pytest.mark.parametrize("markup", ["plain", "jira-wiki", "markdown", "textile"])
def test_a_record_with_trends_is_read_back_from_its_comment(markup: str) -> None:
    record = _record(trends=True)
    body = render_review(record, dialect(markup)).body
    assert "2026-10" in body
    found = extract(body, "secgate-review")
    assert found.redigest() == record.record_digest
    again = review_record_from_json(record_json(record))
    assert again == record and again.trends is not None and len(again.trends.months) == 24


def test_a_record_without_trends_has_neither_the_key_nor_the_section() -> None:
    record = _record(trends=False)
    assert '"trends"' not in record_json(record)
    assert "Trends" not in render_review_text(record, dialect("markdown"))


def test_a_shortened_comment_leaves_the_months_to_the_attached_record() -> None:
    record = _record(trends=True)
    full = render_review(record, dialect("markdown")).body
    limit = len(full) - 1
    shorter = render_review(record, dialect("markdown"), limit).body
    assert "Every month is in the attached record." in shorter
    assert "| 2026-10 |" not in shorter and len(shorter) <= limit
