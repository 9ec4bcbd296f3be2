"""Issue 19 against the real Redmine: what leaves a release is re-read by key before it is dropped.

Redmine answers 404 for a deleted issue and 403 for one in a project the
account cannot see: both are "no longer visible or deleted" and block, with
the keys named; an issue moved to another version leaves after one full sync.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.connectors.test_redmine_cli import secgate, write_config
from tests.redmine.fixtures import RedmineHarness, redmine_harness

__all__ = ["redmine_harness"]
pytestmark = pytest.mark.redmine

STATUS = ("status", "--product", "ipc", "--release", "2.0", "--json", "--offline")
FULL_SYNC = ("sync", "--product", "ipc", "--release", "2.0", "--full")


def verdict(tmp: Path, key: str) -> tuple[int, dict[str, Any]]:
    result = secgate(tmp, key, *STATUS)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout)


def test_moved_issues_leave_and_deleted_or_hidden_ones_block(
    redmine_harness: RedmineHarness, tmp_path: Path
) -> None:
    key = redmine_harness.server.alice_key
    admin = redmine_harness.admin
    write_config(tmp_path / "secgate.toml", redmine_harness.server.url)
    assert secgate(tmp_path, key, "sync").returncode == 0
    code, before = verdict(tmp_path, key)
    assert code == 1 and "#1" in json.dumps(before["categories"])

    redmine_harness.move_out("#1")  # the open one, to version 3.0
    assert secgate(tmp_path, key, *FULL_SYNC).returncode == 0
    code, moved = verdict(tmp_path, key)
    assert code == 0, moved["reasons"]
    assert '"#1"' not in json.dumps(moved["categories"])

    admin.call("DELETE", "/issues/2.json")
    admin.issue("#5", project_id="secgate-b", fixed_version_id="")  # alice is no member there
    synced = secgate(tmp_path, key, *FULL_SYNC)
    assert synced.returncode == 0, synced.stderr
    code, after = verdict(tmp_path, key)
    assert code == 1
    reason = next(r for r in after["reasons"] if "no longer visible" in r)
    assert "#2" in reason and "#5" in reason
    authorized = secgate(
        tmp_path, key, "authorize", "--product", "ipc", "--release", "2.0", "--yes"
    )
    assert authorized.returncode == 1, authorized.stdout + authorized.stderr
    assert redmine_harness.connector.find_comments("#7", "secgate-record") == []
