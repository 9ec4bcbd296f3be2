"""Failures a release manager can act on: retries, budgets, and messages without secrets."""

from __future__ import annotations

import base64
import logging
import time
import traceback
from collections.abc import Iterator

import pytest

from connectors.base import (
    AuthError,
    BadResponseError,
    ConnectorError,
    NotFoundError,
    RateLimitedError,
    SourceScope,
    UnavailableError,
)
from connectors.jira import JiraConnector
from tests.fakes import jira_schema
from tests.fakes.jira_seed import PROJECT, RELEASE, TOKEN_ENV, connector_for, seed
from tests.fakes.jira_server import FakeJira

SCOPE = SourceScope(tracker="jira", project=PROJECT)
SEARCH = {"cloud": "GET /rest/api/3/search/jql", "datacenter": "GET /rest/api/2/search"}


@pytest.fixture(params=["cloud", "datacenter"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param) as server:
        seed(server)
        server.record = server.cloud  # every Cloud answer is checked against the spec
        yield server
    assert jira_schema.recorded_problems(server.recorded) == []


@pytest.fixture
def jira(fake: FakeJira) -> Iterator[JiraConnector]:
    connector = connector_for(fake)
    connector.releases(SCOPE)  # connected: later counts are the call under test only
    fake.reset_counts()
    yield connector
    connector.close()


def assert_no_secret(exc: ConnectorError, fake: FakeJira) -> None:
    shown = "".join(traceback.format_exception(exc))
    encoded = base64.b64encode(f"{fake.email}:{fake.token}".encode()).decode()
    assert fake.token not in shown and encoded not in shown
    assert "Traceback" not in exc.message and "\n" not in exc.message


def test_wrong_token_names_the_tracker_and_the_variable(fake: FakeJira) -> None:
    bad = connector_for(fake, token="wrong-token-1234")
    with pytest.raises(AuthError) as caught:
        bad.releases(SCOPE)
    message = caught.value.message
    assert "'jira'" in message and TOKEN_ENV in message and "expired" in message
    assert "wrong-token-1234" not in "".join(traceback.format_exception(caught.value))
    assert_no_secret(caught.value, fake)


def test_forbidden(fake: FakeJira, jira: JiraConnector) -> None:
    with fake.fault("forbidden"), pytest.raises(AuthError) as caught:
        jira.issues(SCOPE, RELEASE)
    assert "403" in caught.value.message and TOKEN_ENV in caught.value.message
    assert_no_secret(caught.value, fake)


def test_missing_comment_and_issue_are_not_found(jira: JiraConnector) -> None:
    with pytest.raises(NotFoundError) as caught:
        jira.find_comments("IPC-404", "marker")
    assert "IPC-404" in caught.value.message


def test_html_login_page_instead_of_json(fake: FakeJira, jira: JiraConnector) -> None:
    with fake.fault("html"), pytest.raises(BadResponseError) as caught:
        jira.issues(SCOPE, RELEASE)
    assert "HTML" in caught.value.message and "single sign-on" in caught.value.message
    with fake.fault("html"), pytest.raises(BadResponseError) as caught:
        jira.post_comment("IPC-1", "record")  # through the library's own JSON parsing
    assert "single sign-on" in caught.value.message
    assert_no_secret(caught.value, fake)


@pytest.mark.parametrize("path", ["/search", "/versions", "/issue/IPC-2", "/bulkfetch"])
def test_truncated_json_is_a_bad_response(fake: FakeJira, jira: JiraConnector, path: str) -> None:
    if path == "/bulkfetch" and not fake.cloud:
        path = "/search"  # Data Center reads issues from its search pages
    with fake.fault("bad_json", path=path), pytest.raises(BadResponseError) as caught:
        if path.startswith("/issue/"):
            jira.issue("IPC-2")
        else:
            jira.issues(SCOPE, RELEASE)
    assert "not JSON" in caught.value.message


def test_library_logs_of_tracker_text_do_not_reach_the_application(
    fake: FakeJira, jira: JiraConnector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with fake.fault("html"), pytest.raises(BadResponseError):
        jira.releases(SCOPE)  # the library parses this answer and logs what it got
    assert [r for r in caplog.records if r.name.startswith("jira")] == []


def test_html_on_connect(fake: FakeJira) -> None:
    with fake.fault("html"), pytest.raises(BadResponseError):
        connector_for(fake).releases(SCOPE)


def test_timeout(fake: FakeJira) -> None:
    connector = connector_for(fake, timeout_seconds=0.3)
    connector.releases(SCOPE)
    with fake.fault("slow", delay=1.0), pytest.raises(UnavailableError) as caught:
        connector.whoami()
    assert "in time" in caught.value.message


def test_unreachable(fake: FakeJira) -> None:
    connector = connector_for(fake, retry_attempts=2, retry_max_seconds=0.5)
    fake.stop()
    with pytest.raises(UnavailableError) as caught:
        connector.releases(SCOPE)
    assert "could not be reached" in caught.value.message and fake.url in caught.value.message


def test_429_is_retried_after_the_asked_wait(fake: FakeJira, jira: JiraConnector) -> None:
    fake.set_fault("rate_limited", remaining=2, retry_after="0.2")
    started = time.monotonic()
    assert len(jira.issues(SCOPE, RELEASE)) == 4
    assert time.monotonic() - started >= 0.4  # Retry-After honoured twice
    assert "rate_limited" not in fake.faults


def test_429_beyond_the_budget_gives_up_at_once(fake: FakeJira, jira: JiraConnector) -> None:
    started = time.monotonic()
    with fake.fault("rate_limited", retry_after="30"), pytest.raises(RateLimitedError) as caught:
        jira.issues(SCOPE, RELEASE)
    assert time.monotonic() - started < 2.0
    assert caught.value.retry_after == 30
    assert "30 s" in caught.value.message


@pytest.mark.parametrize("kind", ["unavailable", "bad_gateway"])
def test_transient_5xx_on_reads_is_retried(fake: FakeJira, jira: JiraConnector, kind: str) -> None:
    fake.set_fault(kind, remaining=2)
    assert len(jira.issues(SCOPE, RELEASE)) == 4


def test_retries_are_bounded_in_count(fake: FakeJira, jira: JiraConnector) -> None:
    started = time.monotonic()
    with fake.fault("unavailable"), pytest.raises(UnavailableError) as caught:
        jira.whoami()
    assert fake.counts["GET /rest/api/2/myself"] == 3  # retry_attempts
    assert time.monotonic() - started < 3.5  # retry_max_seconds + a request
    assert "503" in caught.value.message


def test_retries_are_bounded_in_time(fake: FakeJira) -> None:
    connector = connector_for(fake, retry_attempts=20, retry_max_seconds=1.0)
    connector.releases(SCOPE)
    started = time.monotonic()
    with fake.fault("rate_limited", retry_after="0.4"), pytest.raises(RateLimitedError):
        connector.whoami()
    assert time.monotonic() - started < 1.6


def test_libraries_own_retries_are_off(jira: JiraConnector) -> None:
    # jira's ResilientSession would sleep up to a minute per retry and retry POSTs.
    assert jira.client.jira._session.max_retries == 0


def test_500_is_not_retried(fake: FakeJira, jira: JiraConnector) -> None:
    with fake.fault("error500"), pytest.raises(UnavailableError):
        jira.whoami()
    assert fake.counts["GET /rest/api/2/myself"] == 1


def test_a_write_is_not_retried_on_503(fake: FakeJira, jira: JiraConnector) -> None:
    with fake.fault("unavailable", path="/comment"), pytest.raises(UnavailableError):
        jira.post_comment("IPC-1", "record")
    assert fake.counts["POST /rest/api/2/issue/IPC-1/comment"] == 1


def test_a_write_is_repeated_after_429(fake: FakeJira, jira: JiraConnector) -> None:
    fake.set_fault("rate_limited", remaining=1, retry_after="0", path="/comment")
    jira.post_comment("IPC-1", "once")
    assert [c.body for c in jira.find_comments("IPC-1", "once")] == ["once"]


def test_lost_response_is_not_retried_and_the_marker_finds_it(
    fake: FakeJira, jira: JiraConnector
) -> None:
    with fake.fault("lost_response"), pytest.raises(UnavailableError):
        jira.post_comment("IPC-1", "secgate-record r1 sha256:abc")
    assert fake.counts["POST /rest/api/2/issue/IPC-1/comment"] == 1
    found = jira.find_comments("IPC-1", "secgate-record r1")
    assert [c.body for c in found] == ["secgate-record r1 sha256:abc"]


def test_lost_response_on_issue_creation(fake: FakeJira, jira: JiraConnector) -> None:
    with fake.fault("lost_response"), pytest.raises(UnavailableError):
        jira.create_issue(PROJECT, "Release 2.0 authorization [secgate-ri-1]", "body")
    found = jira.find_issues(PROJECT, "[secgate-ri-1]")
    assert len(found) == 1


def test_search_gone_on_cloud_is_410() -> None:
    with FakeJira("cloud") as fake:
        seed(fake)
        connector = connector_for(fake, flavor="datacenter")
        with pytest.raises(BadResponseError) as caught:
            connector.issues(SCOPE, RELEASE)
    assert "410" in caught.value.message and "flavor" in caught.value.message


def test_jira_s_error_text_is_shown_as_one_safe_line(fake: FakeJira, jira: JiraConnector) -> None:
    scope = SourceScope(tracker="jira", project=PROJECT, filter='summary ~ "x" AND \x1b = 1')
    with pytest.raises(BadResponseError) as caught:
        jira.issues(scope, RELEASE)
    assert "\x1b" not in caught.value.message and "\\x1b" in caught.value.message
