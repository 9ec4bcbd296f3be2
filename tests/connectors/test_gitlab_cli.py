"""`secgate sync`, `status`, `authorize`, `verify` as a user runs them, against the fake GitLab."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.fakes.gitlab_server import FakeGitLab

TOKEN = "glpat-cli-0123456789abcdef"
TOKEN_ENV = "SECGATE_GITLAB_TOKEN"
PROJECT = "medical/pump"
EMPTY = ("system-test-findings", "implementation", "verification-validation")


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    server = FakeGitLab().start()
    yield server
    server.stop()


def seed(fake: FakeGitLab) -> dict[str, Any]:
    store = fake.store
    user = store.add_user("release.bot", TOKEN)["id"]
    project = store.add_project(PROJECT)["id"]
    store.add_milestone("v1.0", project_id=project)
    store.add_milestone("v0.9", project_id=project, state="closed")

    def issue(title: str, labels: list[str], closed: bool = True, **extra: Any) -> Any:
        return store.add_issue(
            project, title, author_id=user, labels=labels, milestone="v1.0", closed=closed, **extra
        )

    issue("Password policy", ["security", "sec-requirement"])
    # Medium: a "not a defect" needs a rationale only on Critical and High (the default).
    issue(
        "Threat model review",
        ["security", "sec-design", "resolution::not-a-defect", "severity::medium"],
    )
    accepted = issue(
        "Weak cipher on service port", ["security", "sec-defect", "resolution::risk-accepted"]
    )
    store.add_note(accepted, "Risk acceptance: service LAN only, see RA-12.", author_id=user)
    issue("Pump id in log", ["security", "sec-defect"], confidential=True)
    still_open = issue("Dose limit bypass", ["security", "sec-defect"], closed=False)
    record = store.add_issue(project, "Release records", author_id=user)
    return {"project": project, "user": user, "open": still_open, "record": record}


def write_config(path: Path, fake: FakeGitLab) -> None:
    config = {
        "trackers": {
            "gitlab": {
                "kind": "gitlab",
                "url": fake.url,
                "token_env": TOKEN_ENV,
                "timeout_seconds": 5.0,
            }
        },
        "products": {
            "ipc": {
                "name": "Infusion Pump Controller",
                "review_interval_days": 365,
                "security_labels": ["security"],
                "record_issue": {"tracker": "gitlab", "key": f"{PROJECT}#6"},
                "not_applicable": {c: "not part of this test release" for c in EMPTY},
                "sources": [
                    {
                        "tracker": "gitlab",
                        "project": PROJECT,
                        "release": "v{release}",
                        "filter": "security",
                    }
                ],
                "categories": {
                    "requirements": {"labels": ["sec-requirement"]},
                    "security-by-design": {"labels": ["sec-design"]},
                    "defect-management": {"labels": ["sec-defect"]},
                },
            }
        },
    }
    path.write_text(tomli_w.dumps(config), encoding="utf-8")


def secgate(tmp: Path, *args: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    env[TOKEN_ENV] = token
    command = [sys.executable, "-m", "secgate_tui.cli", "--config", str(tmp / "secgate.toml")]
    return subprocess.run(
        [*command, "--data-dir", str(tmp / "data"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_sync_status_authorize_verify(fake: FakeGitLab, tmp_path: Path) -> None:
    seeded = seed(fake)
    write_config(tmp_path / "secgate.toml", fake)
    status = ("status", "--product", "ipc", "--release", "1.0", "--json")

    synced = secgate(tmp_path, "sync")
    assert synced.returncode == 0, synced.stderr

    releases = secgate(tmp_path, "releases", "--product", "ipc", "--json")
    assert releases.returncode in (0, 1), releases.stderr
    assert "1.0" in {r["release"] for r in json.loads(releases.stdout)}

    blocked = secgate(tmp_path, *status)
    assert blocked.returncode == 1, blocked.stderr
    verdict = json.loads(blocked.stdout)
    blocking = [b["key"] for c in verdict["categories"].values() for b in c["blocking"]]
    assert blocking == [f"{PROJECT}#5"]
    assert "Pump id in log" not in blocked.stdout  # confidential title stays out

    fake.store.update_issue(seeded["open"], state_event="close", author_id=seeded["user"])
    passing = secgate(tmp_path, *status)
    assert passing.returncode == 0, passing.stdout + passing.stderr

    authorized = secgate(tmp_path, "authorize", "--product", "ipc", "--release", "1.0", "--yes")
    assert authorized.returncode == 0, authorized.stdout + authorized.stderr
    notes = fake.store.notes[seeded["record"]["id"]]
    assert len(notes) == 1 and "secgate-record " in notes[0]["body"]
    assert "Risk acceptance: service LAN only" in notes[0]["body"]
    assert "Pump id in log" not in notes[0]["body"]

    verified = secgate(tmp_path, "verify", "--product", "ipc", "--release", "1.0")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    notes[0]["body"] = notes[0]["body"].replace("Weak cipher", "Strong cipher")
    tampered = secgate(tmp_path, "verify", "--product", "ipc", "--release", "1.0")
    assert tampered.returncode == 1, tampered.stdout + tampered.stderr


def test_bad_token_fails_the_sync_without_showing_it(fake: FakeGitLab, tmp_path: Path) -> None:
    seed(fake)
    write_config(tmp_path / "secgate.toml", fake)
    result = secgate(tmp_path, "sync", token="glpat-expired-7f3a9c")
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert TOKEN_ENV in output and "401" in output
    assert "glpat-expired-7f3a9c" not in output
    assert "Traceback" not in output


def test_unknown_release_is_an_error(fake: FakeGitLab, tmp_path: Path) -> None:
    seed(fake)
    write_config(tmp_path / "secgate.toml", fake)
    result = secgate(tmp_path, "status", "--product", "ipc", "--release", "9.9")
    assert result.returncode == 2, result.stdout
    assert "9.9" in result.stderr and "Traceback" not in result.stderr
