"""Real OpenSSH for the signing tests: one ssh-agent per session, keys generated per test.

The agent is started with ``ssh-agent -s -a <socket>``, which returns once the
socket listens, and killed by its pid at teardown. Passphrase-protected keys get
their passphrase from a test ``SSH_ASKPASS`` script (``SSH_ASKPASS_REQUIRE=force``),
as a passphrase dialog would give it; secgate never sees it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.signing.keys import Agent, Keys


@pytest.fixture(scope="session")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    socket = tmp_path_factory.mktemp("agent") / "agent.sock"
    out = subprocess.run(
        ["ssh-agent", "-s", "-a", str(socket)], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"SSH_AGENT_PID=(\d+);", out)
    assert match, out
    started = Agent(socket=socket, pid=int(match.group(1)))
    yield started
    os.kill(started.pid, signal.SIGTERM)


@pytest.fixture
def in_agent(agent: Agent, monkeypatch: pytest.MonkeyPatch) -> Agent:
    """The session's agent, as SSH_AUTH_SOCK of this test."""
    monkeypatch.setenv("SSH_AUTH_SOCK", str(agent.socket))
    return agent


@pytest.fixture(autouse=True)
def _no_ambient_agent_or_dialog(monkeypatch: pytest.MonkeyPatch) -> None:
    # The developer's own agent or askpass must not make a test pass.
    for name in ("SSH_AUTH_SOCK", "SSH_ASKPASS", "SSH_ASKPASS_REQUIRE", "DISPLAY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    return Keys(tmp_path / "keys")


@pytest.fixture
def askpass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """``askpass(secret)``: makes SSH_ASKPASS answer ``secret`` (a test script, 0700)."""

    def set_answer(secret: str) -> None:
        script = tmp_path / "askpass.sh"
        answer = tmp_path / "askpass.answer"
        answer.write_text(secret + "\n")
        script.write_text(f"#!/bin/sh\ncat '{answer}'\n")
        script.chmod(0o700)
        monkeypatch.setenv("SSH_ASKPASS", str(script))
        monkeypatch.setenv("SSH_ASKPASS_REQUIRE", "force")

    yield set_answer
