"""Issue 19: an empty but consistent answer never clears a release (the sandbox tracker).

The sandbox answers a release's issue list with ``[]`` while its issues still
exist when the ``empty_issues`` fault is on: the answer a proxy or a token that
lost a permission gives. Run as a user runs secgate, on a non-live copy of the
demo data so nothing moves between two commands.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from secgate_tui.services.demo import demo_data

SIX = (
    "system-test-findings",
    "requirements",
    "security-by-design",
    "implementation",
    "verification-validation",
    "defect-management",
)
ACK_ALL = [arg for category in SIX for arg in ("--ack-empty", category)]


class Sandbox:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = root / "secgate.toml"
        self.file = root / "sandbox.json"
        self.write_config()

    def write_config(self, **source: str) -> None:
        data = demo_data(self.root / "data")
        data["trackers"]["sandbox"].update(path=str(self.file), live=False)
        data["products"]["ipc"]["sources"][0].update(source)
        self.config.write_text(tomli_w.dumps(data), encoding="utf-8")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
        command = [sys.executable, "-m", "secgate_tui.cli", "--config", str(self.config)]
        return subprocess.run(
            [*command, "--data-dir", str(self.root / "data"), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    def status(self, release: str, *extra: str) -> tuple[int, dict[str, Any]]:
        result = self.run("status", "--product", "ipc", "--release", release, "--json", *extra)
        assert result.returncode in (0, 1), result.stdout + result.stderr
        return result.returncode, json.loads(result.stdout)

    def edit(self, change: Callable[[dict[str, Any]], None]) -> None:
        data = json.loads(self.file.read_text(encoding="utf-8"))
        change(data)
        self.file.write_text(json.dumps(data), encoding="utf-8")

    def keys(self, release: str, label: str = "") -> list[str]:
        data = json.loads(self.file.read_text(encoding="utf-8"))
        return sorted(
            key
            for key, issue in data["issues"].items()
            if issue["project"] == "IPC"
            and issue["fix_versions"] == [release]
            and (not label or label in issue["labels"])
        )

    def acknowledge_deleted(self, key: str, reason: str) -> bool:
        """What a release manager does once a vanished issue is known to be deleted."""
        done = self.run(
            "sync", "--product", "ipc", "--release", "2.0", "--ack-deleted", f"{key}={reason}"
        )
        assert done.returncode in (0, 2), done.stdout + done.stderr
        if done.returncode == 2:
            assert "is not missing from ipc 2.0" in done.stderr, done.stderr
        else:
            assert f"acknowledged  {key} deleted, by " in done.stdout
        return done.returncode == 0

    def record_comments(self) -> int:
        data = json.loads(self.file.read_text(encoding="utf-8"))
        return sum(
            "secgate-record " in comment["body"]
            for issue in data["issues"].values()
            for comment in issue.get("comments", [])
        )


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    box = Sandbox(tmp_path)
    assert box.run("sync", "--product", "ipc", "--release", "2.0").returncode == 0
    return box


def totals(verdict: dict[str, Any]) -> dict[str, int]:
    return {name: c["total"] for name, c in verdict["categories"].items()}


def touch(data: dict[str, Any], key: str, **fields: Any) -> None:
    data["issues"][key].update(fields, updated=datetime.now(UTC).isoformat())


def test_an_empty_answer_neither_wipes_the_store_nor_authorizes(sandbox: Sandbox) -> None:
    assert sandbox.run("sync", "--product", "ipc", "--release", "2.2").returncode == 0
    code, before = sandbox.status("2.2")
    assert code == 1 and sum(totals(before).values()) > 10

    sandbox.edit(lambda data: data["faults"].update(empty_issues=True))
    synced = sandbox.run("sync", "--product", "ipc", "--release", "2.2", "--full")
    assert synced.returncode == 0, synced.stderr
    code, after = sandbox.status("2.2", "--offline")
    assert code == 1
    assert totals(after) == totals(before)  # every issue is still there
    assert after["snapshot_digest"] == before["snapshot_digest"]

    authorized = sandbox.run("authorize", "--product", "ipc", "--release", "2.2", "--yes", *ACK_ALL)
    assert authorized.returncode in (1, 2), authorized.stdout
    assert "BLOCKED" in authorized.stdout + authorized.stderr
    assert sandbox.record_comments() == 0


def test_an_issue_moved_to_another_release_leaves_after_one_full_sync(sandbox: Sandbox) -> None:
    code, before = sandbox.status("2.0")
    assert code == 0, before["reasons"]
    moved = sandbox.keys("2.0", "sec-requirement")[0]
    sandbox.edit(lambda data: touch(data, moved, fix_versions=["2.2"]))

    assert sandbox.run("sync", "--product", "ipc", "--release", "2.0", "--full").returncode == 0
    code, after = sandbox.status("2.0", "--offline")
    assert code == 0, after["reasons"]
    assert after["categories"]["requirements"]["total"] == (
        before["categories"]["requirements"]["total"] - 1
    )


def test_a_release_whose_category_moved_out_entirely_can_acknowledge_it(sandbox: Sandbox) -> None:
    moved = sandbox.keys("2.0", "sec-requirement")

    def move(data: dict[str, Any]) -> None:
        for key in moved:
            touch(data, key, fix_versions=["2.2"])

    sandbox.edit(move)
    assert sandbox.run("sync", "--product", "ipc", "--release", "2.0", "--full").returncode == 0
    code, verdict = sandbox.status("2.0", "--offline", "--ack-empty", "requirements=moved to 2.2")
    assert code == 0, verdict["reasons"]
    assert verdict["categories"]["requirements"]["acknowledged"] is True


def test_a_deleted_issue_blocks_until_a_person_acknowledges_the_deletion(
    sandbox: Sandbox,
) -> None:
    deleted = sandbox.keys("2.0", "sec-design")[0]
    sandbox.edit(lambda data: data["issues"].pop(deleted))

    synced = sandbox.run("sync", "--product", "ipc", "--release", "2.0", "--full")
    assert synced.returncode == 0, synced.stderr
    code, verdict = sandbox.status("2.0", "--offline")
    assert code == 1
    reason = next(r for r in verdict["reasons"] if deleted in r)
    assert "deleted, or no longer visible" in reason
    authorized = sandbox.run("authorize", "--product", "ipc", "--release", "2.0", "--yes")
    assert authorized.returncode == 1, authorized.stdout + authorized.stderr
    assert deleted in authorized.stdout + authorized.stderr

    # A later full sync does not forget it.
    assert sandbox.run("sync", "--product", "ipc", "--release", "2.0", "--full").returncode == 0
    assert sandbox.status("2.0", "--offline")[0] == 1

    assert not sandbox.acknowledge_deleted("IPC-999", "typo")
    assert sandbox.acknowledge_deleted(deleted, "duplicate, deleted")
    code, verdict = sandbox.status("2.0", "--offline")
    assert code == 0, verdict["reasons"]


def test_an_issue_that_comes_back_clears_the_block(sandbox: Sandbox) -> None:
    hidden = sandbox.keys("2.0", "sec-design")[0]
    kept: dict[str, Any] = {}
    sandbox.edit(lambda data: kept.update(data["issues"].pop(hidden)))
    assert sandbox.run("sync", "--product", "ipc", "--release", "2.0", "--full").returncode == 0
    assert sandbox.status("2.0", "--offline")[0] == 1

    sandbox.edit(lambda data: data["issues"].update({hidden: kept}))
    assert sandbox.run("sync", "--product", "ipc", "--release", "2.0", "--full").returncode == 0
    code, verdict = sandbox.status("2.0", "--offline")
    assert code == 0, verdict["reasons"]


def test_a_category_emptied_by_a_scope_change_cannot_be_acknowledged(sandbox: Sandbox) -> None:
    # A filter no issue matches: a new scope, so nothing "left" it; the
    # categories remember what they held and re-read it by key.
    sandbox.write_config(filter="no-such-label")
    code, verdict = sandbox.status("2.0", *ACK_ALL)
    assert code == 1
    reasons = " | ".join(verdict["reasons"])
    assert "Security requirements: held " in reasons and "cannot be acknowledged" in reasons
    assert verdict["categories"]["requirements"]["acknowledged"] is False

    authorized = sandbox.run("authorize", "--product", "ipc", "--release", "2.0", "--yes", *ACK_ALL)
    assert authorized.returncode == 1, authorized.stdout + authorized.stderr
    assert "cannot be acknowledged" in authorized.stdout + authorized.stderr
    assert sandbox.record_comments() == 0

    # Back in scope, the release passes again.
    sandbox.write_config()
    code, verdict = sandbox.status("2.0")
    assert code == 0, verdict["reasons"]


def test_a_category_whose_issues_were_all_deleted_can_be_acknowledged_after_each_deletion(
    sandbox: Sandbox,
) -> None:
    deleted = sandbox.keys("2.0", "sec-design")

    def delete(data: dict[str, Any]) -> None:
        for key in deleted:
            data["issues"].pop(key)

    sandbox.edit(delete)
    assert sandbox.run("sync", "--product", "ipc", "--release", "2.0", "--full").returncode == 0
    ack = ("--ack-empty", "security-by-design=design issues deleted as duplicates")
    code, verdict = sandbox.status("2.0", "--offline", *ack)
    assert code == 1
    assert any("Security by design: held" in r for r in verdict["reasons"]), verdict["reasons"]

    for key in deleted[:-1]:
        assert sandbox.acknowledge_deleted(key, "dup")
    code, verdict = sandbox.status("2.0", "--offline", *ack)
    assert code == 1  # one deletion is not acknowledged yet
    assert any(deleted[-1] in r for r in verdict["reasons"])

    assert sandbox.acknowledge_deleted(deleted[-1], "dup")
    code, verdict = sandbox.status("2.0", "--offline", *ack)
    assert code == 0, verdict["reasons"]
    assert verdict["categories"]["security-by-design"]["acknowledged"] is True
