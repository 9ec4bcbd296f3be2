"""Two signers on the fake Jira (Cloud, Data Center) and the fake GitLab, through the real
client libraries over HTTP: `authorize` signs first (exit 3), `approve` second (exit 0),
each signature its own comment in the tracker's markup, read back and verified by OpenSSH;
a lost answer to the signature post is found by its marker, not posted twice."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from secgate_tui.services.signing.demo import (
    DEMO_APPROVAL,
    RELEASE_MANAGER,
    SECURITY_OFFICER,
    DemoSigning,
    install_demo_signing,
)
from tests.connectors import test_gitlab_cli as gitlab_cli
from tests.connectors import test_jira_cli as jira_cli
from tests.fakes.gitlab_server import FakeGitLab
from tests.fakes.jira_seed import RELEASE as JIRA_RELEASE
from tests.fakes.jira_seed import TOKEN_ENV as JIRA_TOKEN_ENV
from tests.fakes.jira_seed import seed as seed_jira
from tests.fakes.jira_server import FakeJira

MARKER = "secgate-signature "


def add_signing(config: Path, root: Path) -> DemoSigning:
    demo = install_demo_signing(root / "signing")
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    settings: dict[str, Any] = dict(demo.settings)
    # The demo signers' accounts are the sandbox's; these trackers have their own.
    settings["signers"] = {p: {**s, "accounts": {}} for p, s in settings["signers"].items()}
    data["signing"] = settings
    data["products"]["ipc"]["approval"] = DEMO_APPROVAL
    config.write_text(tomli_w.dumps(data), encoding="utf-8")
    return demo


def secgate(
    tmp: Path, key: Path, token_env: str, token: str, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECGATE_", "SSH_AUTH_SOCK", "SSH_ASKPASS"))
    }
    env[token_env] = token
    env["SECGATE_SIGNING__KEY"] = str(key)
    command = [sys.executable, "-m", "secgate_tui.cli", "--config", str(tmp / "secgate.toml")]
    return subprocess.run(
        [*command, "--data-dir", str(tmp / "data"), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        start_new_session=True,
    )


@pytest.fixture(params=["cloud", "datacenter"])
def jira(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param) as server:
        yield server


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    server = FakeGitLab().start()
    yield server
    server.stop()


def test_two_signers_on_jira(jira: FakeJira, tmp_path: Path) -> None:
    keys = seed_jira(jira)
    jira.state.update(keys["open"], status="Done", resolution="Fixed")
    jira_cli.write_config(tmp_path / "secgate.toml", jira, keys)
    demo = add_signing(tmp_path / "secgate.toml", tmp_path)
    release = ("--product", "ipc", "--release", JIRA_RELEASE, "--yes")

    def signatures() -> list[str]:
        return [c.body for c in jira.state.issues[keys["record"]].comments if MARKER in c.body]

    first = secgate(
        tmp_path, demo.keys[RELEASE_MANAGER], JIRA_TOKEN_ENV, jira.token, "authorize", *release
    )
    assert first.returncode == 3, first.stdout + first.stderr
    assert "security-officer" in first.stdout
    (body,) = signatures()
    assert "{noformat}" in body and "*Signed by Rita Release" in body

    jira.set_fault("lost_response", path="comment", remaining=1)
    second = secgate(
        tmp_path, demo.keys[SECURITY_OFFICER], JIRA_TOKEN_ENV, jira.token, "approve", *release
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert "AUTHORIZED" in second.stdout
    assert len(signatures()) == 2


def test_two_signers_on_gitlab(gitlab: FakeGitLab, tmp_path: Path) -> None:
    seeded = gitlab_cli.seed(gitlab)
    gitlab.store.update_issue(seeded["open"], state_event="close", author_id=seeded["user"])
    gitlab_cli.write_config(tmp_path / "secgate.toml", gitlab)
    demo = add_signing(tmp_path / "secgate.toml", tmp_path)
    release = ("--product", "ipc", "--release", "1.0", "--yes")
    token_env, token = gitlab_cli.TOKEN_ENV, gitlab_cli.TOKEN

    def signatures() -> list[str]:
        notes = gitlab.store.notes[seeded["record"]["id"]]
        return [n["body"] for n in notes if MARKER in n["body"]]

    first = secgate(tmp_path, demo.keys[RELEASE_MANAGER], token_env, token, "authorize", *release)
    assert first.returncode == 3, first.stdout + first.stderr
    assert len(signatures()) == 1

    same = secgate(tmp_path, demo.keys[RELEASE_MANAGER], token_env, token, "approve", *release)
    assert same.returncode == 1 and "already signed" in same.stdout, same.stdout + same.stderr

    second = secgate(tmp_path, demo.keys[SECURITY_OFFICER], token_env, token, "approve", *release)
    assert second.returncode == 0, second.stdout + second.stderr
    assert len(signatures()) == 2


REVIEW_CONCLUSIONS = """\
complete = { answer = "yes", comment = "ok", explanation = "as is" }
efficient = { answer = "yes", comment = "ok", explanation = "as is" }
resolution = { answer = "yes", comment = "ok", explanation = "as is" }
"""


def add_review(config: Path, tracker: str, key: str, reviewers: list[str]) -> Path:
    """The product's review issue and reviewers; returns a conclusions file beside it."""
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    data["products"]["ipc"]["review_issue"] = {"tracker": tracker, "key": key}
    data["products"]["ipc"]["reviewers"] = {tracker: reviewers}
    config.write_text(tomli_w.dumps(data), encoding="utf-8")
    conclusions = config.with_name("conclusions.toml")
    conclusions.write_text(REVIEW_CONCLUSIONS, encoding="utf-8")
    return conclusions


