"""Failures a release manager must understand: auth, missing things, HTML, timeouts, limits."""

from __future__ import annotations

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
from connectors.gitlab import GitLabConnector
from tests.contract.harness_gitlab import TOKEN, GitLabHarness, connector_settings, shared_server


@pytest.fixture
def gl() -> Iterator[GitLabHarness]:
    harness = GitLabHarness(shared_server())
    harness.fake.retry_after = 0
    harness.fake.reset_counters()
    yield harness
    harness.fake.clear_faults()
    harness.connector.close()


def connector(gl: GitLabHarness, token: str = TOKEN, **settings: object) -> GitLabConnector:
    return GitLabConnector("gitlab", connector_settings(gl.fake.url, **settings), token)


def test_wrong_token_is_an_auth_error_that_does_not_leak_it(gl: GitLabHarness) -> None:
    secret = "glpat-very-secret-wrong-token"
    bad = connector(gl, token=secret)
    for call in (
        bad.whoami,
        lambda: bad.issues(gl.scope, gl.release),
        lambda: bad.releases(gl.scope),
    ):
        with pytest.raises(AuthError, match="401") as caught:
            call()
        assert secret not in str(caught.value)
        assert "SECGATE_GITLAB_TOKEN" in str(caught.value)


def test_missing_token_cannot_claim_an_identity(gl: GitLabHarness) -> None:
    with pytest.raises(AuthError, match="no GitLab token"):
        connector(gl, token="").whoami()


def test_forbidden_write_says_what_permission_is_missing(gl: GitLabHarness) -> None:
    gl.fake.store.projects[gl.project_id]["archived"] = True
    with pytest.raises(AuthError, match=r"403 Forbidden.*Reporter"):
        gl.connector.post_comment(gl.comment_key, "record")


def test_invisible_project_is_not_found(gl: GitLabHarness) -> None:
    gl.fake.store.projects[gl.project_id]["_members"] = {-1}
    with pytest.raises(NotFoundError, match=f"project '{gl.project}'.*404 Project Not Found"):
        gl.connector.issues(gl.scope, gl.release)


def test_html_login_page_is_a_bad_response(gl: GitLabHarness) -> None:
    with gl.fake.fault("html"), pytest.raises(BadResponseError, match="text/html") as caught:
        gl.connector.issues(gl.scope, gl.release)
    assert "base URL" in str(caught.value)


def test_timeout_is_unavailable_after_bounded_retries(gl: GitLabHarness) -> None:
    gl.fake.slow_seconds = 1.0
    slow = connector(gl, timeout_seconds=0.3, retries=1)
    with gl.fake.fault("slow"), pytest.raises(UnavailableError, match=r"0.3 s.*2 attempts"):
        slow.whoami()
    assert gl.fake.requests["GET /user"] == 2


def test_transient_503_is_retried_then_succeeds(gl: GitLabHarness) -> None:
    gl.fake.set_fault("unavailable", count=2)
    assert len(gl.connector.issues(gl.scope, gl.release)) == 4
    assert gl.fake.requests["GET /projects/:id/issues"] == 3


def test_persistent_5xx_gives_up_after_the_retry_budget(gl: GitLabHarness) -> None:
    with gl.fake.fault("error"), pytest.raises(UnavailableError, match=r"HTTP 500.*3 attempts"):
        gl.connector.whoami()
    assert gl.fake.requests["GET /user"] == 3


def test_429_with_retry_after_is_waited_for_then_succeeds(gl: GitLabHarness) -> None:
    gl.fake.retry_after = 1
    gl.fake.set_fault("rate_limited", count=1)
    assert gl.connector.whoami().name == "release.bot"
    assert gl.fake.requests["GET /user"] == 2


def test_429_beyond_patience_fails_at_once_with_the_wait(gl: GitLabHarness) -> None:
    gl.fake.retry_after = 600
    with gl.fake.fault("rate_limited"), pytest.raises(RateLimitedError) as caught:
        gl.connector.whoami()
    assert caught.value.retry_after == 600
    # python-gitlab's own hidden 429 loop (10 retries with sleeps) is off.
    assert gl.fake.requests["GET /user"] == 1


def test_writes_are_not_retried_after_a_5xx(gl: GitLabHarness) -> None:
    with gl.fake.fault("unavailable"), pytest.raises(UnavailableError, match="may or may not"):
        gl.connector.post_comment(gl.comment_key, "record")
    assert gl.fake.requests["POST /projects/:id/issues/:iid/notes"] == 1


def test_writes_are_retried_after_a_429(gl: GitLabHarness) -> None:
    gl.fake.set_fault("rate_limited", count=1)
    ref = gl.connector.post_comment(gl.comment_key, "record after 429")
    assert gl.connector.read_comment(ref).body == "record after 429"
    assert gl.fake.requests["POST /projects/:id/issues/:iid/notes"] == 2


def test_lost_response_is_reported_and_the_note_is_found_by_marker(gl: GitLabHarness) -> None:
    with gl.fake.fault("lost_response"), pytest.raises(UnavailableError):
        gl.connector.post_comment(gl.comment_key, "secgate-record r1 sha256:abc")
    assert gl.fake.requests["POST /projects/:id/issues/:iid/notes"] == 1
    assert len(gl.connector.find_comments(gl.comment_key, "secgate-record r1")) == 1


def test_unreachable_server_is_unavailable(gl: GitLabHarness) -> None:
    dead = GitLabConnector("gitlab", connector_settings("http://127.0.0.1:9", retries=0), TOKEN)
    with pytest.raises(UnavailableError, match="could not be reached"):
        dead.releases(SourceScope(tracker="gitlab", project="a/b"))


def test_no_error_message_ever_contains_the_token(gl: GitLabHarness) -> None:
    messages: list[str] = []
    for kind in ("html", "unavailable", "rate_limited", "error"):
        with gl.fake.fault(kind):
            try:
                gl.connector.issues(gl.scope, gl.release)
            except ConnectorError as exc:
                messages.append(str(exc))
    assert len(messages) == 4
    assert all(TOKEN not in message for message in messages)
    assert gl.fake.errors == []
