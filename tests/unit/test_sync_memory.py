"""A large sync's issues stay small and its read runs without the cyclic collector,
and neither changes what is stored, compared or digested."""

from __future__ import annotations

import gc
import threading
from datetime import UTC, datetime
from pathlib import Path

from connectors.sharing import Sharing
from secgate_tui.domain import SourceState, snapshot_digest
from secgate_tui.domain.collector import collector_paused
from secgate_tui.domain.model import Issue
from secgate_tui.services.store import Store
from tests.unit.test_digest_pin import PINNED, fixed_issues


def _fresh() -> list[Issue]:
    """The pinned issues as a connector builds them (constructor, no cached text)."""
    return [Issue(**issue.model_dump()) for issue in fixed_issues()]


def test_shared_issues_compare_serialize_and_digest_as_before() -> None:
    plain, shared = _fresh(), Sharing().share(_fresh())
    assert shared == plain
    assert [i.canonical_json() for i in shared] == [i.canonical_json() for i in plain]
    assert snapshot_digest(shared) == PINNED
    alike = [i for i in shared if i.labels == shared[0].labels]
    assert len(alike) > 1
    assert all(i.labels is alike[0].labels for i in alike)
    assert len({id(i.__pydantic_fields_set__) for i in shared}) < len(shared)


def test_a_copy_of_a_shared_issue_changes_only_the_copy() -> None:
    shared = Sharing().share(_fresh())
    first, second = shared[0], shared[1]
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
    before = set(second.__pydantic_fields_set__)
    changed = first.model_copy(update={"title": "changed"})
    assert changed.title == "changed"
    assert second.__pydantic_fields_set__ == before
    assert first.title != "changed"


def test_the_store_writes_canonical_text_without_keeping_it_on_the_issue(
    tmp_path: Path,
) -> None:
    issues = _fresh()
    store = Store(tmp_path / "s.sqlite3")
    try:
        now = datetime(2026, 11, 22, tzinfo=UTC)
        state = SourceState(source="jira", project="K", synced_at=now)
        assert store.save_sync("scope", state, issues, full=True, cursor=now)
        loaded = store.issues(["scope"])
    finally:
        store.close()
    assert all((i.__pydantic_private__ or {}).get("_canonical") is None for i in issues)
    assert snapshot_digest(loaded) == PINNED


def test_the_collector_resumes_when_the_last_concurrent_read_ends() -> None:
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def other_read() -> None:
        with collector_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other_read)
    with collector_paused():
        thread.start()
        assert inside.wait(5)
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other read still runs
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused() -> None:
    gc.disable()  # the terminal UI pauses it around its reads
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
