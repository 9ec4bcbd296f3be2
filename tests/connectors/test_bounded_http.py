"""Every connector's HTTP is bounded and keeps its credential home, through `secgate sync`.

A hostile loopback server answers every request with a never-ending body, a
gzip bomb, a trickle or a redirect to another port; each must end the source's
sync with exit 2 and a message naming the tracker and the limit, in bounded
memory and time, and the credential must never reach the other port.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import tomli_w

from connectors.base import TrackerSettings
from connectors.bounded import BoundedAdapter, Bounds, Limits
from tests.fakes.hostile_server import BOMB_BYTES, HostileServer

TOKEN = "tok-bounded-0123456789abcdef"
TOKEN_ENV = "SECGATE_BOUNDED_TOKEN"
CATEGORIES = ("requirements", "security-by-design", "defect-management")

#: (kind, extra tracker settings) for every connector and Jira's two credentials.
TRACKERS: dict[str, dict[str, Any]] = {
    "jira-datacenter": {"kind": "jira", "flavor": "datacenter"},
    "jira-cloud": {"kind": "jira", "flavor": "cloud", "user": "bot@example.com"},
    "gitlab": {"kind": "gitlab"},
    "redmine": {"kind": "redmine"},
}


def write_config(tmp: Path, variant: str, url: str, **limits: Any) -> None:
    tracker = {**TRACKERS[variant], "url": url, "token_env": TOKEN_ENV, **limits}
    config = {
        "trackers": {"t": tracker},
        "products": {
            "ipc": {
                "name": "Infusion Pump Controller",
                "review_interval_days": 365,
                "security_labels": ["security"],
                "sources": [{"tracker": "t", "project": "PUMP", "release": "{release}"}],
                "categories": {c: {"labels": [c]} for c in CATEGORIES},
            }
        },
    }
    (tmp / "secgate.toml").write_text(tomli_w.dumps(config), encoding="utf-8")


def sync(tmp: Path) -> tuple[int, str, float, int]:
    """Run `secgate sync`: exit code, output, seconds taken, and max RSS in bytes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    env[TOKEN_ENV] = TOKEN
    command = [sys.executable, "-m", "secgate_tui.cli", "--config", str(tmp / "secgate.toml")]
    out = (tmp / "out.txt").open("w+")
    started = time.monotonic()
    process = subprocess.Popen(
        [*command, "--data-dir", str(tmp / "data"), "sync"],
        stdout=out,
        stderr=subprocess.STDOUT,
        env=env,
    )
    # wait4 gives this child's own resource usage (RUSAGE_CHILDREN would be every child's).
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    out.seek(0)
    text = out.read()
    out.close()
    assert TOKEN not in text
    return process.returncode, text, elapsed, usage.ru_maxrss * 1024


@pytest.fixture(params=sorted(TRACKERS))
def variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_a_never_ending_answer_stops_at_max_response_mb(variant: str, tmp_path: Path) -> None:
    with HostileServer("endless") as server:
        write_config(tmp_path, variant, server.url, max_response_mb=2)
        code, text, _, rss = sync(tmp_path)
    assert code == 2, text
    assert "tracker 't'" in text and "max_response_mb = 2 MB" in text
    assert rss < 400 * 1024 * 1024


def test_a_gzip_bomb_is_counted_after_decompression(variant: str, tmp_path: Path) -> None:
    with HostileServer("bomb") as server:
        write_config(tmp_path, variant, server.url, max_response_mb=8)
        code, text, _, rss = sync(tmp_path)
    assert code == 2, text
    assert "max_response_mb = 8 MB" in text and "after decompression" in text
    # Far below what the bomb inflates to (1 GiB): it was never held whole.
    assert rss < BOMB_BYTES // 3


def test_a_trickling_answer_ends_at_the_request_deadline(variant: str, tmp_path: Path) -> None:
    # Each byte arrives well within timeout_seconds, so only the deadline can end it.
    with HostileServer("trickle", interval=0.3) as server:
        write_config(tmp_path, variant, server.url, timeout_seconds=5, request_deadline_seconds=2)
        code, text, elapsed, _ = sync(tmp_path)
    assert code == 2, text
    assert "request_deadline_seconds = 2 s" in text and "tracker 't'" in text
    assert elapsed < 30


def test_trickling_headers_end_at_the_request_deadline(variant: str, tmp_path: Path) -> None:
    with HostileServer("slow_headers", interval=0.3) as server:
        write_config(tmp_path, variant, server.url, timeout_seconds=5, request_deadline_seconds=2)
        code, text, elapsed, _ = sync(tmp_path)
    assert code == 2, text
    assert "request_deadline_seconds = 2 s" in text
    assert elapsed < 30


def test_the_sync_deadline_bounds_a_whole_source(variant: str, tmp_path: Path) -> None:
    with HostileServer("trickle", interval=0.3) as server:
        write_config(
            tmp_path,
            variant,
            server.url,
            timeout_seconds=5,
            request_deadline_seconds=600,
            sync_deadline_seconds=2,
        )
        code, text, elapsed, _ = sync(tmp_path)
    assert code == 2, text
    assert "sync_deadline_seconds = 2 s" in text
    assert elapsed < 30


def test_a_redirect_to_another_port_never_carries_the_credential(
    variant: str, tmp_path: Path
) -> None:
    with (
        HostileServer("record") as elsewhere,
        HostileServer("redirect", target=elsewhere.url) as server,
    ):
        write_config(tmp_path, variant, server.url)
        code, text, _, _ = sync(tmp_path)
    assert code == 2, text
    assert f"redirected {server.url}/" in text and f"to {elsewhere.url}/" in text
    assert server.received, "the tracker was asked"
    basic = base64.b64encode(f"bot@example.com:{TOKEN}".encode()).decode()
    for headers in elsewhere.received:
        assert not any(TOKEN in value or basic in value for value in headers.values())
    assert elsewhere.received == []


def test_a_redirect_on_the_tracker_itself_is_followed() -> None:
    settings = TrackerSettings(kind="t", url="http://127.0.0.1")
    session = requests.Session()
    session.mount("http://", BoundedAdapter(Bounds(Limits.of("t", "Test", settings))))
    with HostileServer("redirect") as server:
        answer = session.get(f"{server.url}/issues.json", headers={"X-Redmine-API-Key": TOKEN})
    session.close()
    assert answer.status_code == 200 and answer.json() == {}
    assert [h["x-redmine-api-key"] for h in server.received] == [TOKEN, TOKEN]
