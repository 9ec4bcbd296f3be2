"""Reading releases and issues from the real Redmine (seed: tests/redmine/seed.rb)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import AuthError, NotSupportedError, ReleaseNotFoundError, SourceScope
from connectors.redmine import RedmineConnector
from secgate_tui.domain.model import Disposition
from tests.redmine.fixtures import RedmineHarness, connector_settings, redmine_harness

__all__ = ["redmine_harness"]
pytestmark = pytest.mark.redmine


def test_releases_and_their_released_flags(redmine_harness: RedmineHarness) -> None:
    releases = {r.name: r for r in redmine_harness.connector.releases(redmine_harness.scope)}
    assert {name: r.released for name, r in releases.items()} == {
        "1.0": True,  # closed
        "1.5": True,  # locked
        "1.9": True,  # due date passed
        "2.0": False,
        "2.1": False,
        "3.0": False,
    }
    assert releases["2.0"].release_date is not None


def test_full_sync_reads_every_status_of_the_version(redmine_harness: RedmineHarness) -> None:
    issues = {i.key: i for i in redmine_harness.connector.issues(redmine_harness.scope, "2.0")}
    assert sorted(issues, key=lambda k: int(k[1:])) == ["#1", "#2", "#3", "#4", "#5"]
    assert not issues["#1"].closed
    assert issues["#2"].closed and issues["#2"].disposition is Disposition.FIXED
    assert issues["#3"].disposition is Disposition.RISK_ACCEPTED
    assert issues["#3"].justification == "Rate limiting makes it impractical."
    assert issues["#3"].affects_versions == ("1.0",)  # version-format field, id -> name
    assert issues["#4"].disposition is Disposition.DEFERRED
    # No justification field on #4: the prefixed note holds it.
    assert issues["#4"].justification == "fixed in 2.1, the parser is not reachable."
    assert issues["#5"].disposition is Disposition.WONT_FIX  # stock "Rejected"
    assert issues["#2"].components == ("Crypto",)
    assert issues["#2"].type == "Feature"


def test_more_than_one_page(redmine_harness: RedmineHarness) -> None:
    keys = {redmine_harness.add_issue(f"Bulk {n}", release="3.0") for n in range(7)}
    settings = connector_settings(redmine_harness.proxy.url, page_size=3)
    connector = RedmineConnector("redmine", settings, redmine_harness.server.alice_key)
    before = redmine_harness.proxy.requests
    found = {i.key for i in connector.issues(redmine_harness.scope, "3.0")}
    assert found == keys | {"#7"}
    # whoami + versions + 3 pages of 3: no page twice, none missed.
    assert redmine_harness.proxy.requests - before == 5


def test_an_issue_leaving_between_two_pages_does_not_hide_another(
    redmine_harness: RedmineHarness,
) -> None:
    settings = connector_settings(redmine_harness.proxy.url, page_size=2, concurrency=1)
    connector = RedmineConnector("redmine", settings, redmine_harness.server.alice_key)
    connector.whoami()
    pages: list[str] = []

    def delete_first_issue_after_page_one(method: str, path: str) -> None:
        if path.startswith("/issues.json"):
            pages.append(path)
            if len(pages) == 1:  # offsets shift: #3 would fall between pages
                redmine_harness.server.sql("DELETE FROM issues WHERE id = 1")

    redmine_harness.proxy.after = delete_first_issue_after_page_one
    keys = {i.key for i in connector.issues(redmine_harness.scope, "2.0")}
    assert keys == {"#2", "#3", "#4", "#5"}
    assert len(pages) == 3 + 2  # three pages of five, then the list again: two of four


def test_unknown_version_is_an_error(redmine_harness: RedmineHarness) -> None:
    with pytest.raises(ReleaseNotFoundError, match=r"no version named '9\.9'"):
        redmine_harness.connector.issues(redmine_harness.scope, "9.9")


def test_version_with_no_issues(redmine_harness: RedmineHarness) -> None:
    assert redmine_harness.connector.issues(redmine_harness.scope, "2.1") == []


def test_release_template(redmine_harness: RedmineHarness) -> None:
    scope = SourceScope(tracker="redmine", project="secgate-a", release="{release}.0")
    assert len(redmine_harness.connector.issues(scope, "2")) == 5


def test_private_project_without_access(redmine_harness: RedmineHarness) -> None:
    scope = SourceScope(tracker="redmine", project="secgate-b")
    with pytest.raises(AuthError, match="403") as caught:
        redmine_harness.connector.issues(scope, "2.0")
    assert "secgate-b" in str(caught.value)
    with pytest.raises(AuthError):
        redmine_harness.connector.releases(scope)


def test_incremental_with_nothing_changed_is_one_request(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    connector.issues(redmine_harness.scope, "2.0")
    proxy = redmine_harness.proxy
    before = proxy.requests
    assert connector.issues(redmine_harness.scope, "2.0", since=datetime.now(UTC)) == []
    assert proxy.requests - before == 1


def test_incremental_includes_the_boundary_second(redmine_harness: RedmineHarness) -> None:
    settings = connector_settings(redmine_harness.proxy.url, overlap_seconds=0)
    exact = RedmineConnector("redmine", settings, redmine_harness.server.alice_key)
    redmine_harness.rename("#1", "SQL injection in login (renamed)")
    updated = exact.issue("#1").updated
    changed = exact.issues(redmine_harness.scope, "2.0", since=updated)
    assert [(i.key, i.title) for i in changed] == [("#1", "SQL injection in login (renamed)")]
    # Redmine compares "> since - 1 s" against stored times with sub-second
    # digits, so the second after may still match; two seconds after may not.
    assert exact.issues(redmine_harness.scope, "2.0", since=updated + timedelta(seconds=2)) == []


def test_an_issue_leaving_the_version(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    cursor = datetime.now(UTC) - timedelta(seconds=5)
    redmine_harness.move_out("#2")
    # Incremental leaves it out (it is not an issue of the release any more);
    # the full sync, whose result replaces the release's set, no longer has it.
    assert connector.issues(redmine_harness.scope, "2.0", cursor) == []
    assert "#2" not in {i.key for i in connector.issues(redmine_harness.scope, "2.0")}
    assert "#2" in {i.key for i in connector.issues(redmine_harness.scope, "3.0", cursor)}


def test_tracker_and_custom_field_filters(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    bugs = SourceScope(tracker="redmine", project="secgate-a", options={"trackers": [1]})
    assert {i.key for i in connector.issues(bugs, "2.0")} == {"#1", "#3", "#4"}
    labelled = SourceScope(
        tracker="redmine",
        project="secgate-a",
        options={"custom_fields": {"1": ["sec-test-finding", "sec-implementation"]}},
    )
    assert {i.key for i in connector.issues(labelled, "2.0")} == {"#2", "#4"}
    native = SourceScope(tracker="redmine", project="secgate-a", filter="category_id=1")
    assert {i.key for i in connector.issues(native, "2.0")} == {"#2"}


def test_filters_secgate_owns_are_refused(redmine_harness: RedmineHarness) -> None:
    for scope in (
        SourceScope(tracker="redmine", project="secgate-a", filter="status_id=open"),
        SourceScope(tracker="redmine", project="secgate-a", options={"labels": ["x"]}),
    ):
        with pytest.raises(NotSupportedError):
            redmine_harness.connector.issues(scope, "2.0")


def test_one_issue_by_key(redmine_harness: RedmineHarness) -> None:
    issue = redmine_harness.connector.issue("#4")
    assert issue.title == "Fuzzing finding deferred"
    assert issue.justification == "fixed in 2.1, the parser is not reachable."
