"""Review records written before issue 15 are still found, adopted, re-rendered and verified.

tests/fixtures/review_pre15 is a tracker as secgate left it before the review
record gained the checks of its conclusions, targets, the follow-up of previous
actions and the FDA metrics: one review comment (with every part of the
minutes and an action issue) written by the sandbox's account. Its conclusions
say YES where the figures disagree, with no explanation: the record was written
before that was checked, so it stands as written. A retry with the same
conclusions must adopt it (the comment is re-rendered byte for byte and read
back), post nothing, create no second action issue, log it once and export the
record's JSON byte for byte.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).parent.parent / "fixtures" / "review_pre15"


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    for name in ("secgate.toml", "sandbox.json", "conclusions.toml"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    return tmp_path


def secgate(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    command = [sys.executable, "-m", "secgate_tui.cli", "--config", "secgate.toml"]
    return subprocess.run(
        [*command, "--data-dir", "data", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def sandbox(cwd: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((cwd / "sandbox.json").read_text(encoding="utf-8"))
    return data


def test_a_review_recorded_before_issue_15_is_adopted_byte_for_byte(tracker: Path) -> None:
    before = sandbox(tracker)
    old = json.loads((FIXTURE / "audit_payloads.json").read_text())["review"]
    result = secgate(
        tracker,
        "review",
        "record",
        "--product",
        "ipc",
        "--conclusions",
        "conclusions.toml",
        "--yes",
        "--create-actions",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"RECORDED: review {old['record_id']}" in result.stdout
    assert "adopted the earlier comment" in result.stdout
    assert f"sha256:{old['record_digest']}" in result.stdout
    after = sandbox(tracker)
    assert after["issues"].keys() == before["issues"].keys()  # no second action issue
    assert after["issues"]["IPC-6"]["comments"] == before["issues"]["IPC-6"]["comments"]
    names = json.loads((FIXTURE / "exports.json").read_text())
    records = tracker / "data" / "records"
    json_name = next(n for n in names if n.endswith(".json"))
    assert (records / json_name).read_bytes() == (FIXTURE / json_name).read_bytes()
    log = secgate(tracker, "verify", "--log")
    assert log.returncode == 0 and "1 entry" in log.stdout, log.stdout + log.stderr


def test_the_status_counts_a_review_recorded_before_issue_15(tracker: Path) -> None:
    old = json.loads((FIXTURE / "audit_payloads.json").read_text())["review"]
    result = secgate(tracker, "review", "status", "--json")
    assert result.returncode in (0, 1), result.stdout + result.stderr
    (status,) = json.loads(result.stdout)
    assert status["last_review_source"] == "tracker"
    assert status["record_id"] == old["record_id"]
