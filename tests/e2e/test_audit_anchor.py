"""Attacks on the local audit log, as `secgate verify --log` and `verify --product --release`
see them: forged and re-chained entries, truncation, unreadable entries (issue 19, part 3).

The attacker has write access to the database: drops the append-only triggers,
edits rows and recomputes every hash, so the chain itself stays valid. What
catches them is each entry's content (the record inside it) and the anchors
the exports carry in the records directory.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from connectors.sandbox.tracker import Data
from secgate_tui.domain import canonical_json, sha256_hex
from secgate_tui.services.anchor import ANCHOR_WORD
from secgate_tui.services.store import GENESIS, entry_hash
from tests.e2e.exports import record_file
from tests.e2e.test_authorize_support import Setup

CONCLUSIONS = """\
complete = { answer = "yes", comment = "Every defect was triaged.", explanation = "as is" }
efficient = { answer = "yes", comment = "", explanation = "as is" }
resolution = { answer = "yes", comment = "", explanation = "as is" }
summary = "Annual security management review"
"""
AUTHORIZED = (("ipc", "2.0"), ("ipc", "2.2.1"), ("dms", "5.4"))


@pytest.fixture(scope="module")
def authorized(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    """ipc 2.0, ipc 2.2.1 and dms 5.4 authorized (entries 1-3), each export anchoring its entry."""
    setup = Setup(tmp_path_factory.mktemp("authorized"))
    setup.write_config()
    for product, release in AUTHORIZED:
        # ipc 2.2.1 is a documentation patch without system-test findings.
        ack = ("--ack-empty", "system-test-findings=docs-only patch") if release == "2.2.1" else ()
        run = setup.cli("authorize", "--product", product, "--release", release, "--yes", *ack)
        assert run.returncode == 0, run.stdout + run.stderr
    return setup


@pytest.fixture
def setup(authorized: Setup, tmp_path: Path) -> Setup:
    """A copy of the authorized machine, to attack."""
    copy = Setup(tmp_path / "machine")
    shutil.copytree(authorized.root, copy.root)
    config = copy.config.read_text(encoding="utf-8")
    copy.config.write_text(config.replace(str(authorized.root), str(copy.root)), encoding="utf-8")
    return copy


@pytest.fixture
def db(setup: Setup) -> Iterator[sqlite3.Connection]:
    """The attacker's connection: triggers dropped, changes committed on exit."""
    with closing(sqlite3.connect(setup.data_dir / "secgate.sqlite3")) as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        yield conn
        conn.commit()


def rechain(conn: sqlite3.Connection) -> None:
    """Recompute every link and hash, as an attacker who knows the format does."""
    prev = GENESIS
    rows = conn.execute(
        "SELECT seq, at, kind, product, release, payload FROM audit_log ORDER BY seq"
    ).fetchall()
    for seq, at, kind, product, release, payload in rows:
        digest = entry_hash(seq, at, kind, product, release, payload, prev)
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq)
        )
        prev = digest
    conn.commit()


def edit_payload(
    conn: sqlite3.Connection, seq: int, change: Callable[[dict[str, object]], None]
) -> None:
    (text,) = conn.execute("SELECT payload FROM audit_log WHERE seq = ?", (seq,)).fetchone()
    payload = json.loads(text)
    change(payload)
    conn.execute("UPDATE audit_log SET payload = ? WHERE seq = ?", (canonical_json(payload), seq))


def verify_log(setup: Setup) -> tuple[int, str]:
    run = setup.cli("verify", "--log")
    assert "internal error" not in run.stderr
    return run.returncode, run.stdout + run.stderr


def verify_release(setup: Setup, release: str) -> tuple[int, str]:
    run = setup.cli("verify", "--product", "ipc", "--release", release)
    assert "internal error" not in run.stderr
    return run.returncode, run.stdout + run.stderr


def test_an_untouched_log_is_intact_and_checked_against_both_anchors(setup: Setup) -> None:
    code, out = verify_log(setup)
    assert code == 0, out
    assert "3 entries; checked against 3 export anchor(s)" in out
    assert verify_release(setup, "2.0")[0] == 0


