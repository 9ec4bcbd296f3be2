"""Two signers on the real Redmine: `authorize` signs first (exit 3), `approve` second
(exit 0); each signature is its own journal note, read back and verified by OpenSSH."""

from __future__ import annotations

from pathlib import Path

import pytest

from secgate_tui.services.signing.demo import RELEASE_MANAGER, SECURITY_OFFICER
from tests.connectors import test_redmine_cli as redmine_cli
from tests.e2e.test_approve_trackers import MARKER, add_review, add_signing, secgate
from tests.redmine.fixtures import RedmineHarness, redmine_harness

__all__ = ["redmine_harness"]
pytestmark = pytest.mark.redmine


def test_two_signers_on_redmine(redmine_harness: RedmineHarness, tmp_path: Path) -> None:
    server = redmine_harness.server
    redmine_cli.write_config(tmp_path / "secgate.toml", server.url)
    demo = add_signing(tmp_path / "secgate.toml", tmp_path)
    redmine_harness.admin.issue("#1", status_id=5)  # the open finding is fixed
    release = ("--product", "ipc", "--release", "2.0", "--yes")
    token_env, key = redmine_cli.TOKEN_ENV, server.alice_key

    first = secgate(tmp_path, demo.keys[RELEASE_MANAGER], token_env, key, "authorize", *release)
    assert first.returncode == 3, first.stdout + first.stderr
    assert len(redmine_harness.connector.find_comments("#7", MARKER)) == 1

    second = secgate(tmp_path, demo.keys[SECURITY_OFFICER], token_env, key, "approve", *release)
    assert second.returncode == 0, second.stdout + second.stderr
    assert len(redmine_harness.connector.find_comments("#7", MARKER)) == 2

    verified = secgate(
        tmp_path,
        demo.keys[SECURITY_OFFICER],
        token_env,
        key,
        "verify",
        "--product",
        "ipc",
        "--release",
        "2.0",
    )
    assert verified.returncode == 0 and "SIGNATURES OK" in verified.stdout, verified.stdout


def test_a_review_signed_off_by_two_signers_on_redmine(
    redmine_harness: RedmineHarness, tmp_path: Path
) -> None:
    server = redmine_harness.server
    redmine_cli.write_config(tmp_path / "secgate.toml", server.url)
    demo = add_signing(tmp_path / "secgate.toml", tmp_path)
    alice = redmine_harness.connector.whoami().id
    conclusions = add_review(tmp_path / "secgate.toml", "redmine", "#7", [alice])
    token_env, key = redmine_cli.TOKEN_ENV, server.alice_key
    review = ("--product", "ipc", "--conclusions", str(conclusions), "--yes")

    first = secgate(
        tmp_path, demo.keys[RELEASE_MANAGER], token_env, key, "review", "record", *review
    )
    assert first.returncode == 3, first.stdout + first.stderr
    signatures = redmine_harness.connector.find_comments("#7", MARKER)
    assert len(signatures) == 1 and "security review record" in signatures[0].body

    approve = ("approve", "--product", "ipc", "--review", "--yes")
    second = secgate(tmp_path, demo.keys[SECURITY_OFFICER], token_env, key, *approve)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "SIGNED OFF" in second.stdout
    assert len(redmine_harness.connector.find_comments("#7", MARKER)) == 2
