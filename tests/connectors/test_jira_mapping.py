"""The pure Jira -> Issue mapping, against payloads shaped like Jira's own answers."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.jira.mapping import IssueMapper, MappingError
from connectors.jira.textvalues import adf_text
from secgate_tui.domain.model import Disposition

# Shaped like an issue from POST /rest/api/3/issue/bulkfetch on Jira Cloud (v3: ADF bodies).
CLOUD_V3: dict[str, Any] = {
    "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
    "id": "10068",
    "self": "https://example.atlassian.net/rest/api/3/issue/10068",
    "key": "IPC-12",
    "fields": {
        "summary": "Buffer overflow in bolus parser",
        "status": {
            "self": "https://example.atlassian.net/rest/api/3/status/10002",
            "description": "",
            "iconUrl": "https://example.atlassian.net/",
            "name": "Done",
            "id": "10002",
            "statusCategory": {
                "self": "https://example.atlassian.net/rest/api/3/statuscategory/3",
                "id": 3,
                "key": "done",
                "colorName": "green",
                "name": "Done",
            },
        },
        "resolution": {
            "self": "https://example.atlassian.net/rest/api/3/resolution/10003",
            "id": "10003",
            "description": "The risk was accepted by the product owner.",
            "name": "Risk Accepted",
        },
        "issuetype": {"id": "10004", "name": "Vulnerability", "subtask": False},
        "labels": ["security", "sec-defect"],
        "components": [{"id": "10000", "name": "firmware"}],
        "fixVersions": [{"id": "10001", "name": "2.0", "released": False, "archived": False}],
        "versions": [{"id": "10000", "name": "1.0", "released": True, "archived": False}],
        "priority": {"id": "2", "name": "High"},
        "customfield_10050": {"self": "...", "value": "Critical", "id": "10020"},
        "created": "2026-11-20T10:15:30.123+0100",
        "updated": "2026-11-21T08:00:00.000-0800",
        "resolutiondate": "2026-11-21T07:59:00.000-0800",
        "assignee": {
            "accountId": "5b10ac8d82e05b22cc7d4ef5",
            "displayName": "Mia Krystof",
            "active": True,
            "timeZone": "Australia/Sydney",
        },
        "comment": {
            "comments": [
                {
                    "id": "10000",
                    "body": {
                        "type": "doc",
                        "version": 1,
                        "content": [
                            {
                                "type": "paragraph",
                                "content": [
                                    {"type": "text", "text": "Risk acceptance: old wording"}
                                ],
                            }
                        ],
                    },
                    "created": "2026-11-20T11:00:00.000+0000",
                },
                {
                    "id": "10001",
                    "body": {
                        "type": "doc",
                        "version": 1,
                        "content": [
                            {
                                "type": "paragraph",
                                "content": [
                                    {"type": "text", "text": "Risk acceptance: needs physical"},
                                    {"type": "hardBreak"},
                                    {"type": "text", "text": "access, see RA-7.", "marks": []},
                                ],
                            }
                        ],
                    },
                    "created": "2026-11-21T11:00:00.000+0000",
                },
                {
                    "id": "10002",
                    "body": {"type": "doc", "version": 1, "content": []},
                    "created": "2026-11-22T11:00:00.000+0000",
                },
            ],
            "maxResults": 3,
            "total": 3,
            "startAt": 0,
        },
    },
}

# Shaped like an issue from GET /rest/api/2/search on Data Center (v2: wiki strings).
DC_V2: dict[str, Any] = {
    "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
    "id": "20001",
    "self": "https://jira.example.com/rest/api/2/issue/20001",
    "key": "PUMP-7",
    "fields": {
        "summary": "Default password on service port",
        "status": {"name": "In Review", "statusCategory": {"id": 4, "key": "indeterminate"}},
        "resolution": None,
        "issuetype": {"name": "Bug"},
        "labels": [],
        "components": [],
        "fixVersions": [{"name": "5.1"}],
        "versions": [],
        "priority": None,
        "created": "2026-03-01T09:00:00.000+0000",
        "updated": "2026-03-02T09:00:00.000+0000",
        "resolutiondate": None,
        "assignee": {"name": "jdoe", "key": "JIRAUSER10100", "displayName": "Jane Doe"},
        "comment": {"comments": [], "maxResults": 0, "total": 0, "startAt": 0},
    },
}


def rules(**overrides: Any) -> IssueMapper:
    values: dict[str, Any] = {
        "source": "jira",
        "base_url": "https://example.atlassian.net",
        "severity_field": "customfield_10050",
    }
    values.update(overrides)
    return IssueMapper(**values)


def test_cloud_issue_maps_every_field_the_gate_reads() -> None:
    issue = rules().issue(CLOUD_V3)
    assert issue.key == "IPC-12"
    assert issue.url == "https://example.atlassian.net/browse/IPC-12"
    assert issue.closed is True
    assert issue.status == "Done"
    assert issue.resolution == "Risk Accepted"
    assert issue.disposition is Disposition.RISK_ACCEPTED
    assert issue.type == "Vulnerability"
    assert issue.labels == ("security", "sec-defect")
    assert issue.components == ("firmware",)
    assert issue.fix_versions == ("2.0",)
    assert issue.affects_versions == ("1.0",)
    assert issue.priority == "High"
    assert issue.severity == "Critical"
    assert issue.assignee == "Mia Krystof"
    # Times arrive in the API user's zone and are kept as aware UTC.
    assert issue.created == datetime(2026, 11, 20, 9, 15, 30, 123000, tzinfo=UTC)
    assert issue.updated == datetime(2026, 11, 21, 16, 0, tzinfo=UTC)
    assert issue.closed_at == datetime(2026, 11, 21, 15, 59, tzinfo=UTC)
    assert issue.created.utcoffset() is not None and issue.created.tzinfo == UTC
    # The newest comment with the prefix wins; the prefix is not part of the rationale.
    assert issue.justification == "needs physical\naccess, see RA-7."
    assert len(issue.raw_digest) == 64


def test_data_center_issue_with_nulls() -> None:
    issue = rules(base_url="https://jira.example.com", severity_field=None).issue(DC_V2)
    assert issue.closed is False
    assert issue.disposition is Disposition.UNKNOWN
    assert issue.resolution is None
    assert issue.priority is None and issue.severity is None and issue.closed_at is None
    assert issue.assignee == "Jane Doe"
    assert issue.justification is None


@pytest.mark.parametrize(
    ("resolution", "expected"),
    [
        ("Fixed", Disposition.FIXED),
        ("Done", Disposition.FIXED),
        ("Duplicate", Disposition.DUPLICATE),
        ("Won't Fix", Disposition.WONT_FIX),
        ("Won't Do", Disposition.WONT_FIX),
        ("Cannot Reproduce", Disposition.NOT_A_DEFECT),
        ("Not a Bug", Disposition.NOT_A_DEFECT),
        ("Risk Accepted", Disposition.RISK_ACCEPTED),
        ("Deferred", Disposition.DEFERRED),
        ("won't fix", Disposition.WONT_FIX),
        ("Works as Designed", Disposition.UNKNOWN),
    ],
)
def test_default_resolution_table(resolution: str, expected: Disposition) -> None:
    raw = copy.deepcopy(CLOUD_V3)
    raw["fields"]["resolution"] = {"name": resolution}
    assert rules().issue(raw).disposition is expected


def test_configured_dispositions_go_over_the_defaults() -> None:
    raw = copy.deepcopy(CLOUD_V3)
    raw["fields"]["resolution"] = {"name": "Works as Designed"}
    table = {"Works as Designed": Disposition.NOT_A_DEFECT, "Fixed": Disposition.DEFERRED}
    assert rules(dispositions=table).issue(raw).disposition is Disposition.NOT_A_DEFECT
    raw["fields"]["resolution"] = {"name": "Fixed"}
    assert rules(dispositions=table).issue(raw).disposition is Disposition.DEFERRED


def test_closed_without_resolution_uses_the_default_or_blocks() -> None:
    raw = copy.deepcopy(CLOUD_V3)
    raw["fields"]["resolution"] = None
    assert rules().issue(raw).disposition is Disposition.UNKNOWN
    configured = rules(default_disposition=Disposition.FIXED)
    assert configured.issue(raw).disposition is Disposition.FIXED


def test_open_issue_with_a_resolution_is_not_closed() -> None:
    raw = copy.deepcopy(CLOUD_V3)
    raw["fields"]["status"] = {"name": "Reopened", "statusCategory": {"key": "new"}}
    issue = rules().issue(raw)
    assert issue.closed is False


def test_justification_field_wins_over_comments() -> None:
    raw = copy.deepcopy(CLOUD_V3)
    raw["fields"]["customfield_10051"] = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Field text"}]}],
    }
    assert rules(justification_field="customfield_10051").issue(raw).justification == ("Field text")
    raw["fields"]["customfield_10051"] = "  "
    mapped = rules(justification_field="customfield_10051").issue(raw)
    assert mapped.justification == "needs physical\naccess, see RA-7."


def test_prefix_alone_is_no_justification() -> None:
    raw = copy.deepcopy(DC_V2)
    raw["fields"]["comment"]["comments"] = [
        {"id": "1", "body": "Risk acceptance:   ", "created": "2026-03-02T09:00:00.000+0000"}
    ]
    assert rules().issue(raw).justification is None
    raw["fields"]["comment"]["comments"][0]["body"] = "Risk acceptance: ok per RA-1"
    assert rules().issue(raw).justification == "ok per RA-1"
    assert rules(justification_prefix="Deferral:").issue(raw).justification is None


def test_raw_digest_follows_the_payload() -> None:
    first = rules().issue(CLOUD_V3).raw_digest
    raw = copy.deepcopy(CLOUD_V3)
    assert rules().issue(raw).raw_digest == first
    raw["fields"]["labels"] = ["security"]
    assert rules().issue(raw).raw_digest != first


@pytest.mark.parametrize(
    "broken",
    [
        {"id": "1"},
        {"key": "IPC-1", "fields": {"status": {"name": "Open"}, "created": "2026-01-01"}},
        {"key": "IPC-1", "fields": {"created": "x", "updated": "y", "status": {}}},
    ],
)
def test_payload_without_the_essentials_is_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(MappingError):
        rules().issue(broken)


def test_a_label_that_is_not_text_is_refused() -> None:
    raw = copy.deepcopy(DC_V2)
    raw["fields"]["labels"] = ["security", {"name": "x"}]
    with pytest.raises(MappingError, match="PUMP-7: labels"):
        rules().issue(raw)


def test_adf_text_keeps_paragraphs_and_breaks() -> None:
    doc = {
        "type": "doc",
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "one"}]},
            {"type": "paragraph", "content": [{"type": "text", "text": "two"}]},
        ],
    }
    assert adf_text(doc) == "one\ntwo"
    assert adf_text("plain v2 text") == "plain v2 text"
