"""Records as issue notes: posted once, read back byte for byte, found by marker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.base import CommentRef, NotFoundError
from connectors.gitlab import GitLabConnector
from tests.contract.harness_gitlab import GitLabHarness, shared_server


@pytest.fixture
def gl() -> Iterator[GitLabHarness]:
    harness = GitLabHarness(shared_server())
    harness.fake.reset_counters()
    yield harness
    harness.connector.close()


def test_capabilities() -> None:
    assert GitLabConnector.markup == "markdown"
    assert GitLabConnector.comment_limit == 1_000_000


@pytest.mark.parametrize(
    "body",
    [
        "plain record",
        "Ünïcødé ✓ — 医療機器 🔒\n\n| a | b |\n|---|---|\n| `x` | **y** |",
        '```json\n{"record_digest": "sha256:00"}\n```\n<script>alert(1)</script>\n',
        "x" * 10_240 + "\nsecgate-record big sha256:1",
        "  leading and trailing whitespace  \n\n",
    ],
)
def test_note_round_trip_is_byte_for_byte(gl: GitLabHarness, body: str) -> None:
    ref = gl.connector.post_comment(gl.comment_key, body)
    assert ref.key == gl.comment_key
    assert ref.url.endswith(f"/-/issues/{gl.comment_key.split('#')[1]}#note_{ref.id}")
    comment = gl.connector.read_comment(ref)
    assert comment.body == body
    assert comment.author == "release.bot"
    assert comment.created is not None and comment.created.utcoffset() is not None


def test_find_comments_by_marker_pages_through_every_note(gl: GitLabHarness) -> None:
    issue = gl.fake.store.by_iid[(gl.project_id, int(gl.comment_key.split("#")[1]))]
    for n in range(230):
        gl.fake.store.add_note(issue, f"chatter {n}", author_id=gl.user)
    first = gl.connector.post_comment(gl.comment_key, "secgate-record R sha256:1")
    gl.fake.store.add_note(
        issue, "secgate-record R mentioned by a system note", author_id=gl.user, system=True
    )
    second = gl.connector.post_comment(gl.comment_key, "again: secgate-record R sha256:2")
    found = gl.connector.find_comments(gl.comment_key, "secgate-record R")
    assert [c.ref.id for c in found] == [first.id, second.id]  # oldest first
    assert gl.connector.find_comments(gl.comment_key, "secgate-record Z") == []
    assert gl.fake.requests["GET /projects/:id/issues/:iid/notes"] >= 6  # 233 notes, 100 a page


def test_reading_a_missing_note_is_not_found(gl: GitLabHarness) -> None:
    with pytest.raises(NotFoundError, match="note 999999"):
        gl.connector.read_comment(CommentRef(key=gl.comment_key, id="999999"))
    with pytest.raises(NotFoundError):
        gl.connector.read_comment(CommentRef(key=gl.comment_key, id="../../user"))


def test_note_on_a_missing_issue_is_not_found(gl: GitLabHarness) -> None:
    with pytest.raises(NotFoundError):
        gl.connector.post_comment(f"{gl.project}#4242", "record")


def test_create_issue_then_find_it_by_title_marker(gl: GitLabHarness) -> None:
    ref = gl.connector.create_issue(
        gl.project, "Security release record secgate-release 1.0", "body **md**", ["secgate"]
    )
    assert ref.key.startswith(f"{gl.project}#")
    created = gl.connector.issue(ref.key)
    assert created.labels == ("secgate",)
    assert gl.connector.find_issues(gl.project, "secgate-release 1.0") == [ref]
    assert gl.connector.find_issues(gl.project, "secgate-release 1.0.1") == []


def test_whoami_comes_from_the_user_endpoint(gl: GitLabHarness) -> None:
    identity = gl.connector.whoami()
    assert (identity.name, identity.display_name) == ("release.bot", "Release Bot")
    assert gl.fake.requests == {"GET /user": 1}
