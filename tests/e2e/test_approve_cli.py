"""Two signers authorize a release on the sandbox: `authorize` signs first (PENDING, exit 3),
`approve` adds the second signature (AUTHORIZED, exit 0), with real ssh-keygen and keys.

Also the refusals (a key the allowed-signers file does not list, a principal without the
role, the same person twice, a signer who is assignee of a residual item, a release that
changed between the signatures), a wrong passphrase (nothing posted) and a lost answer to
the signature post (no duplicate).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from connectors.sandbox.tracker import Data
from secgate_tui.services.demo import demo_data
from secgate_tui.services.signing.demo import (
    DEMO_APPROVAL,
    RELEASE_MANAGER,
    SECURITY_OFFICER,
    DemoSigning,
    install_demo_signing,
)
from tests.e2e.test_authorize_support import Setup, not_shipped

RELEASE = ("--product", "ipc", "--release", "2.0")
SIGNATURE_MARKER = "secgate-signature "


class Signed(Setup):
    """The sandbox setup with [signing] over the demo keys and a two-role policy."""

    demo: DemoSigning

    def write_signed_config(self, **signers: dict[str, Any]) -> None:
        self.demo = install_demo_signing(self.root / "signing")
        data = demo_data(self.data_dir)
        data["trackers"]["sandbox"]["live"] = False
        settings = json.loads(json.dumps(self.demo.settings))
        for principal, changes in signers.items():
            settings["signers"][principal].update(changes)
        data["signing"] = settings
        data["products"]["ipc"]["approval"] = DEMO_APPROVAL
        self.config.write_text(tomli_w.dumps(data), encoding="utf-8")
        self.edit(not_shipped)

    def as_signer(
        self, key: Path | str, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SECGATE_", "SSH_AUTH_SOCK", "SSH_ASKPASS", "DISPLAY"))
        }
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "secgate_tui.cli",
                "--config",
                str(self.config),
                "--data-dir",
                str(self.data_dir),
                *args,
            ],
            capture_output=True,
            text=True,
            env={**base, "SECGATE_SIGNING__KEY": str(key), **(env or {})},
            stdin=subprocess.DEVNULL,
            timeout=120,
            start_new_session=True,  # no terminal: a passphrase can only come from askpass
        )

    def rm(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.as_signer(self.demo.keys[RELEASE_MANAGER], *args)

    def so(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.as_signer(self.demo.keys[SECURITY_OFFICER], *args)

    def signature_comments(self) -> list[dict[str, Any]]:
        data = self.sandbox.read(lambda d: d)
        return [
            comment
            for issue in data["issues"].values()
            for comment in issue.get("comments", [])
            if SIGNATURE_MARKER in comment["body"]
        ]


@pytest.fixture
def signed(tmp_path: Path) -> Signed:
    s = Signed(tmp_path)
    s.write_signed_config()
    return s


def out(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def only_record(records: Path) -> Path:
    """The JSON export of the release's one authorization record."""
    (found,) = records.glob("Security-Release-Authorization_ipc_2.0_rev*.json")
    return found


def test_two_signers_authorize_a_release_and_an_auditor_checks_it_with_openssh(
    signed: Signed,
) -> None:
    first = signed.rm("authorize", *RELEASE, "--yes")
    assert first.returncode == 3, out(first)
    assert "PENDING" in first.stdout and "security-officer" in first.stdout
    assert "secgate approve --product ipc --release 2.0" in first.stdout
    assert len(signed.record_comments()) == 1
    assert len(signed.signature_comments()) == 1

    second = signed.so("approve", *RELEASE, "--yes")
    assert second.returncode == 0, out(second)
    assert "AUTHORIZED" in second.stdout
    assert "Demo Security Officer" in second.stdout or "security-officer" in second.stdout
    assert len(signed.record_comments()) == 1
    assert len(signed.signature_comments()) == 2

    records = signed.data_dir / "records"
    # Each record revision's signatures sit beside its own files.
    stem = only_record(records).stem
    assert stem.startswith("Security-Release-Authorization_ipc_2.0_rev1_SEC-REC-SRA-")
    assert {p.name for p in records.glob(f"{stem}_sig*")} == {
        f"{stem}_sig1.msg",
        f"{stem}_sig1.sig",
        f"{stem}_sig2.msg",
        f"{stem}_sig2.sig",
    }
    # The auditor runs the exact commands the record's Markdown names, in the records folder.
    shutil.copy(signed.demo.allowed_signers, records / "allowed_signers")
    markdown = (records / f"{stem}.md").read_text()
    commands = re.findall(r"^ssh-keygen -Y verify .*$", markdown, re.MULTILINE)
    assert len(commands) == 2
    for command in commands:
        check = subprocess.run(
            ["sh", "-c", command], cwd=records, capture_output=True, text=True, check=False
        )
        assert check.returncode == 0, check.stderr
        assert "Good" in check.stdout + check.stderr

    # The same person twice is refused, and nothing more is posted.
    again = signed.so("approve", *RELEASE, "--yes")
    assert again.returncode == 1, out(again)
    assert "already signed" in again.stdout
    assert len(signed.signature_comments()) == 2


