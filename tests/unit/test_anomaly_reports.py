"""Unresolved anomalies where a user sees the verdict: `status --json`, the text
report, and the CI reports (one check of their own, its blocking items listed)."""

from __future__ import annotations

from datetime import date

from secgate_tui.domain import Verdict
from secgate_tui.services.report import verdict_json
from secgate_tui.services.reports import GateReport, render
from secgate_tui.services.reports.checks import build_checks
from tests.unit.test_anomalies import accepted, anomaly, gate
from tests.unit.test_reports import failures, junit


def blocked() -> Verdict:
    return gate(
        [
            anomaly(key="P-98"),
            anomaly(accepted(expires=date(2026, 11, 30)), key="P-99", severity="Medium"),
            anomaly(accepted(), key="P-97"),
        ]
    )


def report(verdict: Verdict) -> GateReport:
    return GateReport(
        product="ipc",
        product_name="Pump",
        release="2.1",
        verdict=verdict,
        links={("t", "P-98"): "https://tracker.example/P-98"},
    )


def test_status_json_lists_them_beside_the_categories() -> None:
    data = verdict_json("ipc", "2.1", blocked())
    assert data["verdict"] == "BLOCKED"
    rows = {row["key"]: row for row in data["unresolved_anomalies"]}
    assert set(rows) == {"P-97", "P-98", "P-99"}
    assert rows["P-98"]["blocking"] and "no risk acceptance" in rows["P-98"]["reason"]
    assert rows["P-99"]["blocking"] and "expired on 2026-11-30" in rows["P-99"]["reason"]
    assert rows["P-97"] == rows["P-97"] | {
        "blocking": False,
        "reason": None,
        "disposition": "risk-accepted",
        "severity": "high",
        "cwe": ["CWE-294"],
        "accepted_by": "r.patel",
        "accepted_on": "2026-11-17T12:00:00Z",
        "expires": "2027-11-17",
        "category": "defect-management",
    }


def test_status_json_of_a_release_without_them_has_an_empty_list() -> None:
    assert verdict_json("ipc", "2.1", gate([]))["unresolved_anomalies"] == []


def test_the_reason_belongs_to_the_anomaly_check_with_its_blocking_items() -> None:
    checks = {check.name: check for check in build_checks(blocked())}
    check = checks["unresolved anomalies"]
    assert not check.passed and check.reasons[0].startswith("Unresolved anomalies:")
    assert [item.key for item in check.items] == ["P-98", "P-99"]
    assert "other reasons" not in checks


def test_junit_fails_the_anomaly_case_and_lists_the_items() -> None:
    failure = failures(junit(blocked()))["unresolved anomalies"]
    assert "P-98" in (failure.text or "") and "expired on 2026-11-30" in (failure.text or "")


def test_text_and_markdown_reports_show_them() -> None:
    text = render(report(blocked()), "text")
    assert "Unresolved anomalies" in text and "3 affect this release, 2 blocking" in text
    assert "P-97" in text and "risk-accepted (high, expires 2027-11-17)" in text
    markdown = render(report(blocked()), "markdown")
    assert "unresolved anomalies" in markdown
    assert "- [P-98](https://tracker.example/P-98) (unresolved anomalies, To Do)" in markdown
