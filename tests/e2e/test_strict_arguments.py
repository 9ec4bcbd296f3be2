"""Unusable arguments and configuration stop the command before anything runs (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def secgate(*args: str | bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "secgate_tui.cli", *args],
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--demo", "status", "--product", "", "--release", "2.2"], "--product"),
        (
            ["--demo", "--data-dir", "", "status", "--product", "ipc", "--release", "2.2"],
            "--data-dir",
        ),
        (["--demo", "status", "--product", "ipc", "--release", b"2.\xff"], "--release"),
        (["--demo", "status", "--product", "ipc", "--release", ""], "--release"),
        (["--demo", "status", "--product", "p" * 300, "--release", "2.2"], "--product"),
        (["init", "--kind", "jira", "--url", "https://u:SuperSecretPw123@jira.example"], "--url"),
    ],
)
def test_an_unusable_argument_is_named_and_nothing_runs(
    tmp_path: Path, args: list[str | bytes], named: str
) -> None:
    result = secgate(*args, cwd=tmp_path)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, stderr
    assert f"argument {named}:" in stderr and "nothing was run" in stderr
    assert "Traceback" not in stderr and "SuperSecretPw123" not in stderr
    assert result.stdout == b""
    assert list(tmp_path.iterdir()) == []  # no store, no demo data, no config written


def test_a_bad_config_file_is_named_and_nothing_runs(tmp_path: Path) -> None:
    config = tmp_path / "secgate.toml"
    config.write_text(
        '[trackers.box]\nkind = "sandbox"\npath = "box.json"\n'
        '[products.ipc]\nname = "P"\nreview_interval_days = "365"\n'
        '[[products.ipc.sources]]\ntracker = "box"\nproject = "IPC"\n'
    )
    data_dir = tmp_path / "data"
    result = secgate("--config", str(config), "--data-dir", str(data_dir), "sync", cwd=tmp_path)
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert "products.ipc.review_interval_days" in stderr
    assert not data_dir.exists() and not (tmp_path / "box.json").exists()