def test_anchors_are_in_the_markdown_only_never_in_the_record_or_the_comment(
    setup: Setup,
) -> None:
    records = setup.data_dir / "records"
    markdown = record_file(records, "ipc", "2.0", ".md").read_text()
    assert f"`{ANCHOR_WORD} store=" in markdown and "entry=1 head=sha256:" in markdown
    assert ANCHOR_WORD not in record_file(records, "ipc", "2.0", ".json").read_text()
    assert all(ANCHOR_WORD not in c["body"] for c in setup.record_comments())


def test_a_copied_entry_for_a_release_never_authorized_is_forged(
    setup: Setup, db: sqlite3.Connection
) -> None:
    # Entry 1's payload (the 2.0 record and its intact tracker comment), logged as 4.2.0.
    seq, at, kind, product, _, payload, prev = db.execute(
        "SELECT seq, at, kind, product, release, payload, "
        "(SELECT hash FROM audit_log WHERE seq = 3) FROM audit_log WHERE seq = 1"
    ).fetchone()
    seq = 4
    digest = entry_hash(seq, at, kind, product, "4.2.0", payload, prev)
    db.execute(
        "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, kind, product, "4.2.0", payload, prev, digest),
    )
    db.commit()
    code, out = verify_log(setup)
    assert code == 1, out
    assert "BROKEN at entry 4" in out and "ipc 4.2.0" in out and "ipc 2.0" in out
    code, out = verify_release(setup, "4.2.0")
    assert code == 1 and "MISMATCH" in out and "entry 4" in out, out


def test_a_rechained_edit_of_the_record_is_forged(setup: Setup, db: sqlite3.Connection) -> None:
    def retitle(payload: dict[str, object]) -> None:
        record = payload["record"]
        assert isinstance(record, dict)
        record["product_name"] = "Something else"

    edit_payload(db, 1, retitle)
    rechain(db)
    code, out = verify_log(setup)
    assert code == 1 and "BROKEN at entry 1" in out and "digest" in out, out
    assert verify_release(setup, "2.2.1")[0] == 1


def test_a_consistent_rechained_record_edit_breaks_the_anchor(
    setup: Setup, db: sqlite3.Connection
) -> None:
    # Entry 1's record edited with its digest, marker and comment digest all recomputed:
    # the entry is self-consistent, and only the 2.0 export's anchor knows better.
    def rewrite(payload: dict[str, object]) -> None:
        record, body, old = payload["record"], payload["comment_body"], payload["record_digest"]
        assert isinstance(record, dict) and isinstance(body, str) and isinstance(old, str)
        record["product_name"] = "Something else"
        new = sha256_hex(canonical_json(record))
        payload["record_digest"] = new
        payload["comment_body"] = body.replace(old, new)
        payload["comment_sha256"] = sha256_hex(payload["comment_body"])

    edit_payload(db, 1, rewrite)
    rechain(db)
    code, out = verify_log(setup)
    assert code == 1, out
    assert "entry 1 is not the entry the export Security-Release-Authorization_ipc_2.0_rev1_" in out
    code, out = verify_release(setup, "2.2.1")
    assert code == 1 and "rewritten at or before entry 1" in out, out


def test_a_rechained_edit_with_every_digest_recomputed_breaks_the_anchor(
    setup: Setup, db: sqlite3.Connection
) -> None:
    # A consistent forgery of entry 1: its time moved back a year, every hash recomputed.
    db.execute("UPDATE audit_log SET at = replace(at, '2026-', '2025-') WHERE seq = 1")
    rechain(db)
    code, out = verify_log(setup)
    assert code == 1, out
    assert "entry 1 is not the entry the export Security-Release-Authorization_ipc_2.0_rev1_" in out
    code, out = verify_release(setup, "2.0")
    assert code == 1 and "rewritten" in out, out


