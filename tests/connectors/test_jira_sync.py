"""Syncing a release from the fake Jira, Cloud and Data Center, through the real library."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from connectors.base import BadResponseError, NotFoundError, ReleaseNotFoundError, SourceScope
from connectors.jira import JiraConnector
from connectors.jira.jql import since_text
from secgate_tui.domain.model import Disposition
from tests.fakes import jira_schema
from tests.fakes.jira_seed import PROJECT, RELEASE, connector_for, seed
from tests.fakes.jira_server import FakeJira

SCOPE = SourceScope(tracker="jira", project=PROJECT)


@pytest.fixture(params=["cloud", "datacenter"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param) as server:
        server.record = server.cloud  # every Cloud answer is checked against the spec
        yield server
    assert jira_schema.recorded_problems(server.recorded) == []


@pytest.fixture
def keys(fake: FakeJira) -> dict[str, str]:
    return seed(fake)


@pytest.fixture
def jira(fake: FakeJira, keys: dict[str, str]) -> Iterator[JiraConnector]:
    connector = connector_for(fake)
    yield connector
    connector.close()


def test_flavor_is_detected_from_server_info(fake: FakeJira, jira: JiraConnector) -> None:
    assert jira.flavor == fake.flavor


def test_forced_flavor_skips_server_info(fake: FakeJira, keys: dict[str, str]) -> None:
    connector = connector_for(fake, flavor=fake.flavor)
    connector.releases(SCOPE)
    assert fake.counts["GET /rest/api/2/serverInfo"] == 0


def test_forcing_the_wrong_flavor_is_explained(fake: FakeJira, keys: dict[str, str]) -> None:
    wrong = "datacenter" if fake.cloud else "cloud"
    connector = connector_for(fake, flavor=wrong)
    with pytest.raises((BadResponseError, NotFoundError)) as caught:
        connector.issues(SCOPE, RELEASE)
    if fake.cloud:  # Data Center's /search on Cloud answers 410
        assert "410" in caught.value.message and "flavor" in caught.value.message


def test_releases_with_released_flag_and_date(jira: JiraConnector) -> None:
    releases = {r.name: r for r in jira.releases(SCOPE)}
    assert set(releases) == {"1.0", "2.0", "3.0"}
    assert releases["1.0"].released is True
    assert releases["1.0"].release_date == date(2026, 1, 15)
    assert releases["2.0"].released is False


def test_releases_of_a_missing_project(jira: JiraConnector) -> None:
    with pytest.raises(NotFoundError) as caught:
        jira.releases(SourceScope(tracker="jira", project="NOPE"))
    assert "NOPE" in caught.value.message


def test_issues_of_the_release_only(jira: JiraConnector, keys: dict[str, str]) -> None:
    issues = {i.key: i for i in jira.issues(SCOPE, RELEASE)}
    assert set(issues) == {keys[k] for k in ("fixed", "open", "accepted", "untracked")}
    fixed = issues[keys["fixed"]]
    assert fixed.closed and fixed.disposition is Disposition.FIXED
    assert fixed.severity == "Critical" and fixed.components == ("firmware",)
    assert fixed.affects_versions == ("1.0",) and fixed.closed_at is not None
    assert issues[keys["open"]].closed is False


def test_justification_from_a_configured_field(fake: FakeJira, keys: dict[str, str]) -> None:
    connector = connector_for(fake, justification_field="customfield_10051")
    accepted = {i.key: i for i in connector.issues(SCOPE, RELEASE)}[keys["accepted"]]
    assert accepted.disposition is Disposition.RISK_ACCEPTED
    assert accepted.justification == "Console needs physical access; see RA-7."


def test_justification_from_a_prefixed_comment(
    fake: FakeJira, jira: JiraConnector, keys: dict[str, str]
) -> None:
    fake.state.add_comment(keys["accepted"], "Risk acceptance: approved by the PO on 2026-11-01")
    accepted = jira.issue(keys["accepted"])
    assert accepted.justification == "approved by the PO on 2026-11-01"


def test_filter_is_anded_in(fake: FakeJira, keys: dict[str, str]) -> None:
    connector = connector_for(fake)
    scope = SourceScope(tracker="jira", project=PROJECT, filter="labels = security")
    found = {i.key for i in connector.issues(scope, RELEASE)}
    assert keys["untracked"] not in found and keys["fixed"] in found


def test_release_template(fake: FakeJira, keys: dict[str, str]) -> None:
    fake.state.add_version(PROJECT, "IPC 4.1")
    issue = fake.state.add_issue(PROJECT, "templated", fix_versions=["IPC 4.1"])
    scope = SourceScope(tracker="jira", project=PROJECT, release="IPC {release}")
    assert [i.key for i in connector_for(fake).issues(scope, "4.1")] == [issue.key]


def test_unknown_release_is_an_error_not_an_empty_pass(jira: JiraConnector) -> None:
    with pytest.raises(ReleaseNotFoundError) as caught:
        jira.issues(SCOPE, "9.9")
    assert "9.9" in caught.value.message and PROJECT in caught.value.message


def test_version_of_another_project_is_not_this_release(
    fake: FakeJira, jira: JiraConnector
) -> None:
    fake.state.add_project("OTHER")
    fake.state.add_version("OTHER", "7.0")
    with pytest.raises(ReleaseNotFoundError):
        jira.issues(SCOPE, "7.0")


def test_release_deleted_before_an_incremental_sync(fake: FakeJira, jira: JiraConnector) -> None:
    with pytest.raises(ReleaseNotFoundError):
        jira.issues(SCOPE, "9.9", since=datetime.now(UTC))


def test_missing_project_on_an_incremental_sync(jira: JiraConnector) -> None:
    scope = SourceScope(tracker="jira", project="GONE")
    with pytest.raises(NotFoundError) as caught:
        jira.issues(scope, RELEASE, since=datetime.now(UTC))
    assert "GONE" in caught.value.message and "project" in caught.value.message


def test_bad_filter_reports_jira_s_message(fake: FakeJira, keys: dict[str, str]) -> None:
    scope = SourceScope(tracker="jira", project=PROJECT, filter="colour = red")
    with pytest.raises(BadResponseError) as caught:
        connector_for(fake).issues(scope, RELEASE)
    assert "Field 'colour' does not exist" in caught.value.message
    assert "filter" in caught.value.message


def test_empty_release_is_empty(jira: JiraConnector) -> None:
    assert jira.issues(SCOPE, "3.0") == []


def test_incremental_picks_up_a_change_and_full_sync_notices_a_move(
    fake: FakeJira, jira: JiraConnector, keys: dict[str, str]
) -> None:
    first = jira.issues(SCOPE, RELEASE)
    synced_at = datetime.now(UTC)
    fake.state.update(keys["open"], summary="TLS pinning (renamed)")
    changed = {i.key: i for i in jira.issues(SCOPE, RELEASE, since=synced_at)}
    assert changed[keys["open"]].title == "TLS pinning (renamed)"
    fake.state.update(keys["fixed"], fix_versions=["1.0"])
    full = {i.key for i in jira.issues(SCOPE, RELEASE)}
    assert keys["fixed"] not in full and len(full) == len(first) - 1


def test_nothing_changed_costs_at_most_two_requests(fake: FakeJira, keys: dict[str, str]) -> None:
    connector = connector_for(fake, timezone="UTC")
    connector.issues(SCOPE, RELEASE)
    synced_at = datetime.now(UTC) + timedelta(minutes=30)  # past the overlap: nothing new
    fresh = connector_for(fake, timezone="UTC")  # a new process: serverInfo again
    fake.reset_counts()
    assert fresh.issues(SCOPE, RELEASE, since=synced_at) == []
    assert fake.request_count <= 2, dict(fake.counts)


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Pacific/Kiritimati", "Pacific/Niue"])
def test_incremental_is_right_in_any_user_time_zone(zone: str) -> None:
    """JQL dates are read in the API user's zone; without knowing it, overlap covers all."""
    with FakeJira("cloud", user_zone=zone) as fake:
        seed(fake)
        connector = connector_for(fake)  # no timezone setting
        connector.issues(SCOPE, RELEASE)
        synced_at = datetime.now(UTC)
        touched = fake.state.add_issue(PROJECT, "late change", fix_versions=[RELEASE])
        assert touched.key in {i.key for i in connector.issues(SCOPE, RELEASE, since=synced_at)}
        known = connector_for(fake, timezone=zone)
        assert touched.key in {i.key for i in known.issues(SCOPE, RELEASE, since=synced_at)}


