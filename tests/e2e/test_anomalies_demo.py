"""Unresolved anomalies in the demo, as a release manager meets them on the command
line: a High vulnerability affecting the shipped 2.1 blocks it, an expired risk
acceptance says so, a Critical "not a defect" without rationale blocks 2.2, and a
release whose affected issues are dispositioned is authorized with the assessment
table in its record."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.exports import record_file
from tests.e2e.test_cli import secgate


def status(demo: Path, product: str, release: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = secgate(
        "--demo", "status", "--product", product, "--release", release, "--json", data_dir=demo
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_an_open_high_vulnerability_affecting_2_1_blocks_it(tmp_path: Path) -> None:
    code, data = status(tmp_path / "demo", "ipc", "2.1")
    assert code == 1 and data["verdict"] == "BLOCKED"
    rows = {row["key"]: row for row in data["unresolved_anomalies"]}
    assert set(rows) == {"IPC-98", "IPC-99"}
    assert rows["IPC-98"]["severity"] == "high" and rows["IPC-98"]["blocking"]
    assert "no risk acceptance or deferral for this release" in rows["IPC-98"]["reason"]
    # A justified risk acceptance that has expired blocks, and says so.
    assert rows["IPC-99"]["disposition"] == "risk-accepted" and rows["IPC-99"]["justification"]
    assert "expired on" in rows["IPC-99"]["reason"]
    [reason] = data["reasons"]
    assert reason.startswith("Unresolved anomalies: 2 of 2") and "IPC-98" in reason
    # The closure boards still judge the members alone.
    assert all(not c["blocking"] for c in data["categories"].values())


def test_a_critical_not_a_defect_without_rationale_blocks_2_2(tmp_path: Path) -> None:
    code, data = status(tmp_path / "demo", "ipc", "2.2")
    assert code == 1
    blocking = {f["key"]: f["reason"] for f in data["categories"]["defect-management"]["blocking"]}
    assert "not-a-defect on a critical issue without a justification" in blocking["IPC-154"]


def test_2_0_passes_with_its_deferrals_and_its_record_carries_the_assessment(
    tmp_path: Path,
) -> None:
    demo = tmp_path / "demo"
    code, data = status(demo, "ipc", "2.0")
    assert code == 0, data["reasons"]
    rows = data["unresolved_anomalies"]
    # IPC-157 was fixed in 2.1 (the review's deployed defect whose fix shipped).
    assert {row["key"] for row in rows} == {"IPC-89", "IPC-90", "IPC-91", "IPC-92", "IPC-157"}
    assert {(row["disposition"], row["target_version"]) for row in rows} == {
        ("deferred", "2.2"),
        ("deferred", "2.1"),
    }

    done = secgate(
        "--demo", "authorize", "--product", "ipc", "--release", "2.0", "--yes",
        "--retrospective", "2.0 shipped before secgate", data_dir=demo,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    records = demo / "records"
    record = json.loads(record_file(records, "ipc", "2.0", ".json").read_text())
    # One row per affected issue, then one per residual item of the release itself
    # (in the order of the categories: the system-test finding first).
    rows = [(row["key"], row["affected"]) for row in record["unresolved_anomalies"]]
    assert rows == [
        ("IPC-157", True),
        ("IPC-89", True),
        ("IPC-90", True),
        ("IPC-91", True),
        ("IPC-92", True),
        ("IPC-156", False),
        ("IPC-155", False),
    ]
    assert record["unresolved_anomalies"][3]["severity"] == "critical"
    markdown = record_file(records, "ipc", "2.0", ".md").read_text()
    section = markdown.split("Security assessment of unresolved anomalies")[1]
    assert "| Key | Found as | Title | Severity | CWE |" in section
    assert "FN\\-2026\\-07" in section or "FN-2026-07" in section
    verify = secgate("--demo", "verify", "--product", "ipc", "--release", "2.0", data_dir=demo)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_a_passing_release_shows_an_acceptance_that_expires(tmp_path: Path) -> None:
    code, data = status(tmp_path / "demo", "dms", "5.4")
    assert code == 0, data["reasons"]
    [row] = data["unresolved_anomalies"]
    assert row["disposition"] == "risk-accepted" and row["expires"] and not row["blocking"]
    assert row["cwe"] == ["CWE-327"] and row["compensating_controls"]
