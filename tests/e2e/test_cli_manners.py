"""The command line as a release manager meets it: option order, a reader that
stops early, a declined prompt, a release never authorized, and what the
human status output says about unclassified items."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_cli import secgate


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    return tmp_path / "demo"


def test_global_options_work_before_the_command(demo_dir: Path) -> None:
    result = secgate(
        "--demo", "--product", "ipc", "--release", "2.2", "status", "--json", data_dir=demo_dir
    )
    assert result.returncode == 1, result.stderr  # 2.2 is blocked: the gate's code
    assert '"release": "2.2"' in result.stdout


def test_ack_empty_takes_several_categories_after_one_flag(demo_dir: Path) -> None:
    base = ("--demo", "status", "--product", "ipc", "--release", "2.2.1", "--offline")
    assert secgate(*base[:-1], data_dir=demo_dir).returncode == 1  # sync once; empty blocks
    several = secgate(
        *base,
        "--ack-empty",
        "system-test-findings=patch release",
        "requirements",
        data_dir=demo_dir,
    )
    assert several.returncode == 0, several.stdout + several.stderr
    repeated = secgate(
        *base,
        "--ack-empty",
        "system-test-findings",
        "--ack-empty",
        "requirements",
        data_dir=demo_dir,
    )
    assert repeated.returncode == 0, repeated.stdout + repeated.stderr


def test_a_reader_that_stops_early_leaves_the_exit_code_alone(demo_dir: Path) -> None:
    # A pipe whose reader is already gone: every write fails with EPIPE, as
    # after `| head -1` has read its line.
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "secgate_tui.cli",
                "--data-dir",
                str(demo_dir),
                "--demo",
                "status",
                "--product",
                "ipc",
                "--release",
                "2.2",
                "--json",
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 1, result.stderr  # BLOCKED, as with a reader
    assert "BrokenPipe" not in result.stderr and "internal error" not in result.stderr
    assert result.stderr == ""


def test_verify_on_a_release_never_authorized_says_so(demo_dir: Path) -> None:
    result = secgate("--demo", "verify", "--product", "ipc", "--release", "2.0", data_dir=demo_dir)
    assert result.returncode == 1
    assert "no authorization record for ipc 2.0" in result.stdout
    assert "MISMATCH" not in result.stdout


def test_authorize_declined_at_the_prompt_exits_1(demo_dir: Path) -> None:
    result = secgate(
        "--demo",
        "authorize",
        "--product",
        "ipc",
        "--release",
        "2.0",
        "--retrospective",
        "2.0 shipped before secgate",
        data_dir=demo_dir,
        stdin="no\n",
    )
    assert result.returncode == 1, result.stderr
    assert "not confirmed" in result.stderr


def test_human_status_gives_each_unclassified_item_its_reason(demo_dir: Path) -> None:
    result = secgate("--demo", "status", "--product", "ipc", "--release", "2.2", data_dir=demo_dir)
    lines = result.stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if line.strip().startswith("Unclassified"))
    item = lines[start + 1].split()
    assert item[0] == "IPC-103"
    assert " ".join(item[1:]).startswith("carries a security label")