def test_a_key_not_in_the_allowed_signers_file_is_refused_and_nothing_is_posted(
    signed: Signed, tmp_path: Path
) -> None:
    stranger = tmp_path / "stranger"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)],
        check=True,
        capture_output=True,
    )
    first = signed.rm("authorize", *RELEASE, "--yes")
    assert first.returncode == 3, out(first)
    refused = signed.as_signer(stranger, "approve", *RELEASE, "--yes")
    assert refused.returncode == 1, out(refused)
    assert "not in the allowed-signers file" in refused.stdout
    assert len(signed.signature_comments()) == 1
    # authorize with it posts no record either.
    before = len(signed.record_comments())
    again = signed.as_signer(stranger, "authorize", *RELEASE, "--yes")
    assert again.returncode == 1, out(again)
    assert len(signed.record_comments()) == before


def test_a_principal_without_the_role_is_refused(tmp_path: Path) -> None:
    s = Signed(tmp_path)
    s.write_signed_config(**{SECURITY_OFFICER: {"roles": ["qa"]}})
    assert s.rm("authorize", *RELEASE, "--yes").returncode == 3
    refused = s.so("approve", *RELEASE, "--yes")
    assert refused.returncode == 1, out(refused)
    assert "holds the role(s) qa" in refused.stdout and "security-officer" in refused.stdout
    assert len(s.signature_comments()) == 1


def test_a_signer_who_is_assignee_of_a_residual_item_is_refused(signed: Signed) -> None:
    assert signed.rm("authorize", *RELEASE, "--yes").returncode == 3
    record = json.loads(only_record(signed.data_dir / "records").read_text())
    assignee = next(item["assignee"] for item in record["residual"] if item.get("assignee"))
    signed.write_signed_config(**{SECURITY_OFFICER: {"accounts": {"sandbox": [assignee]}}})
    refused = signed.so("approve", *RELEASE, "--yes")
    assert refused.returncode == 1, out(refused)
    assert "separation of duties" in refused.stdout and "assignee" in refused.stdout
    assert len(signed.signature_comments()) == 1


def test_a_release_that_changed_after_the_first_signature_is_not_approved(
    signed: Signed,
) -> None:
    assert signed.rm("authorize", *RELEASE, "--yes").returncode == 3
    record = json.loads(only_record(signed.data_dir / "records").read_text())
    key = record["residual"][0]["key"]

    def restatus(data: Data) -> None:
        data["issues"][key]["status"] = "Reopened"

    signed.edit(restatus)
    refused = signed.so("approve", *RELEASE, "--yes")
    assert refused.returncode == 1, out(refused)
    assert "changed since record" in refused.stdout and key in refused.stdout
    assert "Run authorize again" in refused.stdout
    assert len(signed.signature_comments()) == 1


