"""An open Jira issue's acceptances, CWE, controls, safety impact and severity, as configured.

Against the fake Jira (Cloud and Data Center) through the real library, and
the pure mapping for the hostile values a person can type into a tracker.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from connectors.anomaly import severity_table
from connectors.base import BadResponseError, SourceScope
from connectors.jira import JiraConnector
from connectors.jira.anomaly import AnomalyRules
from connectors.jira.mapping import IssueMapper, MappingError
from connectors.jira.settings import JiraSettings
from secgate_tui.domain.model import Acceptance, Disposition
from tests.fakes import jira_schema
from tests.fakes.jira_render import (
    ACCEPTED_BY_FIELD,
    ACCEPTED_ON_FIELD,
    CONTROLS_FIELD,
    CWE_FIELD,
    EXPIRY_FIELD,
    SAFETY_FIELD,
    TARGET_FIELD,
)
from tests.fakes.jira_seed import PROJECT, RELEASE, connector_for, seed
from tests.fakes.jira_server import FakeJira

SCOPE = SourceScope(tracker="jira", project=PROJECT)
FIELDS = {
    "accepted_by_field": ACCEPTED_BY_FIELD,
    "accepted_on_field": ACCEPTED_ON_FIELD,
    "expiry_field": EXPIRY_FIELD,
    "cwe_field": CWE_FIELD,
    "compensating_controls_field": CONTROLS_FIELD,
    "safety_impact_field": SAFETY_FIELD,
    "target_version_field": TARGET_FIELD,
}


@pytest.fixture(params=["cloud", "datacenter"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param) as server:
        server.record = server.cloud  # every Cloud answer is checked against the spec
        seed(server)
        yield server
    assert jira_schema.recorded_problems(server.recorded) == []


@pytest.fixture
def jira(fake: FakeJira) -> Iterator[JiraConnector]:
    connector = connector_for(
        fake, severity_map={"Critical": "critical", "Major": "high"}, **FIELDS
    )
    yield connector
    connector.close()


def test_an_open_issue_accepted_by_labels_and_fields(fake: FakeJira, jira: JiraConnector) -> None:
    key = fake.state.add_issue(
        PROJECT,
        "Hard-coded service password",
        status="In Progress",
        labels=["security", "risk-accepted:1.0", "deferred:2.0", "CWE-798"],
        versions=["1.0", RELEASE],
        fix_versions=[RELEASE],
        severity="Major",
        custom={
            ACCEPTED_BY_FIELD: {"accountId": "abc", "displayName": "Quinn Officer"},
            ACCEPTED_ON_FIELD: "2026-11-02T09:30:00.000+0100",
            EXPIRY_FIELD: "2027-05-01",
            CWE_FIELD: [{"value": "CWE-259: Hard-coded Password", "id": "1"}],
            CONTROLS_FIELD: "Service port disabled in the field build.",
            SAFETY_FIELD: {"value": "Serious", "id": "3"},
        },
    ).key
    fake.state.add_comment(key, "Risk acceptance: Needs physical access and a service cable.")

    issue = jira.issue(key)

    facts: dict[str, Any] = {
        "justification": "Needs physical access and a service cable.",
        "accepted_by": "Quinn Officer",
        "accepted_on": datetime(2026, 11, 2, 8, 30, tzinfo=UTC),
        "expires": date(2027, 5, 1),
    }
    assert issue.acceptances == (
        # fixed in 2.0: that is where the 1.0 acceptance is going
        Acceptance(
            disposition=Disposition.RISK_ACCEPTED, release="1.0", target_version=RELEASE, **facts
        ),
        # 2.0 is the fix version itself: no other version to name
        Acceptance(disposition=Disposition.DEFERRED, release=RELEASE, target_version=None, **facts),
    )
    assert issue.cwe == ("CWE-259", "CWE-798")
    assert issue.compensating_controls == "Service port disabled in the field build."
    assert issue.safety_impact == "Serious"
    assert issue.severity == "high"
    assert issue.affects_versions == ("1.0", RELEASE)


def test_the_search_reads_acceptances_and_their_comment_justification(
    fake: FakeJira, jira: JiraConnector
) -> None:
    key = fake.state.add_issue(
        PROJECT,
        "Open, deferred from 1.0",
        status="To Do",
        labels=["security", "deferred:1.0"],
        versions=["1.0"],
        fix_versions=[RELEASE],
        custom={TARGET_FIELD: {"id": "7", "name": "2.1"}},
    ).key
    fake.state.add_comment(key, "Risk acceptance: the parser is unreachable in 1.0")

    issue = next(i for i in jira.issues(SCOPE, RELEASE) if i.key == key)

    (acceptance,) = issue.acceptances
    assert acceptance.disposition is Disposition.DEFERRED
    assert acceptance.release == "1.0"
    assert acceptance.target_version == "2.1"  # the field wins over the fix version
    assert acceptance.justification == "the parser is unreachable in 1.0"
    assert acceptance.accepted_by is None and acceptance.accepted_on is None  # the gate blocks


def test_issues_without_these_facts_serialize_as_before(fake: FakeJira) -> None:
    plain = connector_for(fake)  # default settings: labels read, no fields asked for
    try:
        issues = plain.issues(SCOPE, RELEASE)
    finally:
        plain.close()
    for issue in issues:
        text = issue.canonical_json().decode()
        for name in ("acceptances", "cwe", "compensating_controls", "safety_impact"):
            assert f'"{name}"' not in text
    assert {i.severity for i in issues} >= {"Critical"}  # no severity_map: kept as is


def test_default_settings_ask_jira_for_no_extra_field() -> None:
    settings = JiraSettings(kind="jira")
    mapper = IssueMapper(source="j", anomaly=AnomalyRules.of(settings))
    assert mapper.fields() == IssueMapper(source="j").fields()


def test_the_configured_fields_are_asked_for() -> None:
    mapper = IssueMapper(source="j", anomaly=AnomalyRules.of(JiraSettings(kind="jira", **FIELDS)))
    assert set(FIELDS.values()) <= set(mapper.fields())


def test_a_label_without_a_release_fails_the_source(fake: FakeJira, jira: JiraConnector) -> None:
    fake.state.add_issue(
        PROJECT, "Accepted for what?", labels=["risk-accepted:"], fix_versions=[RELEASE]
    )
    with pytest.raises(BadResponseError) as caught:
        jira.issues(SCOPE, RELEASE)
    assert "'risk-accepted:' names no release" in caught.value.message
    assert "Nothing was stored" in caught.value.message


# --------------------------------------------------------------------------- pure mapping

RAW: dict[str, Any] = {
    "key": "IPC-40",
    "fields": {
        "summary": "Open finding",
        "status": {"name": "To Do", "statusCategory": {"key": "new"}},
        "labels": ["security"],
        "fixVersions": [{"name": "2.0"}],
        "versions": [{"name": "1.0"}],
        "created": "2026-11-20T10:15:30.000+0000",
        "updated": "2026-11-20T10:15:30.000+0000",
        "customfield_1": None,
    },
}


def mapped(labels: list[str] | None = None, field: Any = None, **settings: Any) -> Any:
    raw = copy.deepcopy(RAW)
    if labels is not None:
        raw["fields"]["labels"] = labels
    raw["fields"]["customfield_1"] = field
    config = JiraSettings(kind="jira", **settings)
    mapper = IssueMapper(
        source="j",
        dispositions=config.dispositions,
        anomaly=AnomalyRules.of(config),
        severity_map=config.severity_map,
    )
    return mapper.issue(raw)


@pytest.mark.parametrize(
    ("settings", "field", "needle"),
    [
        ({"expiry_field": "customfield_1"}, "next spring", "not a date"),
        ({"expiry_field": "customfield_1"}, "2027-02-30", "not a date"),
        ({"accepted_on_field": "customfield_1"}, "2026-11-02T09:30:00", "UTC offset"),
        ({"cwe_field": "customfield_1"}, "XSS", "names no CWE id"),
    ],
)
def test_unreadable_acceptance_facts_fail_closed(
    settings: dict[str, Any], field: str, needle: str
) -> None:
    with pytest.raises(MappingError, match=needle) as caught:
        mapped(["deferred:1.0"], field, **settings)
    assert caught.value.args[0].startswith("IPC-40: customfield_1 holds")


def test_an_acceptance_field_is_read_through_the_dispositions() -> None:
    issue = mapped(
        field={"value": "Risk Accepted"}, acceptance_field="customfield_1", cwe_labels=False
    )
    assert [(a.disposition, a.release) for a in issue.acceptances] == [
        (Disposition.RISK_ACCEPTED, None)  # no release field: for any release
    ]
    with pytest.raises(MappingError, match="does not map to risk-accepted or deferred"):
        mapped(field={"value": "Fixed"}, acceptance_field="customfield_1")


def test_an_acceptance_field_with_releases_accepts_each() -> None:
    raw_settings = {
        "acceptance_field": "customfield_1",
        "acceptance_release_field": "versions",
    }
    issue = mapped(field={"value": "Deferred"}, **raw_settings)
    assert [(a.disposition, a.release) for a in issue.acceptances] == [
        (Disposition.DEFERRED, "1.0")
    ]


def test_hostile_labels() -> None:
    for label in ("risk-accepted:", "deferred:   "):
        with pytest.raises(MappingError, match="names no release"):
            mapped([label])
    # Not acceptance labels: a prefix of the prefix, another case, a lookalike.
    issue = mapped(["risk-accepted", "Risk-Accepted:1.0", "CWE-", "cwe-79x", "CWE-0079"])
    assert issue.acceptances == ()
    assert issue.cwe == ("CWE-79",)


def test_prefixes_are_configurable_and_can_be_turned_off() -> None:
    issue = mapped(["ra/1.0", "risk-accepted:1.0"], acceptance_labels={"ra/": "risk-accepted"})
    assert [a.release for a in issue.acceptances] == ["1.0"]
    assert mapped(["risk-accepted:1.0"], acceptance_labels={}).acceptances == ()


@pytest.mark.parametrize(
    ("severity_map", "raw", "expected"),
    [
        ({}, "Critical", "Critical"),  # no map: as the tracker says
        ({"critical": "critical"}, "CRITICAL ", "critical"),  # any case, trimmed
        ({"P1": "critical"}, "Blocker", "Blocker"),  # unmapped: kept raw, unknown to the gate
    ],
)
def test_severity_map(severity_map: dict[str, str], raw: str, expected: str) -> None:
    data = copy.deepcopy(RAW)
    data["fields"]["customfield_9"] = {"value": raw}
    config = JiraSettings(kind="jira", severity_map=severity_map)
    mapper = IssueMapper(
        source="j", severity_field="customfield_9", severity_map=severity_table(config.severity_map)
    )
    assert mapper.issue(data).severity == expected


def test_who_added_the_label_and_when_come_from_the_changelog(
    fake: FakeJira, jira: JiraConnector
) -> None:
    key = fake.state.add_issue(
        PROJECT, "Accepted later", status="To Do", labels=["security"], fix_versions=[RELEASE]
    ).key
    fake.state.update(key, status="In Progress")  # a status change, not an acceptance
    added = fake.state.update(
        key, by=fake.state.other, labels=["security", "risk-accepted:1.0"]
    ).updated
    fake.state.update(key, labels=["security", "risk-accepted:1.0", "CWE-79"])  # someone else

    (by_key,) = jira.issue(key).acceptances
    (synced,) = next(i for i in jira.issues(SCOPE, RELEASE) if i.key == key).acceptances

    for acceptance in (by_key, synced):
        assert acceptance.accepted_by == "Dana Developer"
        assert acceptance.accepted_on == added


def test_a_field_that_says_who_wins_and_an_unlogged_label_stays_unknown(
    fake: FakeJira, jira: JiraConnector
) -> None:
    said = fake.state.add_issue(
        PROJECT,
        "Acceptor in a field",
        labels=["deferred:1.0"],
        custom={ACCEPTED_BY_FIELD: {"displayName": "Quinn Officer"}},
    ).key
    fake.state.update(said, by=fake.state.other, labels=["deferred:1.0", "security"])
    born = fake.state.add_issue(PROJECT, "Accepted at creation", labels=["deferred:1.0"]).key

    (from_field,) = jira.issue(said).acceptances
    assert from_field.accepted_by == "Quinn Officer"
    assert from_field.accepted_on is None  # the label was never added after creation
    (unlogged,) = jira.issue(born).acceptances
    assert (unlogged.accepted_by, unlogged.accepted_on) == (None, None)  # the gate blocks


def test_who_closed_a_residual_item_with_its_resolution_and_when(
    fake: FakeJira, jira: JiraConnector
) -> None:
    key = fake.state.add_issue(
        PROJECT, "Closed without a fix", status="To Do", labels=["security"], fix_versions=[RELEASE]
    ).key
    fake.state.update(key, status="In Progress")  # a status change, not a resolution
    closed = fake.state.update(
        key, by=fake.state.other, status="Done", resolution="Won't Fix"
    ).updated
    fake.state.add_comment(key, "Risk acceptance: the port is closed in the field build.")
    fixed = fake.state.add_issue(
        PROJECT, "Fixed", status="To Do", labels=["security"], fix_versions=[RELEASE]
    ).key
    fake.state.update(fixed, status="Done", resolution="Fixed")

    by_key = jira.issue(key)
    synced = {i.key: i for i in jira.issues(SCOPE, RELEASE)}

    for issue in (by_key, synced[key]):
        assert issue.disposition is Disposition.WONT_FIX
        assert (issue.resolved_by, issue.resolved_on) == ("Dana Developer", closed)
    # A fix is no residual item: its history is not read and its JSON is as before.
    assert synced[fixed].resolved_by is None
    assert '"resolved_by"' not in synced[fixed].canonical_json().decode()


def test_a_resolution_the_changelog_does_not_show_is_not_stated(
    fake: FakeJira, jira: JiraConnector
) -> None:
    born = fake.state.add_issue(
        PROJECT,
        "Created closed",
        status="Done",
        resolution="Won't Fix",
        labels=["security"],
        fix_versions=[RELEASE],
    ).key
    issue = jira.issue(born)
    assert issue.disposition is Disposition.WONT_FIX
    assert (issue.resolved_by, issue.resolved_on) == (None, None)  # the record: "not stated"
