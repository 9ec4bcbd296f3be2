"""A full disk is a clear error that says what state the tracker is in (issue #20).

SQLite's own limit on the database's size (``PRAGMA max_page_count``) makes it
answer SQLITE_FULL, "database or disk is full", exactly as a full disk does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from secgate_tui.services.context import Context, build_context
from secgate_tui.services.demo import demo_config
from secgate_tui.services.publish import Publisher, Step
from secgate_tui.services.publish.kinds.authorization import AUTHORIZATION, AuthorizationRequest
from secgate_tui.services.store import StoreError
from secgate_tui.services.sync import release_issues


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    context = build_context(demo_config(tmp_path), tmp_path)
    try:
        yield context
    finally:
        context.close()


def fill_the_disk(ctx: Context) -> None:
    db = ctx.store._db  # the test's stand-in for the disk: the store may not grow
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute(f"PRAGMA max_page_count = {pages}")


def free_the_disk(ctx: Context) -> None:
    ctx.store._db.execute("PRAGMA max_page_count = 1073741823")


def record_comments(data_dir: Path) -> list[str]:
    sandbox = json.loads((data_dir / "sandbox.json").read_text(encoding="utf-8"))
    return [
        c["body"]
        for issue in sandbox["issues"].values()
        for c in issue.get("comments", [])
        if "secgate-record " in c["body"]
    ]


def test_a_full_disk_at_the_log_step_says_the_record_is_in_the_tracker_and_a_rerun_adopts_it(
    ctx: Context,
) -> None:
    now = datetime.now(UTC)
    request = AuthorizationRequest(
        product="ipc", release="2.0", acks={}, retrospective="2.0 shipped before secgate"
    )
    prepared = Publisher(ctx, lambda: now).prepare(AUTHORIZATION, request)
    assert prepared.ready, prepared.message
    fill_the_disk(ctx)

    result = Publisher(ctx, lambda: now).publish(prepared)

    assert not result.done and result.failure is not None
    assert result.failure.step is Step.LOG
    assert "is in the tracker and verified, but the audit log could not be written" in (
        result.message
    )
    assert "disk" in result.message and "full" in result.message
    assert "NOT authorized" in result.message and "adopts the posted record" in result.message
    assert len(record_comments(ctx.data_dir)) == 1
    assert ctx.store.audit_entries("authorization", "ipc", "2.0") == []

    free_the_disk(ctx)
    again = Publisher(ctx, lambda: now).run(AUTHORIZATION, request)
    assert again.done, again.message
    assert again.adopted and len(record_comments(ctx.data_dir)) == 1
    assert len(ctx.store.audit_entries("authorization", "ipc", "2.0")) == 1


def test_a_full_disk_is_a_clear_store_error_and_keeps_what_the_store_held(ctx: Context) -> None:
    ctx.syncer.sync_release("ipc", "2.2", full=True)
    before = release_issues(ctx.config, ctx.store, "ipc", "2.2")
    assert before
    fill_the_disk(ctx)
    with pytest.raises(StoreError) as raised:
        ctx.store.set_meta("filler", "x" * 200_000)
    message = str(raised.value)
    assert "the disk (or the file size allowed to secgate) is full" in message
    assert "rolled back" in message and "Traceback" not in message
    free_the_disk(ctx)
    assert release_issues(ctx.config, ctx.store, "ipc", "2.2") == before
    assert ctx.store.get_meta("filler") is None
