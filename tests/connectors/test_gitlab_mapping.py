"""GitLab issue JSON -> Issue, against payloads shaped like the REST v4 documentation."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from connectors.gitlab.mapping import (
    CONFIDENTIAL_TITLE,
    IssueMapper,
    description_justification,
    issue_key,
    note_justification,
)
from connectors.gitlab.settings import GitLabSettings
from secgate_tui.domain.model import Disposition

# As "Single project issue" in the GitLab REST v4 issues documentation, trimmed.
RECORDED: dict[str, Any] = {
    "id": 84,
    "iid": 14,
    "project_id": 4,
    "title": "Dose limit bypass through negative input",
    "description": "Steps to reproduce ...",
    "state": "closed",
    "created_at": "2024-03-01T09:05:02.123+01:00",
    "updated_at": "2024-03-20T16:00:00.000Z",
    "closed_at": "2024-03-20T15:59:59.500Z",
    "closed_by": {"id": 1, "username": "alice", "name": "Alice"},
    "labels": [
        "affects::1.2",
        "component::dosing",
        "priority::high",
        "resolution::fixed",
        "security",
        "severity::critical",
    ],
    "milestone": {
        "id": 12,
        "iid": 3,
        "project_id": 4,
        "title": "v1.3",
        "description": "",
        "state": "active",
        "created_at": "2024-01-01T00:00:00.000Z",
        "updated_at": "2024-01-01T00:00:00.000Z",
        "due_date": "2024-04-01",
        "start_date": None,
        "web_url": "https://gitlab.example.com/medical/pump/-/milestones/3",
    },
    "assignees": [{"id": 2, "username": "bob", "name": "Bob", "state": "active"}],
    "author": {"id": 1, "username": "alice", "name": "Alice", "state": "active"},
    "type": "ISSUE",
    "assignee": {"id": 2, "username": "bob", "name": "Bob", "state": "active"},
    "user_notes_count": 3,
    "confidential": False,
    "issue_type": "issue",
    "web_url": "https://gitlab.example.com/medical/pump/-/issues/14",
    "references": {"short": "#14", "relative": "#14", "full": "medical/pump#14"},
    "severity": "UNKNOWN",
}

SETTINGS = GitLabSettings(kind="gitlab")


def payload(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(RECORDED)
    raw.update(changes)
    return raw


def relabel(*labels: str, **changes: Any) -> dict[str, Any]:
    return payload(labels=list(labels), **changes)


def test_recorded_issue_maps_every_field() -> None:
    issue = IssueMapper("gl", SETTINGS).issue(RECORDED)
    assert issue.key == "medical/pump#14"
    assert issue.url == "https://gitlab.example.com/medical/pump/-/issues/14"
    assert issue.title == "Dose limit bypass through negative input"
    assert (issue.type, issue.status, issue.closed) == ("issue", "closed", True)
    assert (issue.resolution, issue.disposition) == ("resolution::fixed", Disposition.FIXED)
    assert issue.labels == tuple(RECORDED["labels"])
    assert issue.components == ("dosing",)
    assert issue.fix_versions == ("v1.3",)
    assert issue.affects_versions == ("1.2",)
    assert (issue.priority, issue.severity, issue.assignee) == ("high", "critical", "bob")
    assert issue.created == datetime(2024, 3, 1, 8, 5, 2, 123000, tzinfo=UTC)
    assert issue.created.utcoffset() is not None and issue.created.tzinfo == UTC
    assert issue.closed_at == datetime(2024, 3, 20, 15, 59, 59, 500000, tzinfo=UTC)
    canonical = json.dumps(RECORDED, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert issue.raw_digest == hashlib.sha256(canonical.encode()).hexdigest()


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("resolution::fixed", Disposition.FIXED),
        ("resolution::duplicate", Disposition.DUPLICATE),
        ("resolution::not-a-defect", Disposition.NOT_A_DEFECT),
        ("resolution::risk-accepted", Disposition.RISK_ACCEPTED),
        ("resolution::deferred", Disposition.DEFERRED),
        ("resolution::wont-fix", Disposition.WONT_FIX),
        ("resolution::works-for-me", Disposition.UNKNOWN),
    ],
)
def test_resolution_labels_give_the_disposition(label: str, expected: Disposition) -> None:
    issue = IssueMapper("gl", SETTINGS).issue(relabel("security", label))
    assert issue.disposition == expected
    assert issue.resolution == label


def test_closed_without_resolution_is_fixed_unless_configured() -> None:
    raw = relabel("security")
    assert IssueMapper("gl", SETTINGS).issue(raw).disposition == Disposition.FIXED
    strict = GitLabSettings(kind="gitlab", default_disposition=Disposition.UNKNOWN)
    assert IssueMapper("gl", strict).issue(raw).disposition == Disposition.UNKNOWN


def test_open_issue_is_not_closed_and_has_no_default_disposition() -> None:
    issue = IssueMapper("gl", SETTINGS).issue(relabel("security", state="opened", closed_at=None))
    assert not issue.closed
    assert issue.closed_at is None
    assert issue.disposition == Disposition.UNKNOWN


def test_configured_dispositions_merge_over_the_defaults() -> None:
    settings = GitLabSettings(
        kind="gitlab",
        dispositions={
            "resolution::accepted": Disposition.RISK_ACCEPTED,
            "wontfix": Disposition.WONT_FIX,
            "resolution::fixed": Disposition.UNKNOWN,
        },
    )
    cases = {
        "resolution::accepted": Disposition.RISK_ACCEPTED,
        "wontfix": Disposition.WONT_FIX,
        "resolution::duplicate": Disposition.DUPLICATE,
        "resolution::fixed": Disposition.UNKNOWN,
    }
    for label, expected in cases.items():
        assert IssueMapper("gl", settings).issue(relabel(label)).disposition == expected


def test_conflicting_resolution_labels_fail_closed() -> None:
    raw = relabel("resolution::fixed", "resolution::risk-accepted")
    assert IssueMapper("gl", SETTINGS).issue(raw).disposition == Disposition.UNKNOWN


def test_custom_resolution_prefix_renames_the_defaults() -> None:
    settings = GitLabSettings(kind="gitlab", resolution_prefix="Outcome::")
    raw = relabel("Outcome::risk-accepted")
    assert IssueMapper("gl", settings).issue(raw).disposition == Disposition.RISK_ACCEPTED


def test_confidential_title_is_hidden_unless_configured() -> None:
    raw = payload(confidential=True)
    assert IssueMapper("gl", SETTINGS).issue(raw).title == CONFIDENTIAL_TITLE
    shown = GitLabSettings(kind="gitlab", confidential_titles=True)
    assert IssueMapper("gl", shown).issue(raw).title == RECORDED["title"]


def test_incident_severity_is_used_without_a_severity_label() -> None:
    raw = relabel("security", issue_type="incident", severity="HIGH")
    issue = IssueMapper("gl", SETTINGS).issue(raw)
    assert (issue.type, issue.severity) == ("incident", "high")


def test_key_falls_back_to_the_web_url() -> None:
    raw = payload()
    del raw["references"]
    raw["web_url"] = "https://gitlab.example.com/a/b/c/-/issues/7"
    assert issue_key(raw) == "a/b/c#7"


def test_digest_changes_with_any_field() -> None:
    one = IssueMapper("gl", SETTINGS).issue(RECORDED)
    other = IssueMapper("gl", SETTINGS).issue(payload(description="edited"))
    assert one.raw_digest != other.raw_digest


def test_newest_prefixed_user_note_is_the_justification() -> None:
    notes = [
        {
            "id": 1,
            "body": "Risk acceptance: old",
            "system": False,
            "created_at": "2024-03-01T00:00:00Z",
        },
        {
            "id": 2,
            "body": "Risk acceptance: residual risk is low because ...",
            "system": False,
            "created_at": "2024-03-02T00:00:00Z",
        },
        {
            "id": 3,
            "body": "Risk acceptance: system notes never count",
            "system": True,
            "created_at": "2024-03-03T00:00:00Z",
        },
        {
            "id": 4,
            "body": "quoting: Risk acceptance: not at the start",
            "system": False,
            "created_at": "2024-03-04T00:00:00Z",
        },
    ]
    found = note_justification(notes, "Risk acceptance:")
    assert found == "Risk acceptance: residual risk is low because ..."
    assert note_justification([], "Risk acceptance:") is None


def test_description_justification_only_when_configured() -> None:
    description = "Details\n\nRisk acceptance: mitigated by the watchdog.\nSigned: QA"
    raw = relabel("resolution::risk-accepted", description=description)
    assert IssueMapper("gl", SETTINGS).issue(raw).justification is None
    settings = GitLabSettings(kind="gitlab", justification_field="description")
    assert IssueMapper("gl", settings).issue(raw).justification == (
        "Risk acceptance: mitigated by the watchdog.\nSigned: QA"
    )
    assert description_justification("no rationale here", "Risk acceptance:") is None


def test_justification_field_other_than_description_is_refused() -> None:
    with pytest.raises(ValidationError, match="only be 'description'"):
        GitLabSettings(kind="gitlab", justification_field="customfield_10001")


def test_unknown_settings_keys_are_refused() -> None:
    with pytest.raises(ValidationError):
        GitLabSettings.model_validate({"kind": "gitlab", "confidential_title": True})
