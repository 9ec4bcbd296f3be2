"""A sandbox issue's acceptances, CWE, controls, safety impact and severity map."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.base import BadResponseError
from connectors.sandbox import SandboxConnector, SandboxSettings
from secgate_tui.domain.model import Acceptance, Disposition
from tests.contract.harness_sandbox import seed


def sandbox(tmp_path: Path, changes: dict[str, Any], **settings: Any) -> tuple[Any, str]:
    path = tmp_path / "sandbox.json"
    path.write_text(json.dumps(seed(datetime.now(UTC))))
    box = SandboxConnector("box", SandboxSettings(kind="sandbox", path=str(path), **settings), None)
    key = box.create_issue("CT", "finding", "").key
    data = json.loads(path.read_text())
    data["issues"][key].update(changes)
    path.write_text(json.dumps(data))
    return box, key


def test_acceptances_and_facts_are_read(tmp_path: Path) -> None:
    accepted = {
        "disposition": "risk-accepted",
        "release": "1.0",
        "justification": "Needs physical access.",
        "target_version": "2.0",
        "accepted_by": "Quinn Officer",
        "accepted_on": "2026-11-02T09:30:00+01:00",
        "expires": "2027-05-01",
    }
    box, key = sandbox(
        tmp_path,
        {
            "acceptances": [accepted],
            "cwe": ["CWE-798", "79"],
            "compensating_controls": "Port disabled. ",
            "safety_impact": "serious",
            "severity": "High",
        },
        severity_map={"high": "high"},
    )
    issue = box.issue(key)
    assert issue.acceptances == (
        Acceptance(
            disposition=Disposition.RISK_ACCEPTED,
            release="1.0",
            justification="Needs physical access.",
            target_version="2.0",
            accepted_by="Quinn Officer",
            accepted_on=datetime(2026, 11, 2, 8, 30, tzinfo=UTC),
            expires=date(2027, 5, 1),
        ),
    )
    assert issue.cwe == ("CWE-798", "CWE-79")
    assert issue.compensating_controls == "Port disabled."
    assert issue.safety_impact == "serious"
    assert issue.severity == "high"


def test_an_issue_without_them_serializes_as_before(tmp_path: Path) -> None:
    box, key = sandbox(tmp_path, {"severity": "High", "compensating_controls": "  "})
    issue = box.issue(key)
    assert issue.severity == "High"  # no severity_map: as stored
    text = issue.canonical_json().decode()
    for name in ("acceptances", "cwe", "compensating_controls", "safety_impact"):
        assert f'"{name}"' not in text


@pytest.mark.parametrize(
    "changes",
    [
        {"acceptances": [{"disposition": "fixed", "release": "1.0"}]},
        {"acceptances": [{"disposition": "deferred", "expires": "someday"}]},
        {"acceptances": [{"disposition": "deferred", "accepted_on": "2026-11-02T09:30:00"}]},
        {"cwe": ["XSS"]},
    ],
)
def test_unreadable_members_fail_the_read(tmp_path: Path, changes: dict[str, Any]) -> None:
    box, key = sandbox(tmp_path, changes)
    with pytest.raises(BadResponseError, match="cannot read"):
        box.issue(key)
