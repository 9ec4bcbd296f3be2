"""Residual items completed by idle page workers during a full GitLab read (issue 18).

Their notes and label events are read while the collecting thread still maps
pages. What the sync returns must be exactly what completing them afterwards
gives: an issue that changed after it was completed early is completed again,
and an early failure is not final.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from connectors.gitlab import GitLabConnector, residual
from secgate_tui.domain.model import Disposition, Issue
from tests.contract.harness_gitlab import TOKEN, GitLabHarness, connector_settings
from tests.fakes.gitlab_server import FakeGitLab

PREFIX = "Risk acceptance:"


@pytest.fixture
def gl() -> Iterator[GitLabHarness]:
    fake = FakeGitLab().start()
    harness = GitLabHarness(fake)
    yield harness
    harness.connector.close()
    fake.stop()


def _residual(gl: GitLabHarness, officer: int, n: int) -> str:
    store = gl.fake.store
    key = gl.add_issue(f"Accepted finding {n}", release=gl.release, closed=True)
    raw = gl._issue(key)
    store.update_issue(raw, author_id=officer, labels=[*raw["labels"], "resolution::wont-fix"])
    store.add_note(raw, f"{PREFIX} mitigated by design, finding {n}", author_id=officer)
    return key


def _many(gl: GitLabHarness, residual_at: set[int]) -> list[str]:
    """250 issues in the release (three pages), residual items where asked."""
    officer = gl.fake.store.add_user("rita.resolver", "glpat-resolver-0123456789")["id"]
    keys = []
    for n in range(250):
        if n in residual_at:
            keys.append(_residual(gl, officer, n))
        else:
            gl.add_issue(f"Finding {n}", release=gl.release, closed=n % 2 == 0)
    return keys


def _notes_reads(gl: GitLabHarness, key: str) -> int:
    iid = key.rsplit("#", 1)[1]
    return sum(1 for _, path in gl.fake.log if _route(path).endswith(f"/issues/{iid}/notes"))


def _route(path: str) -> str:
    return path.partition("?")[0]


def test_residual_items_on_every_page_are_completed_once(gl: GitLabHarness) -> None:
    keys = _many(gl, {5, 120, 230})
    gl.fake.reset_counters()
    issues = {i.key: i for i in gl.connector.issues(gl.scope, gl.release)}
    assert len(issues) == 254
    for key in keys:
        issue = issues[key]
        assert issue.disposition is Disposition.WONT_FIX
        assert (issue.justification or "").startswith(f"{PREFIX} mitigated by design")
        assert issue.resolved_by == "rita.resolver" and issue.resolved_on is not None
        assert _notes_reads(gl, key) == 1  # completed early, not read again
    # Early: during the read of the pages, before the query for what changed meanwhile.
    paths = [path for _, path in gl.fake.log]
    changed = next(n for n, path in enumerate(paths) if "updated_after=" in path)
    assert all(n < changed for n, path in enumerate(paths) if _route(path).endswith("/notes")), (
        paths
    )


def test_an_issue_changed_after_its_early_completion_is_completed_again(
    gl: GitLabHarness,
) -> None:
    (key,) = _many(gl, {30})
    raw = gl._issue(key)
    iid = key.rsplit("#", 1)[1]
    edited: list[str] = []

    def edit_once(method: str, path: str) -> None:
        # Its notes were read early; before its label events are answered, a newer
        # justification is written (which bumps the issue's updated_at).
        if _route(path).endswith(f"/issues/{iid}/resource_label_events") and not edited:
            edited.append(path)
            gl.fake.store.add_note(raw, f"{PREFIX} replaced by the watchdog", author_id=gl.user)

    gl.fake.reset_counters()
    gl.fake.on_request = edit_once
    try:
        issues = {i.key: i for i in gl.connector.issues(gl.scope, gl.release)}
    finally:
        gl.fake.on_request = None
    assert edited
    assert _notes_reads(gl, key) == 2  # early, then again for the version kept
    assert issues[key].justification == f"{PREFIX} replaced by the watchdog"


@contextmanager
def _offered(gl: GitLabHarness, n: int) -> Iterator[tuple[GitLabConnector, Issue, residual.Early]]:
    """A residual item, mapped but not completed, offered for early completion."""
    officer = gl.fake.store.add_user(f"rita.resolver{n}", f"glpat-resolver-{n:016d}")["id"]
    key = _residual(gl, officer, n)
    connector = GitLabConnector("gitlab", connector_settings(gl.fake.url), TOKEN)
    try:
        issue = connector._convert(gl._issue(key), "0" * 64)
        early = residual.Early(connector.client, connector.settings)
        early.offer([issue])
        yield connector, issue, early
    finally:
        connector.close()


def test_an_early_failure_is_not_final(gl: GitLabHarness) -> None:
    with _offered(gl, 1) as (connector, issue, early):
        early.close(1)
        with gl.fake.fault("error"):
            early.work()  # every request fails; nothing is kept from it
        assert early.completed() == {}
        (done,) = residual.complete(connector.client, connector.settings, [issue], early)
    assert done.justification == f"{PREFIX} mitigated by design, finding 1"
    assert done.resolved_by == "rita.resolver1"


def test_a_cancelled_early_completion_drops_what_is_queued(gl: GitLabHarness) -> None:
    with _offered(gl, 2) as (_, _, early):
        early.cancel(1)  # the read failed
        gl.fake.reset_counters()
        early.work()  # ends at once
    assert early.completed() == {}
    assert gl.fake.request_count == 0
