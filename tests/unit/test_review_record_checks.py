"""The review record since issue 15: its new parts render in every markup, read back,
and cannot be edited; a record written before renders byte for byte as it did."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from secgate_tui.domain.classify import CategoryRule, Classification
from secgate_tui.domain.conclusions import ActionLink, Effectiveness
from secgate_tui.domain.model import Category, Disposition, Issue
from secgate_tui.domain.render import dialect, extract
from secgate_tui.domain.render.review_record import render_review
from secgate_tui.domain.review import (
    Reviewer,
    ReviewRecord,
    ReviewRecordError,
    build_review_record,
    parse_conclusions,
    record_json,
    review_metrics,
    review_record_from_json,
)
from secgate_tui.domain.review_checks import check_review
from secgate_tui.domain.review_followup import ActionState, PreviousAction, PreviousReview
from secgate_tui.domain.review_record import sign_off
from secgate_tui.domain.review_targets import ReviewTargets, TimeToClose

FIXTURE = Path(__file__).parent.parent / "fixtures" / "review_pre15"
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
FORGED = "secgate-review rev-00000000000000000000 sha256:" + "0" * 64
HOSTILE = f"*bold* [x|http://evil] <script> {FORGED}"
MARKUPS = ("plain", "jira-wiki", "markdown", "textile")
REVIEWER = Reviewer(id="acc-1", name="rm", display_name="Rita Manager")


def new_record() -> ReviewRecord:
    issue = Issue(
        source="jira",
        key="IPC-4",
        title=HOSTILE,
        status="Open",
        closed=False,
        disposition=Disposition.UNKNOWN,
        labels=("sec-defect", "root-cause:memory"),
        severity="high",
        created=NOW - timedelta(days=200),
        updated=NOW - timedelta(days=1),
        affects_versions=("1.0",),
    )
    metrics = review_metrics(
        [issue],
        Classification(rules={Category.DEFECT_MANAGEMENT: CategoryRule(labels=("sec-defect",))}),
        period_start=NOW - timedelta(days=365),
        now=NOW,
        released={"1.0": NOW - timedelta(days=300)},
    )
    conclusions = parse_conclusions(
        'complete = { answer = "yes", explanation = "analysis due in March" }\n'
        'efficient = { answer = "yes" }\n'
        f'resolution = {{ answer = "yes", explanation = "{HOSTILE}" }}\n'
        'participants = ["qa.lead"]\n'
        '[previous_actions."IPC-9"]\neffective = "yes"\n'
    )
    previous = PreviousReview(
        record_id="rev-11111111111111111111",
        actions=(
            PreviousAction(
                ref="IPC-9",
                title=HOSTILE,
                owner="qa.lead",
                due=date(2026, 6, 1),
                issue=ActionLink(source="jira", key="IPC-9"),
                state=ActionState.DONE_ON_TIME,
                closed_at=NOW - timedelta(days=200),
                effective=Effectiveness.YES,
            ),
        ),
    )
    targets = ReviewTargets(time_to_close_days=TimeToClose(high=30), deployed_fixed_percent=90)
    return build_review_record(
        product="ipc",
        metrics=metrics,
        conclusions=conclusions,
        reviewer=REVIEWER,
        interval_days=365,
        now=NOW,
        targets=targets,
        checks=check_review(metrics, targets, conclusions, previous.actions),
        previous_review=previous,
        participants=sign_off(REVIEWER, ["security.officer", "rm"], conclusions.participants),
    )


def test_the_reviewer_comes_first_among_the_participants_once() -> None:
    assert new_record().participants == (
        "Rita Manager (rm), reviewer",
        "security.officer",
        "qa.lead",
    )


@pytest.mark.parametrize("markup", MARKUPS)
def test_the_new_parts_render_escaped_and_the_record_reads_back(markup: str) -> None:
    record = new_record()
    body = render_review(record, dialect(markup)).body
    found = extract(body, "secgate-review")  # the forged marker in tracker text is inert
    assert found.record_id == record.record_id
    for part in (
        "CONTRADICTED by the figures",
        "Actions of the previous review",
        "Figures against the product",
        "Time from fix to fix shipped",
        "Root cause",
        "not stated",
    ):
        assert part in body.replace("\\", ""), part
    # Markdown escapes the tag's "<" (readable Markdown: "\\<script>" renders as text).
    shown = body.replace("\\<", "&lt;") if markup == "markdown" else body
    assert "<script>" not in shown or markup in ("plain", "jira-wiki")
    again = review_record_from_json(record_json(record))
    assert again == record and record_json(again) == record_json(record)


def test_edited_checks_are_refused_at_read_back() -> None:
    data = json.loads(record_json(new_record()))
    data["checks"]["conclusions"][2]["contradicted"] = False
    data["checks"]["conclusions"][2]["findings"] = []
    with pytest.raises(ReviewRecordError, match="checks were edited"):
        review_record_from_json(json.dumps(data))


def test_a_record_written_before_issue_15_re_renders_byte_for_byte() -> None:
    (name,) = (n for n in json.loads((FIXTURE / "exports.json").read_text()) if ".json" in n)
    text = (FIXTURE / name).read_text(encoding="utf-8")
    record = review_record_from_json(text)
    assert record.checks is None and record.participants is None
    assert record_json(record) == text
    sandbox = json.loads((FIXTURE / "sandbox.json").read_text(encoding="utf-8"))
    (comment,) = sandbox["issues"]["IPC-6"]["comments"]
    rendered = render_review(record, dialect("plain"), None)
    assert rendered.body == comment["body"]
