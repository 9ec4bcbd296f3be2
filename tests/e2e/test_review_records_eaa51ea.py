"""Review records written by commit eaa51ea are still found, adopted, counted and verified.

tests/fixtures/review_eaa51ea is a tracker as that commit left it: two review
comments by the sandbox's account on IPC-6, the second following up the first's
actions (one done on time, one overdue), with checks of its conclusions, the
product's targets and the participants. A retry of the second review with the
same conclusions must adopt it (its comment re-rendered byte for byte and read
back), post nothing, create no action issue, log it once and export the
record's JSON byte for byte; `review status`, `records` and `verify --review`
must count both records as intact, and an edit to the tracker copy must show.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).parent.parent / "fixtures" / "review_eaa51ea"
LOGGED: list[dict[str, Any]] = json.loads((FIXTURE / "audit_payloads.json").read_text())
FIRST, SECOND = (entry["payload"] for entry in LOGGED)


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    for name in ("secgate.toml", "sandbox.json", "first.toml", "second.toml"):
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


def record_second(cwd: Path) -> subprocess.CompletedProcess[str]:
    return secgate(
        cwd,
        "review",
        "record",
        "--product",
        "ipc",
        "--conclusions",
        "second.toml",
        "--yes",
        "--create-actions",
    )


def exported(name: str) -> str:
    """The fixture's export of a record (the first JSON file holding its id)."""
    for path in sorted(FIXTURE.glob("Security-Management-Review_*.json")):
        if json.loads(path.read_text(encoding="utf-8"))["record_id"] == name:
            return path.name
    raise AssertionError(f"no export of {name}")


def test_an_eaa51ea_review_is_adopted_byte_for_byte(tracker: Path) -> None:
    before = sandbox(tracker)
    result = record_second(tracker)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"RECORDED: review {SECOND['record_id']}" in result.stdout
    assert "adopted the earlier comment" in result.stdout
    assert f"sha256:{SECOND['record_digest']}" in result.stdout
    after = sandbox(tracker)
    assert after["issues"].keys() == before["issues"].keys()  # no action issue created again
    assert after["issues"]["IPC-6"]["comments"] == before["issues"]["IPC-6"]["comments"]
    records = tracker / "data" / "records"
    (json_export,) = records.glob("Security-Management-Review_ipc_*.json")
    assert json_export.read_bytes() == (FIXTURE / exported(SECOND["record_id"])).read_bytes()
    log = secgate(tracker, "verify", "--log")
    assert log.returncode == 0 and "1 entry" in log.stdout, log.stdout + log.stderr
    verify = secgate(tracker, "verify", "--product", "ipc", "--review")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert f"review {SECOND['record_id']}: 0 valid signature(s), unsigned" in verify.stdout


def test_status_and_records_count_both_eaa51ea_reviews(tracker: Path) -> None:
    status = secgate(tracker, "review", "status", "--json")
    assert status.returncode in (0, 1), status.stdout + status.stderr
    (ipc,) = json.loads(status.stdout)
    assert ipc["last_review_source"] == "tracker"
    assert ipc["record_id"] == SECOND["record_id"]
    assert ipc["last_review"] == SECOND["period"]["end"][:10]
    assert ipc["warnings"] == []
    listed = secgate(tracker, "records", "--product", "ipc", "--json")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    data = json.loads(listed.stdout)
    assert data["problems"] == []
    reviews = [r for r in data["records"] if r["kind"] == "review"]
    assert [r["record_id"] for r in reviews] == [FIRST["record_id"], SECOND["record_id"]]
    assert {r["state"] for r in reviews} == {"unsigned"}


def edit_second_comment(cwd: Path) -> None:
    """An edit of the minutes' text only: the machine block still digests."""
    data = sandbox(cwd)
    comment = data["issues"]["IPC-6"]["comments"][1]
    edited = comment["body"].replace("OPEN, OVERDUE", "DONE ON TIME", 1)
    assert edited != comment["body"]
    comment["body"] = edited
    (cwd / "sandbox.json").write_text(json.dumps(data), encoding="utf-8")


def test_an_edited_eaa51ea_review_does_not_count_and_is_not_adopted(tracker: Path) -> None:
    """The minutes of the second review were edited: it does not count, so running the
    same conclusions again records a review of its own, leaving the edited comment as
    it is and naming the edit."""
    edit_second_comment(tracker)
    edited = sandbox(tracker)["issues"]["IPC-6"]["comments"][1]
    result = record_second(tracker)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is not the review record secgate wrote" in result.stderr
    assert "line 35 reads" in result.stderr
    comments = sandbox(tracker)["issues"]["IPC-6"]["comments"]
    assert comments[1] == edited and len(comments) == 3  # a new record, nothing adopted
    posted = re.search(r"secgate-review (rev-[0-9a-f]+)", comments[2]["body"])
    assert posted and posted.group(1) not in edited["body"]
    log = secgate(tracker, "verify", "--log")
    assert log.returncode == 0 and "1 entry;" in log.stdout, log.stdout + log.stderr


def test_verify_review_names_an_eaa51ea_review_whose_text_was_edited(tracker: Path) -> None:
    assert record_second(tracker).returncode == 0  # logged: verify --review now expects it
    edit_second_comment(tracker)
    verify = secgate(tracker, "verify", "--product", "ipc", "--review")
    assert verify.returncode == 1, verify.stdout + verify.stderr
    assert "is not the review record secgate wrote" in verify.stdout + verify.stderr
    assert "line 35 reads" in verify.stdout + verify.stderr
