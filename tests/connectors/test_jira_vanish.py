"""Issue 19 against the fake Jira Cloud: ``{"issues": [], "isLast": true}`` never clears a release.

The fake's "member" fault replaces the search answer's ``issues`` with ``[]``:
a consistent last page (Cloud's ``search/jql`` has no total to contradict it)
while every issue still reads fine by key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.connectors.test_jira_cli import secgate, write_config
from tests.fakes.jira_seed import OTHER_RELEASE, RELEASE, seed
from tests.fakes.jira_server import FakeJira

SIX = (
    "system-test-findings",
    "requirements",
    "security-by-design",
    "implementation",
    "verification-validation",
    "defect-management",
)
ACK_ALL = [arg for category in SIX for arg in ("--ack-empty", category)]
STATUS = ("status", "--product", "ipc", "--release", RELEASE, "--json", "--offline")
FULL_SYNC = ("sync", "--product", "ipc", "--release", RELEASE, "--full")


@pytest.fixture
def jira(tmp_path: Path) -> Iterator[tuple[FakeJira, dict[str, str]]]:
    with FakeJira("cloud") as fake:
        keys = seed(fake)
        write_config(tmp_path / "secgate.toml", fake, keys)
        assert secgate(tmp_path, "sync", token=fake.token).returncode == 0
        yield fake, keys


def verdict(tmp: Path, fake: FakeJira, *extra: str) -> tuple[int, dict[str, Any]]:
    result = secgate(tmp, *STATUS, *extra, token=fake.token)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout)


def authorize(tmp: Path, fake: FakeJira) -> Any:
    return secgate(
        tmp, "authorize", "--product", "ipc", "--release", RELEASE, "--yes", *ACK_ALL,
        token=fake.token,
    )  # fmt: skip


def test_an_empty_last_page_neither_wipes_the_store_nor_authorizes(
    jira: tuple[FakeJira, dict[str, str]], tmp_path: Path
) -> None:
    fake, keys = jira
    code, before = verdict(tmp_path, fake)
    assert code == 1

    fake.set_fault("member", path="/search", member="issues", value=[])
    synced = secgate(tmp_path, *FULL_SYNC, token=fake.token)
    # Two defences, either suffices: the page check disbelieves an empty search that Jira's
    # approximate count contradicts (exit 2), and the by-key re-read keeps issues that are
    # still in the release (exit 0). Neither may clear the store.
    assert synced.returncode in (0, 2), synced.stderr
    code, after = verdict(tmp_path, fake)
    assert code == 1
    assert after["snapshot_digest"] == before["snapshot_digest"]

    authorized = authorize(tmp_path, fake)
    assert authorized.returncode in (1, 2), authorized.stdout
    said = authorized.stdout + authorized.stderr
    assert "BLOCKED" in said or "authorization failed at step 'sync'" in said
    assert fake.state.issues[keys["record"]].comments == []


def test_an_issue_moved_to_another_version_leaves_after_one_full_sync(
    jira: tuple[FakeJira, dict[str, str]], tmp_path: Path
) -> None:
    fake, keys = jira
    fake.state.update(keys["open"], fix_versions=[OTHER_RELEASE])
    assert secgate(tmp_path, *FULL_SYNC, token=fake.token).returncode == 0
    # It was the only requirement: the category is empty, and since the tracker
    # said where its issue went, it can be acknowledged as not applicable.
    code, after = verdict(tmp_path, fake, "--ack-empty", "requirements=moved to 1.0")
    assert code == 0, after["reasons"]
    assert keys["open"] not in json.dumps(after["categories"])
    assert after["categories"]["requirements"]["acknowledged"] is True


def test_a_deleted_issue_blocks_as_no_longer_visible_or_deleted(
    jira: tuple[FakeJira, dict[str, str]], tmp_path: Path
) -> None:
    fake, keys = jira
    with fake.state.lock:
        del fake.state.issues[keys["fixed"]]
        fake.state._touch()
    synced = secgate(tmp_path, *FULL_SYNC, token=fake.token)
    assert synced.returncode == 0, synced.stderr
    code, after = verdict(tmp_path, fake)
    assert code == 1
    reason = next(r for r in after["reasons"] if keys["fixed"] in r)
    assert "deleted, or no longer visible" in reason
    assert authorize(tmp_path, fake).returncode == 1
    assert fake.state.issues[keys["record"]].comments == []


def test_a_failing_re_read_fails_the_source_and_keeps_its_last_data(
    jira: tuple[FakeJira, dict[str, str]], tmp_path: Path
) -> None:
    fake, keys = jira
    code, before = verdict(tmp_path, fake)
    fake.set_fault("member", path="/search", member="issues", value=[])
    fake.set_fault("bad_json", path="/issue/")  # every read by key answers broken JSON

    synced = secgate(tmp_path, *FULL_SYNC, token=fake.token)
    assert synced.returncode == 2, synced.stdout + synced.stderr
    assert "FAILED" in synced.stderr and "Traceback" not in synced.stderr
    code, after = verdict(tmp_path, fake)
    assert code == 1
    assert after["categories"] == before["categories"]
    assert any("failed to sync" in r for r in after["reasons"]), after["reasons"]
    assert authorize(tmp_path, fake).returncode == 2
    assert fake.state.issues[keys["record"]].comments == []