def test_a_review_signed_off_by_two_signers_on_jira(jira: FakeJira, tmp_path: Path) -> None:
    keys = seed_jira(jira)
    jira_cli.write_config(tmp_path / "secgate.toml", jira, keys)
    demo = add_signing(tmp_path / "secgate.toml", tmp_path)
    user = jira.state.user
    conclusions = add_review(
        tmp_path / "secgate.toml", "jira", keys["record"], [user.account_id, user.name]
    )

    def signatures() -> list[str]:
        return [c.body for c in jira.state.issues[keys["record"]].comments if MARKER in c.body]

    rm, so = demo.keys[RELEASE_MANAGER], demo.keys[SECURITY_OFFICER]
    review = ("--product", "ipc", "--conclusions", str(conclusions), "--yes")
    first = secgate(tmp_path, rm, JIRA_TOKEN_ENV, jira.token, "review", "record", *review)
    assert first.returncode == 3, first.stdout + first.stderr
    assert "PENDING  review rev-" in first.stdout
    (body,) = signatures()
    assert "*Signed by Rita Release" in body and "management-representative" in body

    jira.set_fault("lost_response", path="comment", remaining=1)
    second = secgate(
        tmp_path, so, JIRA_TOKEN_ENV, jira.token, "approve", "--product", "ipc", "--review", "--yes"
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert "SIGNED OFF" in second.stdout and len(signatures()) == 2
    verify = secgate(
        tmp_path, so, JIRA_TOKEN_ENV, jira.token, "verify", "--product", "ipc", "--review"
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_a_review_signed_off_by_two_signers_on_gitlab(gitlab: FakeGitLab, tmp_path: Path) -> None:
    seeded = gitlab_cli.seed(gitlab)
    gitlab_cli.write_config(tmp_path / "secgate.toml", gitlab)
    demo = add_signing(tmp_path / "secgate.toml", tmp_path)
    record = f"{gitlab_cli.PROJECT}#{seeded['record']['iid']}"
    conclusions = add_review(tmp_path / "secgate.toml", "gitlab", record, [str(seeded["user"])])
    token_env, token = gitlab_cli.TOKEN_ENV, gitlab_cli.TOKEN

    def signatures() -> list[str]:
        notes = gitlab.store.notes[seeded["record"]["id"]]
        return [n["body"] for n in notes if MARKER in n["body"]]

    rm, so = demo.keys[RELEASE_MANAGER], demo.keys[SECURITY_OFFICER]
    review = ("--product", "ipc", "--conclusions", str(conclusions), "--yes")
    first = secgate(tmp_path, rm, token_env, token, "review", "record", *review)
    assert first.returncode == 3, first.stdout + first.stderr
    assert len(signatures()) == 1
    approve = ("approve", "--product", "ipc", "--review", "--yes")
    same = secgate(tmp_path, rm, token_env, token, *approve)
    assert same.returncode == 1 and "already signed" in same.stdout, same.stdout + same.stderr
    second = secgate(tmp_path, so, token_env, token, *approve)
    assert second.returncode == 0, second.stdout + second.stderr
    assert len(signatures()) == 2
