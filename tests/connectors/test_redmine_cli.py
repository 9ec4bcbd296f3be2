"""`secgate sync`, `status`, `authorize`, `verify` as a user runs them, against the real Redmine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

from tests.redmine.fixtures import RedmineHarness, redmine_harness

__all__ = ["redmine_harness"]
pytestmark = pytest.mark.redmine

TOKEN_ENV = "SECGATE_REDMINE_TOKEN"
EMPTY = ("requirements", "security-by-design", "verification-validation")


def write_config(path: Path, url: str) -> None:
    config = {
        "trackers": {
            "redmine": {
                "kind": "redmine",
                "url": url,
                "token_env": TOKEN_ENV,
                "disposition_field": "Resolution",
                "justification_field": "Justification",
                "timeout_seconds": 20.0,
            }
        },
        "products": {
            "ipc": {
                "name": "Infusion Pump Controller",
                "review_interval_days": 365,
                "security_labels": ["security"],
                "record_issue": {"tracker": "redmine", "key": "#7"},
                "not_applicable": {c: "not part of this test release" for c in EMPTY},
                "sources": [{"tracker": "redmine", "project": "secgate-a", "release": "{release}"}],
                "categories": {
                    "system-test-findings": {"labels": ["sec-test-finding"]},
                    "implementation": {"labels": ["sec-implementation"]},
                    "defect-management": {"labels": ["sec-defect"]},
                },
            }
        },
    }
    path.write_text(tomli_w.dumps(config), encoding="utf-8")


def secgate(tmp: Path, key: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    env[TOKEN_ENV] = key
    command = [sys.executable, "-m", "secgate_tui.cli", "--config", str(tmp / "secgate.toml")]
    return subprocess.run(
        [*command, "--data-dir", str(tmp / "data"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


def test_sync_status_authorize_verify(redmine_harness: RedmineHarness, tmp_path: Path) -> None:
    server = redmine_harness.server
    key = server.alice_key
    write_config(tmp_path / "secgate.toml", server.url)
    status = ("status", "--product", "ipc", "--release", "2.0", "--json")

    synced = secgate(tmp_path, key, "sync")
    assert synced.returncode == 0, synced.stderr

    blocked = secgate(tmp_path, key, *status)
    assert blocked.returncode == 1, blocked.stderr
    verdict = json.loads(blocked.stdout)
    blocking = [b["key"] for c in verdict["categories"].values() for b in c["blocking"]]
    assert blocking == ["#1"]  # the open SQL injection; #3 and #4 are justified residuals

    redmine_harness.admin.issue("#1", status_id=5)  # Closed -> fixed
    passed = secgate(tmp_path, key, *status)
    assert passed.returncode == 0, passed.stdout + passed.stderr

    authorized = secgate(
        tmp_path, key, "authorize", "--product", "ipc", "--release", "2.0", "--yes"
    )
    assert authorized.returncode == 0, authorized.stdout + authorized.stderr
    notes = redmine_harness.connector.find_comments("#7", "secgate-record")
    assert len(notes) == 1
    assert "#3" in notes[0].body and "Rate limiting makes it impractical." in notes[0].body

    verified = secgate(tmp_path, key, "verify", "--product", "ipc", "--release", "2.0")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    server.sql(
        "UPDATE journals SET notes = replace(notes, 'Rate limiting', 'Rate-limiting') WHERE id = ?",
        int(notes[0].ref.id),
    )
    tampered = secgate(tmp_path, key, "verify", "--product", "ipc", "--release", "2.0")
    assert tampered.returncode == 1, tampered.stdout + tampered.stderr


def test_wrong_key_fails_the_sync_without_showing_it(
    redmine_harness: RedmineHarness, tmp_path: Path
) -> None:
    write_config(tmp_path / "secgate.toml", redmine_harness.server.url)
    wrong = "0123456789abcdef0123456789abcdef01234567"
    synced = secgate(tmp_path, wrong, "sync")
    assert synced.returncode == 2
    assert "API key" in synced.stdout + synced.stderr
    assert wrong not in synced.stdout + synced.stderr
