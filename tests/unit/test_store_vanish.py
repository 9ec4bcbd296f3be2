"""The store's record of what left a release (issue 19): vanished issues and held categories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from secgate_tui.domain import SourceState
from secgate_tui.services.store import Store, VanishedIssue

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "secgate.sqlite3")


def gone(key: str, since: datetime = NOW) -> VanishedIssue:
    return VanishedIssue(key=key, source="jira", since=since)


def test_a_vanished_issue_keeps_when_it_was_first_missed(store: Store) -> None:
    assert store.update_vanished("k", [gone("A"), gone("B")], [], NOW)
    assert store.update_vanished("k", [gone("A", LATER)], [], LATER)
    assert [(v.key, v.since) for v in store.vanished("k")] == [("A", NOW)]  # B came back


def test_an_acknowledged_deletion_stays_until_the_issue_is_seen_again(store: Store) -> None:
    store.update_vanished("k", [gone("A")], [], NOW)
    assert store.acknowledge_vanished("k", "A", reason="duplicate", by="rm", at=NOW)
    assert not store.acknowledge_vanished("k", "Z", reason="typo", by="rm", at=NOW)

    store.update_vanished("k", [], [], LATER)  # acknowledged entries are not re-read
    (entry,) = store.vanished("k")
    assert (entry.ack_reason, entry.ack_by, entry.ack_at) == ("duplicate", "rm", NOW)

    store.update_vanished("k", [], ["A"], LATER)
    assert store.vanished("k") == []


def test_an_older_sync_finishing_last_does_not_overwrite_a_newer_one(store: Store) -> None:
    state = SourceState(source="jira", project="P", synced_at=LATER)
    store.save_sync("k", state, [], full=True, cursor=LATER)
    assert store.update_vanished("k", [gone("A")], [], LATER)
    assert not store.update_vanished("k", [], ["A"], NOW)
    assert [v.key for v in store.vanished("k")] == ["A"]


def test_held_members_are_kept_per_release_and_an_empty_list_is_forgotten(store: Store) -> None:
    store.save_held("ipc", "2.0", {"requirements": [("jira", "P-2"), ("jira", "P-1")]}, NOW)
    store.save_held("ipc", "2.1", {"implementation": [("jira", "P-9")]}, NOW)
    assert store.held("ipc", "2.0") == {"requirements": [("jira", "P-1"), ("jira", "P-2")]}
    store.save_held("ipc", "2.0", {"requirements": []}, LATER)
    assert store.held("ipc", "2.0") == {}
    assert store.held("ipc", "2.1") == {"implementation": [("jira", "P-9")]}
