"""The GitLab harness: the real connector (python-gitlab) against the fake GitLab.

One server per test session; each harness gets a project of its own, so tests
do not see each other's issues or notes.
"""

from __future__ import annotations

import atexit
import itertools
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager

import pytest

from connectors.base import CommentRef, Connector, SourceScope
from connectors.gitlab import GitLabConnector, GitLabSettings
from tests.fakes.gitlab_server import FakeGitLab

TOKEN = "glpat-harness-0123456789"
_projects = itertools.count(1)


def connector_settings(url: str, **overrides: object) -> GitLabSettings:
    """Quick retries, so fault tests take milliseconds, not the production backoff."""
    values: dict[str, object] = {
        "kind": "gitlab",
        "url": url,
        "token_env": "SECGATE_GITLAB_TOKEN",
        "retries": 2,
        "retry_backoff_seconds": 0.01,
        "max_retry_wait_seconds": 5,
        "timeout_seconds": 2,
        "concurrency": 4,
    }
    values.update(overrides)
    return GitLabSettings.model_validate(values)


class GitLabHarness:
    name = "gitlab"
    release = "1.0"
    other_release = "1.1"
    empty_release = "2.0"
    faults = frozenset({"unavailable", "html", "rate_limited", "lost_response"})
    reveals_edits = True

    def __init__(self, fake: FakeGitLab, *, group: bool = False) -> None:
        """A project of its own with project milestones; or, with ``group``, a source
        that is a whole group whose milestones are group milestones."""
        self.fake = fake
        store = fake.store
        existing = store.tokens.get(TOKEN)
        self.user = existing if existing is not None else store.add_user("release.bot", TOKEN)["id"]
        number = next(_projects)
        if group:
            self.name = "gitlab-group"
            group_path = f"units-{number}"
            group_id = store.add_group(group_path)["id"]
            self.project = f"{group_path}/pump"
            self.project_id = store.add_project(self.project)["id"]
            for title in ("v1.0", "v1.1", "v2.0"):
                store.add_milestone(title, group_id=group_id)
            self.scope = SourceScope(
                tracker="gitlab", project=group_path, release="v{release}", options={"group": True}
            )
        else:
            self.project = f"medical/pump-{number}"
            self.project_id = store.add_project(self.project)["id"]
            for title in ("v1.0", "v1.1", "v2.0"):
                store.add_milestone(title, project_id=self.project_id)
            self.scope = SourceScope(tracker="gitlab", project=self.project, release="v{release}")
        self.connector: Connector = GitLabConnector("gitlab", connector_settings(fake.url), TOKEN)
        self.add_issue("Buffer overflow in dose parser", release=self.release)
        self.add_issue("TLS certificate not pinned", release=self.release, closed=True)
        self.add_issue(
            "Session token in log", release=self.release, labels=("security", "sec-test-finding")
        )
        self.add_issue("Audit log rotation", release=self.other_release)
        self.comment_key = self.add_issue("Release record", release=self.release, labels=())

    def add_issue(
        self,
        title: str,
        *,
        release: str,
        labels: Sequence[str] = ("security", "sec-defect"),
        closed: bool = False,
    ) -> str:
        issue = self.fake.store.add_issue(
            self.project_id,
            title,
            author_id=self.user,
            labels=list(labels),
            milestone=f"v{release}",
            closed=closed,
        )
        return str(issue["references"]["full"])

    def _issue(self, key: str) -> dict[str, object]:
        iid = int(key.rsplit("#", 1)[1])
        return self.fake.store.by_iid[(self.project_id, iid)]

    def rename(self, key: str, title: str) -> None:
        self.fake.store.update_issue(self._issue(key), title=title, author_id=self.user)

    def move_out(self, key: str) -> None:
        self.fake.store.update_issue(
            self._issue(key), milestone=f"v{self.other_release}", author_id=self.user
        )

    def bad_auth_connector(self) -> Connector:
        return GitLabConnector("gitlab", connector_settings(self.fake.url), "glpat-wrong-token")

    def fault(self, kind: str) -> AbstractContextManager[None]:
        if kind not in self.faults:
            raise ValueError(f"the GitLab harness cannot simulate {kind!r}")
        return self._fault(kind)

    def edit_comment_as_other(self, ref: CommentRef, body: str) -> str | None:
        store = self.fake.store
        issue = self._issue(ref.key)
        note = store.note(issue, ref.id)
        assert note is not None
        store.edit_note(issue, note, body)
        return None  # GitLab's REST notes do not say who edited them

    def attach_file(self, key: str, filename: str, content: bytes) -> None:
        store = self.fake.store
        link = store.add_upload(self.project_id, filename, content)
        store.add_note(self._issue(key), f"Attached {link}", author_id=self.user)

    @contextmanager
    def comments_locked(self) -> Iterator[None]:
        self.fake.store.notes_locked = True
        try:
            yield
        finally:
            self.fake.store.notes_locked = False

    @contextmanager
    def _fault(self, kind: str) -> Iterator[None]:
        # 30 s Retry-After is beyond the connector's 5 s patience: it gives up at once.
        before, self.fake.retry_after = self.fake.retry_after, 30
        try:
            with self.fake.fault(kind):
                yield
        finally:
            self.fake.retry_after = before


_server: list[FakeGitLab] = []


def shared_server() -> FakeGitLab:
    """One fake per test session. Not a fixture: conftest only collects ``*_harness``."""
    if not _server:
        _server.append(FakeGitLab().start())
        atexit.register(_server[0].stop)
    return _server[0]


def _harness_for(group: bool) -> Iterator[GitLabHarness]:
    fake = shared_server()
    harness = GitLabHarness(fake, group=group)
    yield harness
    fake.clear_faults()
    harness.connector.close()


@pytest.fixture
def gitlab_harness() -> Iterator[GitLabHarness]:
    """A project source (project milestones)."""
    yield from _harness_for(group=False)


@pytest.fixture
def gitlab_group_harness() -> Iterator[GitLabHarness]:
    """A group source (group milestones, issues of every project in the group)."""
    yield from _harness_for(group=True)
