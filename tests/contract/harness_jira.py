"""Jira harnesses for the shared contract suite: the fake Jira in Cloud and in Data Center mode.

Each test gets a fresh, seeded fake server on loopback (starting one takes
milliseconds), and a connector built by the real ``jira`` library talking to
it over HTTP.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import pytest

from connectors.base import CommentRef, Connector, SourceScope
from connectors.jira import JiraConnector
from tests.fakes.jira_seed import (
    EMPTY_RELEASE,
    OTHER_RELEASE,
    PROJECT,
    RELEASE,
    connector_for,
    seed,
)
from tests.fakes.jira_server import FakeJira

#: contract fault name -> the fake's switch and its options
_FAULTS: dict[str, tuple[str, dict[str, object]]] = {
    "unavailable": ("unavailable", {}),
    "html": ("html", {}),
    # Longer than the harness's retry budget: the connector gives up at once.
    "rate_limited": ("rate_limited", {"retry_after": "30"}),
    "lost_response": ("lost_response", {}),
}


@dataclass
class JiraHarness:
    name: str
    fake: FakeJira
    connector: JiraConnector
    scope: SourceScope = field(default_factory=lambda: SourceScope(tracker="jira", project=PROJECT))
    release: str = RELEASE
    other_release: str = OTHER_RELEASE
    empty_release: str = EMPTY_RELEASE
    comment_key: str = ""
    project: str = PROJECT
    faults: frozenset[str] = frozenset(_FAULTS)
    reveals_edits: bool = True

    def add_issue(
        self,
        title: str,
        *,
        release: str,
        labels: Sequence[str] = ("security", "sec-defect"),
        closed: bool = False,
    ) -> str:
        issue = self.fake.state.add_issue(
            PROJECT,
            title,
            fix_versions=[release],
            labels=list(labels),
            status="Done" if closed else "To Do",
            resolution="Fixed" if closed else None,
        )
        return issue.key

    def rename(self, key: str, title: str) -> None:
        self.fake.state.update(key, summary=title)

    def move_out(self, key: str) -> None:
        self.fake.state.update(key, fix_versions=[self.other_release])

    def bad_auth_connector(self) -> Connector:
        return connector_for(self.fake, token="wrong-token-for-the-test")

    def fault(self, kind: str) -> AbstractContextManager[None]:
        switch, options = _FAULTS[kind]
        return self.fake.fault(switch, **options)

    def edit_comment_as_other(self, ref: CommentRef, body: str) -> str | None:
        state = self.fake.state
        state.edit_comment(ref.key, int(ref.id), body, by=state.other)
        # Cloud names accounts by accountId, Data Center by key/name.
        return state.other.account_id if self.fake.cloud else state.other.name

    def attach_file(self, key: str, filename: str, content: bytes) -> None:
        self.fake.state.add_attachment(key, filename, content)

    @contextlib.contextmanager
    def comments_locked(self) -> Iterator[None]:
        self.fake.state.comments_locked = True
        try:
            yield
        finally:
            self.fake.state.comments_locked = False


@contextlib.contextmanager
def _running(name: str, flavor: str) -> Iterator[JiraHarness]:
    with FakeJira(flavor) as fake:
        keys = seed(fake)
        connector = connector_for(fake)
        try:
            yield JiraHarness(name, fake, connector, comment_key=keys["record"])
        finally:
            connector.close()


@pytest.fixture
def jira_cloud_harness() -> Iterator[JiraHarness]:
    with _running("jira-cloud", "cloud") as harness:
        yield harness


@pytest.fixture
def jira_dc_harness() -> Iterator[JiraHarness]:
    with _running("jira-dc", "datacenter") as harness:
        yield harness
