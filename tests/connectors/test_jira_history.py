"""Open/close events from Jira changelogs, for the periodic review's reopen count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from connectors.base import (
    AuthError,
    BadResponseError,
    ConnectorError,
    NotFoundError,
    UnavailableError,
)
from connectors.jira import JiraConnector
from tests.fakes import jira_schema
from tests.fakes.jira_seed import connector_for, seed
from tests.fakes.jira_server import FakeJira


@pytest.fixture(params=["cloud", "datacenter"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    # Not UTC: event times must come back as the same instants in UTC.
    with FakeJira(request.param, user_zone="America/New_York", changelog_max_results=7) as server:
        server.keys = seed(server)  # type: ignore[attr-defined]
        server.record = server.cloud  # every Cloud answer is checked against the spec
        yield server
    assert jira_schema.recorded_problems(server.recorded) == []


@pytest.fixture
def jira(fake: FakeJira) -> Iterator[JiraConnector]:
    connector = connector_for(fake)
    yield connector
    connector.close()


def _key(fake: FakeJira, name: str) -> str:
    keys: dict[str, str] = fake.keys  # type: ignore[attr-defined]
    return keys[name]


def _at(fake: FakeJira, key: str, status: str) -> datetime:
    """Move the issue to this status; the time its changelog entry records."""
    return fake.state.update(key, status=status).updated


def test_reopened_issue_yields_closed_then_opened(fake: FakeJira, jira: JiraConnector) -> None:
    key = _key(fake, "open")  # In Progress
    closed = _at(fake, key, "Done")
    reopened = _at(fake, key, "Reopened")
    _at(fake, key, "In Progress")  # open to open: no event

    events = jira.state_events([key])

    assert [(e.source, e.key, e.state) for e in events] == [
        ("jira", key, "closed"),
        ("jira", key, "opened"),
    ]
    assert [e.at for e in events] == [closed, reopened]
    assert all(e.at.tzinfo == UTC for e in events)


def test_issue_never_closed_yields_none(fake: FakeJira, jira: JiraConnector) -> None:
    never = _key(fake, "untracked")  # To Do
    _at(fake, never, "In Progress")
    _at(fake, never, "To Do")
    done_from_start = _key(fake, "fixed")  # created Done: no transition at all

    assert jira.state_events([never, done_from_start]) == []


def test_close_to_close_is_not_a_reopen(fake: FakeJira, jira: JiraConnector) -> None:
    key = _key(fake, "fixed")  # Done
    _at(fake, key, "Closed")  # done to done

    assert jira.state_events([key]) == []


def test_long_history_is_read_in_full(fake: FakeJira, jira: JiraConnector) -> None:
    # More entries than the bulk fetch's 40 and than one changelog page (7 here).
    key = _key(fake, "open")
    for _ in range(23):
        _at(fake, key, "Done")
        _at(fake, key, "In Progress")

    events = jira.state_events([key])

    assert len(fake.state.issues[key].history) == 46
    assert [e.state for e in events] == ["closed", "opened"] * 23
    assert [e.at for e in events] == [c.created for c in fake.state.issues[key].history]


def test_many_issues_across_requests(fake: FakeJira, jira: JiraConnector) -> None:
    keys = [fake.state.add_issue("IPC", f"Finding {n}").key for n in range(130)]
    for key in keys[::3]:
        _at(fake, key, "Done")

    events = jira.state_events([*keys, _key(fake, "untracked")])

    assert sorted(e.key for e in events) == sorted(keys[::3])
    assert {e.state for e in events} == {"closed"}


def test_no_keys_no_requests(fake: FakeJira, jira: JiraConnector) -> None:
    fake.reset_counts()
    assert jira.state_events([]) == []
    assert fake.request_count == 0


def test_missing_issue_is_not_found(fake: FakeJira, jira: JiraConnector) -> None:
    with pytest.raises(NotFoundError) as caught:
        jira.state_events([_key(fake, "open"), "IPC-404"])
    assert "IPC-404" in caught.value.message
    _no_secret(caught.value, fake)


def test_unavailable_after_retries(fake: FakeJira, jira: JiraConnector) -> None:
    with fake.fault("unavailable"), pytest.raises(UnavailableError) as caught:
        jira.state_events([_key(fake, "open")])
    _no_secret(caught.value, fake)


def test_transient_failure_is_retried(fake: FakeJira, jira: JiraConnector) -> None:
    key = _key(fake, "open")
    closed = _at(fake, key, "Done")
    with fake.fault("unavailable", remaining=1, path="/issue"):
        events = jira.state_events([key])
    assert [(e.state, e.at) for e in events] == [("closed", closed)]


def test_forbidden_is_an_auth_error(fake: FakeJira, jira: JiraConnector) -> None:
    with fake.fault("forbidden"), pytest.raises(AuthError) as caught:
        jira.state_events([_key(fake, "open")])
    _no_secret(caught.value, fake)


def test_unreadable_changelog_is_a_bad_response(fake: FakeJira, jira: JiraConnector) -> None:
    fake.record = False  # the answer is broken on purpose
    key = _key(fake, "open")
    _at(fake, key, "Done")
    member = "issues.changelog" if fake.cloud else "changelog"
    with (
        fake.fault("member", path="/issue", member=member, value="garbage"),
        pytest.raises(BadResponseError) as caught,
    ):
        jira.state_events([key])
    assert "history" in caught.value.message
    _no_secret(caught.value, fake)


def test_html_answer_is_a_bad_response(fake: FakeJira, jira: JiraConnector) -> None:
    with fake.fault("html", path="/status"), pytest.raises(BadResponseError) as caught:
        jira.state_events([_key(fake, "open")])
    _no_secret(caught.value, fake)


def _no_secret(exc: ConnectorError, fake: FakeJira) -> None:
    assert fake.token not in exc.message and "\n" not in exc.message
