"""Records of the previous version (tests/fixtures/v1) are still found, adopted and verified.

The fixture is a tracker as secgate left it before the record publisher was
unified: one authorization comment and one review comment, both written by the
sandbox's account. A retry by the current version must adopt each of them
(read back, log once, export) without posting anything, and ``verify`` must
find the adopted authorization intact.
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

FIXTURE = Path(__file__).parent.parent / "fixtures" / "v1"


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    for name in ("secgate.toml", "sandbox.json", "conclusions.toml"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    # The v1 tracker shows 2.1 as shipped; since issue 13 authorizing a shipped release
    # needs --retrospective, which is another decision (another record id). The retry
    # whose adoption is tested here is the one v1 would have made: 2.1 not yet shipped.
    sandbox = tmp_path / "sandbox.json"
    data = json.loads(sandbox.read_text(encoding="utf-8"))
    for project in data["projects"].values():
        for version in project["versions"]:
            version["released"] = False
    sandbox.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def secgate(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The fixture's config names the sandbox by a relative path: same config digest anywhere.
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


def comments(cwd: Path) -> list[dict[str, Any]]:
    data = json.loads((cwd / "sandbox.json").read_text(encoding="utf-8"))
    return [c for issue in data["issues"].values() for c in issue.get("comments", [])]


def logged() -> dict[str, Any]:
    payloads: dict[str, Any] = json.loads((FIXTURE / "audit_payloads.json").read_text())
    return payloads


def exported(cwd: Path) -> list[str]:
    """The v1 kinds of export: the evidence bundle authorize writes beside the record and
    each record's PDF are new (the PDF is checked to sit beside its Markdown)."""
    records = sorted((cwd / "data" / "records").iterdir())
    names = [p.name for p in records if not p.name.startswith("Software-Release-Record_")]
    pdfs = [p.with_suffix(".md").name for p in records if p.suffix == ".pdf"]
    assert pdfs == [name for name in names if name.endswith(".md")]
    return [name for name in names if not name.endswith(".pdf")]


def test_an_authorization_of_the_previous_version_is_refused_by_the_tightened_gate(
    tracker: Path,
) -> None:
    """Issue 13 tightened the gate: a Critical or High "not a defect" (or duplicate) needs
    a rationale (``policy.justification_required``, on by default). The fixture's ipc 2.1
    has such issues without one, so the previous version's record of it is not a record
    this version would write: a retry is refused by the gate, names them, and neither
    posts nor logs anything (the earlier comment stays as it was).

    Until then this test showed the record adopted and verified; records of releases
    that still pass keep being adopted by the one rule of ``services.publish.adopt``."""
    before = comments(tracker)
    result = secgate(tracker, "authorize", "--product", "ipc", "--release", "2.1", "--yes")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "not-a-defect on a critical issue without a justification" in result.stdout
    assert comments(tracker) == before  # nothing posted
    assert not (tracker / "data" / "records").exists()


def test_a_review_of_the_previous_version_is_adopted_and_the_log_verifies(tracker: Path) -> None:
    # Since issue 19 a review counts only when its author is a listed reviewer: the one
    # change an upgraded config needs. The record itself is the previous version's.
    with (tracker / "secgate.toml").open("a", encoding="utf-8") as config:
        config.write('\n[products.ipc.reviewers]\nsandbox = ["release.manager"]\n')
    before = comments(tracker)
    old = logged()["review"]
    result = secgate(
        tracker,
        "review",
        "record",
        "--product",
        "ipc",
        "--conclusions",
        "conclusions.toml",
        "--yes",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"RECORDED: review {old['record_id']}" in result.stdout
    assert "adopted the earlier comment" in result.stdout
    assert comments(tracker) == before  # nothing posted
    names = json.loads((FIXTURE / "exports.json").read_text())
    assert exported(tracker) == [n for n in names if "Management-Review" in n]
    log = secgate(tracker, "verify", "--log")
    assert log.returncode == 0 and "1 entry" in log.stdout, log.stdout + log.stderr
