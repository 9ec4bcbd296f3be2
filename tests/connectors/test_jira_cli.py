"""`secgate sync`, `status`, `authorize` and `verify` as a user runs them, against the fake Jira."""

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

from tests.fakes.jira_seed import PROJECT, RELEASE, TOKEN_ENV, seed
from tests.fakes.jira_server import FakeJira

EMPTY = ("system-test-findings", "implementation", "verification-validation")


@pytest.fixture(params=["cloud", "datacenter"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param) as server:
        yield server


def write_config(path: Path, fake: FakeJira, keys: dict[str, str]) -> None:
    tracker: dict[str, Any] = {
        "kind": "jira",
        "url": fake.url,
        "token_env": TOKEN_ENV,
        "severity_field": "customfield_10050",
        "justification_field": "customfield_10051",
        "timeout_seconds": 5.0,
    }
    if fake.cloud:
        tracker["user"] = fake.email
    config = {
        "trackers": {"jira": tracker},
        "products": {
            "ipc": {
                "name": "Infusion Pump Controller",
                "review_interval_days": 365,
                "security_labels": ["security"],
                "record_issue": {"tracker": "jira", "key": keys["record"]},
                "not_applicable": {c: "not part of this test release" for c in EMPTY},
                "sources": [{"tracker": "jira", "project": PROJECT, "filter": "labels = security"}],
                "categories": {
                    "requirements": {"labels": ["sec-requirement"]},
                    "security-by-design": {"labels": ["sec-design"]},
                    "defect-management": {"labels": ["sec-defect"]},
                },
            }
        },
    }
    path.write_text(tomli_w.dumps(config), encoding="utf-8")


def secgate(tmp: Path, *args: str, token: str) -> subprocess.CompletedProcess[str]:
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


def test_sync_status_authorize_verify(fake: FakeJira, tmp_path: Path) -> None:
    keys = seed(fake)
    write_config(tmp_path / "secgate.toml", fake, keys)
    status = ("status", "--product", "ipc", "--release", RELEASE, "--json")

    synced = secgate(tmp_path, "sync", token=fake.token)
    assert synced.returncode == 0, synced.stderr

    blocked = secgate(tmp_path, *status, token=fake.token)
    assert blocked.returncode == 1, blocked.stderr
    verdict = json.loads(blocked.stdout)
    blocking = [b["key"] for c in verdict["categories"].values() for b in c["blocking"]]
    assert blocking == [keys["open"]]

    fake.state.update(keys["open"], status="Done", resolution="Fixed")
    passing = secgate(tmp_path, *status, token=fake.token)
    assert passing.returncode == 0, passing.stdout + passing.stderr

    authorized = secgate(
        tmp_path, "authorize", "--product", "ipc", "--release", RELEASE, "--yes", token=fake.token
    )
    assert authorized.returncode == 0, authorized.stdout + authorized.stderr
    records = [c.body for c in fake.state.issues[keys["record"]].comments]
    assert len(records) == 1 and "secgate-record " in records[0]

    verified = secgate(
        tmp_path, "verify", "--product", "ipc", "--release", RELEASE, token=fake.token
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


@pytest.fixture
def cloud() -> Iterator[FakeJira]:
    with FakeJira("cloud") as server:
        yield server


def test_bad_token_fails_the_sync_without_showing_it(cloud: FakeJira, tmp_path: Path) -> None:
    fake = cloud
    keys = seed(fake)
    write_config(tmp_path / "secgate.toml", fake, keys)
    result = secgate(tmp_path, "sync", token="expired-token-7f3a9c")
    shown = result.stdout + result.stderr
    assert result.returncode == 2
    assert TOKEN_ENV in shown and "expired" in shown
    assert "expired-token-7f3a9c" not in shown
    assert "Traceback" not in shown


def test_unknown_release_is_an_error(cloud: FakeJira, tmp_path: Path) -> None:
    fake = cloud
    keys = seed(fake)
    write_config(tmp_path / "secgate.toml", fake, keys)
    result = secgate(tmp_path, "status", "--product", "ipc", "--release", "9.9", token=fake.token)
    assert result.returncode == 2, result.stdout
    assert "9.9" in result.stdout + result.stderr


def test_a_login_page_is_reported_not_printed(cloud: FakeJira, tmp_path: Path) -> None:
    keys = seed(cloud)
    write_config(tmp_path / "secgate.toml", cloud, keys)
    cloud.set_fault("html")
    result = secgate(tmp_path, "sync", token=cloud.token)
    shown = result.stdout + result.stderr
    assert result.returncode == 2
    assert "HTML page instead of JSON" in shown
    # The jira library logs the raw body it could not parse: untrusted text.
    assert "<html" not in shown.lower() and "<form" not in shown
