"""The review counts reopened issues from the trackers' history (IEC 81001-5-1 4.1.8)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CONCLUSIONS = """
complete = { answer = "yes", comment = "All findings went through triage.", explanation = "as is" }
efficient = { answer = "yes", comment = "", explanation = "as is" }
resolution = { answer = "yes", comment = "", explanation = "as is" }
"""


def test_reopened_issues_come_from_the_tracker_history(tmp_path: Path) -> None:
    conclusions = tmp_path / "review.toml"
    conclusions.write_text(CONCLUSIONS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "secgate_tui.cli",
            "--demo",
            "--data-dir",
            str(tmp_path / "d"),
            "review",
            "record",
            "--product",
            "ipc",
            "--conclusions",
            str(conclusions),
            "--yes",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (export,) = (tmp_path / "d" / "records").glob("Security-Management-Review_ipc_*.json")
    metrics = json.loads(export.read_text())["metrics"]
    # The demo sandbox records two implementation findings of 2.2 as closed, then reopened.
    assert metrics["reopened_known"] is True
    assert metrics["history_missing_sources"] == []
    assert sorted(r["key"] for r in metrics["reopened"]) == ["IPC-95", "IPC-96"]
    assert metrics["totals"]["reopened"] == 2
