"""The reviews screen's trends from the store: every source synced, or the reason why not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from secgate_tui.domain import Issue, SourceState
from secgate_tui.services.demo import demo_config
from secgate_tui.services.release_view import source_key
from secgate_tui.services.review_trends import stored_trends
from secgate_tui.services.store import Store

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def issue(key: str, days_ago: int, *, updated: int = 0, title: str = "t") -> Issue:
    return Issue(
        source="sandbox",
        key=key,
        title=title,
        status="Open",
        closed=False,
        labels=("security", "sec-defect"),
        created=NOW - timedelta(days=days_ago),
        updated=NOW - timedelta(days=updated),
    )


def test_trends_count_each_issue_once_as_of_the_oldest_sync(tmp_path: Path) -> None:
    config = demo_config(tmp_path)
    product = config.product("ipc")
    store = Store(tmp_path / "store.db")
    try:
        for n, source in enumerate(product.sources):
            synced = NOW - timedelta(hours=n + 1)
            state = SourceState(source=source.tracker, project=source.project, synced_at=synced)
            # Every source holds IPC-1 (the same issue, read at two times) and one of its own.
            issues = [issue("IPC-1", 40, updated=n), issue(f"OWN-{n}", 10)]
            store.save_sync(source_key(source), state, issues, full=True, cursor=synced)
        found = stored_trends(config, store, "ipc", NOW)
        assert found.problem is None and found.trends is not None
        assert found.trends.months[-1].still_open == 1 + len(product.sources)
        assert found.synced_at == NOW - timedelta(hours=len(product.sources))
    finally:
        store.close()


def test_a_source_never_synced_or_failed_gives_the_reason_not_a_chart(tmp_path: Path) -> None:
    config = demo_config(tmp_path)
    product = config.product("ipc")
    store = Store(tmp_path / "store.db")
    try:
        missing = stored_trends(config, store, "ipc", NOW)
        assert missing.trends is None and missing.problem is not None
        assert "has not been synced yet" in missing.problem
        assert "secgate sync --product ipc" in missing.problem
        for source in product.sources:  # synced once, then the tracker failed
            ok = SourceState(source=source.tracker, project=source.project, synced_at=NOW)
            store.save_sync(source_key(source), ok, [issue("IPC-1", 40)], full=True, cursor=NOW)
            later = NOW + timedelta(minutes=5)
            failed_state = ok.model_copy(update={"synced_at": later, "error": "HTTP 503"})
            store.save_sync(source_key(source), failed_state, None, full=True, cursor=None)
        failed = stored_trends(config, store, "ipc", NOW)
        assert failed.trends is None and failed.problem is not None
        assert "failed (HTTP 503)" in failed.problem
    finally:
        store.close()
