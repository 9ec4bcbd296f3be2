"""The record's vulnerability assessment section (issue 14): in the JSON, the id and
the human part when the release had an SBOM/VEX check; absent (byte for byte as
before) when it had none."""

from __future__ import annotations

import json

from secgate_tui.domain import GatePolicy, SourceState, evaluate
from secgate_tui.domain.criteria import Applied, gate_criteria
from secgate_tui.domain.record import AuthorizationRecord, build_record, parse_record
from secgate_tui.domain.render import dialect, render_record
from secgate_tui.domain.vex import VexPolicy, VexState, VulnerabilityAssessment, assess
from tests.unit.test_record_support import CLASSIFICATION, ME, NOW, record_for, snapshot
from tests.unit.test_vex_rules import sbom, statement, vex

ZLIB_CVE = "CVE-2022-37434"


def _assessment() -> VulnerabilityAssessment:
    documents = [
        vex(
            statement(VexState.NOT_AFFECTED, at=NOW),
            statement(
                VexState.AFFECTED,
                vuln=ZLIB_CVE,
                refs=("c-zlib",),
                justification=None,
                responses=("update",),
                detail="Risk accepted in IPC-77 until the <b>next</b> release",
                at=NOW,
            ),
            at=NOW,
            name="ipc-2.1.vex.json",
        )
    ]
    result = assess(sbom=sbom(), documents=documents, policy=VexPolicy(), release="2.1", now=NOW)
    assert result.passed, result.reasons
    return result


def _record(assessment: VulnerabilityAssessment | None) -> AuthorizationRecord:
    issues = snapshot()
    policy = GatePolicy(classification=CLASSIFICATION)
    verdict = evaluate(
        issues,
        [],
        policy,
        NOW,
        [SourceState(source="box", project="P", synced_at=NOW)],
        vulnerability_assessment=assessment,
    )
    assert verdict.passed, verdict.reasons
    return build_record(
        product="ipc",
        product_name="Infusion Pump Controller",
        release="2.1",
        verdict=verdict,
        issues=issues,
        classification=CLASSIFICATION,
        authorizer=ME,
        at=NOW,
        secgate_version="0.1.0",
        config_digest="c" * 64,
        criteria=gate_criteria(Applied(policy=policy, activities=verdict.activities)),
    )


def test_a_record_without_an_assessment_has_no_section_and_the_same_text() -> None:
    record = _record(None)
    assert record.vulnerabilities is None
    assert "vulnerabilities" not in record.as_json()
    assert record.canonical() == record_for(snapshot()).canonical()
    text = render_record(record, dialect("markdown")).body
    assert "Vulnerability assessment" not in text


def test_the_record_lists_sbom_counts_and_every_open_vulnerability() -> None:
    record = _record(_assessment())
    section = record.vulnerabilities
    assert section is not None and section.sbom is not None
    assert (section.sbom.name, section.sbom.sha256, section.components) == (
        "app.cdx.json",
        "0" * 64,
        2,
    )
    assert section.counts == {"affected": 1, "not_affected": 1}
    assert [(v.vulnerability, v.state, v.response, v.linked_issue) for v in section.open] == [
        (ZLIB_CVE, "affected", "update", "IPC-77")
    ]
    assert [d.name for d in section.documents] == ["ipc-2.1.vex.json"]
    # The canonical JSON carries it, and re-reads into the same record.
    again = parse_record(json.loads(record.canonical()))
    assert again == record and again.record_digest == record.record_digest


def test_the_assessment_is_part_of_the_decision_and_its_id() -> None:
    with_it, without = _record(_assessment()), _record(None)
    assert with_it.record_id != without.record_id
    tampered = with_it.as_json()
    tampered["vulnerabilities"]["counts"]["affected"] = 0
    try:
        parse_record(tampered)
    except ValueError as exc:
        assert "does not derive" in str(exc)
    else:  # pragma: no cover - the assertion is the point
        raise AssertionError("an edited vulnerability section was accepted")


def test_the_human_part_shows_the_section_escaped() -> None:
    text = render_record(_record(_assessment()), dialect("markdown")).body
    assert "Vulnerability assessment (SBOM/VEX)" in text
    assert f"sha256:{'0' * 64} (2 components)" in text
    assert "affected 1, not_affected 1" in text
    assert f"{ZLIB_CVE} in zlib" in text and "affected; linked issue IPC-77" in text
    assert "response update" in text
    assert "<b>" not in text.split("secgate-record")[0]
