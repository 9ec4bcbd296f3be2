"""An evidence issue linked to a release on GitLab: the milestones of the issues it is
linked to by a configured link type (``evidence_link_types``), against the fake GitLab
through the connector's own HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.gitlab import GitLabConnector
from tests.contract.harness_gitlab import TOKEN, GitLabHarness, connector_settings, shared_server


@pytest.fixture
def gl() -> Iterator[GitLabHarness]:
    harness = GitLabHarness(shared_server())
    yield harness
    harness.connector.close()


def _raw(gl: GitLabHarness, key: str) -> dict[str, object]:
    return gl.fake.store.by_iid[(gl.project_id, int(key.rsplit("#", 1)[1]))]


def test_the_milestones_of_issues_linked_by_a_configured_type(gl: GitLabHarness) -> None:
    store = gl.fake.store
    pentest = gl.add_issue("Penetration test", release="1.0", labels=())
    release = gl.add_issue("Release 1.1", release="1.1", labels=())
    blocked = gl.add_issue("Blocked by the pen test", release="2.0", labels=())
    store.link_issues(_raw(gl, pentest), _raw(gl, release), "relates_to")
    store.link_issues(_raw(gl, pentest), _raw(gl, blocked), "blocks")

    assert gl.connector.linked_versions(pentest) == []  # none configured: links are not read
    connector = GitLabConnector(
        "gitlab", connector_settings(gl.fake.url, evidence_link_types=["Relates_To"]), TOKEN
    )
    try:
        assert connector.linked_versions(pentest) == ["v1.1"]
        # Seen from the other end, "blocks" reads "is_blocked_by".
        both = connector.settings.model_copy(update={"evidence_link_types": ("is_blocked_by",)})
    finally:
        connector.close()
    reverse = GitLabConnector("gitlab", both, TOKEN)
    try:
        assert reverse.linked_versions(blocked) == ["v1.0"]
        assert reverse.linked_versions(pentest) == []
    finally:
        reverse.close()
