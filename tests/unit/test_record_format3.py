"""Record format 3: document control, the criteria applied, evidence a person can check,
times to the second; and records of earlier formats still read and adopted."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from secgate_tui.domain import Category, CategoryPolicy, Disposition, GatePolicy
from secgate_tui.domain.criteria import Applied, gate_criteria
from secgate_tui.domain.gate import ActivityResult
from secgate_tui.domain.model import ActivityState, IssueEvidence
from secgate_tui.domain.record import (
    FORMAT,
    AuthorizationRecord,
    Supersedes,
    evidence_digest,
    parse_record,
    record_id,
)
from secgate_tui.domain.render import dialect, render_record
from secgate_tui.domain.render.record import decision_sentence
from tests.unit.test_record_support import ACTIVITY, CLASSIFICATION, NOW, record_for, snapshot

SCAN = ACTIVITY.model_copy(
    update={
        "id": "scan",
        "name": "Vulnerability scan",
        "evidence": IssueEvidence(tracker="box", key="P-900"),
        "evidence_date": NOW - timedelta(days=2, microseconds=506248),
        "evidence_title": "Scan of build 2.1.0",
        "evidence_url": "https://user:secret@tracker.example/P-900",
        "max_age_days": 30,
    }
)
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _record(**kwargs: Any) -> AuthorizationRecord:
    return record_for(snapshot(), activities=[ACTIVITY, SCAN], **kwargs)


def _times(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _times(v)]
    if isinstance(value, list):
        return [t for v in value for t in _times(v)]
    if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT", value):
        return [value]
    return []


def test_a_new_record_is_a_controlled_document_of_format_3() -> None:
    record = _record()
    assert record.format == FORMAT == 3
    assert record.document_number == f"SEC-REC-{record.record_id}"
    assert record.revision == 1
    data = json.loads(record.canonical())
    assert data["document_number"] == record.document_number and data["revision"] == 1
    assert parse_record(data) == record


def test_every_time_in_a_format_3_record_is_utc_to_the_second() -> None:
    times = _times(json.loads(_record().canonical()))
    assert len(times) >= 3
    assert all(ISO_Z.match(t) for t in times), times


def test_activities_carry_their_evidence_title_link_and_maximum_age() -> None:
    scan = next(a for a in _record().activities if a.id == "scan")
    assert scan.evidence_title == "Scan of build 2.1.0"
    assert scan.max_age_days == 30
    assert scan.evidence_url is not None


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"document_number": None}, "lacks its document number"),
        ({"revision": None}, "lacks its document number"),
        ({"criteria": None}, "lacks its document number"),
        ({"document_number": "SEC-REC-SRA-other"}, "does not name"),
        ({"revision": 0}, "does not name"),
    ],
)
def test_a_format_3_record_without_document_control_is_refused(
    change: dict[str, Any], problem: str
) -> None:
    data = json.loads(_record().canonical()) | change
    with pytest.raises(ValueError, match=problem):
        parse_record({k: v for k, v in data.items() if v is not None})


def _as_format_2(record: AuthorizationRecord, microseconds: int = 0) -> dict[str, Any]:
    """``record`` as the previous version wrote the same decision."""
    data = json.loads(record.canonical())
    for key in ("document_number", "revision", "criteria"):
        del data[key]
    for activity in data["activities"]:
        for key in ("evidence_title", "evidence_url", "max_age_days"):
            activity.pop(key, None)
    data["format"] = 2
    return data


def test_a_format_2_record_with_fields_of_format_3_is_refused() -> None:
    data = _as_format_2(_record()) | {"revision": 1}
    with pytest.raises(ValueError):
        parse_record(data)


def test_the_previous_versions_record_of_the_same_decision_is_recognised() -> None:
    new = _record()
    old = parse_record(_as_format_2(new))
    assert old.format == 2 and old.document_number is None
    assert new.same_decision(old)
    assert not old.same_decision(new)  # only an older format is adopted for a newer one
    other = record_for(snapshot(titles=["another issue"]), activities=[ACTIVITY, SCAN])
    assert not other.same_decision(old)


def test_evidence_times_of_the_previous_version_compare_to_the_second() -> None:
    new = _record()
    data = _as_format_2(new)
    scan = next(a for a in data["activities"] if a["id"] == "scan")
    scan["evidence_date"] = (NOW - timedelta(days=2, microseconds=506248)).isoformat()
    activities = AuthorizationRecord.model_validate(data).activities
    categories = AuthorizationRecord.model_validate(data).categories
    data["record_id"] = record_id(
        "ipc", "2.1", new.snapshot_digest, "u-1", evidence_digest(activities, categories)
    )
    old = parse_record(data)
    assert old.record_id != new.record_id
    assert new.same_decision(old)


def test_the_human_part_opens_with_the_decision_and_shows_criteria_and_evidence() -> None:
    record = _record()
    body = render_record(record, dialect("markdown")).body
    human = body.split("### Machine")[0]
    lines = human.splitlines()
    assert lines[1] == "**AUTHORIZED** " + decision_sentence(record)
    assert decision_sentence(record).startswith(
        "Release Manager (rm, box) authorized release 2.1 of Infusion Pump Controller (ipc) "
        "on 2026-03-01T12:00:00Z: the security release gate passed, with 1 residual item"
    )
    assert f"- Document {record.document_number}, revision 1" in human
    assert "### Gate criteria applied" in human
    assert record.criteria
    for criterion in record.criteria:
        assert f"- {criterion}" in human
    assert "  - Evidence: Scan of build 2.1.0 (P-900) in box" in human
    assert "  - Date: 2026-02-27T11:59:59Z; maximum age: 30 days" in human
    assert "  - Link: https://tracker.example/P-900" in human
    assert "secret" not in human
    assert "+00:00" not in body and ".506248" not in body


def test_a_superseding_record_names_its_predecessor_and_revision() -> None:
    first = _record()
    second = record_for(snapshot(titles=["later"]), activities=[ACTIVITY, SCAN]).model_copy(
        update={
            "revision": 2,
            "supersedes": Supersedes(record_id=first.record_id, record_digest=first.record_digest),
        }
    )
    human = render_record(second, dialect("plain")).body
    assert "revision 2" in human
    assert f"Supersedes record {first.record_id}" in human
    assert parse_record(json.loads(second.canonical())).revision == 2


def test_gate_criteria_say_what_the_policy_asked() -> None:
    scan = ActivityResult(
        id="scan", name="Vulnerability scan", state=ActivityState.COMPLETE, max_age_days=30
    )
    policy = GatePolicy(
        classification=CLASSIFICATION,
        not_applicable={Category.REQUIREMENTS: "docs-only release"},
        max_snapshot_age_seconds=120,
        categories={Category.IMPLEMENTATION: CategoryPolicy(accepted=(Disposition.FIXED,))},
    )
    criteria = gate_criteria(Applied(policy=policy, activities=[scan], separation_of_duties=True))
    text = "\n".join(criteria)
    assert "at most 120 s old" in text
    assert "acknowledged: requirements" in text
    assert "Implementation: only fixed accepted" in text
    assert "Vulnerability scan (5.8.6): its evidence is complete and at most 30 days old" in text
    assert "Separation of duties: the authorizer is the assignee of no residual item" in text
    assert "labels security" in text
