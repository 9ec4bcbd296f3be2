"""The store: atomic sync writes and a hash-chained, append-only audit log."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from secgate_tui.domain import Issue, SourceState
from secgate_tui.services.store import Store

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def issue(key: str, title: str = "t") -> Issue:
    return Issue(
        source="s", key=key, title=title, status="Open", closed=False, created=NOW, updated=NOW
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data" / "secgate.sqlite3")


def state(**kw: object) -> SourceState:
    return SourceState(source="s", project="P", synced_at=NOW, **kw)  # type: ignore[arg-type]


def test_full_sync_replaces_incremental_upserts(store: Store) -> None:
    store.save_sync("k", state(), [issue("A"), issue("B")], full=True, cursor=NOW)
    store.save_sync("k", state(), [issue("B", "renamed"), issue("C")], full=False, cursor=NOW)
    assert {(i.key, i.title) for i in store.issues(["k"])} == {
        ("A", "t"),
        ("B", "renamed"),
        ("C", "t"),
    }
    store.save_sync("k", state(), [issue("C")], full=True, cursor=NOW)
    assert [i.key for i in store.issues(["k"])] == ["C"]


def test_failed_sync_keeps_last_data_and_records_error(store: Store) -> None:
    store.save_sync("k", state(), [issue("A")], full=True, cursor=NOW)
    failed = SourceState(source="s", project="P", error="503 from tracker")
    store.save_sync("k", failed, None, full=False, cursor=None)
    record = store.sync_record("k")
    assert record is not None
    assert record.state.error == "503 from tracker"
    assert record.state.synced_at == NOW  # last good sync time kept
    assert [i.key for i in store.issues(["k"])] == ["A"]


def test_a_failing_write_leaves_the_store_unchanged(store: Store) -> None:
    store.save_sync("k", state(), [issue("A")], full=True, cursor=NOW)

    class Boom(Issue):
        # The store writes the canonical text without caching it on the issue.
        def model_dump_json(self, **kwargs: object) -> str:
            raise RuntimeError("disk full")

        def canonical_json(self) -> bytes:
            raise RuntimeError("disk full")

    bad = Boom(**issue("B").model_dump())
    with pytest.raises(RuntimeError):
        store.save_sync("k", state(), [issue("X"), bad], full=True, cursor=NOW)
    assert [i.key for i in store.issues(["k"])] == ["A"]


def append(store: Store, n: int) -> None:
    for i in range(n):
        store.append_audit(
            "authorization", "ipc", f"1.{i}", {"n": i, "text": "ü"}, NOW + timedelta(seconds=i)
        )


def test_chain_verifies_and_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store(path)
    append(store, 3)
    store.close()
    reopened = Store(path)
    report = reopened.verify_chain()
    assert report.ok and report.entries == 3
    assert [e.payload["n"] for e in reopened.audit_entries(kind="authorization")] == [0, 1, 2]


def test_audit_log_refuses_update_and_delete(store: Store) -> None:
    append(store, 1)
    db = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit_log SET payload = '{}' WHERE seq = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit_log WHERE seq = 1")


def tamper(store: Store, sql: str) -> None:
    db = sqlite3.connect(store.path)
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("DROP TRIGGER audit_log_no_delete")
    db.execute(sql)
    db.commit()
    db.close()


def test_modified_entry_is_named(store: Store) -> None:
    append(store, 4)
    tamper(store, """UPDATE audit_log SET payload = '{"n":99}' WHERE seq = 2""")
    report = store.verify_chain()
    assert not report.ok and report.first_broken == 2
    assert "modified" in report.problem


def test_deleted_entry_is_named(store: Store) -> None:
    append(store, 4)
    tamper(store, "DELETE FROM audit_log WHERE seq = 3")
    report = store.verify_chain()
    assert not report.ok and report.first_broken == 3
    assert "missing" in report.problem


def test_rehashed_entry_breaks_the_next_link(store: Store) -> None:
    from secgate_tui.services.store import entry_hash

    append(store, 3)
    row = (
        sqlite3.connect(store.path)
        .execute("SELECT seq, at, kind, product, release, prev_hash FROM audit_log WHERE seq = 2")
        .fetchone()
    )
    forged = entry_hash(row[0], row[1], row[2], row[3], row[4], '{"n":7}', row[5])
    tamper(store, f"UPDATE audit_log SET payload = '{{\"n\":7}}', hash = '{forged}' WHERE seq = 2")  # noqa: S608
    report = store.verify_chain()
    assert not report.ok and report.first_broken == 3


def test_unwritable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    from secgate_tui.services.store import StoreError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open the secgate store"):
        Store(blocker / "secgate.sqlite3")


def test_an_older_sync_finishing_last_does_not_overwrite_a_newer_one(store: Store) -> None:
    newer = SourceState(source="s", project="P", synced_at=NOW)
    older = SourceState(source="s", project="P", synced_at=NOW - timedelta(seconds=30))
    assert store.save_sync("k", newer, [issue("A", "reopened")], full=True, cursor=NOW)
    assert not store.save_sync("k", older, [issue("A", "closed")], full=True, cursor=NOW)
    assert [i.title for i in store.issues(["k"])] == ["reopened"]
    record = store.sync_record("k")
    assert record is not None and record.state.synced_at == NOW


def test_a_sync_without_cursor_leaves_the_next_one_full(store: Store) -> None:
    missing = SourceState(source="s", project="P", synced_at=NOW, release_found=False)
    store.save_sync("k", missing, [], full=True, cursor=None)
    record = store.sync_record("k")
    assert record is not None and record.cursor is None and record.full_at is None
