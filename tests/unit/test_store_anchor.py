"""The store's id and head, export anchors, and the audit-log content checks."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from secgate_tui.services.anchor import (
    Anchor,
    AnchorError,
    FoundAnchor,
    anchor_block,
    anchor_line,
    check_anchors,
    find_anchors,
    head_anchor,
    parse_anchors,
)
from secgate_tui.services.audit_check import check_log, check_payload
from secgate_tui.services.store import AuditEntry, Store, StoreError

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
STORE = "0123456789abcdef0123456789abcdef"


def anchor(seq: int, head: str, store_id: str = STORE) -> Anchor:
    return Anchor(store_id=store_id, seq=seq, head=head)


def found(seq: int, head: str, store_id: str = STORE) -> FoundAnchor:
    return FoundAnchor(anchor=anchor(seq, head, store_id), path=Path(f"x{seq}.md"))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "secgate.sqlite3")


def test_the_store_id_is_random_kept_and_given_to_an_old_store(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    first = Store(path)
    store_id = first.store_id
    assert len(store_id) == 32 and int(store_id, 16) >= 0
    assert Store(tmp_path / "other.sqlite3").store_id != store_id
    first.close()
    assert Store(path).store_id == store_id
    with closing(sqlite3.connect(path)) as db:  # a store from before store ids
        db.execute("DELETE FROM meta")
        db.commit()
    renewed = Store(path).store_id
    assert len(renewed) == 32 and renewed != store_id


def test_the_head_follows_the_log(store: Store) -> None:
    assert store.head() is None and head_anchor(store) is None
    entry = store.append_audit("test", "p", "1", {"n": 1}, NOW)
    assert store.head() == (1, entry.hash)
    assert head_anchor(store) == anchor(1, entry.hash, store.store_id)


def test_an_unreadable_head_fails_the_export_as_an_os_error(store: Store) -> None:
    store.append_audit("test", "p", "1", {"n": 1}, NOW)
    store.close()
    with pytest.raises(OSError, match="head could not be read") as caught:
        head_anchor(store)
    assert isinstance(caught.value, AnchorError)


def test_an_anchor_line_reads_back_from_the_header_only() -> None:
    a = anchor(7, "a" * 64)
    assert parse_anchors(f"Tracker copy\n\n{anchor_block(a)}# Record\n") == [a]
    # The body (tracker text is rendered there) can never pose as an anchor.
    assert parse_anchors(f"Tracker copy\n\n### Record\n{anchor_line(a)}\n") == []
    assert anchor_block(None) == ""
    assert parse_anchors(anchor_line(a).replace("entry=7", "entry=07")) == []


def test_find_anchors_reads_markdown_exports(tmp_path: Path) -> None:
    assert find_anchors(tmp_path / "missing") == []
    a = anchor(2, "b" * 64)
    (tmp_path / "r.md").write_text(f"head\n\n{anchor_block(a)}# body\n", encoding="utf-8")
    (tmp_path / "r.json").write_text(anchor_line(anchor(9, "c" * 64)), encoding="utf-8")
    (tmp_path / "old.md").write_text("an export from before anchors\n", encoding="utf-8")
    assert find_anchors(tmp_path) == [FoundAnchor(anchor=a, path=tmp_path / "r.md")]


def test_check_anchors_names_truncation_rewrite_and_skips_other_stores() -> None:
    hashes = ["1" * 64, "2" * 64]
    ok = check_anchors(STORE, hashes, [found(1, hashes[0]), found(5, "f" * 64, "e" * 32)])
    assert ok.ok and (ok.anchors, ok.other_anchors) == (1, 1)
    cut = check_anchors(STORE, hashes, [found(4, "4" * 64), found(2, hashes[1])])
    assert not cut.ok and cut.first_broken == 3 and "entries 3 to 4 were removed" in cut.problem
    empty = check_anchors(STORE, [], [found(1, "1" * 64)])
    assert empty.first_broken == 1 and "the log is empty" in empty.problem
    rewritten = check_anchors(STORE, hashes, [found(2, "9" * 64), found(3, "3" * 64)])
    assert rewritten.first_broken == 2 and "rewritten at or before entry 2" in rewritten.problem


def tamper(store: Store, sql: str, *params: object) -> None:
    with closing(sqlite3.connect(store.path)) as db:
        db.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        db.execute(sql, params)
        db.commit()


def test_unreadable_entries_are_named_by_the_chain_and_refused_when_read(store: Store) -> None:
    from secgate_tui.services.store import entry_hash

    store.append_audit("test", "p", "1", {"n": 1}, NOW)
    forged = entry_hash(1, "noon", "test", "p", "1", '{"n":1}', "0" * 64)
    tamper(store, "UPDATE audit_log SET at = 'noon', hash = ? WHERE seq = 1", forged)
    report = store.verify_chain()
    assert not report.ok and report.first_broken == 1 and "unreadable time" in report.problem
    with pytest.raises(StoreError, match="entry 1"):
        store.audit_entries()


def entry(kind: str, product: str, release: str, payload: dict[str, object]) -> AuditEntry:
    return AuditEntry(1, NOW, kind, product, release, payload, "0" * 64, "1" * 64)


def test_a_record_payload_must_re_digest_and_name_its_entry() -> None:
    from secgate_tui.domain import canonical_json, sha256_hex

    record = {"record_id": "R-1", "product": "p", "release": "1"}
    digest = sha256_hex(canonical_json(record))
    good = {"record_id": "R-1", "record_digest": digest, "record": record}
    assert check_payload(entry("future-kind", "p", "1", good)) is None
    assert "is logged for p 2" in (check_payload(entry("future-kind", "p", "2", good)) or "")
    edited = {**good, "record": {**record, "release": "2"}}
    assert "digest" in (check_payload(entry("future-kind", "p", "2", edited)) or "")
    assert check_payload(entry("future-kind", "p", "1", {"record_id": "R-1"})) is not None


def test_a_review_payload_is_checked_for_what_it_holds() -> None:
    payload: dict[str, object] = {
        "record_id": "rev-" + "a" * 20,
        "record_digest": "b" * 64,
        "period": {"start": None, "end": "2026-12-01T00:00:00Z"},
        "next_due": "2027-12-01",
        "tracker": "sandbox",
        "comment": {"key": "IPC-2", "id": "3"},
        "comment_sha256": "c" * 64,
        "actions": [],
    }
    assert check_payload(entry("review", "ipc", "", payload)) is None
    assert "per product" in (check_payload(entry("review", "ipc", "2.1", payload)) or "")
    late = {**payload, "next_due": "2029-01-01"}
    assert "not 1 to 365" in (check_payload(entry("review", "ipc", "", late)) or "")
    renamed = {**payload, "record_id": "SRA-" + "a" * 20}
    assert "not a review record id" in (check_payload(entry("review", "ipc", "", renamed)) or "")


def test_check_log_of_an_empty_store_without_exports_is_intact(
    store: Store, tmp_path: Path
) -> None:
    report = check_log(store, tmp_path / "records")
    assert report.ok and report.entries == 0
    assert "no export anchors" in report.anchor_note
