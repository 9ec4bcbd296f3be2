"""The seventh check inside the gate: it blocks the verdict, and changes no digest."""

from __future__ import annotations

from secgate_tui.domain import Outcome, evaluate
from secgate_tui.domain.vex import VexPolicy, VexState, assess
from tests.unit.test_gate import FRESH, NOW, POLICY, one_per_category
from tests.unit.test_vex_rules import statement, vex


def assessment(*, passing: bool):  # type: ignore[no-untyped-def]
    state = VexState.NOT_AFFECTED if passing else VexState.IN_TRIAGE
    return assess(
        sbom=None,
        documents=[vex(statement(state, at=NOW), at=NOW)],
        policy=VexPolicy(require_sbom=False),
        release="2.1",
        now=NOW,
    )


def test_without_an_assessment_the_verdict_is_as_before() -> None:
    verdict = evaluate(one_per_category(), [], POLICY, NOW, FRESH)
    assert verdict.passed and verdict.vulnerability_assessment is None


def test_a_blocking_assessment_blocks_the_verdict_with_its_reasons() -> None:
    issues = one_per_category()
    before = evaluate(issues, [], POLICY, NOW, FRESH)
    blocked = evaluate(issues, [], POLICY, NOW, FRESH, None, assessment(passing=False))
    assert blocked.outcome is Outcome.BLOCKED
    assert blocked.reasons == blocked.vulnerability_assessment.reasons  # type: ignore[union-attr]
    assert blocked.snapshot_digest == before.snapshot_digest


def test_a_passing_assessment_keeps_the_pass() -> None:
    verdict = evaluate(
        one_per_category(),
        [],
        POLICY,
        NOW,
        FRESH,
        vulnerability_assessment=assessment(passing=True),
    )
    assert verdict.passed and verdict.vulnerability_assessment is not None
