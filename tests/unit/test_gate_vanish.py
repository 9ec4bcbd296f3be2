"""The gate's side of issue 19: what a category held, and issues the tracker no longer shows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from secgate_tui.domain import Category, GatePolicy, Outcome, SourceState, evaluate
from tests.unit.test_gate import CLASSIFICATION, FRESH, NOW, POLICY, one_per_category

EVERY_ACK = {category: "not applicable" for category in Category}


def test_an_empty_category_that_held_issues_cannot_be_acknowledged() -> None:
    issues = [i for i in one_per_category() if "sec-implementation" not in i.labels]
    policy = GatePolicy(classification=CLASSIFICATION, not_applicable=EVERY_ACK)
    verdict = evaluate(issues, [], policy, NOW, FRESH, held={Category.IMPLEMENTATION: 12})
    assert verdict.outcome is Outcome.BLOCKED
    result = verdict.category(Category.IMPLEMENTATION)
    assert result.empty and not result.acknowledged and result.not_applicable_reason is None
    assert result.previously_held == 12
    assert verdict.reasons == (
        "Implementation: held 12 issue(s) at the previous sync; an empty category that was not "
        "empty cannot be acknowledged as not applicable. secgate re-reads those issues by key "
        "at every full sync, and this clears once the tracker shows each of them outside the "
        "release (another version or milestone). If they still belong to the release, check the "
        "product's sources (project, release, filter) and the tracker's answers",
    )


def test_what_a_non_empty_category_held_does_not_matter() -> None:
    verdict = evaluate(one_per_category(), [], POLICY, NOW, FRESH, held=dict.fromkeys(Category, 3))
    assert verdict.outcome is Outcome.PASS, verdict.reasons
    assert all(result.previously_held == 0 for result in verdict.categories)


def test_an_empty_category_that_never_held_issues_can_still_be_acknowledged() -> None:
    policy = GatePolicy(classification=CLASSIFICATION, not_applicable=EVERY_ACK)
    verdict = evaluate([], [], policy, NOW, FRESH, held={})
    assert verdict.outcome is Outcome.PASS, verdict.reasons
    assert all(result.acknowledged for result in verdict.categories)


def test_issues_the_tracker_no_longer_shows_block_and_are_named() -> None:
    missing = FRESH[0].model_copy(update={"missing": ("P-7", "P-9")})
    verdict = evaluate(one_per_category(), [], POLICY, NOW, [missing])
    assert verdict.outcome is Outcome.BLOCKED
    (reason,) = verdict.reasons
    assert "P-7, P-9" in reason and "deleted, or no longer visible" in reason
    assert "lost a permission" in reason


@given(held=st.dictionaries(st.sampled_from(list(Category)), st.integers(1, 10**6)))
def test_no_acknowledgement_passes_a_category_that_held_issues(held: dict[Category, int]) -> None:
    policy = GatePolicy(classification=CLASSIFICATION, not_applicable=EVERY_ACK)
    verdict = evaluate([], [], policy, NOW, [SourceState(**FRESH[0].model_dump())], held=held)
    assert verdict.passed is not bool(held)
    for category in held:
        assert not verdict.category(category).acknowledged
