"""The review's vulnerability figures from VEX history (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from secgate_tui.domain.render.dialect import dialect
from secgate_tui.domain.render.review_vex import vulnerability_lines
from secgate_tui.domain.review_vex import vulnerability_figures
from secgate_tui.domain.vex import VexDocument, parse_openvex

PKG = "pkg:pypi/urllib3@2.0.5"


def _doc(name: str, *statements: tuple[str, str, str, str]) -> VexDocument:
    """OpenVEX with (vulnerability, status, extra, timestamp) statements."""
    raw: list[dict[str, Any]] = []
    for vulnerability, status, extra, stamp in statements:
        item: dict[str, Any] = {
            "vulnerability": {"name": vulnerability},
            "products": [{"@id": PKG}],
            "status": status,
            "timestamp": stamp,
        }
        if status == "not_affected":
            item["justification"] = extra
        elif status == "affected":
            item["action_statement"] = extra
        raw.append(item)
    data = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": f"https://example.com/{name}",
        "author": "psirt",
        "timestamp": "2026-01-01T00:00:00Z",
        "version": 1,
        "statements": raw,
    }
    return parse_openvex(data, name, "0" * 64)


TRIAGE = ("CVE-A", "under_investigation", "", "2026-01-01T00:00:00Z")
B = ("CVE-B", "not_affected", "vulnerable_code_not_present", "2026-01-05T00:00:00Z")
A_DECIDED = ("CVE-A", "not_affected", "vulnerable_code_not_in_execute_path", "2026-01-11T00:00:00Z")
C = ("CVE-C", "affected", "upgrade in 2.2; risk accepted in IPC-7", "2026-02-01T00:00:00Z")
D_TRIAGE = ("CVE-D", "under_investigation", "", "2026-02-10T00:00:00Z")
END = datetime(2026, 3, 1, tzinfo=UTC)


def test_states_at_the_end_and_time_to_assessment_across_releases() -> None:
    documents = {
        "2.0": [_doc("2.0.openvex.json", TRIAGE, B)],
        "2.1": [_doc("2.1.openvex.json", A_DECIDED, C, D_TRIAGE)],
    }
    figures = vulnerability_figures(documents, start=datetime(2025, 12, 31, tzinfo=UTC), end=END)

    assert figures.releases == ("2.0", "2.1")
    assert figures.findings == 4
    assert figures.by_state == {"affected": 1, "in_triage": 1, "not_affected": 2}
    # CVE-A: triaged on Jan 1, decided on Jan 11. B and C were decisions from the start.
    assert figures.time_to_assessment.count == 1
    assert figures.time_to_assessment.median_days == 10.0
    assert figures.decided_without_history == 2


def test_only_findings_with_a_statement_in_the_period_count() -> None:
    documents = {"2.0": [_doc("a.json", TRIAGE, B)], "2.1": [_doc("b.json", A_DECIDED)]}
    figures = vulnerability_figures(documents, start=datetime(2026, 1, 6, tzinfo=UTC), end=END)
    # B's only statement is before the period; A was decided in it, 10 days after triage.
    assert figures.findings == 1 and figures.by_state == {"not_affected": 1}
    assert figures.time_to_assessment.count == 1
    early = vulnerability_figures(documents, start=None, end=datetime(2026, 1, 2, tzinfo=UTC))
    # At the end of an earlier period A was still in triage and nothing was decided.
    assert early.by_state == {"in_triage": 1} and early.time_to_assessment.count == 0


def test_the_section_says_what_was_not_read() -> None:
    from secgate_tui.domain.review_metrics import ReviewMetrics

    figures = vulnerability_figures(
        {}, start=None, end=END, unavailable=["2.2: ipc-2.2.openvex.json: is not valid JSON"]
    )
    metrics = ReviewMetrics.model_construct(vulnerabilities=figures)
    text = "\n".join(vulnerability_lines(metrics, dialect("plain")))
    assert "No release's VEX documents were available" in text
    assert "Not read: 2.2: ipc-2.2.openvex.json: is not valid JSON" in text


def test_a_finding_and_its_decision_at_one_moment_measure_zero_days() -> None:
    moment = "2026-02-01T00:00:00Z"
    decided = _doc("a.json", ("CVE-E", "not_affected", "component_not_present", moment))
    found = _doc("z.json", ("CVE-E", "under_investigation", "", moment))
    figures = vulnerability_figures({"2.0": [decided, found]}, start=None, end=END)
    assert figures.by_state == {"not_affected": 1}
    assert figures.time_to_assessment.median_days == 0.0 and figures.decided_without_history == 0
