"""What a tracker sends is not trusted blindly, through `secgate sync` against the fake GitLab.

An issue key with an invisible character fails that source and keeps its last
good data; a link that carries a password never reaches the store or output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.connectors.test_gitlab_cli import fake, secgate, seed, write_config
from tests.fakes.gitlab_server import FakeGitLab

__all__ = ["fake"]  # the fake GitLab fixture, shared with the CLI tests

STATUS = ("status", "--product", "ipc", "--release", "1.0", "--json", "--offline")
FULL_SYNC = ("sync", "--product", "ipc", "--release", "1.0", "--full")


def snapshot(tmp: Path) -> dict[str, Any]:
    result = secgate(tmp, *STATUS)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    verdict: dict[str, Any] = json.loads(result.stdout)
    return verdict


def test_an_issue_key_with_an_invisible_character_fails_the_source_and_keeps_its_data(
    fake: FakeGitLab, tmp_path: Path
) -> None:
    seeded = seed(fake)
    write_config(tmp_path / "secgate.toml", fake)
    assert secgate(tmp_path, *FULL_SYNC).returncode == 0
    before = snapshot(tmp_path)

    issue = seeded["open"]
    with fake.store.lock:
        issue["references"] = {**issue["references"], "full": "medical/pump#5\u200b"}
        fake.store._encoded.clear()
        fake.store._touch()  # the fake caches list answers per store version
    synced = secgate(tmp_path, *FULL_SYNC)

    assert synced.returncode == 2, synced.stdout + synced.stderr
    message = synced.stdout + synced.stderr
    assert "medical/pump#5\\u200b" in message and "invisible or control characters" in message
    assert "\u200b" not in message
    after = snapshot(tmp_path)
    assert after["snapshot_digest"] == before["snapshot_digest"]


def test_no_url_from_the_tracker_keeps_its_userinfo(fake: FakeGitLab, tmp_path: Path) -> None:
    seeded = seed(fake)
    write_config(tmp_path / "secgate.toml", fake)
    host = fake.url.split("://", 1)[1]
    with fake.store.lock:
        for issue in fake.store.issues.values():
            issue["web_url"] = issue["web_url"].replace(host, f"admin:SuperSecretPw123@{host}")
        fake.store._encoded.clear()
        fake.store._touch()  # the fake caches list answers per store version
    assert seeded["open"]["web_url"].count("SuperSecretPw123") == 1

    synced = secgate(tmp_path, *FULL_SYNC)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    shown = secgate(tmp_path, *STATUS)
    stored = b"".join(p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())
    assert f"{host}/medical/pump/-/issues/5".encode() in stored
    for output in (synced.stdout, synced.stderr, shown.stdout, shown.stderr):
        assert "SuperSecretPw123" not in output and "admin:" not in output
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert b"SuperSecretPw123" not in path.read_bytes(), path
