"""Issues read back from the store are the issues written, text and digest alike."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from pathlib import Path

from secgate_tui.domain import SourceState, snapshot_digest
from secgate_tui.services.store import Store
from tests.unit.test_digest_pin import PINNED, fixed_issues


def test_round_trip_keeps_canonical_text_and_digest(tmp_path: Path) -> None:
    issues = fixed_issues()  # non-ASCII, quotes, backslashes, tabs
    store = Store(tmp_path / "s.sqlite3")
    try:
        now = datetime(2026, 11, 22, tzinfo=UTC)
        state = SourceState(source="jira", project="K", synced_at=now)
        assert store.save_sync("scope", state, issues, full=True, cursor=now)
        loaded = store.issues(["scope"])
    finally:
        store.close()
    by_uid = {issue.uid: issue for issue in issues}
    assert len(loaded) == len(issues)
    for issue in loaded:
        original = by_uid[issue.uid]
        assert issue == original
        assert issue.canonical_json() == original.model_dump_json().encode()
        assert isinstance(issue.canonical_json(), bytes)
    assert snapshot_digest(loaded) == PINNED


def test_reading_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    try:
        assert gc.isenabled()
        store.issues(["nothing"])
        assert gc.isenabled()
        gc.disable()  # the terminal UI pauses it around its reads
        try:
            store.issues(["nothing"])
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        store.close()
