"""Issue 19 against the fake GitLab: an empty but consistent issue list never clears a release.

The ``empty_issues`` fault answers every issue list with ``[]`` and consistent
paging headers (``X-Total: 0``) while the issues still exist and read fine by
iid, as a proxy or a token that lost a permission answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.connectors.test_gitlab_cli import PROJECT, secgate, seed, write_config
from tests.fakes.gitlab_server import FakeGitLab

SIX = (
    "system-test-findings",
    "requirements",
    "security-by-design",
    "implementation",
    "verification-validation",
    "defect-management",
)
ACK_ALL = [arg for category in SIX for arg in ("--ack-empty", category)]
STATUS = ("status", "--product", "ipc", "--release", "1.0", "--json", "--offline")
FULL_SYNC = ("sync", "--product", "ipc", "--release", "1.0", "--full")


@pytest.fixture
def gitlab(tmp_path: Path) -> Iterator[tuple[FakeGitLab, dict[str, Any]]]:
    server = FakeGitLab().start()
    seeded = seed(server)
    write_config(tmp_path / "secgate.toml", server)
    assert secgate(tmp_path, "sync").returncode == 0
    yield server, seeded
    server.stop()


def verdict(tmp: Path) -> tuple[int, dict[str, Any]]:
    result = secgate(tmp, *STATUS)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout)


def delete(fake: FakeGitLab, iid: int) -> None:
    """Delete an issue as an admin does (DELETE /projects/:id/issues/:iid)."""
    store = fake.store
    with store.lock:
        issue = next(i for i in store.issues.values() if i["iid"] == iid)
        del store.issues[issue["id"]]
        del store.by_iid[(issue["project_id"], iid)]
        store._touch()


def test_an_empty_list_neither_wipes_the_store_nor_authorizes(
    gitlab: tuple[FakeGitLab, dict[str, Any]], tmp_path: Path
) -> None:
    fake, seeded = gitlab
    code, before = verdict(tmp_path)
    assert code == 1

    fake.set_fault("empty_issues")
    synced = secgate(tmp_path, *FULL_SYNC)
    assert synced.returncode == 0, synced.stderr
    code, after = verdict(tmp_path)
    assert code == 1
    # The same issues, states and dispositions (the digest differs: GitLab's
    # answer for one issue is not byte for byte its list entry).
    assert after["categories"] == before["categories"]
    assert [b["key"] for c in after["categories"].values() for b in c["blocking"]] == [
        f"{PROJECT}#5"
    ]

    authorized = secgate(
        tmp_path, "authorize", "--product", "ipc", "--release", "1.0", "--yes", *ACK_ALL
    )
    assert authorized.returncode in (1, 2), authorized.stdout
    assert "BLOCKED" in authorized.stdout + authorized.stderr
    assert fake.store.notes.get(seeded["record"]["id"], []) == []


def test_an_issue_moved_to_another_milestone_leaves_after_one_full_sync(
    gitlab: tuple[FakeGitLab, dict[str, Any]], tmp_path: Path
) -> None:
    fake, seeded = gitlab
    fake.store.update_issue(seeded["open"], milestone="v0.9")
    assert secgate(tmp_path, *FULL_SYNC).returncode == 0
    code, after = verdict(tmp_path)
    assert code == 0, after["reasons"]
    assert f"{PROJECT}#5" not in json.dumps(after["categories"])


def test_a_deleted_issue_blocks_as_no_longer_visible_or_deleted(
    gitlab: tuple[FakeGitLab, dict[str, Any]], tmp_path: Path
) -> None:
    fake, seeded = gitlab
    fake.store.update_issue(seeded["open"], state_event="close", author_id=seeded["user"])
    assert verdict(tmp_path)[0] == 0 or secgate(tmp_path, *FULL_SYNC).returncode == 0
    delete(fake, 1)  # "Password policy", the only security requirement

    synced = secgate(tmp_path, *FULL_SYNC)
    assert synced.returncode == 0, synced.stderr
    code, after = verdict(tmp_path)
    assert code == 1
    reason = next(r for r in after["reasons"] if f"{PROJECT}#1" in r)
    assert "deleted, or no longer visible" in reason
    authorized = secgate(
        tmp_path, "authorize", "--product", "ipc", "--release", "1.0", "--yes", *ACK_ALL
    )
    assert authorized.returncode == 1, authorized.stdout + authorized.stderr
    assert fake.store.notes.get(seeded["record"]["id"], []) == []
