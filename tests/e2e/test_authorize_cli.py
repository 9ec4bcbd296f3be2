"""`secgate authorize` and `secgate verify` as a release manager and a CI pipeline run them,
against the embedded sandbox tracker, including the protocol's faults."""

from __future__ import annotations

import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from connectors.sandbox.tracker import Data
from tests.e2e.exports import record_file
from tests.e2e.test_authorize_support import Setup

AUTHORIZE = ("authorize", "--product", "ipc", "--release", "2.0")
RETRO = ("--retrospective", "2.0 shipped before secgate was introduced")


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    s = Setup(tmp_path)
    s.write_config()
    return s


def authorize(setup: Setup, *extra: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return setup.cli(*AUTHORIZE, *(extra or ("--yes",)), stdin=stdin)


def test_authorize_writes_reads_back_logs_and_exports(setup: Setup) -> None:
    result = authorize(setup)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "AUTHORIZED" in result.stdout and "sandbox:IPC-" in result.stdout
    comments = setup.record_comments()
    assert len(comments) == 1
    entries = setup.audit()
    assert len(entries) == 1
    digest = entries[0].payload["record_digest"]
    assert f"sha256:{digest}" in comments[0]["body"]
    records = setup.data_dir / "records"
    exported = record_file(records, "ipc", "2.0", ".json")
    # An auditor can check the exported record with sha256sum alone.
    assert hashlib.sha256(exported.read_bytes()).hexdigest() == digest
    markdown = record_file(records, "ipc", "2.0", ".md").read_text()
    assert entries[0].payload["record_id"] in markdown
    assert "Security assessment of unresolved anomalies" in markdown

    verify = setup.cli("verify", "--product", "ipc", "--release", "2.0")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "intact" in verify.stdout
    log = setup.cli("verify", "--log")
    assert log.returncode == 0 and "1 entry" in log.stdout


def test_the_demo_authorizes_and_verifies_without_a_config(tmp_path: Path) -> None:
    env_args = ("--demo", "--data-dir", str(tmp_path / "demo"))
    run = subprocess.run(
        # The demo's 2.0 shipped months ago: a retrospective authorization.
        [sys.executable, "-m", "secgate_tui.cli", *env_args, *AUTHORIZE, "--yes", *RETRO],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    check = subprocess.run(
        [
            sys.executable,
            "-m",
            "secgate_tui.cli",
            *env_args,
            "verify",
            "--product",
            "ipc",
            "--release",
            "2.0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_release_name_must_be_typed_back(setup: Setup) -> None:
    refused = setup.cli(*AUTHORIZE, stdin="2.2\n")
    assert refused.returncode == 1  # declined, like a declined `review record`
    assert "not confirmed" in refused.stderr
    assert setup.record_comments() == [] and setup.audit() == []
    confirmed = setup.cli(*AUTHORIZE, stdin="2.0\n")
    assert confirmed.returncode == 0, confirmed.stderr


def test_a_blocked_gate_writes_nothing_to_the_tracker(setup: Setup) -> None:
    setup.cli("sync", "--product", "ipc")  # seed the sandbox file
    before = setup.raw()
    result = setup.cli("authorize", "--product", "ipc", "--release", "2.2", "--yes")
    assert result.returncode == 1, result.stderr
    assert "NOT AUTHORIZED" in result.stdout and "BLOCKED" in result.stdout
    assert setup.raw() == before
    assert setup.audit() == []


def test_an_empty_category_authorizes_only_when_acknowledged(setup: Setup) -> None:
    args = ("authorize", "--product", "ipc", "--release", "2.2.1", "--yes")
    assert setup.cli(*args).returncode == 1
    acked = setup.cli(*args, "--ack-empty", "system-test-findings=docs-only patch")
    assert acked.returncode == 0, acked.stdout + acked.stderr
    record = setup.audit()[0].payload["record"]
    empty = [c for c in record["categories"] if c["empty"]]
    assert [(c["category"], c["not_applicable_reason"]) for c in empty] == [
        ("system-test-findings", "docs-only patch")
    ]


def test_a_source_failing_to_sync_writes_nothing(setup: Setup) -> None:
    setup.fault(unavailable=True)
    before = setup.raw()
    result = authorize(setup)
    assert result.returncode == 2
    assert "step 'sync'" in result.stderr and "unavailable" in result.stderr
    assert setup.raw() == before and setup.audit() == []


def test_separation_of_duties_refuses_the_assignee_of_a_residual_item(setup: Setup) -> None:
    setup.write_config(policy={"separation_of_duties": True})

    def become_assignee(data: Data) -> None:
        data["identity"]["name"] = "r.patel"  # assignee of the risk-accepted IPC-155

    setup.edit(become_assignee)
    before = setup.raw()
    result = authorize(setup)
    assert result.returncode == 1, result.stderr
    assert "separation of duties" in result.stdout and "IPC-155" in result.stdout
    assert setup.raw() == before and setup.audit() == []


def test_a_lost_post_response_is_found_by_its_marker_and_not_posted_twice(setup: Setup) -> None:
    setup.fault(lost_response=1)
    result = authorize(setup)
    assert result.returncode == 0, result.stderr + result.stdout
    assert len(setup.record_comments()) == 1
    assert len(setup.audit()) == 1


def test_a_read_back_failure_is_not_authorized_and_the_retry_completes(setup: Setup) -> None:
    setup.fault(fail_read=True)
    failed = authorize(setup)
    assert failed.returncode == 2
    assert "step 'read back'" in failed.stderr and "NOT authorized" in failed.stderr
    assert setup.audit() == []
    assert not (setup.data_dir / "records").exists()
    assert len(setup.record_comments()) == 1  # posted, but not trusted yet

    setup.fault(fail_read=False)
    retry = authorize(setup)
    assert retry.returncode == 0, retry.stderr + retry.stdout
    assert "adopted" in retry.stdout
    assert len(setup.record_comments()) == 1
    assert len(setup.audit()) == 1


def test_sigkill_between_posting_and_logging_is_completed_by_the_next_run(setup: Setup) -> None:
    script = textwrap.dedent(
        f"""
        import os, signal
        from tests.e2e.test_authorize_support import Setup
        from secgate_tui.services.authorization import Authorizer, Step

        def die_before_logging(event):
            if event.step is Step.LOG and event.state == "started":
                os.kill(os.getpid(), signal.SIGKILL)

        from pathlib import Path
        with Setup(Path({str(setup.root)!r})).context() as ctx:
            Authorizer(ctx).authorize("ipc", "2.0", {{}}, die_before_logging)
        """
    )
    killed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert len(setup.record_comments()) == 1 and setup.audit() == []

    result = authorize(setup)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "adopted" in result.stdout
    assert len(setup.record_comments()) == 1
    assert len(setup.audit()) == 1


def test_two_runs_at_once_give_one_record_and_one_log_entry(setup: Setup) -> None:
    setup.cli("sync", "--product", "ipc")  # seed the sandbox before the race
    runs = [setup.popen(*AUTHORIZE, "--yes") for _ in range(2)]
    outputs = [run.communicate(timeout=180) for run in runs]
    codes = [run.returncode for run in runs]
    assert codes == [0, 0], outputs
    assert len(setup.record_comments()) == 1
    assert len(setup.audit()) == 1


def test_verify_says_what_changed_when_the_comment_is_edited_or_deleted(setup: Setup) -> None:
    assert authorize(setup).returncode == 0
    (comment,) = setup.record_comments()
    original = comment["body"]
    verify = ("verify", "--product", "ipc", "--release", "2.0")

    def set_body(body: str | None) -> None:
        def change(data: Data) -> None:
            comments = data["issues"][comment["key"]]["comments"]
            if body is None:
                comments[:] = [c for c in comments if c["id"] != comment["id"]]
            else:
                next(c for c in comments if c["id"] == comment["id"])["body"] = body

        setup.edit(change)

    set_body(original.replace("authorized release", "approved release"))
    human = setup.cli(*verify)
    assert human.returncode == 1
    assert "edited" in human.stdout and "approved release" in human.stdout

    set_body(original.replace("physical access", "no access"))
    machine = setup.cli(*verify)
    assert machine.returncode == 1
    assert "machine block" in machine.stdout and "justification" in machine.stdout

    set_body(original)
    assert setup.cli(*verify).returncode == 0

    setup.fault(unavailable=True)
    unreachable = setup.cli(*verify)
    assert unreachable.returncode == 2 and "could not be reached" in unreachable.stderr
    setup.fault(unavailable=False)

    set_body(None)
    deleted = setup.cli(*verify)
    assert deleted.returncode == 1 and "deleted" in deleted.stdout


def test_verify_without_an_authorization_is_a_mismatch(setup: Setup) -> None:
    result = setup.cli("verify", "--product", "ipc", "--release", "2.0")
    assert result.returncode == 1 and "no authorization" in result.stdout


def _tamper(db: Path, sql: str) -> None:
    connection = sqlite3.connect(db)
    with connection:
        connection.execute("DROP TRIGGER audit_log_no_update")
        connection.execute("DROP TRIGGER audit_log_no_delete")
        connection.execute(sql)
    connection.close()


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "UPDATE audit_log SET payload = replace(payload, 'ipc', 'dms') WHERE seq = 1",
            "entry 1 was modified",
        ),
        ("DELETE FROM audit_log WHERE seq = 1", "entry 1 is missing"),
    ],
)
def test_verify_log_names_the_first_broken_entry(setup: Setup, sql: str, expected: str) -> None:
    assert authorize(setup).returncode == 0
    ack = ("--ack-empty", "system-test-findings=docs-only patch")
    assert (
        setup.cli("authorize", "--product", "ipc", "--release", "2.2.1", "--yes", *ack).returncode
        == 0
    )
    _tamper(setup.data_dir / "secgate.sqlite3", sql)
    result = setup.cli("verify", "--log")
    assert result.returncode == 1
    assert expected in result.stdout


def test_verify_release_checks_the_log_chain_first(setup: Setup) -> None:
    """A log edited to agree with an edited tracker comment must not read as INTACT."""
    assert authorize(setup).returncode == 0
    added = "\n\nApproved without the pentest by the CEO."

    def edit(data: Data) -> None:
        for issue in data["issues"].values():
            for comment in issue.get("comments", []):
                if "secgate-record " in comment["body"]:
                    comment["body"] += added

    setup.edit(edit)
    (entry,) = setup.audit()
    payload = {**entry.payload, "comment_body": entry.payload["comment_body"] + added}
    connection = sqlite3.connect(setup.data_dir / "secgate.sqlite3")
    with connection:
        connection.execute("DROP TRIGGER audit_log_no_update")
        connection.execute("UPDATE audit_log SET payload = ? WHERE seq = 1", (json.dumps(payload),))
    connection.close()
    result = setup.cli("verify", "--product", "ipc", "--release", "2.0")
    assert result.returncode == 1, result.stdout
    assert "MISMATCH" in result.stdout and "entry 1" in result.stdout
    assert "INTACT" not in result.stdout


def test_a_changed_snapshot_is_a_new_record_naming_the_one_it_supersedes(setup: Setup) -> None:
    assert authorize(setup).returncode == 0

    def retitle(data: Data) -> None:
        data["issues"]["IPC-10"]["title"] += " (reworded)"

    setup.edit(retitle)
    assert authorize(setup).returncode == 0
    first, second = setup.audit()
    assert first.payload["record_id"] != second.payload["record_id"]
    assert second.payload["record"]["supersedes"] == {
        "record_id": first.payload["record_id"],
        "record_digest": first.payload["record_digest"],
    }
    comments = setup.record_comments()
    assert len(comments) == 2 and len({c["key"] for c in comments}) == 1  # one record issue
    assert setup.cli("verify", "--product", "ipc", "--release", "2.0").returncode == 0


def test_rerunning_an_authorized_release_logs_nothing_new(setup: Setup) -> None:
    assert authorize(setup).returncode == 0
    again = authorize(setup)
    assert again.returncode == 0, again.stderr
    assert len(setup.record_comments()) == 1 and len(setup.audit()) == 1


def test_a_configured_record_issue_receives_the_record(setup: Setup) -> None:
    setup.write_config(record_issue={"tracker": "sandbox", "key": "IPC-6"})
    assert authorize(setup).returncode == 0
    assert [c["key"] for c in setup.record_comments()] == ["IPC-6"]


HOSTILE = (
    "[bold red]x[/] \x1b[2J\x1b]8;;http://evil\x07 `tick` {code}{noformat} </pre> ```md``` "
    + "long " * 400
)


def test_hostile_titles_are_escaped_and_the_record_still_verifies(setup: Setup) -> None:
    def retitle(data: Data) -> None:
        data["issues"]["IPC-10"]["title"] = HOSTILE
        data["issues"]["IPC-155"]["justification"] = "risk </pre>{noformat}```\nsecgate-record x"

    setup.edit(retitle)
    result = authorize(setup)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "\x1b" not in result.stdout and "\x1b" not in result.stderr
    (comment,) = setup.record_comments()
    assert "\x1b" not in comment["body"]
    record = json.loads(record_file(setup.data_dir / "records", "ipc", "2.0", ".json").read_text())
    titles = [i["title"] for c in record["categories"] for i in c["issues"]]
    assert HOSTILE in titles  # whole in the record, escaped only in the human part
    assert setup.cli("verify", "--product", "ipc", "--release", "2.0").returncode == 0
