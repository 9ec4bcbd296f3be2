"""Failures a release manager must understand, against the real Redmine (and the
fault proxy for what Redmine itself never does). The API key never shows."""

from __future__ import annotations

import secrets

import pytest
import requests

from connectors.base import (
    AuthError,
    BadResponseError,
    ConnectorError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
)
from connectors.redmine import RedmineConnector
from tests.redmine.fixtures import RedmineHarness, connector_settings, redmine_harness
from tests.redmine.server import free_port

__all__ = ["redmine_harness"]
pytestmark = pytest.mark.redmine


def _no_key(error: BaseException, key: str) -> None:
    assert key not in str(error)
    assert key not in repr(error.args)
    assert error.__cause__ is None or key not in str(error.__cause__)


def test_wrong_key_is_refused_before_anything_is_read(redmine_harness: RedmineHarness) -> None:
    key = secrets.token_hex(20)
    connector = RedmineConnector("rm", connector_settings(redmine_harness.proxy.url), key)
    for call in (
        connector.whoami,
        lambda: connector.releases(redmine_harness.scope),
        lambda: connector.issues(redmine_harness.scope, "2.0"),
        lambda: connector.post_comment("#1", "x"),
    ):
        with pytest.raises(AuthError, match="does not recognise the API key") as caught:
            call()
        _no_key(caught.value, key)


def test_wrong_key_on_a_public_project_is_still_refused(redmine_harness: RedmineHarness) -> None:
    server = redmine_harness.server
    server.sql("UPDATE projects SET is_public = 1 WHERE identifier = 'secgate-a'")
    key = secrets.token_hex(20)
    # The trap: Redmine serves the anonymous view to an unknown key, no 401.
    answer = requests.get(
        f"{server.url}/issues.json",
        params={"project_id": "secgate-a", "status_id": "*"},
        headers={"X-Redmine-API-Key": key},
        timeout=30,
    )
    assert answer.status_code == 200
    assert answer.json()["total_count"] > 0
    connector = RedmineConnector("rm", connector_settings(server.url), key)
    with pytest.raises(AuthError):
        connector.issues(redmine_harness.scope, "2.0")


def test_whoami_names_the_key_owner(redmine_harness: RedmineHarness) -> None:
    me = redmine_harness.connector.whoami()
    assert (me.name, me.display_name) == ("alice", "Alice Tester")


def test_missing_key_is_an_auth_error(redmine_harness: RedmineHarness) -> None:
    with pytest.raises(AuthError, match="no Redmine API key"):
        RedmineConnector("rm", connector_settings(redmine_harness.server.url), "")


def test_rest_api_disabled(redmine_harness: RedmineHarness) -> None:
    server = redmine_harness.server
    server.sql("UPDATE settings SET value = '0', updated_on = datetime('now') "
               "WHERE name = 'rest_api_enabled'")  # fmt: skip
    with pytest.raises(AuthError):
        RedmineConnector("rm", connector_settings(server.url), server.alice_key).whoami()


def test_unprocessable_write_shows_redmine_s_errors(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    with pytest.raises(BadResponseError, match=r"422.*Subject cannot be blank"):
        connector.create_issue("secgate-a", "", "no subject")


def test_no_such_issue(redmine_harness: RedmineHarness) -> None:
    with pytest.raises(NotFoundError, match="#424242"):
        redmine_harness.connector.issue("#424242")
    with pytest.raises(NotFoundError, match="not a Redmine issue key"):
        redmine_harness.connector.issue("PROJ-1")


def test_unknown_project(redmine_harness: RedmineHarness) -> None:
    from connectors.base import SourceScope

    scope = SourceScope(tracker="redmine", project="no-such-project")
    with pytest.raises(NotFoundError, match="no-such-project"):
        redmine_harness.connector.releases(scope)


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        ("unavailable", UnavailableError, "HTTP 503"),
        ("html", BadResponseError, "not JSON"),
        ("rate_limited", RateLimitedError, "429"),
    ],
)
def test_faults_on_reads(
    redmine_harness: RedmineHarness, fault: str, error: type[ConnectorError], words: str
) -> None:
    connector = redmine_harness.connector
    connector.whoami()
    with redmine_harness.fault(fault), pytest.raises(error, match=words) as caught:
        connector.issues(redmine_harness.scope, "2.0")
    _no_key(caught.value, redmine_harness.server.alice_key)
    assert len(connector.issues(redmine_harness.scope, "2.0")) == 5  # recovers after


def test_reads_are_retried_through_a_short_outage(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    connector.whoami()
    redmine_harness.proxy.fail_next = 1  # one 503 must not fail a sync
    assert len(connector.issues(redmine_harness.scope, "2.0")) == 5
    assert redmine_harness.proxy.fail_next == 0


def test_writes_are_not_retried(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    connector.whoami()
    redmine_harness.proxy.fail_next = 1
    with pytest.raises(UnavailableError, match="not repeated blindly"):
        connector.post_comment("#1", "secgate-record once-1")
    assert connector.find_comments("#1", "secgate-record once-1") == []


def test_lost_answer_of_a_write_is_not_repeated(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    with (
        redmine_harness.fault("lost_response"),
        pytest.raises(UnavailableError, match="may or may not have been made"),
    ):
        connector.post_comment("#1", "secgate-record lost-1")
    # Exactly one note: the write was sent once, and the marker finds it.
    assert len(connector.find_comments("#1", "secgate-record lost-1")) == 1


def test_timeout(redmine_harness: RedmineHarness) -> None:
    settings = connector_settings(redmine_harness.proxy.url, timeout_seconds=0.5, retries=0)
    connector = RedmineConnector("rm", settings, redmine_harness.server.alice_key)
    with (
        redmine_harness.proxy.inject("slow"),
        pytest.raises(UnavailableError, match=r"did not answer .* within 0\.5 s"),
    ):
        connector.whoami()


def test_nothing_listening(redmine_harness: RedmineHarness) -> None:
    settings = connector_settings(f"http://127.0.0.1:{free_port()}", retries=1)
    key = redmine_harness.server.alice_key
    with pytest.raises(UnavailableError, match="cannot reach Redmine") as caught:
        RedmineConnector("rm", settings, key).whoami()
    _no_key(caught.value, key)
