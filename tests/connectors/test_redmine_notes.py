"""Records as Redmine notes, against the real Redmine: byte-for-byte round trips."""

from __future__ import annotations

import pytest

from connectors.base import CommentRef, NotFoundError
from tests.redmine.fixtures import RedmineHarness, redmine_harness

__all__ = ["redmine_harness"]
pytestmark = pytest.mark.redmine

BODIES = {
    "unicode": "Freigabe ✅ 安全 — ünïcødé 🩺 \u200b zero-width",
    "crlf": "line one\r\nline two\r\n\r\n  indented\ttab  \r\n",
    "textile": 'h1. Title\n\n*bold* _it_ @code@ -del- +ins+ ^sup^ ~sub~\n<pre>\n{"a": 1}\n</pre>\n'
    '|table|cell|\n"link":http://x.example bc. block\n!image.png!',
    "markdown": '# Title\n\n**bold** _it_ `code`\n\n```json\n{"a": [1, 2]}\n```\n'
    "> quote\n- [ ] task\n<b>html</b> &amp; \\*escaped\\*",
    "10 KB": ("secgate-record r1 sha256:" + "0" * 64 + "\n") + "x😀é\r\n" * 2000,
}


@pytest.mark.parametrize("name", list(BODIES))
def test_note_round_trips_byte_for_byte(redmine_harness: RedmineHarness, name: str) -> None:
    connector = redmine_harness.connector
    body = BODIES[name] + f"\nmarker-{name.replace(' ', '')}"
    ref = connector.post_comment("#2", body)
    assert ref.key == "#2"
    assert ref.id.isdigit()
    back = connector.read_comment(ref)
    assert back.body == body
    assert back.body.encode("utf-8") == body.encode("utf-8")
    assert back.author == "Alice Tester"
    assert back.created is not None
    found = connector.find_comments("#2", f"marker-{name.replace(' ', '')}")
    assert [c.ref.id for c in found] == [ref.id]


def test_the_same_text_posted_twice_gives_two_journals(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    first = connector.post_comment("#1", "same text secgate-record x")
    second = connector.post_comment("#1", "same text secgate-record x")
    assert first.id != second.id
    found = connector.find_comments("#1", "secgate-record x")
    assert [c.ref.id for c in found] == [first.id, second.id]  # oldest first


def test_markers_are_matched_exactly_not_by_neighbours(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    connector.post_comment("#1", "secgate-record abc-1 sha256:1")
    connector.post_comment("#1", "secgate-record abc-12 sha256:2")
    assert len(connector.find_comments("#1", "secgate-record abc-12 ")) == 1
    assert connector.find_comments("#1", "secgate-record zzz") == []


def test_a_note_removed_in_redmine_is_not_found(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    ref = connector.post_comment("#1", "to be removed")
    redmine_harness.server.sql("DELETE FROM journals WHERE id = ?", int(ref.id))
    with pytest.raises(NotFoundError, match="no longer exists"):
        connector.read_comment(ref)


def test_reading_a_note_of_a_deleted_issue(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    key = redmine_harness.add_issue("Short-lived", release="2.0")
    ref = connector.post_comment(key, "record on a doomed issue")
    redmine_harness.admin.call("DELETE", f"/issues/{key.lstrip('#')}.json")
    with pytest.raises(NotFoundError, match=f"issue {key}"):
        connector.read_comment(ref)
    with pytest.raises(NotFoundError):
        connector.post_comment(key, "again")
    with pytest.raises(NotFoundError):
        connector.issue(key)
    assert key not in {i.key for i in connector.issues(redmine_harness.scope, "2.0")}


def test_unknown_journal_id_on_existing_issue(redmine_harness: RedmineHarness) -> None:
    with pytest.raises(NotFoundError):
        redmine_harness.connector.read_comment(CommentRef(key="#1", id="999999"))


def test_markup_follows_the_configured_text_formatting(redmine_harness: RedmineHarness) -> None:
    from connectors.redmine import RedmineConnector
    from tests.redmine.fixtures import connector_settings

    server = redmine_harness.server
    assert redmine_harness.connector.markup == "textile"  # Redmine's default
    for formatting, markup in (("common_mark", "markdown"), ("", "plain")):
        settings = connector_settings(server.url, text_formatting=formatting)
        assert RedmineConnector("rm", settings, server.alice_key).markup == markup


def test_create_issue_with_labels_and_find_it(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    ref = connector.create_issue(
        "secgate-a", "Security Release Authorization 2.0 [secgate]", "body *text*", ["security"]
    )
    issue = connector.issue(ref.key)
    assert issue.title == "Security Release Authorization 2.0 [secgate]"
    assert issue.labels == ("security",)
    assert ref.url.endswith(f"/issues/{ref.key.lstrip('#')}")
    found = connector.find_issues("secgate-a", "Authorization 2.0 [secgate]")
    assert [r.key for r in found] == [ref.key]
    assert connector.find_issues("secgate-a", "Authorization 9.9") == []


def test_labels_the_field_does_not_offer_go_into_the_description(
    redmine_harness: RedmineHarness,
) -> None:
    connector = redmine_harness.connector
    ref = connector.create_issue("secgate-a", "Corrective action", "Do it.", ["not-offered"])
    issue = connector.issue(ref.key)
    assert issue.labels == ()
    answer = redmine_harness.admin.call("GET", f"/issues/{ref.key.lstrip('#')}.json")
    # Redmine stores descriptions with CRLF line ends (notes are kept as sent).
    description = answer["issue"]["description"].replace("\r\n", "\n")
    assert description == "Do it.\n\nLabels: not-offered"


def test_create_issue_in_unknown_project(redmine_harness: RedmineHarness) -> None:
    with pytest.raises(NotFoundError, match="no-such-project"):
        redmine_harness.connector.create_issue("no-such-project", "t", "b")


def test_attachment_round_trip(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    content = ('{"record": "' + "é" * 40_000 + '"}').encode()
    name = "Security-Release-Authorization_ipc_2.0.json"
    ref = connector.attach("#2", name, content)
    assert ref.filename == name
    assert connector.read_attachment(ref) == content
    second = connector.attach("#2", name, b"{}")
    assert [r.id for r in connector.find_attachments("#2", name)] == [ref.id, second.id]
    assert connector.find_attachments("#2", "other.json") == []
