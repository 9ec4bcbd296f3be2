"""Closes and reopens from Redmine journals (the periodic review's reopen count), real Redmine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import BadResponseError, NotFoundError
from tests.redmine.fixtures import CLOSED_STATUS, RedmineHarness, redmine_harness

__all__ = ["redmine_harness"]
pytestmark = pytest.mark.redmine

NEW, IN_PROGRESS, REJECTED = 1, 2, 6  # Redmine's stock statuses (Rejected is closed)
# Redmine stores times to the second; allow for that and a little clock skew.
SLACK = timedelta(seconds=2)


def test_close_then_reopen_gives_closed_then_opened(redmine_harness: RedmineHarness) -> None:
    h = redmine_harness
    key = h.add_issue("Closed and reopened", release="2.0")
    quiet = h.add_issue("Never closed", release="2.0")
    h.admin.issue(quiet, status_id=IN_PROGRESS)  # open -> open is no event
    before = datetime.now(UTC)
    h.admin.issue(key, status_id=CLOSED_STATUS)
    between = datetime.now(UTC)
    h.admin.issue(key, notes="not a status change")
    h.admin.issue(key, status_id=NEW)
    after = datetime.now(UTC)

    events = h.connector.state_events([key, quiet])

    assert [(e.key, e.state) for e in events] == [(key, "closed"), (key, "opened")]
    assert all(e.source == "redmine" for e in events)
    closed, opened = events
    assert before - SLACK <= closed.at <= between + SLACK
    assert between - SLACK <= opened.at <= after + SLACK
    assert closed.at <= opened.at
    assert closed.at.utcoffset() == timedelta(0)


def test_closed_to_another_closed_status_is_no_new_event(redmine_harness: RedmineHarness) -> None:
    h = redmine_harness
    key = h.add_issue("Closed, then rejected", release="2.0")
    h.admin.issue(key, status_id=CLOSED_STATUS)
    h.admin.issue(key, status_id=REJECTED)
    assert [e.state for e in h.connector.state_events([key])] == ["closed"]


def test_no_keys_and_untouched_issues_give_no_events(redmine_harness: RedmineHarness) -> None:
    connector = redmine_harness.connector
    assert connector.state_events([]) == []
    assert connector.state_events(["#1", "#2"]) == []


def test_a_deleted_issue_is_skipped(redmine_harness: RedmineHarness) -> None:
    h = redmine_harness
    gone = h.add_issue("Deleted after a close", release="2.0")
    kept = h.add_issue("Kept", release="2.0")
    for key in (gone, kept):
        h.admin.issue(key, status_id=CLOSED_STATUS)
    h.admin.call("DELETE", f"/issues/{gone.lstrip('#')}.json")
    assert [(e.key, e.state) for e in h.connector.state_events([gone, kept])] == [(kept, "closed")]


def test_a_malformed_key_is_an_error(redmine_harness: RedmineHarness) -> None:
    with pytest.raises(NotFoundError, match="not a Redmine issue key"):
        redmine_harness.connector.state_events(["#1", "PROJ-1"])


def test_a_transient_failure_is_retried(redmine_harness: RedmineHarness) -> None:
    h = redmine_harness
    key = h.add_issue("Closed behind a flaky proxy", release="2.0")
    h.admin.issue(key, status_id=CLOSED_STATUS)
    h.connector.whoami()  # the identity check is not what this test retries
    h.proxy.fail_next = 1  # one 503
    assert [e.state for e in h.connector.state_events([key])] == ["closed"]
    assert h.proxy.fail_next == 0


def test_an_unknown_status_in_the_history_fails_closed(redmine_harness: RedmineHarness) -> None:
    h = redmine_harness
    key = h.add_issue("Closed from a status that no longer exists", release="2.0")
    h.admin.issue(key, status_id=CLOSED_STATUS)
    h.server.sql(
        "UPDATE journal_details SET old_value = '999' WHERE prop_key = 'status_id' AND "
        "journal_id IN (SELECT id FROM journals WHERE journalized_id = ?)",
        int(key.lstrip("#")),
    )
    with pytest.raises(BadResponseError, match=f"history of issue {key}.*999"):
        h.connector.state_events([key])
