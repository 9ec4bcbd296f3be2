"""`secgate --demo review record` follows up the previous review's actions and checks
the conclusions against the figures (issue 15), as a reviewer runs it.

The first review decides two actions and creates their tracker issues. One is
then closed before its due day; the other is left open past its due day. The
next review must show both, refuse a YES that the overdue action contradicts,
refuse a done action without an effectiveness statement, and record the
review once the reviewer explains the YES and judges the action.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

TODAY = datetime.now(UTC).date()
LONG_AGO = TODAY - timedelta(days=30)
FIRST = f"""\
complete = {{ answer = "yes", explanation = "unclassified item triaged after the review" }}
efficient = {{ answer = "no", comment = "Triage takes too long." }}
resolution = {{ answer = "yes", explanation = "the open defects are mitigated in the field" }}
participants = ["qa.lead"]

[[actions]]
title = "Add triage SLA for security defects"
owner = "qa.lead"
due = {TODAY + timedelta(days=90)}

[[actions]]
title = "Classify every security-labelled issue"
owner = "security.officer"
due = {LONG_AGO}
"""
SECOND = """\
complete = { answer = "yes", explanation = "unclassified item triaged after the review" }
efficient = { answer = "yes" }
resolution = { answer = "yes", explanation = "the open defects are mitigated in the field" }
"""


def secgate(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "secgate_tui.cli", "--demo", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def record(data_dir: Path, conclusions: str, *extra: str) -> subprocess.CompletedProcess[str]:
    path = data_dir.parent / "review.toml"
    path.write_text(conclusions, encoding="utf-8")
    return secgate(
        data_dir,
        "review",
        "record",
        "--product",
        "ipc",
        "--conclusions",
        str(path),
        "--yes",
        *extra,
    )


def sandbox(data_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((data_dir / "sandbox.json").read_text(encoding="utf-8"))
    return data


def close(data_dir: Path, key: str, when: date) -> None:
    data = sandbox(data_dir)
    moment = datetime(when.year, when.month, when.day, 9, tzinfo=UTC).isoformat()
    data["issues"][key].update(
        status="Done", closed=True, resolution="Done", closed_at=moment, updated=moment
    )
    (data_dir / "sandbox.json").write_text(json.dumps(data), encoding="utf-8")


def test_the_next_review_follows_up_the_actions_and_checks_the_answers(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    first = record(demo, FIRST, "--create-actions")
    assert first.returncode == 0, first.stdout + first.stderr
    # The sign-off: the reviewer is among the participants, first.
    assert (
        "Participants (sign-off): Release Manager (sandbox) (release.manager), reviewer; "
        "qa.lead" in first.stdout
    )
    actions = [
        key
        for key, issue in sandbox(demo)["issues"].items()
        if "corrective-action" in issue.get("labels", ())
    ]
    assert len(actions) == 2
    sla, classify = sorted(actions, key=lambda k: int(k.split("-")[1]))
    close(demo, sla, TODAY)

    # The done action needs an effectiveness statement first.
    unjudged = record(demo, SECOND)
    assert unjudged.returncode == 2
    assert f'[previous_actions."{sla}"] effective' in unjudged.stderr
    assert "is done on time" in unjudged.stderr

    # Efficient YES while an action is overdue: refused, naming the action and its due day.
    judged = SECOND + f'[previous_actions."{sla}"]\neffective = "too-early"\ncomment = "March"\n'
    contradicted = record(demo, judged)
    assert contradicted.returncode == 2
    assert "answer YES to 'efficient'" in contradicted.stderr
    assert f"previous action '{classify}' is still open, due {LONG_AGO} (overdue)" in (
        contradicted.stderr
    )
    comments = sandbox(demo)["issues"]["IPC-6"]["comments"]
    reviews = [c for c in comments if "secgate-review " in c["body"]]
    assert len(reviews) == 1  # nothing written by the refused runs (besides the signature)

    explained = judged.replace(
        'efficient = { answer = "yes" }',
        'efficient = { answer = "yes", explanation = "the overdue action is re-planned" }',
    )
    done = record(demo, explained)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "Actions of the previous review (follow-up)" in out
    assert f"{sla} DONE ON TIME Add triage SLA for security defects" in out
    assert "effective: too-early" in out and "Effectiveness: March" in out
    assert f"{classify} OPEN, OVERDUE Classify every security-labelled issue" in out
    assert "CONTRADICTED by the figures" in out
    assert "Explanation: the overdue action is re-planned" in out
    assert "Time from fix to fix shipped" in out
    # The demo's installations (a CSV beside the sandbox): fix shipped to deployment.
    assert "Time from fix shipped to deployment in the field (CSV installations.csv)" in out

    exported = sorted((demo / "records").glob("Security-Management-Review_ipc_*.json"))
    newest = json.loads(exported[-1].read_bytes()) if exported else {}
    follow = newest.get("previous_review", {})
    assert [a["state"] for a in follow.get("actions", [])] == ["done on time", "open, overdue"]
