"""An open GitLab issue's acceptances, CWE, controls, safety impact and severity.

Against the fake GitLab through python-gitlab (scoped labels, justification
notes, label events for who accepted and when), and the pure mapping for the
hostile values a person can type.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest

from connectors.base import BadResponseError
from connectors.gitlab import GitLabConnector
from connectors.gitlab.mapping import IssueMapper
from connectors.gitlab.settings import GitLabSettings
from secgate_tui.domain.model import Disposition
from tests.contract.harness_gitlab import TOKEN, GitLabHarness, connector_settings, shared_server
from tests.fakes.gitlab_store import parse_time


@pytest.fixture
def gl() -> Iterator[GitLabHarness]:
    harness = GitLabHarness(shared_server())
    yield harness
    harness.fake.clear_faults()
    harness.connector.close()


def _raw(gl: GitLabHarness, key: str) -> dict[str, Any]:
    return gl.fake.store.by_iid[(gl.project_id, int(key.rsplit("#", 1)[1]))]


def test_an_open_issue_accepted_by_a_scoped_label(gl: GitLabHarness) -> None:
    store = gl.fake.store
    officer = store.add_user("quinn.officer", "glpat-officer-0123456789")["id"]
    key = gl.add_issue("Hard-coded service password", release="1.1")
    raw = _raw(gl, key)
    store.update_issue(
        raw,
        author_id=gl.user,
        description=(
            "Found in the pen test.\n\n"
            "Compensating controls: service port disabled in the field build;\n"
            "technicians authenticate at the hospital gateway.\n\n"
            "Acceptance expires: 2027-05-01\n"
        ),
    )
    store.update_issue(
        raw,
        author_id=officer,
        # Releases by the tracker's own names (milestone titles), as fix versions are.
        labels=[*raw["labels"], "affects::v1.0", "risk-accepted::v1.0", "CWE-798", "CWE-259"],
    )
    accepted_at = parse_time(store.label_events[raw["id"]][-1]["created_at"])
    store.update_issue(raw, author_id=gl.user, labels=[*raw["labels"], "safety-impact::serious"])
    store.add_note(raw, "Risk acceptance: needs physical access.", author_id=officer)

    issue = gl.connector.issue(key)

    (acceptance,) = issue.acceptances
    assert acceptance.disposition is Disposition.RISK_ACCEPTED
    assert acceptance.release == "v1.0"
    assert acceptance.target_version == "v1.1"  # the milestone it is to be fixed in
    assert acceptance.justification == "Risk acceptance: needs physical access."
    assert acceptance.accepted_by == "quinn.officer"  # who added the label, not who edited last
    assert acceptance.accepted_on == accepted_at
    assert acceptance.expires == date(2027, 5, 1)
    assert issue.affects_versions == ("v1.0",)
    assert issue.cwe == ("CWE-259", "CWE-798")
    assert issue.safety_impact == "serious"
    assert issue.compensating_controls == (
        "service port disabled in the field build;\n"
        "technicians authenticate at the hospital gateway."
    )


def test_the_sync_completes_acceptances_from_notes_and_label_events(gl: GitLabHarness) -> None:
    store = gl.fake.store
    key = gl.add_issue("Deferred from 1.1", release="1.0")
    raw = _raw(gl, key)
    store.update_issue(raw, author_id=gl.user, labels=[*raw["labels"], "deferred::v1.1"])
    store.add_note(raw, "Risk acceptance: not reachable before 1.2.", author_id=gl.user)

    issue = next(i for i in gl.connector.issues(gl.scope, gl.release) if i.key == key)

    (acceptance,) = issue.acceptances
    assert (acceptance.disposition, acceptance.release) == (Disposition.DEFERRED, "v1.1")
    assert acceptance.justification == "Risk acceptance: not reachable before 1.2."
    assert acceptance.accepted_by == "release.bot"
    assert isinstance(acceptance.accepted_on, datetime)


def test_a_label_re_added_is_accepted_when_it_came_back(gl: GitLabHarness) -> None:
    store = gl.fake.store
    key = gl.add_issue("Accepted, withdrawn, accepted again", release="1.0")
    raw = _raw(gl, key)
    base = list(raw["labels"])
    store.update_issue(raw, author_id=gl.user, labels=[*base, "risk-accepted::v1.0"])
    store.update_issue(raw, author_id=gl.user, labels=base)
    store.update_issue(raw, author_id=gl.user, labels=[*base, "risk-accepted::v1.0"])
    last_add = parse_time(store.label_events[raw["id"]][-1]["created_at"])
    assert gl.connector.issue(key).acceptances[0].accepted_on == last_add


def test_who_added_a_residual_items_resolution_label_and_when(gl: GitLabHarness) -> None:
    store = gl.fake.store
    officer = store.add_user("rita.resolver", "glpat-resolver-0123456789")["id"]
    key = gl.add_issue("Closed without a fix", release="1.0")
    raw = _raw(gl, key)
    store.update_issue(raw, author_id=gl.user, state_event="close")
    store.update_issue(raw, author_id=officer, labels=[*raw["labels"], "resolution::wont-fix"])
    labelled = parse_time(store.label_events[raw["id"]][-1]["created_at"])
    store.update_issue(raw, author_id=gl.user, labels=[*raw["labels"], "CWE-79"])  # later edit

    by_key = gl.connector.issue(key)
    synced = next(i for i in gl.connector.issues(gl.scope, gl.release) if i.key == key)

    for issue in (by_key, synced):
        assert issue.disposition is Disposition.WONT_FIX
        assert (issue.resolved_by, issue.resolved_on) == ("rita.resolver", labelled)


def test_a_residual_item_closed_without_a_resolution_label_was_resolved_by_its_closer(
    gl: GitLabHarness,
) -> None:
    store = gl.fake.store
    closer = store.add_user("carl.closer", "glpat-closer-0123456789")["id"]
    connector = GitLabConnector(
        "gitlab", connector_settings(gl.fake.url, default_disposition="wont-fix"), TOKEN
    )
    try:
        key = gl.add_issue("Closed as it stands", release="1.0")
        raw = _raw(gl, key)
        store.update_issue(raw, author_id=closer, state_event="close")
        issue = connector.issue(key)
    finally:
        connector.close()
    assert issue.disposition is Disposition.WONT_FIX
    assert (issue.resolved_by, issue.resolved_on) == ("carl.closer", parse_time(raw["closed_at"]))
    # A fix tells no residual risk: the default harness maps closed to fixed, nothing read.
    fixed = gl.connector.issue(key)
    assert fixed.disposition is Disposition.FIXED and fixed.resolved_by is None


def test_issues_without_these_facts_serialize_as_before(gl: GitLabHarness) -> None:
    for issue in gl.connector.issues(gl.scope, gl.release):
        text = issue.canonical_json().decode()
        for name in ("acceptances", "cwe", "compensating_controls", "safety_impact"):
            assert f'"{name}"' not in text


def test_a_label_without_a_release_fails_the_source(gl: GitLabHarness) -> None:
    gl.add_issue("Accepted for what?", release="1.0", labels=("security", "risk-accepted::"))
    with pytest.raises(BadResponseError, match="'risk-accepted::' names no release"):
        gl.connector.issues(gl.scope, gl.release)


def test_severity_map_normalizes_scoped_labels(gl: GitLabHarness) -> None:
    key = gl.add_issue("Severe", release="1.0", labels=("security", "severity::S1"))
    connector = GitLabConnector(
        "gitlab", connector_settings(gl.fake.url, severity_map={"s1": "critical"}), TOKEN
    )
    try:
        assert connector.issue(key).severity == "critical"
    finally:
        connector.close()
    assert gl.connector.issue(key).severity == "S1"  # no map: as the label says


# --------------------------------------------------------------------------- pure mapping

RAW: dict[str, Any] = {
    "id": 84,
    "iid": 14,
    "project_id": 4,
    "title": "Open finding",
    "description": "",
    "state": "opened",
    "created_at": "2026-11-01T09:05:02.123+01:00",
    "updated_at": "2026-11-20T16:00:00.000Z",
    "labels": ["security"],
    "milestone": {"title": "v1.3"},
    "references": {"full": "medical/pump#14"},
}


def mapped(labels: list[str], description: str = "", **settings: Any) -> Any:
    raw = copy.deepcopy(RAW)
    raw["labels"] = labels
    raw["description"] = description
    return IssueMapper("gitlab", GitLabSettings(kind="gitlab", **settings)).issue(raw)


def test_hostile_labels_and_descriptions() -> None:
    with pytest.raises(ValueError, match="names no release"):
        mapped(["deferred::  "])
    with pytest.raises(ValueError, match="not a date"):
        mapped(["deferred::1.2"], "Acceptance expires: when the vendor patches")
    # An expiry line without an acceptance says nothing to read.
    assert mapped([], "Acceptance expires: soon").acceptances == ()
    issue = mapped(["risk-accepted:1.2", "Risk-Accepted::1.2", "cwe-79", "CWE-79b"])
    assert issue.acceptances == ()
    assert issue.cwe == ("CWE-79",)
    assert mapped([], "Compensating controls:   \n").compensating_controls is None


def test_conventions_are_configurable() -> None:
    issue = mapped(
        ["accepted/1.2", "impact=minor", "CWE-79"],
        acceptance_labels={"accepted/": "risk-accepted"},
        safety_impact_prefix="impact=",
        cwe_labels=False,
    )
    assert [(a.disposition, a.release) for a in issue.acceptances] == [
        (Disposition.RISK_ACCEPTED, "1.2")
    ]
    assert issue.safety_impact == "minor"
    assert issue.cwe == ()
    with pytest.raises(ValueError, match="'risk-accepted' or 'deferred'"):
        GitLabSettings(kind="gitlab", acceptance_labels={"ok::": "fixed"})
