"""The headless command line, run as a user (and a CI pipeline) runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

CATEGORIES = {
    "system-test-findings",
    "requirements",
    "security-by-design",
    "implementation",
    "verification-validation",
    "defect-management",
}


def secgate(
    *args: str, data_dir: Path, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "secgate_tui.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=stdin,
        timeout=120,
    )


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    return tmp_path / "demo"


def test_demo_status_json_passing_release(demo_dir: Path) -> None:
    result = secgate(
        "--demo", "status", "--product", "ipc", "--release", "2.0", "--json", data_dir=demo_dir
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["verdict"] == "PASS" and data["product"] == "ipc" and data["release"] == "2.0"
    assert set(data["categories"]) == CATEGORIES
    for category in data["categories"].values():
        assert {"total", "closed", "blocking", "empty", "acknowledged"} <= set(category)
    assert data["reasons"] == [] and data["unclassified"] == []
    assert len(data["snapshot_digest"]) == 64 and data["synced_at"]
    residual = [r for c in data["categories"].values() for r in c["residual"]]
    assert {r["disposition"] for r in residual} == {"risk-accepted", "deferred"}
    assert all(r["justification"] for r in residual)


def test_demo_status_blocked_release_names_every_blocking_issue(demo_dir: Path) -> None:
    result = secgate(
        "--demo", "status", "--product", "ipc", "--release", "2.2", "--json", data_dir=demo_dir
    )
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    blocked_categories = [k for k, v in data["categories"].items() if v["blocking"]]
    assert len(blocked_categories) >= 3
    reasons = {b["reason"] for c in data["categories"].values() for b in c["blocking"]}
    assert any("open" in r for r in reasons)
    assert any("without a justification" in r for r in reasons)
    assert any("unrecognised resolution 'Works as Designed'" in r for r in reasons)
    assert [u["key"] for u in data["unclassified"]]

    human = secgate("--demo", "status", "--product", "ipc", "--release", "2.2", data_dir=demo_dir)
    assert human.returncode == 1
    for category in data["categories"].values():
        for blocking in category["blocking"]:
            assert blocking["key"] in human.stdout
    assert "BLOCKED" in human.stdout and "Blocked because:" in human.stdout


def test_empty_category_needs_acknowledgement(demo_dir: Path) -> None:
    blocked = secgate(
        "--demo", "status", "--product", "ipc", "--release", "2.2.1", "--json", data_dir=demo_dir
    )
    assert blocked.returncode == 1
    data = json.loads(blocked.stdout)
    assert data["categories"]["system-test-findings"]["empty"] is True
    assert data["categories"]["system-test-findings"]["acknowledged"] is False

    acked = secgate(
        "--demo",
        "status",
        "--product",
        "ipc",
        "--release",
        "2.2.1",
        "--json",
        "--ack-empty",
        "system-test-findings=documentation-only patch",
        data_dir=demo_dir,
    )
    assert acked.returncode == 0, acked.stdout
    category = json.loads(acked.stdout)["categories"]["system-test-findings"]
    assert category["acknowledged"] is True
    assert category["not_applicable_reason"] == "documentation-only patch"


def test_unknown_release_is_an_error_not_an_empty_pass(demo_dir: Path) -> None:
    result = secgate("--demo", "status", "--product", "ipc", "--release", "9.9", data_dir=demo_dir)
    assert result.returncode == 2
    assert "release '9.9' matches no version" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "--product", "nope", "--release", "2.0"], "unknown product 'nope'"),
        (
            ["status", "--product", "ipc", "--release", "2.0", "--ack-empty", "tests"],
            "'tests' is not a category",
        ),
        (["status", "--product", "ipc"], "the following arguments are required: --release"),
    ],
)
def test_bad_arguments_exit_2_with_one_clear_message(
    demo_dir: Path, args: list[str], message: str
) -> None:
    result = secgate("--demo", *args, data_dir=demo_dir)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_releases_json_lists_demo_products_and_verdicts(demo_dir: Path) -> None:
    result = secgate("--demo", "releases", "--json", data_dir=demo_dir)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    by_release = {(r["product"], r["release"]): r for r in rows}
    assert {p for p, _ in by_release} == {"ipc", "dms"}
    assert by_release[("ipc", "2.0")]["verdict"] == "PASS"
    assert by_release[("ipc", "2.0")]["released"] is True
    assert by_release[("ipc", "2.2")]["verdict"] == "BLOCKED"
    assert by_release[("ipc", "2.2")]["released"] is False
    assert all({"product", "release", "released", "verdict"} <= set(r) for r in rows)


def test_sync_then_offline_status_and_staleness(demo_dir: Path) -> None:
    synced = secgate("--demo", "sync", "--product", "ipc", "--release", "2.0", data_dir=demo_dir)
    assert synced.returncode == 0, synced.stderr
    assert "synced" in synced.stdout
    offline = secgate(
        "--demo", "status", "--product", "ipc", "--release", "2.0", "--offline", data_dir=demo_dir
    )
    assert offline.returncode == 0, offline.stdout
    stale = secgate(
        "--demo",
        "status",
        "--product",
        "ipc",
        "--release",
        "2.0",
        "--offline",
        "--json",
        data_dir=demo_dir,
        env={"SECGATE_POLICY__MAX_SNAPSHOT_AGE_SECONDS": "0"},
    )
    assert stale.returncode == 1
    assert any(
        "old; the policy allows at most 0 s" in r for r in json.loads(stale.stdout)["reasons"]
    )


def test_failing_source_fails_sync_and_blocks_status(demo_dir: Path) -> None:
    assert (
        secgate(
            "--demo", "sync", "--product", "ipc", "--release", "2.0", data_dir=demo_dir
        ).returncode
        == 0
    )
    sandbox = demo_dir / "sandbox.json"
    data = json.loads(sandbox.read_text())
    data["faults"]["unavailable"] = True
    sandbox.write_text(json.dumps(data))
    synced = secgate("--demo", "sync", "--product", "ipc", "--release", "2.0", data_dir=demo_dir)
    assert synced.returncode == 2
    assert "FAILED" in synced.stderr and "sandbox" in synced.stderr
    status = secgate(
        "--demo", "status", "--product", "ipc", "--release", "2.0", "--json", data_dir=demo_dir
    )
    assert status.returncode == 1
    reasons = json.loads(status.stdout)["reasons"]
    assert any("failed to sync" in r and "unavailable" in r for r in reasons)


def test_no_config_suggests_init_and_demo(tmp_path: Path) -> None:
    result = secgate(
        "status",
        "--product",
        "p",
        "--release",
        "1",
        data_dir=tmp_path / "d",
        env={"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path)},
    )
    assert result.returncode == 2
    assert "no configuration found" in result.stderr
    assert "secgate init" in result.stderr and "secgate --demo" in result.stderr


def test_init_writes_a_loadable_config_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "secgate.toml"
    args = [
        "--config",
        str(path),
        "init",
        "--kind",
        "jira",
        "--url",
        "https://x.atlassian.net",
        "--project",
        "IPC",
        "--product-name",
        "Infusion Pump Controller",
    ]
    first = secgate(*args, data_dir=tmp_path / "d")
    assert first.returncode == 0, first.stderr
    data = tomllib.loads(path.read_text())
    assert data["trackers"]["jira"]["token_env"] == "SECGATE_JIRA_TOKEN"
    assert data["products"]["ipc"]["sources"][0]["project"] == "IPC"
    before = path.read_text()

    again = secgate(*args, data_dir=tmp_path / "d")
    assert again.returncode == 2 and "already exists" in again.stderr
    assert path.read_text() == before

    forced = secgate(*args[:-1], "Renamed Pump", "--force", data_dir=tmp_path / "d")
    assert forced.returncode == 0
    assert tomllib.loads(path.read_text())["products"]["ipc"]["name"] == "Renamed Pump"


def test_init_without_terminal_names_missing_flags(tmp_path: Path) -> None:
    result = secgate(
        "--config", str(tmp_path / "s.toml"), "init", "--kind", "gitlab", data_dir=tmp_path / "d"
    )
    assert result.returncode == 2
    assert "--url, --project, --product-name" in result.stderr
    assert not (tmp_path / "s.toml").exists()


def test_missing_token_variable_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "secgate.toml"
    assert (
        secgate(
            "--config",
            str(path),
            "init",
            "--kind",
            "jira",
            "--url",
            "https://x.atlassian.net",
            "--project",
            "IPC",
            "--product-name",
            "P",
            data_dir=tmp_path / "d",
        ).returncode
        == 0
    )
    result = secgate(
        "--config",
        str(path),
        "status",
        "--product",
        "ipc",
        "--release",
        "1",
        data_dir=tmp_path / "d",
    )
    assert result.returncode == 2
    assert "SECGATE_JIRA_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_hostile_titles_are_escaped_in_terminal_output(demo_dir: Path) -> None:
    assert (
        secgate(
            "--demo", "sync", "--product", "ipc", "--release", "2.2", data_dir=demo_dir
        ).returncode
        == 0
    )
    sandbox = demo_dir / "sandbox.json"
    data = json.loads(sandbox.read_text())
    hostile = "\x1b[2J\x1b]0;pwned\x07[bold red]x[/] \u202eevil"
    key = next(
        k
        for k, v in data["issues"].items()
        if v["fix_versions"] == ["2.2"] and not v["closed"] and "security" in v["labels"]
    )
    data["issues"][key]["title"] = hostile
    data["issues"][key]["updated"] = datetime.now(UTC).isoformat()  # as a tracker edit does
    sandbox.write_text(json.dumps(data))
    result = secgate("--demo", "status", "--product", "ipc", "--release", "2.2", data_dir=demo_dir)
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "\\x1b[2J" in result.stdout and "\\u202e" in result.stdout
    as_json = secgate(
        "--demo", "status", "--product", "ipc", "--release", "2.2", "--json", data_dir=demo_dir
    )
    assert "\x1b" not in as_json.stdout and "\u202e" not in as_json.stdout
    titles = [
        b["title"] for c in json.loads(as_json.stdout)["categories"].values() for b in c["blocking"]
    ]
    assert hostile in titles  # escaped on the wire, intact for the pipeline that parses it
