"""Issue history for the periodic review: closes and reopens from resource state events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from connectors.base import BadResponseError, NotFoundError
from tests.contract.harness_gitlab import GitLabHarness, shared_server
from tests.fakes.gitlab_store import parse_time


@pytest.fixture
def gl() -> Iterator[GitLabHarness]:
    harness = GitLabHarness(shared_server())
    harness.fake.retry_after = 0
    harness.fake.reset_counters()
    yield harness
    harness.fake.clear_faults()
    harness.connector.close()


def _issue(gl: GitLabHarness, key: str) -> dict[str, object]:
    return gl.fake.store.by_iid[(gl.project_id, int(key.rsplit("#", 1)[1]))]


def _set_state(gl: GitLabHarness, key: str, event: str) -> datetime:
    """Close or reopen on the tracker side; the time GitLab stamped on the change."""
    issue = gl.fake.store.update_issue(_issue(gl, key), state_event=event, author_id=gl.user)
    return parse_time(str(issue["updated_at"]))


def test_reopened_issue_yields_closed_then_reopened_at_their_times(gl: GitLabHarness) -> None:
    key = gl.add_issue("Dose limit bypass", release=gl.release)
    quiet = gl.add_issue("Never closed", release=gl.release)
    closed_at = _set_state(gl, key, "close")
    reopened_at = _set_state(gl, key, "reopen")

    events = gl.connector.state_events([key, quiet])

    assert [(e.key, e.state, e.at) for e in events] == [
        (key, "closed", closed_at),
        (key, "reopened", reopened_at),
    ]
    assert all(e.source == "gitlab" and e.at.utcoffset() is not None for e in events)
    assert gl.fake.requests["GET /projects/:id/issues/:iid/resource_state_events"] == 2


def test_issue_never_closed_has_no_events(gl: GitLabHarness) -> None:
    key = gl.add_issue("Open since day one", release=gl.release)
    assert gl.connector.state_events([key]) == []
    assert gl.connector.state_events([]) == []


def test_every_page_of_a_long_history_is_read(gl: GitLabHarness) -> None:
    key = gl.add_issue("Flapping finding", release=gl.release)
    for _ in range(120):  # 240 events: three pages of 100
        _set_state(gl, key, "close")
        _set_state(gl, key, "reopen")
    events = gl.connector.state_events([key])
    assert [e.state for e in events] == ["closed", "reopened"] * 120
    assert events == sorted(events, key=lambda e: e.at)


def test_missing_project_is_not_found(gl: GitLabHarness) -> None:
    with pytest.raises(NotFoundError, match="state events of issue medical/no-such-project#1"):
        gl.connector.state_events(["medical/no-such-project#1"])


def test_a_transient_failure_is_retried(gl: GitLabHarness) -> None:
    key = gl.add_issue("Closed once", release=gl.release, closed=True)
    gl.fake.set_fault("unavailable", 1)
    assert [e.state for e in gl.connector.state_events([key])] == ["closed"]


def test_an_unreadable_event_fails_closed(gl: GitLabHarness) -> None:
    key = gl.add_issue("Odd history", release=gl.release, closed=True)
    issue = _issue(gl, key)
    del gl.fake.store.state_events[int(str(issue["id"]))][0]["created_at"]
    with pytest.raises(BadResponseError, match="state events of issue"):
        gl.connector.state_events([key])
