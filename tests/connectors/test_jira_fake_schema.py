"""The fake Jira's Cloud answers follow Atlassian's v3 OpenAPI document, so it cannot drift."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.base import ConnectorError, SourceScope
from tests.fakes import jira_schema
from tests.fakes.jira_seed import PROJECT, RELEASE, connector_for, seed
from tests.fakes.jira_server import FakeJira

SCOPE = SourceScope(tracker="jira", project=PROJECT)


def exercise(fake: FakeJira) -> None:
    """Every endpoint secgate (and the plain library) uses, the happy and the error paths."""
    jira = connector_for(fake)
    jira.releases(SCOPE)
    jira.issues(SCOPE, RELEASE)
    jira.issues(SCOPE, RELEASE, since=datetime.now(UTC))
    jira.issue("IPC-2")
    jira.whoami()
    ref = jira.post_comment("IPC-1", "h1. record\n*done*")
    jira.read_comment(ref)
    jira.find_comments("IPC-1", "record")
    created = jira.create_issue(PROJECT, "Record issue [m-1]", "body", ["security"])
    jira.find_issues(PROJECT, "[m-1]")
    attached = jira.attach(created.key, "record.json", b"{}")
    jira.read_attachment(attached)
    for failing in (
        lambda: jira.issues(SourceScope(tracker="jira", project=PROJECT, filter="x = 1"), "2.0"),
        lambda: jira.create_issue("NOPE", "t", "b"),
        lambda: jira.issue("IPC-999"),
    ):
        with pytest.raises(ConnectorError):
            failing()
    # What a plain script does (all fields, /field lookup), and the v3 shapes.
    library = jira.client.jira
    library.search_issues(f"project = {PROJECT}", maxResults=False)
    session, base = library._session, fake.url + "/rest/api/3"
    for path in ("issue/IPC-2", "issue/IPC-1/comment", f"issue/IPC-1/comment/{ref.id}", "myself"):
        session.get(f"{base}/{path}")
    session.get(f"{base}/attachment/{attached.id}")
    session.post(
        f"{base}/issue/IPC-1/comment",
        json={
            "body": {
                "type": "doc",
                "version": 1,
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": "v3"}]}],
            }
        },
    )


def test_every_cloud_response_matches_the_v3_document() -> None:
    with FakeJira("cloud") as fake:
        seed(fake)
        fake.state.add_comment("IPC-2", "Risk acceptance: documented")
        fake.record = True
        exercise(fake)
    problems = [
        problem
        for seen in fake.recorded
        for problem in jira_schema.problems(seen.method, seen.path, seen.status, seen.body)
    ]
    assert problems == []
    covered = {jira_schema.template_for(s.method, s.path) for s in fake.recorded}
    for template in (
        "/rest/api/3/serverInfo",
        "/rest/api/3/field",
        "/rest/api/3/myself",
        "/rest/api/3/project/{projectIdOrKey}/versions",
        "/rest/api/3/search/jql",
        "/rest/api/3/issue/bulkfetch",
        "/rest/api/3/issue",
        "/rest/api/3/issue/{issueIdOrKey}",
        "/rest/api/3/issue/{issueIdOrKey}/comment",
        "/rest/api/3/issue/{issueIdOrKey}/comment/{id}",
        "/rest/api/3/issue/{issueIdOrKey}/attachments",
        "/rest/api/3/attachment/{id}",
    ):
        assert template in covered
    assert {s.status for s in fake.recorded} >= {200, 201, 400, 404}


def test_the_validator_catches_drift() -> None:
    good = {"issues": [{"id": "1", "key": "IPC-1", "fields": {}}], "isLast": True}
    assert jira_schema.problems("GET", "/rest/api/3/search/jql", 200, good) == []
    drifted = {"issues": [{"id": 1, "key": "IPC-1", "summary": "x"}], "total": 1}
    found = jira_schema.problems("GET", "/rest/api/3/search/jql", 200, drifted)
    assert any("total" in p for p in found)
    assert any("summary" in p for p in found)
    assert any("is not of type 'string'" in p for p in found)
    assert jira_schema.problems("GET", "/rest/api/3/made/up", 200, {}) != []


def test_the_document_is_found_relative_to_the_repository() -> None:
    assert jira_schema.SPEC.is_file(), jira_schema.SPEC