def test_since_text_moves_back_by_the_overlap() -> None:
    since = datetime(2026, 11, 22, 10, 30, 59, tzinfo=UTC)
    assert since_text(since, 10, "UTC") == "2026-11-22 10:20"
    assert since_text(since, 10, "Europe/Berlin") == "2026-11-22 11:20"
    assert since_text(since, 10, None) == "2026-11-21 20:20"


def test_many_pages_are_all_read() -> None:
    for flavor in ("cloud", "datacenter"):
        with FakeJira(flavor, dc_max_results=50) as fake:
            seed(fake, scale=730)
            connector = connector_for(fake, page_size=1000, concurrency=4)
            issues = connector.issues(SCOPE, RELEASE)
            assert len(issues) == 734
            assert len({i.key for i in issues}) == 734
            if flavor == "cloud":
                # 8 pages of issues, and one read of the residual item's changelog
                # (who set its resolution, and when).
                assert fake.counts["POST /rest/api/3/issue/bulkfetch"] == 9
            else:  # the server's cap (50), not the asked 1000, sets the stride
                assert fake.counts["GET /rest/api/2/search"] == 15


def test_one_issue_by_key(jira: JiraConnector, keys: dict[str, str]) -> None:
    issue = jira.issue(keys["fixed"])
    assert issue.key == keys["fixed"] and issue.closed
    with pytest.raises(NotFoundError):
        jira.issue("IPC-999")


def test_comments_are_read_only_for_residual_items_lacking_a_justification(
    fake: FakeJira, jira: JiraConnector, keys: dict[str, str]
) -> None:
    fake.state.add_comment(keys["accepted"], "Risk acceptance: approved by the PO")
    fake.state.add_comment(keys["accepted"], "unrelated note")
    fake.state.add_comment(keys["fixed"], "Risk acceptance: not needed, it is fixed")
    fake.reset_counts()
    issues = {i.key: i for i in jira.issues(SCOPE, RELEASE)}
    assert issues[keys["accepted"]].justification == "approved by the PO"
    assert issues[keys["fixed"]].justification is None
    comment_reads = {k: v for k, v in fake.counts.items() if k.endswith("/comment")}
    accepted_id = fake.state.issues[keys["accepted"]].key
    assert comment_reads == {f"GET /rest/api/2/issue/{accepted_id}/comment": 1}
    # One issue by key follows the same rule, so both give the same digest.
    assert jira.issue(keys["accepted"]) == issues[keys["accepted"]]
