"""`secgate review status|record` on the demo sandbox, run as a user and a pipeline run it."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

CONCLUSIONS = """\
complete = { answer = "yes", comment = "Every defect was triaged.", explanation = "as is" }
efficient = { answer = "no", comment = "Median time to close above the 30-day target." }
resolution = { answer = "yes", comment = "", explanation = "as is" }
summary = "Annual security management review"

[[actions]]
title = "Add triage SLA for security defects"
owner = "qa.lead"
due = 2027-03-01

[[actions]]
title = "Read tracker history so reopens are counted"
owner = "security.officer"
due = 2027-04-01
"""


def secgate(
    *args: str, data_dir: Path, stdin: str = "", key: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    if key is not None:
        env["SECGATE_SIGNING__KEY"] = str(key)
    return subprocess.run(
        [sys.executable, "-m", "secgate_tui.cli", "--demo", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
    )


def sandbox(data_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((data_dir / "sandbox.json").read_text(encoding="utf-8"))
    return data


def set_faults(data_dir: Path, **faults: object) -> None:
    data = sandbox(data_dir)
    data["faults"] = {k: v for k, v in {**data["faults"], **faults}.items() if v}
    (data_dir / "sandbox.json").write_text(json.dumps(data), encoding="utf-8")


def review_comments(data_dir: Path, key: str) -> list[dict[str, Any]]:
    return [
        c for c in sandbox(data_dir)["issues"][key]["comments"] if "secgate-review" in c["body"]
    ]


def audit_kinds(data_dir: Path) -> list[str]:
    path = data_dir / "secgate.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT kind FROM audit_log ORDER BY seq")]


def statuses(data_dir: Path) -> dict[str, dict[str, Any]]:
    result = secgate("review", "status", "--json", data_dir=data_dir)
    assert result.returncode in (0, 1), result.stderr
    return {item["product"]: item for item in json.loads(result.stdout)}


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    return tmp_path / "demo"


@pytest.fixture
def conclusions(tmp_path: Path) -> Path:
    path = tmp_path / "review.toml"
    path.write_text(CONCLUSIONS, encoding="utf-8")
    return path


def test_demo_status_shows_one_overdue_and_one_due_soon_and_exits_1(demo_dir: Path) -> None:
    result = secgate("review", "status", "--json", data_dir=demo_dir)
    assert result.returncode == 1, result.stderr
    items = {item["product"]: item for item in json.loads(result.stdout)}
    today = datetime.now(UTC).date()
    dms, ipc = items["dms"], items["ipc"]
    assert dms["state"] == "overdue" and dms["days_left"] == -35
    assert dms["last_review"] == (today - timedelta(days=400)).isoformat()
    assert dms["due"] == (today - timedelta(days=35)).isoformat()
    assert ipc["state"] == "due-soon" and ipc["days_left"] == 20 and ipc["interval_days"] == 365
    assert {"product", "last_review", "interval_days", "due", "days_left", "state"} <= set(ipc)
    assert ipc["last_review_source"] == "config"

    text = secgate("review", "status", data_dir=demo_dir)
    assert text.returncode == 1
    assert "OVERDUE" in text.stdout and "DUE-SOON" in text.stdout


def test_record_round_trip_moves_the_next_due_date(demo_dir: Path, conclusions: Path) -> None:
    result = secgate(
        "review",
        "record",
        "--product",
        "dms",
        "--conclusions",
        str(conclusions),
        "--yes",
        data_dir=demo_dir,
    )
    # The demo's DMS review needs the management representative and the security officer.
    assert result.returncode == 3, result.stderr
    assert "RECORDED: review rev-" in result.stdout
    assert "PENDING  review rev-" in result.stdout and "security-officer" in result.stdout
    comments = review_comments(demo_dir, "DMS-5")
    assert len(comments) == 1
    body = comments[0]["body"]
    assert "Was it efficient? NO: Median time to close above the 30-day target." in body

    # The exported JSON is the record written to the tracker, byte for byte.
    today = datetime.now(UTC).date()
    exported = demo_dir / "records" / f"Security-Management-Review_dms_{today.isoformat()}.json"
    digest = hashlib.sha256(exported.read_bytes()).hexdigest()
    assert body.rstrip().splitlines()[-2].endswith(f"sha256:{digest}")
    markdown = exported.with_suffix(".md").read_text(encoding="utf-8")
    assert markdown.startswith("Tracker copy") and f"sha256:{digest}" in markdown
    record = json.loads(exported.read_text(encoding="utf-8"))
    assert record["kind"] == "secgate-review" and record["product"] == "dms"
    assert record["next_due"] == (today + timedelta(days=365)).isoformat()
    assert record["period"]["start"].startswith((today - timedelta(days=400)).isoformat())
    assert record["metrics"]["totals"]["opened"] > 0
    assert f"secgate-review {record['record_id']} sha256:" in body
    assert audit_kinds(demo_dir) == ["review", "signature"]

    # Pending signatures: the review does not count as held yet.
    items = statuses(demo_dir)
    assert items["dms"]["state"] == "overdue" and items["dms"]["last_review_source"] == "config"
    assert any("pending signatures (security-officer)" in w for w in items["dms"]["warnings"])

    officer = demo_dir / "demo-signing" / "security.officer.key"
    approved = secgate(
        "approve", "--product", "dms", "--review", "--yes", data_dir=demo_dir, key=officer
    )
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert "SIGNED OFF  review " + record["record_id"] in approved.stdout
    assert audit_kinds(demo_dir) == ["review", "signature", "signature"]
    for n in (1, 2):
        assert (exported.parent / f"{exported.stem}_sig{n}.sig").is_file()

    items = statuses(demo_dir)
    assert items["dms"]["sign_off"]["state"] == "signed-off"
    assert [s["role"] for s in items["dms"]["sign_off"]["signatures"]] == [
        "management-representative",
        "security-officer",
    ]
    assert items["dms"]["state"] == "ok" and items["dms"]["last_review_source"] == "tracker"
    assert items["dms"]["last_review"] == today.isoformat()
    assert items["dms"]["due"] == record["next_due"] and items["dms"]["days_left"] == 365
    assert items["dms"]["record_id"] == record["record_id"]
    # ipc is untouched, and still due soon: no longer any overdue review, so exit 0.
    assert secgate("review", "status", data_dir=demo_dir).returncode == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'efficient = { answer = "no", comment = "x" }\nresolution = { answer = "yes" }\n',
            "'complete' is missing",
        ),
        (
            CONCLUSIONS.replace(
                'answer = "yes", comment = "Every', 'answer = "maybe", comment = "Every'
            ),
            'only "yes" or "no"',
        ),
        (
            CONCLUSIONS.replace('title = "Add triage SLA for security defects"\n', ""),
            "actions #1: title' is missing",
        ),
    ],
)
def test_bad_conclusions_exit_2_and_write_nothing(
    demo_dir: Path, tmp_path: Path, text: str, expected: str
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    result = secgate(
        "review",
        "record",
        "--product",
        "dms",
        "--conclusions",
        str(bad),
        "--yes",
        "--create-actions",
        data_dir=demo_dir,
    )
    assert result.returncode == 2
    assert expected in result.stderr and "Nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    if (demo_dir / "sandbox.json").exists():
        assert review_comments(demo_dir, "DMS-5") == []
        assert not any(
            "corrective-action" in i["labels"] for i in sandbox(demo_dir)["issues"].values()
        )
    assert audit_kinds(demo_dir) == []
    assert not (demo_dir / "records").exists()


def test_declined_confirmation_writes_nothing(demo_dir: Path, conclusions: Path) -> None:
    result = secgate(
        "review",
        "record",
        "--product",
        "ipc",
        "--conclusions",
        str(conclusions),
        data_dir=demo_dir,
        stdin="n\n",
    )
    assert result.returncode == 1
    assert "Security management review: Infusion Pump Controller (ipc)" in result.stdout
    assert "nothing was written" in result.stderr
    assert review_comments(demo_dir, "IPC-6") == [] and audit_kinds(demo_dir) == []


def test_create_actions_makes_corrective_action_issues_linked_in_the_record(
    demo_dir: Path, conclusions: Path
) -> None:
    result = secgate(
        "review",
        "record",
        "--product",
        "ipc",
        "--conclusions",
        str(conclusions),
        "--yes",
        "--create-actions",
        data_dir=demo_dir,
    )
    assert result.returncode == 0, result.stderr
    issues = sandbox(demo_dir)["issues"]
    actions = {k: v for k, v in issues.items() if "corrective-action" in v["labels"]}
    assert len(actions) == 2
    assert all(
        v["project"] == "IPC" and v["title"].startswith("Corrective action: ")
        for v in actions.values()
    )
    sla = next(v for v in actions.values() if "Add triage SLA" in v["title"])
    assert "Owner: qa.lead" in sla["description"] and "Due: 2027-03-01" in sla["description"]

    today = datetime.now(UTC).date().isoformat()
    record = json.loads(
        (demo_dir / "records" / f"Security-Management-Review_ipc_{today}.json").read_text()
    )
    linked = [a["issue"]["key"] for a in record["conclusions"]["actions"]]
    assert sorted(linked) == sorted(actions)
    body = review_comments(demo_dir, "IPC-6")[0]["body"]
    assert all(f"-> {key}" in body for key in linked)


def test_lost_response_posts_once_and_a_fresh_retry_adopts(
    demo_dir: Path, conclusions: Path
) -> None:
    args = (
        "review",
        "record",
        "--product",
        "dms",
        "--conclusions",
        str(conclusions),
        "--yes",
        "--create-actions",
    )
    assert secgate("review", "status", data_dir=demo_dir).returncode == 1  # seeds the sandbox
    # The tracker stores the comment but the answer is lost, and reading it back fails
    # too: this run must fail without claiming the review was recorded.
    set_faults(demo_dir, lost_response=1, fail_read=True)
    first = secgate(*args, data_dir=demo_dir)
    assert first.returncode == 2, first.stdout
    assert "review not recorded (step read back)" in first.stderr
    assert "The review is NOT recorded." in first.stderr and "authorized" not in first.stderr
    assert len(review_comments(demo_dir, "DMS-5")) == 1
    assert audit_kinds(demo_dir) == []

    # A retry from a fresh process, a little later: the period would end at a new `now`,
    # but the posted record is found, adopted and logged once; nothing is posted again.
    set_faults(demo_dir, fail_read=False)
    retry = secgate(*args, data_dir=demo_dir)
    assert retry.returncode == 3, retry.stderr  # adopted and signed; pending the officer
    assert "adopted the earlier comment" in retry.stdout
    assert len(review_comments(demo_dir, "DMS-5")) == 1
    actions = [
        i for i in sandbox(demo_dir)["issues"].values() if "corrective-action" in i["labels"]
    ]
    assert len(actions) == 2
    assert audit_kinds(demo_dir) == ["review", "signature"]

    again = secgate(*args, data_dir=demo_dir)
    assert again.returncode == 3 and "already in the audit log" in again.stdout
    assert "already signed record" in again.stdout
    assert len(review_comments(demo_dir, "DMS-5")) == 1
    assert audit_kinds(demo_dir) == ["review", "signature"]


def test_unreachable_tracker_falls_back_to_config_and_record_fails_closed(
    demo_dir: Path, conclusions: Path
) -> None:
    assert (
        secgate(
            "review",
            "record",
            "--product",
            "dms",
            "--conclusions",
            str(conclusions),
            "--yes",
            data_dir=demo_dir,
        ).returncode
        == 3  # recorded and signed, pending the security officer's signature
    )
    set_faults(demo_dir, unavailable=True)
    result = secgate("review", "status", "--json", data_dir=demo_dir)
    # dms was just reviewed, but that cannot be seen: the config's older date is used,
    # which can only make the review look more due, never less.
    assert result.returncode == 1
    items = {item["product"]: item for item in json.loads(result.stdout)}
    assert items["dms"]["state"] == "overdue" and items["dms"]["last_review_source"] == "config"
    assert any("could not be read" in w for w in items["dms"]["warnings"])
    assert "warning: dms: tracker 'sandbox' could not be read" in result.stderr

    record = secgate(
        "review",
        "record",
        "--product",
        "ipc",
        "--conclusions",
        str(conclusions),
        "--yes",
        data_dir=demo_dir,
    )
    assert record.returncode == 2
    assert "review not recorded" in record.stderr and "Nothing was written" in record.stderr
    set_faults(demo_dir, unavailable=False)
    assert review_comments(demo_dir, "IPC-6") == []
    assert audit_kinds(demo_dir) == ["review", "signature"]


def test_edited_record_does_not_count_as_a_review(demo_dir: Path, conclusions: Path) -> None:
    assert (
        secgate(
            "review",
            "record",
            "--product",
            "dms",
            "--conclusions",
            str(conclusions),
            "--yes",
            data_dir=demo_dir,
        ).returncode
        == 3  # recorded and signed, pending the security officer's signature
    )
    data = sandbox(demo_dir)
    comment = next(c for c in data["issues"]["DMS-5"]["comments"] if "secgate-review " in c["body"])
    # Someone shortens the interval inside the machine block (the armoured JSON line).
    lines = comment["body"].splitlines()
    block = next(i for i, line in enumerate(lines) if line.startswith("secgate-review-json: "))
    lines[block] = lines[block].replace('"interval_days":365', '"interval_days":30')
    comment["body"] = "\n".join(lines)
    (demo_dir / "sandbox.json").write_text(json.dumps(data), encoding="utf-8")
    result = secgate("review", "status", "--json", data_dir=demo_dir)
    assert result.returncode == 1
    dms = {item["product"]: item for item in json.loads(result.stdout)}["dms"]
    assert dms["state"] == "overdue" and dms["last_review_source"] == "config"
    assert "not an intact review record" in result.stderr


def test_unknown_product_and_missing_file_are_errors(demo_dir: Path, tmp_path: Path) -> None:
    missing = secgate(
        "review",
        "record",
        "--product",
        "dms",
        "--conclusions",
        str(tmp_path / "nope.toml"),
        "--yes",
        data_dir=demo_dir,
    )
    assert missing.returncode == 2 and "cannot be read" in missing.stderr
    unknown = secgate(
        "review",
        "record",
        "--product",
        "xyz",
        "--conclusions",
        str(tmp_path / "nope.toml"),
        "--yes",
        data_dir=demo_dir,
    )
    assert unknown.returncode == 2 and "unknown product 'xyz'" in unknown.stderr


CONFIG = """\
[trackers.sandbox]
kind = "sandbox"
path = "{path}"
seed = "demo"