@pytest.mark.parametrize(
    ("attack", "removed"),
    [
        ("DELETE FROM audit_log WHERE seq = 3", "entry 3 was removed"),
        ("DELETE FROM audit_log WHERE seq >= 2", "entries 2 to 3 were removed"),
        ("DELETE FROM audit_log", "entries 1 to 3 were removed"),
        ("DROP TABLE audit_log", "entries 1 to 3 were removed"),
    ],
    ids=["last-entry", "last-two", "all-entries", "whole-table"],
)
def test_a_truncated_log_is_named(
    setup: Setup, db: sqlite3.Connection, attack: str, removed: str
) -> None:
    db.execute(attack)
    db.commit()
    code, out = verify_log(setup)
    assert code == 1, out
    assert removed in out and "Security-Release-Authorization_dms_5.4_rev1_" in out
    # Release 2.0's own entry and tracker comment are intact, but the log is not.
    code, out = verify_release(setup, "2.0")
    assert code == 1 and "removed from the log" in out, out


@pytest.mark.parametrize(
    ("column", "garbage"),
    [("payload", "not json at all"), ("payload", "[1, 2]"), ("at", "yesterday at noon")],
)
def test_an_unreadable_entry_with_a_valid_chain_is_tampering_not_an_internal_error(
    setup: Setup, db: sqlite3.Connection, column: str, garbage: str
) -> None:
    db.execute(f"UPDATE audit_log SET {column} = ? WHERE seq = 1", (garbage,))  # noqa: S608
    rechain(db)
    code, out = verify_log(setup)
    assert code == 1 and "BROKEN at entry 1" in out and "unreadable" in out, out
    code, out = verify_release(setup, "2.0")
    assert code == 1 and "entry 1" in out, out


def test_exports_without_an_anchor_anchor_nothing(setup: Setup) -> None:
    for path in (setup.data_dir / "records").glob("*.md"):
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(line for line in lines if ANCHOR_WORD not in line))
    code, out = verify_log(setup)
    assert code == 0 and "no export anchors this log" in out, out


def test_a_store_without_an_id_gets_one_and_its_new_exports_anchor_it(setup: Setup) -> None:
    with closing(sqlite3.connect(setup.data_dir / "secgate.sqlite3")) as conn:
        conn.execute("DELETE FROM meta WHERE name = 'store_id'")
        conn.commit()
    # The old exports now name another store: counted, not checked.
    code, out = verify_log(setup)
    assert code == 0 and "3 anchor(s) of other stores not checked" in out, out

    # Exports are never overwritten: a new record (a changed snapshot) is a new export.
    def retitle(data: Data) -> None:
        data["issues"]["IPC-7"]["title"] += " (retitled)"

    setup.edit(retitle)
    run = setup.cli("authorize", "--product", "ipc", "--release", "2.0", "--yes")
    assert run.returncode == 0, run.stdout + run.stderr
    code, out = verify_log(setup)
    assert code == 0 and "checked against 1 export anchor(s)" in out, out


def test_a_recorded_review_is_anchored_and_a_forged_one_is_named(setup: Setup) -> None:
    conclusions = setup.root / "conclusions.toml"
    conclusions.write_text(CONCLUSIONS, encoding="utf-8")
    run = setup.cli(
        "review", "record", "--product", "ipc", "--conclusions", str(conclusions), "--yes"
    )
    assert run.returncode == 0, run.stdout + run.stderr
    (review,) = (setup.data_dir / "records").glob("Security-Management-Review_*.md")
    assert "entry=4 head=sha256:" in review.read_text()
    code, out = verify_log(setup)
    assert code == 0 and "4 entries; checked against 4 export anchor(s)" in out, out

    with closing(sqlite3.connect(setup.data_dir / "secgate.sqlite3")) as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET release = '2.0' WHERE seq = 4")
        rechain(conn)
    code, out = verify_log(setup)
    assert code == 1 and "BROKEN at entry 4" in out and "reviews are logged per product" in out


def test_the_record_digest_is_what_an_auditor_recomputes(setup: Setup) -> None:
    records = setup.data_dir / "records"
    exported = record_file(records, "ipc", "2.0", ".json").read_text()
    assert f"sha256:{sha256_hex(exported)}" in "".join(c["body"] for c in setup.record_comments())
