"""The review record: deterministic id, canonical JSON, digest, read-back checks."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secgate_tui.domain.canonical import canonical_json, sha256_hex
from secgate_tui.domain.classify import CategoryRule, Classification
from secgate_tui.domain.model import Category, Disposition, Issue
from secgate_tui.domain.review import (
    REVIEW_MARKER,
    ActionLink,
    Reviewer,
    ReviewMetrics,
    ReviewRecord,
    ReviewRecordError,
    build_review_record,
    export_stem,
    marker_line,
    parse_conclusions,
    record_dict,
    record_json,
    review_metrics,
    review_record_from_json,
    review_schedule,
    with_action_links,
)

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
CLASSIFICATION = Classification(
    rules={Category.DEFECT_MANAGEMENT: CategoryRule(labels=("sec-defect",))}
)
CONCLUSIONS = parse_conclusions(
    """
complete = { answer = "yes", comment = "all triaged" }
efficient = { answer = "no", comment = "slow triage" }
resolution = { answer = "yes" }
[[actions]]
title = "Add triage SLA for security defects"
owner = "qa.lead"
due = 2027-03-01
[[actions]]
title = "Ünïcode <b>title</b> \\u202e"
owner = "dev.lead"
due = 2027-04-01
"""
)
REVIEWER = Reviewer(id="u-1", name="qa.lead", display_name="QA Lead")


def _issue(key: str, created_days_ago: int, title: str = "t", closed: bool = False) -> Issue:
    created = NOW - timedelta(days=created_days_ago)
    return Issue(
        source="jira",
        key=key,
        title=title,
        status="Done" if closed else "Open",
        closed=closed,
        disposition=Disposition.FIXED if closed else Disposition.UNKNOWN,
        labels=("sec-defect",),
        created=created,
        updated=created,
        closed_at=created + timedelta(days=3) if closed else None,
    )


def _metrics(issues: list[Issue], now: datetime = NOW) -> ReviewMetrics:
    return review_metrics(
        issues, CLASSIFICATION, period_start=datetime(2025, 11, 1, tzinfo=UTC), now=now
    )


ISSUES = [_issue("IPC-1", 40, closed=True), _issue("IPC-2", 10, title='quote " and \\ ')]


def _record(issues: list[Issue] = ISSUES, product: str = "ipc") -> ReviewRecord:
    return build_review_record(
        product=product,
        product_name="Infusion Pump Controller",
        metrics=_metrics(issues),
        conclusions=CONCLUSIONS,
        reviewer=REVIEWER,
        interval_days=365,
        now=NOW,
        secgate_version="0.1.0",
    )


def test_record_id_is_deterministic_and_depends_on_the_data() -> None:
    first, again = _record(), _record(list(reversed(ISSUES)))
    assert first.record_id == again.record_id
    assert first.record_id.startswith("rev-") and len(first.record_id) == 24
    assert first.record_digest == again.record_digest
    assert _record(ISSUES[:1]).record_id != first.record_id
    assert _record(product="dms").record_id != first.record_id


def test_record_digest_is_sha256_of_the_canonical_json() -> None:
    record = _record()
    text = record_json(record)
    assert text == canonical_json(record_dict(record))
    assert record.record_digest == sha256_hex(text)
    assert marker_line(record) == f"secgate-review {record.record_id} sha256:{record.record_digest}"


def test_canonical_dict_has_what_an_auditor_looks_for() -> None:
    data = record_dict(_record())
    assert data["kind"] == REVIEW_MARKER
    assert data["product"] == "ipc"
    assert data["period"] == {"start": "2025-11-01T00:00:00Z", "end": "2026-11-22T10:00:00Z"}
    assert data["created_at"] == "2026-11-22T10:00:00Z"
    assert data["reviewer"] == {"id": "u-1", "name": "qa.lead", "display_name": "QA Lead"}
    assert data["conclusions"]["efficient"] == {"answer": "no", "comment": "slow triage"}
    assert data["conclusions"]["actions"][0]["due"] == "2027-03-01"
    assert data["metrics"]["totals"]["opened"] == 2
    assert data["secgate_version"] == "0.1.0"
    # Untrusted text is kept whole in the canonical JSON (escaping is the renderer's job).
    assert data["conclusions"]["actions"][1]["title"] == "Ünïcode <b>title</b> \u202e"


def test_next_review_follows_from_this_one() -> None:
    record = _record()
    # Period end 2026-11-22 + 365 days = 2027-11-22.
    assert record.next_due == date(2027, 11, 22)
    schedule = review_schedule(record.review_day, record.interval_days, NOW)
    assert schedule.due == record.next_due


def test_times_in_the_record_are_utc() -> None:
    local_now = NOW.astimezone(timezone(timedelta(hours=2)))
    record = build_review_record(
        product="ipc",
        metrics=_metrics(ISSUES, now=local_now),
        conclusions=CONCLUSIONS,
        reviewer=REVIEWER,
        interval_days=365,
        now=local_now,
    )
    assert record.record_id == _record().record_id
    assert record_dict(record)["created_at"] == "2026-11-22T10:00:00Z"


def test_action_links_keep_the_id_and_change_the_digest() -> None:
    record = _record()
    link = ActionLink(source="jira", key="IPC-77", url="https://jira.example/browse/IPC-77")
    linked = with_action_links(record, [link, None])
    assert linked.record_id == record.record_id
    assert linked.record_digest != record.record_digest
    assert linked.conclusions.actions[0].issue == link
    assert linked.conclusions.actions[1].issue is None
    with pytest.raises(ValueError, match="one per action"):
        with_action_links(record, [link])


def test_read_back_round_trip_keeps_the_digest() -> None:
    record = with_action_links(_record(), [ActionLink(source="jira", key="IPC-77"), None])
    again = review_record_from_json(record_json(record))
    assert again == record
    assert again.record_digest == record.record_digest


def test_an_edited_figure_is_detected_on_read_back() -> None:
    data = record_dict(_record())
    data["metrics"]["totals"]["open"] = 0
    with pytest.raises(ReviewRecordError, match="does not match its own figures"):
        review_record_from_json(json.dumps(data))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"kind": "secgate-record"}', "not a secgate review record"),
        ('{"kind": "secgate-review", "schema_version": 9}', "upgrade secgate"),
        ('{"kind": "secgate-review", "schema_version": 1}', "incomplete or altered"),
    ],
)
def test_unusable_read_back_is_refused(text: str, message: str) -> None:
    with pytest.raises(ReviewRecordError, match=message) as caught:
        review_record_from_json(text)
    assert "\n" not in str(caught.value)


def test_export_stem_is_a_safe_file_name() -> None:
    assert export_stem(_record()) == "Security-Management-Review_ipc_2026-11-22"
    assert export_stem(_record(product="../a b")) == "Security-Management-Review_a-b_2026-11-22"


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 700), st.booleans(), st.text(max_size=40)),
        max_size=12,
    )
)
def test_any_record_survives_the_round_trip(rows: list[tuple[int, bool, str]]) -> None:
    issues = [_issue(f"IPC-{n}", age, title, closed) for n, (age, closed, title) in enumerate(rows)]
    record = _record(issues)
    again = review_record_from_json(record_json(record))
    assert again.record_digest == record.record_digest