def test_a_wrong_passphrase_posts_nothing(signed: Signed, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    shutil.copy(signed.demo.keys[RELEASE_MANAGER], locked)
    locked.chmod(0o600)
    subprocess.run(
        ["ssh-keygen", "-q", "-p", "-P", "", "-N", "right horse", "-f", str(locked)],
        check=True,
        capture_output=True,
    )
    askpass = tmp_path / "askpass.sh"
    askpass.write_text("#!/bin/sh\necho 'wrong battery'\n")
    askpass.chmod(0o700)
    env = {"SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force"}
    env["SECGATE_SIGNING__PRINCIPAL"] = RELEASE_MANAGER
    result = signed.as_signer(locked, "authorize", *RELEASE, "--yes", env=env)
    assert result.returncode == 2, out(result)
    assert "passphrase" in result.stderr
    assert signed.record_comments() == [] and signed.signature_comments() == []


def test_a_lost_answer_to_the_signature_post_does_not_post_twice(signed: Signed) -> None:
    assert signed.rm("authorize", *RELEASE, "--yes").returncode == 3
    signed.fault(lost_response=1)
    second = signed.so("approve", *RELEASE, "--yes")
    assert second.returncode == 0, out(second)
    assert len(signed.signature_comments()) == 2


def test_without_signing_the_record_is_posted_and_said_to_be_unsigned(tmp_path: Path) -> None:
    s = Setup(tmp_path)
    s.write_config()
    result = s.cli("authorize", *RELEASE, "--yes")
    assert result.returncode == 0, out(result)
    assert "UNSIGNED" in result.stdout
    approve = s.cli("approve", *RELEASE, "--yes")
    assert approve.returncode == 2 and "[signing]" in approve.stderr


def test_the_demo_shows_a_two_signature_authorization(tmp_path: Path) -> None:
    """`secgate --demo`: DMS needs both demo signers; the PENDING output names the
    security officer's demo key, and the line it prints, run as printed, approves the
    release, with the data directory the user gave (one with a space in its name)."""
    data_dir = tmp_path / "demo data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECGATE_", "SSH_"))}

    def run(words: list[str], extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
        assert words[0] == "secgate"
        return subprocess.run(
            [sys.executable, "-m", "secgate_tui.cli", *words[1:]],
            capture_output=True,
            text=True,
            env={**env, **extra},
            stdin=subprocess.DEVNULL,
            timeout=120,
        )

    dms = ["--product", "dms", "--release", "5.4"]
    demo = ["secgate", "--demo", "--data-dir", str(data_dir)]
    first = run([*demo, "authorize", *dms, "--yes", "--retrospective", "DMS 5.4 shipped"], {})
    assert first.returncode == 3, out(first)
    line = next(x for x in first.stdout.splitlines() if x.startswith("Demo: as the security"))
    assignment, *words = shlex.split(line.split("run: ", 1)[1])
    name, key = assignment.split("=", 1)
    assert name == "SECGATE_SIGNING__KEY"
    assert words == [*demo, "approve", *dms]
    second = run([*words, "--yes"], {name: key})
    assert second.returncode == 0, out(second)
    assert "Rita Release (demo)" in second.stdout and "Sam Security (demo)" in second.stdout


def authorization(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode in (0, 1), out(result)
    data: dict[str, Any] = json.loads(result.stdout)["authorization"]
    return data


def test_status_and_releases_show_the_state_read_from_the_tracker(signed: Signed) -> None:
    status = ("status", *RELEASE, "--json")
    assert authorization(signed.rm(*status))["state"] == "none"
    assert signed.rm("authorize", *RELEASE, "--yes").returncode == 3
    pending = authorization(signed.rm(*status))
    assert pending["state"] == "pending" and pending["missing_roles"] == ["security-officer"]
    assert [s["role"] for s in pending["signatures"]] == ["release-manager"]
    assert pending["signatures"][0]["valid"] is True and pending["read_at"].endswith("Z")

    assert signed.so("approve", *RELEASE, "--yes").returncode == 0
    # Offline: the last state read (before the approval), with the time it was read.
    assert authorization(signed.rm(*status, "--offline")) == pending
    done = authorization(signed.rm(*status))
    assert done["state"] == "authorized" and done["missing_roles"] == []
    assert {s["principal"] for s in done["signatures"]} == {RELEASE_MANAGER, SECURITY_OFFICER}
    human = signed.rm("status", *RELEASE)
    assert "Authorization: AUTHORIZED" in human.stdout
    # The CI summary says it too (issue 16: the Markdown summary names the state).
    summary = signed.rm("status", *RELEASE, "--format", "markdown")
    assert "Authorization: AUTHORIZED" in summary.stdout

    rows = json.loads(signed.rm("releases", "--product", "ipc", "--json").stdout)
    states = {row["release"]: row["authorization"]["state"] for row in rows}
    assert states["2.0"] == "authorized" and states["2.1"] == "none"


def test_an_unsigned_record_shows_as_unsigned_and_offline_without_a_read_as_unknown(
    tmp_path: Path,
) -> None:
    s = Setup(tmp_path)
    s.write_config()
    offline = s.cli("status", *RELEASE, "--json", "--offline")
    assert authorization(offline)["state"] == "unknown"
    assert s.cli("authorize", *RELEASE, "--yes").returncode == 0
    assert authorization(s.cli("status", *RELEASE, "--json"))["state"] == "unsigned"
    assert "UNSIGNED" in s.cli("status", *RELEASE).stdout


def two_signatures(signed: Signed) -> None:
    assert signed.rm("authorize", *RELEASE, "--yes").returncode == 3
    assert signed.so("approve", *RELEASE, "--yes").returncode == 0


def edit_signature(signed: Signed, principal: str, change: Any) -> None:
    def apply(data: Data) -> None:
        for issue in data["issues"].values():
            comments = issue.get("comments", [])
            for comment in list(comments):
                if SIGNATURE_MARKER in comment["body"] and f"signer:{principal}" in comment["body"]:
                    change(comments, comment)

    signed.edit(apply)


def test_verify_checks_every_signature_and_names_the_one_that_fails(signed: Signed) -> None:
    two_signatures(signed)
    verify = ("verify", *RELEASE)
    ok = signed.rm(*verify)
    assert ok.returncode == 0, out(ok)
    assert "SIGNATURES OK" in ok.stdout and "2 valid signature(s)" in ok.stdout

    # The security officer's key is withdrawn from the allowed-signers file.
    allowed = signed.demo.allowed_signers
    lines = allowed.read_text().splitlines()
    allowed.write_text("\n".join(line for line in lines if SECURITY_OFFICER not in line) + "\n")
    withdrawn = signed.rm(*verify)
    assert withdrawn.returncode == 1, out(withdrawn)
    assert f"the signature by {SECURITY_OFFICER}" in withdrawn.stdout
    allowed.write_text("\n".join(lines) + "\n")

    def reword(comments: list[dict[str, Any]], comment: dict[str, Any]) -> None:
        comment["body"] = comment["body"].replace("for distribution", "for testing")

    edit_signature(signed, SECURITY_OFFICER, reword)
    edited = signed.rm(*verify)
    assert edited.returncode == 1, out(edited)
    assert "SIGNATURE INVALID" in edited.stdout


def test_verify_reports_a_deleted_signature_comment(signed: Signed) -> None:
    two_signatures(signed)

    def delete(comments: list[dict[str, Any]], comment: dict[str, Any]) -> None:
        comments.remove(comment)

    edit_signature(signed, RELEASE_MANAGER, delete)
    result = signed.rm("verify", *RELEASE)
    assert result.returncode == 1, out(result)
    assert f"the signature by {RELEASE_MANAGER}" in result.stdout
    assert "no longer in the tracker" in result.stdout


def test_verify_reports_a_record_edited_after_its_signatures(signed: Signed) -> None:
    two_signatures(signed)

    def edit(data: Data) -> None:
        for issue in data["issues"].values():
            for comment in issue.get("comments", []):
                if "secgate-record " in comment["body"]:
                    comment["body"] = comment["body"].replace("Threat model", "Threat modle")

    signed.edit(edit)
    result = signed.rm("verify", *RELEASE)
    assert result.returncode == 1, out(result)
    assert "MISMATCH" in result.stdout


def test_records_lists_every_record_from_the_tracker_with_state_and_signers(
    signed: Signed,
) -> None:
    assert signed.rm("authorize", *RELEASE, "--yes").returncode == 3
    record = json.loads(only_record(signed.data_dir / "records").read_text())
    key = record["residual"][0]["key"]

    def retitle(data: Data) -> None:
        data["issues"][key]["title"] += " (retitled)"

    signed.edit(retitle)
    assert "changed" in signed.so("approve", *RELEASE, "--yes").stdout
    # A new authorize supersedes the stale record; it is signed afresh.
    assert signed.rm("authorize", *RELEASE, "--yes").returncode == 3
    assert signed.so("approve", *RELEASE, "--yes").returncode == 0
    # A machine that never authorized anything (no local store) lists the same.
    (signed.data_dir / "secgate.sqlite3").unlink()
    listed = signed.rm("records", "--product", "ipc", "--release", "2.0", "--json")
    assert listed.returncode == 0, out(listed)
    records = json.loads(listed.stdout)["records"]
    assert [(r["kind"], r["state"]) for r in records] == [
        ("authorization", "superseded"),
        ("authorization", "authorized"),
    ]
    assert [len(r["signatures"]) for r in records] == [1, 2]
    assert records[0]["record_id"] == record["record_id"]
    assert [(r["document_number"], r["revision"]) for r in records] == [
        (f"SEC-REC-{r['record_id']}", n) for n, r in enumerate(records, start=1)
    ]
    human = signed.rm("records", "--product", "ipc")
    assert "superseded" in human.stdout and "Sam Security (demo)" in human.stdout
    assert f"document SEC-REC-{records[1]['record_id']}, revision 2" in human.stdout


def test_authorize_run_again_on_the_same_snapshot_signs_nothing_twice(signed: Signed) -> None:
    assert signed.rm("authorize", *RELEASE, "--yes").returncode == 3
    again = signed.rm("authorize", *RELEASE, "--yes")
    assert again.returncode == 3, out(again)
    assert "already signed" in again.stdout and "PENDING" in again.stdout
    assert len(signed.record_comments()) == 1
    assert len(signed.signature_comments()) == 1
    # The security officer's authorize on the same snapshot adds their signature to it.
    other = signed.so("authorize", *RELEASE, "--yes")
    assert other.returncode == 0, out(other)
    assert len(signed.signature_comments()) == 2


def test_a_record_from_before_signatures_is_legacy_unsigned_and_does_not_authorize(
    tmp_path: Path,
) -> None:
    s = Signed(tmp_path)
    s.write_config()  # no [signing]: the record is posted unsigned, as before signatures
    assert s.cli("authorize", *RELEASE, "--yes").returncode == 0
    s.write_signed_config()
    state = authorization(s.rm("status", *RELEASE, "--json"))
    assert state["state"] == "legacy-unsigned" and state["signatures"] == []
    listed = json.loads(s.rm("records", "--product", "ipc", "--release", "2.0", "--json").stdout)
    assert [r["state"] for r in listed["records"]] == ["legacy-unsigned"]
    verified = s.rm("verify", *RELEASE)
    assert verified.returncode == 0 and "INTACT" in verified.stdout, out(verified)


def test_an_edited_signature_comment_does_not_count_and_verify_says_so(tmp_path: Path) -> None:
    """Issue 19's rule for record comments holds for signature comments too."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}

    def demo(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "secgate_tui.cli", "--demo", "--data-dir", str(tmp_path)]
        return subprocess.run(
            [*command, *args],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )

    dms = ("--product", "dms", "--release", "5.4")
    assert demo("authorize", *dms, "--yes", "--retrospective", "shipped earlier").returncode == 3
    sandbox = tmp_path / "sandbox.json"
    data = json.loads(sandbox.read_text(encoding="utf-8"))
    edited = 0
    for issue in data["issues"].values():
        for comment in issue.get("comments", []):
            if "secgate-signature " in comment["body"]:
                comment["body"] = comment["body"].replace("Meaning: ", "Meaning: NOT ", 1)
                edited += 1
    assert edited == 1
    sandbox.write_text(json.dumps(data), encoding="utf-8")

    verified = demo("verify", *dms)
    assert verified.returncode == 1, out(verified)
    assert "a signature comment is damaged" in verified.stdout
    assert "where secgate wrote" in verified.stdout
    state = json.loads(demo("status", *dms, "--json").stdout)["authorization"]
    assert state["signatures"] == [] and state["state"] != "authorized"
