"""The project-wide sync on the sandbox tracker: one read per source, releases selected locally.

What a release manager relies on: an issue moved between releases is seen by
one incremental sync; issues that affect a release without being fixed in it
are handed on apart from its members; a full sync still runs hourly, on
demand and when the release list changed; a store written by the previous
version (one scope per release) opens, and its missing issues keep blocking.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Release
from secgate_tui.config import Config, config_from_data
from secgate_tui.domain import Issue, SourceState
from secgate_tui.services.connections import Connections
from secgate_tui.services.demo import demo_data
from secgate_tui.services.store import Store, VanishedIssue
from secgate_tui.services.sync import (
    Syncer,
    acknowledge_deleted,
    release_issues,
    release_scope_issues,
    source_key,
    source_states,
    stored_release,
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make(tmp_path: Path, clock: Clock) -> tuple[Config, Store, Syncer]:
    data = demo_data(tmp_path)
    data["trackers"]["sandbox"]["live"] = False
    config = config_from_data(data, tmp_path / "secgate.toml")
    store = Store(tmp_path / "s.sqlite3")
    return config, store, Syncer(config, store, Connections(config), clock)


def edit(tmp_path: Path, change: Any) -> None:
    path = tmp_path / "sandbox.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def touch(tmp_path: Path, key: str, **fields: Any) -> None:
    stamp = datetime.now(UTC).isoformat()
    edit(tmp_path, lambda data: data["issues"][key].update(fields, updated=stamp))


def member_of(data: dict[str, Any], release: str) -> str:
    return next(
        key
        for key, raw in data["issues"].items()
        if raw["project"] == "IPC" and raw.get("fix_versions") == [release]
    )


def keys(issues: list[Issue]) -> set[str]:
    return {issue.key for issue in issues}


def test_one_incremental_sync_sees_an_issue_move_between_releases(
    tmp_path: Path, clock: Clock
) -> None:
    config, store, syncer = make(tmp_path, clock)
    first = syncer.sync_product("ipc", ["2.1", "2.2"])
    assert all(r.full for r in first["2.1"])
    moved = member_of(json.loads((tmp_path / "sandbox.json").read_text()), "2.1")
    touch(tmp_path, moved, fix_versions=["2.2"])
    clock.now += timedelta(minutes=1)
    second = syncer.sync_product("ipc", ["2.1", "2.2"])
    assert not any(r.full for results in second.values() for r in results)
    assert moved not in keys(release_issues(config, store, "ipc", "2.1"))
    assert moved in keys(release_issues(config, store, "ipc", "2.2"))


def test_affected_issues_are_handed_on_apart_from_members(tmp_path: Path, clock: Clock) -> None:
    config, store, syncer = make(tmp_path, clock)
    syncer.sync_release("ipc", "2.1")
    later = member_of(json.loads((tmp_path / "sandbox.json").read_text()), "2.2")
    touch(tmp_path, later, affects_versions=["2.1"])
    clock.now += timedelta(minutes=1)
    syncer.sync_release("ipc", "2.1")
    scope = release_scope_issues(config, store, "ipc", "2.1")
    assert later in keys(scope.affected) and later not in keys(scope.members)
    assert keys(scope.members) == keys(release_issues(config, store, "ipc", "2.1"))
    assert later in keys(release_scope_issues(config, store, "ipc", "2.2").members)


def test_full_sync_hourly_on_demand_and_when_the_release_list_changes(
    tmp_path: Path, clock: Clock
) -> None:
    _, _, syncer = make(tmp_path, clock)

    def full() -> bool:
        (result,) = syncer.sync_release("ipc", "2.1")
        assert not result.state.error, result.state.error
        return result.full

    assert full()  # first use
    clock.now += timedelta(minutes=1)
    assert not full()
    clock.now += timedelta(minutes=61)
    assert full()  # at least hourly
    clock.now += timedelta(minutes=1)
    assert syncer.sync_release("ipc", "2.1", full=True)[0].full  # before every authorization

    def add_version(data: dict[str, Any]) -> None:
        data["projects"]["IPC"]["versions"].append({"name": "9.0", "released": False})

    edit(tmp_path, add_version)
    clock.now += timedelta(minutes=5)  # past the release list's time to live
    assert full()  # a renamed version changes issues without touching them


def test_a_release_no_source_knows_is_found_nowhere(tmp_path: Path, clock: Clock) -> None:
    _, _, syncer = make(tmp_path, clock)
    results = syncer.sync_release("ipc", "9.9")
    assert results and not any(r.state.release_found for r in results)
    assert not any(r.state.error for r in results)


def test_a_failing_source_blocks_and_keeps_its_data(tmp_path: Path, clock: Clock) -> None:
    config, store, syncer = make(tmp_path, clock)
    syncer.sync_release("ipc", "2.1")
    before = keys(release_issues(config, store, "ipc", "2.1"))
    edit(tmp_path, lambda data: data["faults"].update(unavailable=True))
    clock.now += timedelta(minutes=5)
    (result,) = syncer.sync_release("ipc", "2.1")
    assert result.state.error and "unavailable" in result.state.error
    (state,) = source_states(store, config.product("ipc").sources, "2.1")
    assert state.error
    assert keys(release_issues(config, store, "ipc", "2.1")) == before


def test_released_flag_and_date_are_kept(tmp_path: Path, clock: Clock) -> None:
    config, store, syncer = make(tmp_path, clock)
    facts = syncer.release_facts("ipc")
    shipped = [name for name, r in facts.items() if r.released]
    assert shipped
    stored = stored_release(config, store, "ipc", shipped[0])
    assert stored is not None and stored.released and stored.release_date is not None


def test_a_deleted_issue_blocks_only_the_releases_it_was_in(tmp_path: Path, clock: Clock) -> None:
    config, store, syncer = make(tmp_path, clock)
    syncer.sync_product("ipc", ["2.1", "2.2"])
    deleted = member_of(json.loads((tmp_path / "sandbox.json").read_text()), "2.1")
    edit(tmp_path, lambda data: data["issues"].pop(deleted))
    clock.now += timedelta(minutes=1)
    synced = syncer.sync_product("ipc", ["2.1", "2.2"], full=True)
    assert synced["2.1"][0].state.missing == (deleted,)
    assert synced["2.2"][0].state.missing == ()
    assert acknowledge_deleted(
        config,
        store,
        product_id="ipc",
        release="2.1",
        key=deleted,
        reason="dup",
        by="rm",
        at=clock(),
    )
    assert source_states(store, config.product("ipc").sources, "2.1")[0].missing == ()


# -- a store written by the previous version ------------------------------------------------


def legacy_key(config: Config, release: str) -> str:
    source = config.product("ipc").sources[0]
    flt = hashlib.sha256(source.filter.encode()).hexdigest()[:12]
    return f"{source.tracker}|{source.project}|{source.release_name(release)}|{flt}"


def test_a_store_of_the_previous_version_opens_and_its_missing_issues_keep_blocking(
    tmp_path: Path, clock: Clock
) -> None:
    config, store, syncer = make(tmp_path, clock)
    syncer.sync_release("ipc", "2.1")  # seeds the sandbox file; then rewrite as the old layout
    issues = release_issues(config, store, "ipc", "2.1")
    store.close()
    with sqlite3.connect(tmp_path / "s.sqlite3") as db:
        for table in ("issues", "sync_state", "source_releases", "meta"):
            db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        db.execute("DROP TABLE vanished")
        db.execute(  # the previous version's table, without the versions column
            "CREATE TABLE vanished (scope TEXT NOT NULL, key TEXT NOT NULL, "
            "source TEXT NOT NULL, since TEXT NOT NULL, ack_reason TEXT, ack_by TEXT, "
            "ack_at TEXT, PRIMARY KEY (scope, key))"
        )
        old = legacy_key(config, "2.1")
        since = (clock.now - timedelta(days=1)).isoformat()
        db.execute(
            "INSERT INTO vanished VALUES (?, 'IPC-990', 'sandbox', ?, NULL, NULL, NULL)",
            (old, since),
        )
        db.execute(
            "INSERT INTO vanished VALUES (?, 'IPC-991', 'sandbox', ?, 'dup', 'rm', ?)",
            (old, since, since),
        )
    store = Store(tmp_path / "s.sqlite3")
    state = SourceState(source="sandbox", project="IPC", synced_at=clock.now - timedelta(days=1))
    store.save_sync(old, state, issues, full=True, cursor=clock.now - timedelta(days=1))
    syncer = Syncer(config, store, Connections(config), clock)

    (result,) = syncer.sync_release("ipc", "2.1")
    assert result.full  # the first sync after the upgrade
    assert result.state.missing == ("IPC-990",)  # still blocks 2.1
    assert source_states(store, config.product("ipc").sources, "2.2")[0].missing == ()
    assert store.scopes() == [source_key(config.product("ipc").sources[0])]  # old scopes retired
    adopted = {v.key: v for v in store.vanished(source_key(config.product("ipc").sources[0]))}
    assert adopted["IPC-991"].ack_reason == "dup"
    assert adopted["IPC-990"] == VanishedIssue(
        key="IPC-990",
        source="sandbox",
        since=datetime.fromisoformat(since),
        versions=("2.1",),
    )
    assert keys(release_issues(config, store, "ipc", "2.1")) == keys(issues)


def test_a_sync_that_started_earlier_never_replaces_newer_data(
    tmp_path: Path, clock: Clock
) -> None:
    config, store, newer = make(tmp_path, clock)
    newer.sync_release("ipc", "2.1")  # seeds the sandbox file
    moved = member_of(json.loads((tmp_path / "sandbox.json").read_text()), "2.1")
    touch(tmp_path, moved, fix_versions=["2.2"])
    clock.now += timedelta(minutes=2)
    newer.sync_release("ipc", "2.1", full=True)
    earlier = Clock()
    earlier.now = clock.now - timedelta(minutes=1)  # started before, finishes after
    edit(tmp_path, lambda data: data["issues"][moved].update(fix_versions=["2.1"]))
    late = Syncer(config, store, Connections(config), earlier)
    late.sync_release("ipc", "2.1", full=True)
    assert moved not in keys(release_issues(config, store, "ipc", "2.1"))
    assert moved in keys(release_issues(config, store, "ipc", "2.2"))


@pytest.mark.parametrize(
    "name", ["2.1", "IPC 4.1 (beta)", "v2.1-rc[1]", 'say "2.1"', "Ünïcode 2.1", "back\\slash"]
)
def test_the_stores_preselection_never_drops_a_member(
    tmp_path: Path, clock: Clock, name: str
) -> None:
    """The SQL substring pre-selection is only a shortcut: every name selects exactly
    what a scan of the source's issues selects, whatever its characters."""
    config, store, syncer = make(tmp_path, clock)
    syncer.sync_release("ipc", "2.1")
    source = config.product("ipc").sources[0]
    key = source_key(source)
    stored = store.issues([key])
    renamed = [
        issue.model_copy(update={"fix_versions": (name,) if n % 2 else ("other",)})
        for n, issue in enumerate(stored)
    ]
    state = SourceState(source="sandbox", project="IPC", synced_at=clock.now + timedelta(1))
    store.save_sync(key, state, renamed, full=True, cursor=clock.now + timedelta(1))
    store.save_releases(key, [Release(name=name)], clock.now + timedelta(1))
    selected = keys(release_issues(config, store, "ipc", name))
    assert selected == {i.key for i in renamed if name in i.fix_versions}
    assert selected
