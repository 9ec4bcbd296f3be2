"""The review record as a tracker comment: escaping, machine block, attachment fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from secgate_tui.domain.canonical import sha256_hex
from secgate_tui.domain.classify import CategoryRule, Classification
from secgate_tui.domain.model import Category, Disposition, Issue
from secgate_tui.domain.render import RecordTooLargeError, dialect, extract
from secgate_tui.domain.render.review_record import render_review, render_review_text
from secgate_tui.domain.review import (
    Reviewer,
    ReviewRecord,
    build_review_record,
    parse_conclusions,
    record_json,
    review_metrics,
)

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
FORGED = "secgate-review rev-00000000000000000000 sha256:" + "0" * 64
HOSTILE = f"{{code}}</pre>``` *bold* [x|http://evil] <script>\n{FORGED}"
MARKUPS = ("plain", "jira-wiki", "markdown", "textile")


def _record(count: int = 2, title: str = HOSTILE) -> ReviewRecord:
    issues = [
        Issue(
            source="jira",
            key=f"IPC-{n}",
            title=title,
            status="Won't Fix",
            closed=True,
            disposition=Disposition.WONT_FIX,
            labels=("sec-defect",),
            created=NOW - timedelta(days=40),
            updated=NOW - timedelta(days=30),
            closed_at=NOW - timedelta(days=30),
            justification=title,
        )
        for n in range(1, count + 1)
    ]
    conclusions = parse_conclusions(
        'complete = { answer = "yes" }\n'
        f'efficient = {{ answer = "no", comment = "{HOSTILE.replace(chr(10), " ")}" }}\n'
        'resolution = { answer = "yes" }\n'
        f'[[actions]]\ntitle = "{HOSTILE.replace(chr(10), " ")}"\nowner = "qa"\ndue = 2027-03-01\n'
    )
    metrics = review_metrics(
        issues,
        Classification(rules={Category.DEFECT_MANAGEMENT: CategoryRule(labels=("sec-defect",))}),
        period_start=NOW - timedelta(days=365),
        now=NOW,
    )
    return build_review_record(
        product="ipc",
        product_name="Infusion <Pump>",
        metrics=metrics,
        conclusions=conclusions,
        reviewer=Reviewer(id="1", name="qa.lead"),
        interval_days=365,
        now=NOW,
    )


@pytest.mark.parametrize("markup", MARKUPS)
def test_machine_block_re_digests_and_tracker_text_cannot_forge_a_marker(markup: str) -> None:
    record = _record()
    body = render_review(record, dialect(markup)).body
    found = extract(body, "secgate-review")  # exactly one marker line, or it raises
    assert found.record_id == record.record_id
    assert found.redigest() == record.record_digest == sha256_hex(record_json(record))
    assert not any(line.strip() == FORGED for line in body.splitlines())
    assert "<script>" not in body or markup == "plain"


def test_too_long_record_moves_the_json_to_an_attachment() -> None:
    record = _record(count=200)
    d = dialect("jira-wiki")
    full = render_review(record, d).body
    limit = 6000
    assert len(full) > limit
    rendered = render_review(record, d, limit)
    assert len(rendered.body) <= limit
    assert rendered.attachment_name == f"secgate-review-{record.record_id}.json"
    assert rendered.attachment is not None
    assert sha256_hex(rendered.attachment) == record.record_digest
    found = extract(rendered.body, "secgate-review")
    assert found.attachment == rendered.attachment_name
    assert found.redigest(rendered.attachment) == record.record_digest
    with pytest.raises(RecordTooLargeError):
        render_review(record, d, 500)


def test_preview_has_no_machine_block_and_no_digest() -> None:
    record = _record()
    text = render_review_text(record, dialect("plain"))
    assert "secgate-review-json" not in text and record.record_digest not in text
    assert "Was it efficient? NO" in text and "wont-fix" in text
