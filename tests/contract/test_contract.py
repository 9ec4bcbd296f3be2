"""The connector contract, run against every tracker harness.

Sandbox, fake Jira (Cloud and Data Center), fake GitLab and the real Redmine
all must behave the same way from secgate's side: the gate and the
authorization protocol rely on exactly these behaviours.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import (
    AuthError,
    ConnectorError,
    NotFoundError,
    RateLimitedError,
    ReleaseNotFoundError,
)
from secgate_tui.domain import Disposition
from tests.contract.harness import Harness

OVERLAP = timedelta(minutes=5)

BODY = (
    "secgate contract ✓ — 日本語 émoji 😀 Ω\n"
    "*bold* _italic_ {code}x = 1{code} <b>&amp;</b> [link](http://x) `tick` | a | b |\n"
    "h1. textile heading\n# markdown heading\n```\nfence\n```\n"
    "tab\there, trailing text\n"
)


def test_releases_list_versions_with_released_flag(tracker: Harness) -> None:
    releases = {r.name: r for r in tracker.connector.releases(tracker.scope)}
    for name in (tracker.release, tracker.other_release, tracker.empty_release):
        assert tracker.scope.release_name(name) in releases
    assert all(isinstance(r.released, bool) for r in releases.values())


def test_issues_in_scope_are_normalized(tracker: Harness) -> None:
    open_key = tracker.add_issue("contract: open item", release=tracker.release)
    closed_key = tracker.add_issue("contract: fixed item", release=tracker.release, closed=True)
    elsewhere = tracker.add_issue("contract: other release", release=tracker.other_release)
    issues = {i.key: i for i in tracker.connector.issues(tracker.scope, tracker.release)}
    assert open_key in issues and closed_key in issues
    assert elsewhere not in issues
    assert len(issues) >= 3
    assert issues[open_key].closed is False
    assert issues[closed_key].closed is True
    assert issues[closed_key].disposition is Disposition.FIXED
    assert issues[open_key].title == "contract: open item"
    for issue in issues.values():
        assert issue.source == tracker.connector.name
        assert issue.created.tzinfo is not None and issue.updated.tzinfo is not None
        assert issue.raw_digest


def test_incremental_sync_picks_up_a_change(tracker: Harness) -> None:
    key = tracker.add_issue("contract: before", release=tracker.release)
    started = datetime.now(UTC)
    tracker.connector.issues(tracker.scope, tracker.release)
    tracker.rename(key, "contract: after")
    changed = tracker.connector.issues(tracker.scope, tracker.release, since=started - OVERLAP)
    titles = {i.key: i.title for i in changed}
    assert titles.get(key) == "contract: after"


def test_full_sync_notices_an_issue_that_left_the_release(tracker: Harness) -> None:
    key = tracker.add_issue("contract: leaving", release=tracker.release)
    assert key in {i.key for i in tracker.connector.issues(tracker.scope, tracker.release)}
    tracker.move_out(key)
    assert key not in {i.key for i in tracker.connector.issues(tracker.scope, tracker.release)}
    assert key in {i.key for i in tracker.connector.issues(tracker.scope, tracker.other_release)}


def test_project_issues_cover_every_release_of_the_source(tracker: Harness) -> None:
    here = tracker.add_issue("contract: project-wide a", release=tracker.release)
    there = tracker.add_issue("contract: project-wide b", release=tracker.other_release)
    issues = {i.key: i for i in tracker.connector.project_issues(tracker.scope)}
    assert here in issues and there in issues
    assert tracker.scope.release_name(tracker.release) in issues[here].fix_versions
    per_release = {i.key for i in tracker.connector.issues(tracker.scope, tracker.release)}
    assert per_release <= set(issues)


def test_one_incremental_project_read_sees_an_issue_move_between_releases(
    tracker: Harness,
) -> None:
    key = tracker.add_issue("contract: moving", release=tracker.release)
    started = datetime.now(UTC)
    tracker.connector.project_issues(tracker.scope)
    tracker.move_out(key)
    changed = {
        i.key: i for i in tracker.connector.project_issues(tracker.scope, since=started - OVERLAP)
    }
    assert key in changed
    assert tracker.scope.release_name(tracker.other_release) in changed[key].fix_versions
    assert tracker.scope.release_name(tracker.release) not in changed[key].fix_versions


def test_empty_release_has_no_issues_and_unknown_release_is_an_error(tracker: Harness) -> None:
    assert tracker.connector.issues(tracker.scope, tracker.empty_release) == []
    with pytest.raises(ReleaseNotFoundError):
        tracker.connector.issues(tracker.scope, "no-such-release-42")


def test_comment_round_trip_is_byte_for_byte(tracker: Harness) -> None:
    body = BODY + ("0123456789abcdef" * 640)  # over 10 KB
    ref = tracker.connector.post_comment(tracker.comment_key, body)
    assert ref.key == tracker.comment_key and ref.id
    assert tracker.connector.read_comment(ref).body == body


def test_marker_search_finds_exactly_the_marked_comment(tracker: Harness) -> None:
    stamp = datetime.now(UTC).strftime("%H%M%S%f")
    first = tracker.connector.post_comment(tracker.comment_key, f"note secgate-test-a{stamp}")
    tracker.connector.post_comment(tracker.comment_key, f"note secgate-test-b{stamp}")
    found = tracker.connector.find_comments(tracker.comment_key, f"secgate-test-a{stamp}")
    assert [c.ref.id for c in found] == [first.id]
    assert tracker.connector.find_comments(tracker.comment_key, "secgate-no-such-marker") == []


def test_create_issue_then_read_it(tracker: Harness) -> None:
    ref = tracker.connector.create_issue(
        tracker.project, "contract: corrective action", "Body text", ["corrective-action"]
    )
    assert ref.key
    assert tracker.connector.issue(ref.key).title == "contract: corrective action"


def test_whoami_names_the_author(tracker: Harness) -> None:
    identity = tracker.connector.whoami()
    assert identity.id and identity.name


def test_without_evidence_link_types_no_links_are_read(tracker: Harness) -> None:
    # The default: an evidence issue is for the releases of its own fix versions only.
    assert tracker.connector.linked_versions(tracker.comment_key) == []


def test_unknown_issue_and_comment_are_not_found(tracker: Harness) -> None:
    with pytest.raises(NotFoundError):
        tracker.connector.issue(tracker.comment_key + "999999")


def test_wrong_credential_is_an_auth_error_without_the_secret(tracker: Harness) -> None:
    bad = tracker.bad_auth_connector()
    if bad is None:
        pytest.skip(f"{tracker.name} has no credentials")
    with pytest.raises(AuthError) as info:
        bad.whoami()
    assert bad._token and bad._token not in info.value.message
    with pytest.raises(AuthError):
        bad.issues(tracker.scope, tracker.release)


@pytest.mark.parametrize("fault", ["unavailable", "html", "rate_limited"])
def test_read_faults_become_secgate_errors(tracker: Harness, fault: str) -> None:
    if fault not in tracker.faults:
        pytest.skip(f"{tracker.name} cannot simulate {fault}")
    with tracker.fault(fault), pytest.raises(ConnectorError) as info:
        tracker.connector.issues(tracker.scope, tracker.release)
    message = info.value.message
    assert message and "Traceback" not in message
    token = tracker.connector._token
    assert not token or token not in message
    if fault == "rate_limited":
        assert isinstance(info.value, RateLimitedError)


def test_lost_response_leaves_one_comment_findable_by_marker(tracker: Harness) -> None:
    if "lost_response" not in tracker.faults:
        pytest.skip(f"{tracker.name} cannot simulate a lost response")
    marker = "secgate-lost-" + datetime.now(UTC).strftime("%H%M%S%f")
    with tracker.fault("lost_response"), pytest.raises(ConnectorError):
        tracker.connector.post_comment(tracker.comment_key, f"record {marker}")
    found = tracker.connector.find_comments(tracker.comment_key, marker)
    assert len(found) == 1
    assert tracker.connector.read_comment(found[0].ref).body == f"record {marker}"
