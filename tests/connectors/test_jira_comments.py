"""Records written to Jira and read back: comments, record issues, attachments, identity."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.base import AttachmentRef, BadResponseError, CommentRef, NotFoundError
from connectors.jira import JiraConnector
from tests.fakes import jira_schema
from tests.fakes.jira_seed import PROJECT, connector_for, seed
from tests.fakes.jira_server import FakeJira

MARKUP = 'h1. Record\n{code:json}\n{"a": "<b>&amp;</b>"}\n{code}\n|| k || v ||\n*bold* _it_ [link|http://x]'
UNICODE = "Ünïcödé — 安全 🔒 \t tab, trailing space \r\nCRLF line "


@pytest.fixture(params=["cloud", "datacenter"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param) as server:
        seed(server)
        server.record = server.cloud  # every Cloud answer is checked against the spec
        yield server
    assert jira_schema.recorded_problems(server.recorded) == []


@pytest.fixture
def jira(fake: FakeJira) -> Iterator[JiraConnector]:
    connector = connector_for(fake)
    yield connector
    connector.close()


@pytest.mark.parametrize("body", [MARKUP, UNICODE, "x" * 10_240, "A" * 32_767])
def test_comment_round_trip_byte_for_byte(jira: JiraConnector, body: str) -> None:
    ref = jira.post_comment("IPC-1", body)
    assert ref.key == "IPC-1" and ref.id and "focusedCommentId" in ref.url
    back = jira.read_comment(ref)
    assert back.body == body
    assert back.body.encode("utf-8") == body.encode("utf-8")
    assert back.created is not None and back.created.utcoffset() is not None


def test_comment_over_the_limit_is_refused_with_jira_s_words(jira: JiraConnector) -> None:
    assert jira.comment_limit == 32767 and jira.markup == "jira-wiki"
    with pytest.raises(BadResponseError) as caught:
        jira.post_comment("IPC-1", "A" * 32_768)
    assert "32,767" in caught.value.message


def test_find_comments_reads_every_page_oldest_first(fake: FakeJira, jira: JiraConnector) -> None:
    for n in range(120):  # the fake answers at most 50 per page
        fake.state.add_comment("IPC-1", f"note {n} secgate-record r{n % 2}")
    found = jira.find_comments("IPC-1", "secgate-record r1")
    assert [c.body for c in found] == [f"note {n} secgate-record r1" for n in range(1, 120, 2)]
    assert jira.find_comments("IPC-1", "no such marker") == []


def test_read_missing_comment(jira: JiraConnector) -> None:
    with pytest.raises(NotFoundError):
        jira.read_comment(CommentRef(key="IPC-1", id="999999"))


def test_create_issue_and_find_it_by_marker(fake: FakeJira, jira: JiraConnector) -> None:
    ref = jira.create_issue(
        PROJECT, "Release 2.0 authorization [secgate-ri-7f3a]", "body *wiki*", ["security"]
    )
    created = fake.state.issues[ref.key]
    assert created.labels == ["security"] and created.description == "body *wiki*"
    assert ref.url.endswith(f"/browse/{ref.key}")
    jira.create_issue(PROJECT, "Release 2.0 authorization, unrelated", "x")
    assert [r.key for r in jira.find_issues(PROJECT, "[secgate-ri-7f3a]")] == [ref.key]
    assert jira.find_issues(PROJECT, "[secgate-ri-0000]") == []


def test_create_issue_with_the_configured_type(fake: FakeJira) -> None:
    ref = connector_for(fake, issue_type="Security Record").create_issue(PROJECT, "t", "b")
    assert fake.state.issues[ref.key].issuetype == "Security Record"
    assert (
        fake.state.issues[connector_for(fake).create_issue(PROJECT, "t", "b").key].issuetype
        == "Task"
    )


def test_create_issue_in_a_missing_project(jira: JiraConnector) -> None:
    with pytest.raises(BadResponseError) as caught:
        jira.create_issue("NOPE", "title", "body")
    assert "valid project is required" in caught.value.message


def test_attachment_round_trip(jira: JiraConnector) -> None:
    record = ('{"record": "' + "é" * 40_000 + '"}').encode()
    ref = jira.attach("IPC-1", "Security-Release-Authorization_ipc_2.0.json", record)
    assert ref.filename == "Security-Release-Authorization_ipc_2.0.json"
    found = jira.find_attachments("IPC-1", ref.filename)
    assert [a.id for a in found] == [ref.id]
    assert jira.read_attachment(found[0]) == record
    assert jira.read_attachment(AttachmentRef(key="IPC-1", id=ref.id, filename="x")) == record
    assert jira.find_attachments("IPC-1", "other.json") == []


def test_attachment_url_on_another_host_is_not_followed(jira: JiraConnector) -> None:
    evil = AttachmentRef(key="IPC-1", id="1", filename="r.json", url="http://evil.example/x")
    with pytest.raises(BadResponseError):
        jira.read_attachment(evil)


def test_whoami(fake: FakeJira, jira: JiraConnector) -> None:
    me = jira.whoami()
    assert me.display_name == "Release Manager"
    assert me.id == ("5b10ac8d82e05b22cc7d4ef5" if fake.cloud else "release.manager")
    assert me.name == "rm@example.com"
