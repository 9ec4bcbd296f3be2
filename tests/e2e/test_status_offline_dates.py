"""``status --offline`` holds an activity scoped since the previous release to the release
lists the last sync kept, and says as of when (issue 13): the CLI on the sandbox."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from tests.e2e.test_authorize_support import Setup
from tests.e2e.test_cli import secgate


def scoped_since_previous(setup: Setup, activity: str) -> None:
    data = tomllib.loads(setup.config.read_text(encoding="utf-8"))
    for entry in data["products"]["ipc"]["activities"]:
        if entry["id"] == activity:
            entry["scope"] = "since-previous-release"
    setup.config.write_text(tomli_w.dumps(data), encoding="utf-8")


def activity_of(output: str, activity: str) -> dict[str, Any]:
    report = json.loads(output)
    found: dict[str, Any] = next(a for a in report["activities"] if a["id"] == activity)
    return found


def test_offline_status_uses_the_release_dates_the_sync_kept(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.write_config()
    scoped_since_previous(setup, "threat-model")
    synced = setup.cli("sync", "--product", "ipc", "--release", "2.1")
    assert synced.returncode == 0, synced.stderr

    shown = setup.cli("status", "--product", "ipc", "--release", "2.1", "--offline", "--json")
    assert shown.returncode in (0, 1), shown.stderr
    threat = activity_of(shown.stdout, "threat-model")
    assert threat["state"] == "complete", threat
    assert "; release dates as of " in threat["detail"]
    assert threat["detail"].endswith("Z (the last sync's)")

    # Read from the trackers now, the dates need no "as of".
    online = setup.cli("status", "--product", "ipc", "--release", "2.1", "--json")
    assert online.returncode in (0, 1), online.stderr
    assert "as of" not in activity_of(online.stdout, "threat-model")["detail"]


def test_offline_status_says_a_release_shipped_as_of_the_last_sync(tmp_path: Path) -> None:
    # The demo's IPC 2.0 shipped. Before any sync nothing is kept, so nothing is said.
    args = ("--demo", "status", "--product", "ipc", "--release", "2.0")
    before = secgate(*args, "--offline", "--json", data_dir=tmp_path)
    assert "released" not in json.loads(before.stdout)
    secgate(*args, data_dir=tmp_path)  # syncs, and keeps the release lists

    text = secgate(*args, "--offline", data_dir=tmp_path)
    assert "NOTE: release 2.0 was already released on" in text.stdout
    assert "according to the tracker as of " in text.stdout
    report = json.loads(secgate(*args, "--offline", "--json", data_dir=tmp_path).stdout)
    assert report["released"]["released"] is True
    assert report["released"]["as_of"].endswith("Z")
