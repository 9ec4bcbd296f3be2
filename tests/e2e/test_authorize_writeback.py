"""The shared write-back / read-back protocol against every tracker harness: the
sandbox, the fake Jira and fake GitLab (real client libraries over HTTP), and the
REAL Redmine. Hostile titles round-trip in each tracker's markup; a retry adopts
instead of posting twice; a lost POST answer is found by its marker."""

from __future__ import annotations

import pytest

from secgate_tui.domain.render import dialect, render_record
from secgate_tui.services.readback import ReadBack
from secgate_tui.services.writeback import Outgoing, WriteBackError, write_back
from tests.contract.harness import Harness
from tests.contract.harness_gitlab import gitlab_harness
from tests.contract.harness_jira import jira_cloud_harness, jira_dc_harness
from tests.contract.harness_sandbox import sandbox_harness
from tests.redmine.fixtures import redmine_harness
from tests.unit.test_record_support import record_for, snapshot

__all__ = [
    "gitlab_harness",
    "jira_cloud_harness",
    "jira_dc_harness",
    "redmine_harness",
    "sandbox_harness",
]

HOSTILE = [
    "[bold]rich[/bold] \x1b[31mansi\x1b[0m `tick` ```fence``` {code}x{code} </pre> *b* _i_",
    "@admin #1 r1 commit:abc [[Wiki]] <script>alert(1)</script> 😀 \u202eRTL",
    "very long " * 500,
]

TRACKERS = [
    "sandbox",
    "jira_cloud",
    "jira_dc",
    "gitlab",
    pytest.param("redmine", marks=pytest.mark.redmine),
]


@pytest.fixture(params=TRACKERS)
def tracker(request: pytest.FixtureRequest) -> Harness:
    harness: Harness = request.getfixturevalue(f"{request.param}_harness")
    if not harness.comment_key:  # the sandbox harness creates its record issue lazily
        harness.comment_key = harness.connector.create_issue(harness.project, "Records", "").key
    return harness


def outgoing_for(tracker: Harness) -> Outgoing:
    record = record_for(snapshot(titles=HOSTILE))
    connector = tracker.connector
    rendered = render_record(record, dialect(connector.markup), connector.comment_limit)
    return Outgoing(
        record.kind,
        record.record_id,
        record.canonical(),
        rendered.body,
        rendered.attachment_name,
        rendered.attachment,
    )


def accept_any(found: ReadBack) -> None:
    return None


def test_hostile_record_round_trips_and_a_retry_adopts_it(tracker: Harness) -> None:
    outgoing = outgoing_for(tracker)
    first = write_back(tracker.connector, tracker.comment_key, outgoing, accept_any)
    assert not first.adopted
    assert first.read_back.digest == outgoing.digest
    assert first.read_back.canonical == outgoing.canonical
    retry = write_back(tracker.connector, tracker.comment_key, outgoing, accept_any)
    assert retry.adopted and retry.read_back.comment.ref.id == first.read_back.comment.ref.id
    stored = tracker.connector.find_comments(tracker.comment_key, outgoing.marker)
    assert len(stored) == 1


def test_a_lost_post_answer_is_found_by_the_marker(tracker: Harness) -> None:
    if "lost_response" not in tracker.faults:
        pytest.skip(f"{tracker.name} cannot lose a response")
    outgoing = outgoing_for(tracker)
    with tracker.fault("lost_response"):
        written = write_back(tracker.connector, tracker.comment_key, outgoing, accept_any)
    assert written.read_back.digest == outgoing.digest
    assert len(tracker.connector.find_comments(tracker.comment_key, outgoing.marker)) == 1


def test_every_tracker_names_the_comment_authors_account_as_whoami_does(tracker: Harness) -> None:
    """Adoption trusts only the author's account id, so each connector must fill it."""
    outgoing = outgoing_for(tracker)
    connector = tracker.connector
    me = connector.whoami().id
    first = write_back(connector, tracker.comment_key, outgoing, accept_any)
    assert first.read_back.comment.author_id == me
    retry = write_back(
        connector, tracker.comment_key, outgoing, accept_any, author_is_me=lambda a: a == me
    )
    assert retry.adopted and retry.read_back.comment.ref.id == first.read_back.comment.ref.id
    with pytest.raises(WriteBackError, match="not by you"):
        write_back(
            connector,
            tracker.comment_key,
            outgoing,
            accept_any,
            author_is_me=lambda a: a == me + "-someone-else",
        )