[products.ipc]
name = "Infusion Pump Controller"
review_interval_days = {interval}
review_issue = {{ tracker = "sandbox", key = "IPC-6" }}
[[products.ipc.sources]]
tracker = "sandbox"
project = "IPC"
"""


def _with_config(tmp_path: Path, interval: int, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "secgate.toml"
    config.write_text(CONFIG.format(path=tmp_path / "sandbox.json", interval=interval))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "secgate_tui.cli",
            "--config",
            str(config),
            "--data-dir",
            str(tmp_path / "data"),
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_never_reviewed_is_overdue_and_an_interval_over_a_year_is_a_config_error(
    tmp_path: Path,
) -> None:
    never = _with_config(tmp_path, 365, "review", "status", "--json")
    assert never.returncode == 1, never.stderr
    (ipc,) = json.loads(never.stdout)
    assert ipc["state"] == "overdue" and ipc["last_review"] is None and ipc["due"] is None
    assert ipc["last_review_source"] == "none"

    too_long = _with_config(tmp_path, 400, "review", "status")
    assert too_long.returncode == 2 and too_long.stdout == ""
    assert "review_interval_days" in too_long.stderr and "365" in too_long.stderr


def test_the_demo_line_for_the_security_officer_signs_off_the_review_as_printed(
    tmp_path: Path, conclusions: Path
) -> None:
    """The PENDING review prints the second signer's command; run as printed (the
    data directory has a space in its name), it signs the review off."""
    data_dir = tmp_path / "demo data"
    args = ("review", "record", "--product", "dms", "--conclusions", str(conclusions), "--yes")
    pending = secgate(*args, data_dir=data_dir)
    assert pending.returncode == 3, pending.stderr
    line = next(x for x in pending.stdout.splitlines() if x.startswith("Demo: as the security"))
    assignment, *words = shlex.split(line.split("run: ", 1)[1])
    name, key = assignment.split("=", 1)
    assert name == "SECGATE_SIGNING__KEY"
    assert words == [
        *("secgate", "--demo", "--data-dir", str(data_dir)),
        *("approve", "--product", "dms", "--review"),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    signed = subprocess.run(
        [sys.executable, "-m", "secgate_tui.cli", *words[1:], "--yes"],
        capture_output=True,
        text=True,
        env={**env, name: key},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert signed.returncode == 0, signed.stdout + signed.stderr
    assert "SIGNED OFF  review rev-" in signed.stdout
