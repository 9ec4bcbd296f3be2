"""The signed sign-off of a periodic review on the sandbox, with real ssh-keygen and keys.

`review record` signs the record at the confirmation (the management
representative), the review is PENDING (exit 3) and does not count as held;
`approve --review` adds the security officer's signature (SIGNED OFF, exit 0)
and the next review falls due from that day. A record without any signature
(legacy-unsigned) is refused by `approve`, for reviews and authorizations alike,
and `verify --review` names a signature deleted from the tracker. A pending
review is no review held: the next review's period starts before it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.sandbox.tracker import Data
from secgate_tui.config import load_config
from secgate_tui.domain.review import parse_conclusions
from secgate_tui.services.context import build_context
from secgate_tui.services.publish import Publisher
from secgate_tui.services.publish.kinds.review import REVIEW, ReviewRequest
from tests.e2e.test_approve_cli import RELEASE, SIGNATURE_MARKER, Signed, out

CONCLUSIONS = """\
complete = { answer = "yes", comment = "Every defect was triaged.", explanation = "as is" }
efficient = { answer = "no", comment = "Median time to close above the 30-day target." }
resolution = { answer = "yes", comment = "", explanation = "as is" }
summary = "Annual security management review"

[[actions]]
title = "Add triage SLA for security defects"
owner = "qa.lead"
due = 2027-03-01
"""


@pytest.fixture
def signed(tmp_path: Path) -> Signed:
    s = Signed(tmp_path)
    s.write_signed_config()
    return s


def record_review(s: Signed, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    conclusions = tmp_path / "conclusions.toml"
    conclusions.write_text(CONCLUSIONS, encoding="utf-8")
    return s.rm("review", "record", "--product", "ipc", "--conclusions", str(conclusions), "--yes")


def ipc_status(s: Signed) -> dict[str, Any]:
    result = s.rm("review", "status", "--json")
    assert result.returncode in (0, 1), out(result)
    item: dict[str, Any] = next(i for i in json.loads(result.stdout) if i["product"] == "ipc")
    return item


def drop_signatures(s: Signed, key: str) -> None:
    def drop(data: Data) -> None:
        issue = data["issues"][key]
        issue["comments"] = [c for c in issue["comments"] if SIGNATURE_MARKER not in c["body"]]

    s.edit(drop)


def test_review_pending_until_the_policy_is_met_then_due_from_that_day(
    signed: Signed, tmp_path: Path
) -> None:
    before = ipc_status(signed)
    first = record_review(signed, tmp_path)
    assert first.returncode == 3, out(first)
    assert "You sign: Signed by Rita Release (demo) (management-representative)" in first.stdout
    assert "PENDING  review rev-" in first.stdout and "security-officer" in first.stdout

    pending = ipc_status(signed)
    assert pending["last_review"] == before["last_review"]
    assert pending["last_review_source"] == "config"
    assert any("pending signatures (security-officer)" in w for w in pending["warnings"])
    listed = json.loads(signed.rm("records", "--product", "ipc", "--json").stdout)["records"]
    (review,) = [r for r in listed if r["kind"] == "review"]
    assert review["state"] == "pending" and review["missing_roles"] == ["security-officer"]
    # Nobody can know yet when the next review is due: no place shows a date as if it were.
    assert review["counts_from"] is None and review["next_due"] is None
    assert "not before" in signed.rm("records", "--product", "ipc").stdout
    (exported,) = (signed.data_dir / "records").glob("Security-Management-Review_ipc_*.json")
    assert json.loads(exported.read_text(encoding="utf-8"))["next_due_from"] == "sign-off"
    markdown = exported.with_suffix(".md").read_text(encoding="utf-8")
    assert "days after the day this review's approval policy is met" in markdown

    second = signed.so("approve", "--product", "ipc", "--review", "--yes")
    assert second.returncode == 0, out(second)
    assert "SIGNED OFF  review " + review["record_id"] in second.stdout

    done = ipc_status(signed)
    today = datetime.now(UTC).date()
    assert done["last_review_source"] == "tracker" and done["last_review"] == today.isoformat()
    assert done["due"] == (today + timedelta(days=done["interval_days"])).isoformat()
    # The approve output and the records listing say the same due date as the status.
    assert f"the next review is due {done['due']}" in second.stdout
    listed = json.loads(signed.rm("records", "--product", "ipc", "--json").stdout)["records"]
    (review,) = [r for r in listed if r["kind"] == "review"]
    assert (review["counts_from"], review["next_due"]) == (done["last_review"], done["due"])
    assert done["sign_off"]["state"] == "signed-off"
    assert [s["role"] for s in done["sign_off"]["signatures"]] == [
        "management-representative",
        "security-officer",
    ]
    listed = json.loads(signed.rm("records", "--product", "ipc", "--json").stdout)["records"]
    (review,) = [r for r in listed if r["kind"] == "review"]
    assert review["state"] == "signed-off" and len(review["signatures"]) == 2

    # The auditor runs the exported commands in the records folder, with OpenSSH alone.
    records = signed.data_dir / "records"
    (exported,) = records.glob("Security-Management-Review_ipc_*.json")
    shutil.copy(signed.demo.allowed_signers, records / "allowed_signers")
    markdown = exported.with_suffix(".md").read_text(encoding="utf-8")
    commands = re.findall(r"^ssh-keygen -Y verify .*$", markdown, re.MULTILINE)
    assert len(commands) == 2 and all("secgate-security-review" in c for c in commands)
    for command in commands:
        check = subprocess.run(["sh", "-c", command], cwd=records, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr

    assert signed.rm("verify", "--product", "ipc", "--review").returncode == 0
    # The same person twice is refused, and nothing more is posted.
    again = signed.so("approve", "--product", "ipc", "--review", "--yes")
    assert again.returncode == 1 and "already signed" in again.stdout


def test_a_review_pending_signatures_is_reviewed_again_by_the_next_review(
    signed: Signed, tmp_path: Path
) -> None:
    """The next review's period starts at the last review that counts as held: one
    still pending signatures is not a review held, so its period is not skipped."""
    before = ipc_status(signed)
    assert before["last_review_source"] == "config"
    assert record_review(signed, tmp_path).returncode == 3  # pending: no second signer
    (pending,) = (signed.data_dir / "records").glob("Security-Management-Review_ipc_*.json")

    other = tmp_path / "other.toml"
    other.write_text(CONCLUSIONS.replace("Annual", "Extraordinary"), encoding="utf-8")
    again = signed.rm("review", "record", "--product", "ipc", "--conclusions", str(other), "--yes")
    assert again.returncode == 3, out(again)
    assert "pending signatures (security-officer)" in again.stdout + again.stderr
    records = sorted((signed.data_dir / "records").glob("Security-Management-Review_ipc_*.json"))
    (newer,) = [p for p in records if p != pending]
    first = json.loads(pending.read_text(encoding="utf-8"))
    second = json.loads(newer.read_text(encoding="utf-8"))
    # Both start where the config's last review (the last one that counts) ended.
    assert second["period"]["start"] == first["period"]["start"]
    assert second["period"]["start"].startswith(before["last_review"])
    assert second.get("previous_review", {}).get("record_id") != first["record_id"]


def test_a_pending_review_signed_off_after_the_next_was_prepared_stops_that_write(
    signed: Signed, tmp_path: Path
) -> None:
    """The prepared period started before the pending review; once that review is
    signed off, the period is out of date, so nothing is written."""
    assert record_review(signed, tmp_path).returncode == 3
    ctx = build_context(load_config(signed.config), signed.data_dir)
    try:
        other = parse_conclusions(CONCLUSIONS.replace("Annual", "Extraordinary"))
        publisher = Publisher(ctx, lambda: datetime.now(UTC))
        prepared = publisher.prepare(REVIEW, ReviewRequest(product="ipc", conclusions=other))
        assert prepared.ready, prepared.message
        assert signed.so("approve", "--product", "ipc", "--review", "--yes").returncode == 0
        before = signed.sandbox.read(lambda d: len(d["issues"]["IPC-6"]["comments"]))
        result = publisher.publish(prepared)
    finally:
        ctx.close()
    assert result.failure is not None and "signed off after this one was prepared" in (
        result.failure.message
    )
    assert signed.sandbox.read(lambda d: len(d["issues"]["IPC-6"]["comments"])) == before


def test_a_review_without_signatures_is_not_held_and_approve_refuses_it(
    signed: Signed, tmp_path: Path
) -> None:
    assert record_review(signed, tmp_path).returncode == 3
    drop_signatures(signed, "IPC-6")

    status = ipc_status(signed)
    assert status["last_review_source"] == "config"
    assert any("carries no signature" in w for w in status["warnings"])
    refused = signed.so("approve", "--product", "ipc", "--review", "--yes")
    assert refused.returncode == 1, out(refused)
    assert "legacy-unsigned" in refused.stdout and "Nothing was signed" in refused.stdout
    verify = signed.rm("verify", "--product", "ipc", "--review")
    assert verify.returncode == 1 and "no longer in the tracker" in verify.stdout

    # The reviewer signs it by recording the same review again: adopted, then signed.
    again = record_review(signed, tmp_path)
    assert again.returncode == 3, out(again)
    assert "adopted the earlier comment" in again.stdout
    assert signed.so("approve", "--product", "ipc", "--review", "--yes").returncode == 0


def test_approve_refuses_an_authorization_record_without_signatures(signed: Signed) -> None:
    assert signed.rm("authorize", *RELEASE, "--yes").returncode == 3
    data = signed.sandbox.read(lambda d: d)
    holder = next(
        k
        for k, issue in data["issues"].items()
        if any(SIGNATURE_MARKER in c["body"] for c in issue.get("comments", []))
    )
    drop_signatures(signed, holder)
    refused = signed.so("approve", *RELEASE, "--yes")
    assert refused.returncode == 1, out(refused)
    assert "carries no signature" in refused.stdout and "secgate authorize" in refused.stdout
    assert signed.signature_comments() == []
