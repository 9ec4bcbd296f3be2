"""Syncing issues from the fake GitLab through python-gitlab: scope, paging, increments."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import NotFoundError, ReleaseNotFoundError, SourceScope
from connectors.gitlab import GitLabConnector
from secgate_tui.domain.model import Disposition, Issue
from tests.contract.harness_gitlab import TOKEN, GitLabHarness, connector_settings, shared_server


@pytest.fixture
def gl() -> Iterator[GitLabHarness]:
    harness = GitLabHarness(shared_server())
    harness.fake.reset_counters()
    yield harness
    harness.fake.clear_faults()
    harness.fake.count_limit = 10_000
    harness.connector.close()


#: Seeded issues were last touched long ago, as in a real milestone.
LONG_AGO = "2026-01-15T10:00:00.000Z"


def seed(gl: GitLabHarness, count: int, release: str = "1.0") -> None:
    store = gl.fake.store
    for n in range(count):
        store.add_issue(
            gl.project_id,
            f"finding {n}",
            author_id=gl.user,
            labels=["security"],
            milestone=f"v{release}",
            when=LONG_AGO,
        )


def keys(issues: list[Issue]) -> set[str]:
    return {issue.key for issue in issues}


def test_cold_sync_reads_every_page_concurrently(gl: GitLabHarness) -> None:
    seed(gl, 450)
    gl.fake.reset_counters()
    issues = gl.connector.issues(gl.scope, gl.release)
    assert len(issues) == 454  # 4 seeded by the harness in v1.0
    assert len(keys(issues)) == 454
    # 5 pages of 100, then one look at what changed meanwhile; no page read twice.
    assert gl.fake.requests["GET /projects/:id/issues"] == 6
    assert gl.fake.request_count == 6
    encoded = gl.project.replace("/", "%2F")
    assert all(f"/projects/{encoded}/issues?" in path for _, path in gl.fake.log)
    pages = sorted(path for _, path in gl.fake.log if "milestone=v1.0" in path)
    assert [p.rsplit("page=", 1)[1] for p in pages] == ["1", "2", "3", "4", "5"]


def test_without_totals_the_sync_stops_at_the_first_short_page(gl: GitLabHarness) -> None:
    gl.fake.count_limit = 250  # as GitLab above 10,000: no X-Total, no rel="last"
    seed(gl, 396)  # 400 in v1.0: the 5th page is empty, not short
    gl.fake.reset_counters()
    issues = gl.connector.issues(gl.scope, gl.release)
    assert len(keys(issues)) == 400
    pages = sum(1 for _, path in gl.fake.log if "milestone=v1.0" in path)
    # Page 4 is full and says it is the last; the 4 workers may each overrun by one.
    assert 4 <= pages <= 5 + 3


def test_plain_python_gitlab_sees_gitlab_headers(gl: GitLabHarness) -> None:
    """The fake pages the way python-gitlab expects: Link next, X-Total up to the limit."""
    import gitlab

    seed(gl, 46)
    client = gitlab.Gitlab(gl.fake.url, private_token=TOKEN)
    project = client.projects.get(gl.project)
    listing = project.issues.list(iterator=True, milestone="v1.0", per_page=20)
    assert (listing.total, listing.total_pages, listing.next_page) == (50, 3, 2)
    assert len(project.issues.list(milestone="v1.0", get_all=True)) == 50
    gl.fake.count_limit = 10
    listing = project.issues.list(iterator=True, milestone="v1.0", per_page=20)
    assert (listing.total, listing.total_pages, listing.next_page) == (None, None, 2)
    assert len(list(listing)) == 50


def test_incremental_sync_with_nothing_changed_costs_at_most_two_requests(
    gl: GitLabHarness,
) -> None:
    gl.connector.issues(gl.scope, gl.release)
    settings = connector_settings(gl.fake.url, sync_overlap_seconds=0)
    quiet = GitLabConnector("gitlab", settings, TOKEN)
    gl.fake.reset_counters()
    later = datetime.now(UTC) + timedelta(seconds=5)
    assert quiet.issues(gl.scope, gl.release, since=later) == []
    assert gl.fake.request_count <= 2
    quiet.close()


def test_incremental_sync_picks_up_a_change_within_the_overlap(gl: GitLabHarness) -> None:
    first = gl.connector.issues(gl.scope, gl.release)
    cursor = max(issue.updated for issue in first)
    key = sorted(keys(first))[0]
    gl.rename(key, "Renamed after the cursor")
    gl.fake.reset_counters()
    changed = gl.connector.issues(gl.scope, gl.release, since=cursor)
    assert "Renamed after the cursor" in {issue.title for issue in changed if issue.key == key}
    assert gl.fake.request_count == 1
    assert "updated_after=" in gl.fake.log[-1][1]


def test_full_sync_notices_an_issue_that_left_the_milestone(gl: GitLabHarness) -> None:
    before = keys(gl.connector.issues(gl.scope, gl.release))
    moved = sorted(before)[0]
    gl.move_out(moved)
    after = keys(gl.connector.issues(gl.scope, gl.release))
    assert after == before - {moved}
    assert moved in keys(gl.connector.issues(gl.scope, gl.other_release))


def test_label_filter_requires_every_label(gl: GitLabHarness) -> None:
    scope = gl.scope.model_copy(update={"filter": "security, sec-test-finding"})
    found = gl.connector.issues(scope, gl.release)
    assert {issue.title for issue in found} == {"Session token in log"}


def test_an_unknown_release_is_an_error_not_an_empty_pass(gl: GitLabHarness) -> None:
    with pytest.raises(ReleaseNotFoundError, match=r"no milestone titled 'v9\.9'"):
        gl.connector.issues(gl.scope, "9.9")
    with pytest.raises(ReleaseNotFoundError):
        gl.connector.issues(gl.scope, "9.9", since=datetime.now(UTC))
    assert gl.connector.issues(gl.scope, gl.empty_release) == []


def test_unknown_project_names_the_project(gl: GitLabHarness) -> None:
    scope = SourceScope(tracker="gitlab", project="medical/no-such-project")
    with pytest.raises(NotFoundError, match="medical/no-such-project") as caught:
        gl.connector.issues(scope, "1.0")
    assert not isinstance(caught.value, ReleaseNotFoundError)
    with pytest.raises(NotFoundError, match="milestones of project 'medical/no-such-project'"):
        gl.connector.releases(scope)


def test_project_by_numeric_id(gl: GitLabHarness) -> None:
    scope = gl.scope.model_copy(update={"project": str(gl.project_id)})
    assert keys(gl.connector.issues(scope, gl.release)) == keys(
        gl.connector.issues(gl.scope, gl.release)
    )


def test_group_scope_reads_issues_of_every_project_in_a_group_milestone(
    gl: GitLabHarness,
) -> None:
    store = gl.fake.store
    group_path = f"{gl.project}-grp"
    group = store.add_group(group_path)
    store.add_milestone("R7", group_id=group["id"])
    for name in ("ui", "fw"):
        project = store.add_project(f"{group_path}/{name}")
        store.add_issue(project["id"], f"{name} finding", author_id=gl.user, milestone="R7")
    scope = SourceScope(
        tracker="gitlab", project=group_path, release="R{release}", options={"group": True}
    )
    found = gl.connector.issues(scope, "7")
    assert keys(found) == {f"{group_path}/ui#1", f"{group_path}/fw#1"}
    assert [r.name for r in gl.connector.releases(scope)] == ["R7"]
    with pytest.raises(ReleaseNotFoundError):
        gl.connector.issues(scope, "8")


def test_releases_follow_the_template_and_released_state(gl: GitLabHarness) -> None:
    store = gl.fake.store
    store.add_milestone("v0.9", project_id=gl.project_id, state="closed")
    store.add_milestone("v0.8", project_id=gl.project_id, due_date="2020-01-31")
    store.add_milestone("backlog", project_id=gl.project_id)
    store.add_release(gl.project_id, "v1.1", ["v1.1"])
    found = {r.name: r for r in gl.connector.releases(gl.scope)}
    # The tracker's own titles: secgate matches them to the source's template.
    assert set(found) == {"v0.8", "v0.9", "v1.0", "v1.1", "v2.0", "backlog"}
    assert found["v0.9"].released and found["v0.8"].released and found["v1.1"].released
    assert not found["v1.0"].released and not found["v2.0"].released
    assert str(found["v0.8"].release_date) == "2020-01-31"


def test_justification_is_fetched_only_for_residual_issues(gl: GitLabHarness) -> None:
    store = gl.fake.store
    accepted = store.add_issue(
        gl.project_id,
        "Weak cipher on service port",
        author_id=gl.user,
        labels=["security", "resolution::risk-accepted"],
        milestone="v1.0",
        closed=True,
    )
    store.add_note(
        accepted, "Risk acceptance: port is on the isolated service LAN.", author_id=gl.user
    )
    store.add_note(accepted, "A later unrelated remark", author_id=gl.user)
    store.add_issue(
        gl.project_id,
        "Deferred hardening",
        author_id=gl.user,
        labels=["resolution::deferred"],
        milestone="v1.0",
        closed=True,
    )
    gl.fake.reset_counters()
    found = {issue.title: issue for issue in gl.connector.issues(gl.scope, gl.release)}
    weak = found["Weak cipher on service port"]
    assert weak.disposition == Disposition.RISK_ACCEPTED
    assert weak.justification == "Risk acceptance: port is on the isolated service LAN."
    assert found["Deferred hardening"].justification is None
    # One notes request per residual issue; none for the others.
    assert gl.fake.requests["GET /projects/:id/issues/:iid/notes"] == 2


def test_one_issue_by_key(gl: GitLabHarness) -> None:
    issue = gl.connector.issue(gl.comment_key)
    assert issue.key == gl.comment_key
    assert issue.title == "Release record"
    with pytest.raises(NotFoundError):
        gl.connector.issue(f"{gl.project}#999")
    with pytest.raises(NotFoundError, match="group/project#123"):
        gl.connector.issue("not a key")


def test_digest_is_over_the_issue_json_exactly_as_gitlab_sent_it(gl: GitLabHarness) -> None:
    store = gl.fake.store
    for issue in gl.connector.issues(gl.scope, gl.release):
        raw = store.by_iid[(gl.project_id, int(issue.key.split("#")[1]))]
        assert issue.raw_digest == hashlib.sha256(store.encoded(raw)).hexdigest()


def test_an_issue_leaving_during_a_full_sync_cannot_hide_another(gl: GitLabHarness) -> None:
    """Offset pages shift when an issue leaves mid-read; the sync notices and reads again."""
    seed(gl, 296)  # 300 in v1.0: 3 pages
    truth = keys(gl.connector.issues(gl.scope, gl.release))
    first = f"{gl.project}#6"  # the first seeded, oldest: on page 1
    moved: list[str] = []

    def leave_once(method: str, path: str) -> None:
        if "milestone=v1.0" in path and "page=2&" in path + "&" and not moved:
            moved.append(first)
            gl.move_out(first)  # page 1 was read with it; pages 2-3 shift by one

    gl.fake.reset_counters()
    gl.fake.on_request = leave_once
    try:
        found = keys(gl.connector.issues(gl.scope, gl.release))
    finally:
        gl.fake.on_request = None
    assert moved == [first]
    assert found == truth - {first}
    page_one_reads = sum(
        1 for _, p in gl.fake.log if "milestone=v1.0" in p and "page=1&" in p + "&"
    )
    assert page_one_reads == 2  # read again after the check saw the issue leave
