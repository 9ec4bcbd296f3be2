"""The reviewer's conclusions checked against the review's own figures (IEC 81001-5-1 4.1.8).

Each of the three answers is checked against what the record itself shows.
The figures that speak against an answer of YES are its *findings*:

- **complete**: security issues that match no category (unclassified);
  dispositions other than fixed without a justification (risk accepted,
  deferred, won't fix with no rationale, or an unknown resolution); a
  Critical or High deployed defect whose root cause, field action or
  disclosure decision is not stated; a previous action whose state cannot be
  checked (no tracker issue, or the issue is gone).
- **efficient**: a time target missed (median time to close per severity,
  median time to fix shipped); a previous action still open after its due day.
- **resolution**: deployed vulnerabilities not fixed; fixed ones whose fix has
  not shipped; the deployed-fixed target missed; a previous action the
  reviewer judged not effective.

A YES with findings is *contradicted*. So is a NO to a question whose targets
are all set-and-met with no finding (the figures say YES: "median above the
target" while the median is below it). A contradicted answer is recorded only
with an ``explanation``, which the record shows next to the figures. A NO also
needs at least one improvement action. :func:`refusal` words the first
problem; nothing is written while there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pydantic import BaseModel, ConfigDict

from secgate_tui.domain.conclusions import (
    QUESTIONS,
    Answer,
    Effectiveness,
    ReviewConclusions,
)
from secgate_tui.domain.model import RESIDUAL, Disposition
from secgate_tui.domain.review_followup import ActionState, PreviousAction
from secgate_tui.domain.review_metrics import DeployedDefect, ReviewMetrics
from secgate_tui.domain.review_targets import (
    ReviewTargets,
    TargetResult,
    TargetState,
    target_results,
)

#: Severities whose deployed defects need every part of the analysis stated.
ANALYSIS_REQUIRED: Final = frozenset({"critical", "high"})
NOT_STATED: Final = "not stated"
_LISTED: Final = 5


class DefectAnalysis(BaseModel):
    """A deployed defect's analysis: the reviewer's statement, else the tracker's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    root_cause: str | None
    field_action: str | None
    disclosure: str | None

    def missing(self) -> list[str]:
        names = {
            "root cause": self.root_cause,
            "field action": self.field_action,
            "customer communication / disclosure decision": self.disclosure,
        }
        return [name for name, value in names.items() if not value]


class ConclusionCheck(BaseModel):
    """One answer against the figures."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question: str
    answer: Answer
    findings: tuple[str, ...]
    #: Why a NO is contradicted: every target of the question is met.
    supports_yes: tuple[str, ...] = ()
    contradicted: bool
    explanation: str = ""


class ReviewChecks(BaseModel):
    """What the record shows about its figures and conclusions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    targets: tuple[TargetResult, ...]
    conclusions: tuple[ConclusionCheck, ...]


def defect_analysis(defect: DeployedDefect, conclusions: ReviewConclusions) -> DefectAnalysis:
    said = conclusions.defects.get(defect.key)
    return DefectAnalysis(
        root_cause=(said.root_cause if said else "") or defect.root_cause,
        field_action=(said.field_action if said else "") or defect.field_action,
        disclosure=(said.disclosure if said else "") or defect.disclosure,
    )


def check_review(
    metrics: ReviewMetrics,
    targets: ReviewTargets,
    conclusions: ReviewConclusions,
    previous: Sequence[PreviousAction] = (),
) -> ReviewChecks:
    results = target_results(metrics, targets)
    findings = {
        "complete": _complete(metrics, conclusions, previous),
        "efficient": _missed(results, "efficient") + _overdue(previous),
        "resolution": _resolution(metrics)
        + _missed(results, "resolution")
        + _ineffective(previous),
    }
    checks = []
    for question in QUESTIONS:
        conclusion = getattr(conclusions, question)
        found = tuple(findings[question])
        yes = _supports_yes(results, question) if not found else ()
        contradicted = bool(found) if conclusion.answer is Answer.YES else bool(yes)
        checks.append(
            ConclusionCheck(
                question=question,
                answer=conclusion.answer,
                findings=found,
                supports_yes=yes if conclusion.answer is Answer.NO else (),
                contradicted=contradicted,
                explanation=conclusion.explanation,
            )
        )
    return ReviewChecks(targets=results, conclusions=tuple(checks))


def refusal(
    checks: ReviewChecks,
    conclusions: ReviewConclusions,
    metrics: ReviewMetrics,
    previous: Sequence[PreviousAction] = (),
) -> str | None:
    """Why the conclusions cannot be recorded as they are (one paragraph), or None."""
    unknown = _unknown_statements(conclusions, metrics, previous)
    if unknown:
        return unknown
    for action in previous:
        if action.state.done and action.effective is None:
            return (
                f"The previous review's action '{action.ref}' ({action.title}) is "
                f"{action.state.value}, but the conclusions do not say whether it was effective "
                "(ISO 13485 8.5.2). Nothing was written; add [previous_actions."
                f'"{action.ref}"] effective = "yes", "no" or "too-early" (with a comment '
                "unless yes), then run the command again."
            )
    for check in checks.conclusions:
        if check.contradicted and not check.explanation:
            return _contradiction(check)
    no = [c.question for c in checks.conclusions if c.answer is Answer.NO]
    if no and not conclusions.actions:
        return (
            f"The conclusions answer NO to '{no[0]}' but decide no improvement action: a "
            "process that fell short needs one (IEC 81001-5-1 4.1.8). Nothing was written; add "
            "an [[actions]] table with title, owner and due = 2027-03-01, then run again."
        )
    return None


def _unknown_statements(
    conclusions: ReviewConclusions, metrics: ReviewMetrics, previous: Sequence[PreviousAction]
) -> str | None:
    # A statement about nothing is a typo that would silently leave the real item unstated.
    refs = [a.ref for a in previous]
    for ref in conclusions.previous_actions:
        if ref not in refs:
            listed = ", ".join(repr(r) for r in refs) or "none"
            return (
                f"The conclusions judge previous_actions.'{ref}', but the previous review has "
                f"no such action (its actions: {listed}). Nothing was written; name an action "
                "by its issue key (or its title when it has no issue), then run again."
            )
    keys = [d.key for d in metrics.deployed.defects]
    for key in conclusions.defects:
        if key not in keys:
            listed = _keys(keys) or "none"
            return (
                f"The conclusions analyse defects.'{key}', but it is not a security defect in "
                f"deployed software of this period (those are: {listed}). Nothing was written; "
                "check the issue key, then run again."
            )
    return None


def _contradiction(check: ConclusionCheck) -> str:
    question = check.question
    if check.answer is Answer.YES:
        why = "; ".join(check.findings)
        change = "answer NO (with an improvement action)"
    else:
        why = "the figures meet every target of this question: " + "; ".join(check.supports_yes)
        change = "answer YES"
    return (
        f"The conclusions answer {check.answer.value.upper()} to '{question}' "
        f"({QUESTIONS[question]}), but the review's own figures say otherwise: {why}. "
        f"Nothing was written; {change}, or keep the answer and add "
        f'{question}.explanation = "why the answer stands" (the record shows it next to '
        "these figures), then run the command again."
    )


def _keys(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    return shown + (f" and {len(items) - _LISTED} more" if len(items) > _LISTED else "")


def _complete(
    metrics: ReviewMetrics, conclusions: ReviewConclusions, previous: Sequence[PreviousAction]
) -> list[str]:
    found = []
    unclassified = [c for c in metrics.categories if c.category == "unclassified"]
    count = sum(g.open + g.closed + g.closed_undated for g in unclassified)
    if count:
        urgent = sum(
            g.open
            for g in metrics.groups
            if g.category == "unclassified" and g.severity in ANALYSIS_REQUIRED
        )
        extra = f", {urgent} of them Critical or High and still open" if urgent else ""
        found.append(f"{count} security issue(s) match no category (unclassified){extra}")
    unjustified = [
        item.key
        for item in metrics.not_fixed
        if item.disposition is Disposition.UNKNOWN
        or (item.disposition in RESIDUAL and not item.justification)
    ]
    if unjustified:
        found.append(
            f"{len(unjustified)} disposition(s) other than fixed without a justification or "
            f"with an unknown resolution ({_keys(unjustified)})"
        )
    for defect in metrics.deployed.defects:
        if defect.severity not in ANALYSIS_REQUIRED:
            continue
        missing = defect_analysis(defect, conclusions).missing()
        if missing:
            found.append(
                f"deployed defect {defect.key} ({defect.severity}): {', '.join(missing)} "
                f"{NOT_STATED}"
            )
    for action in previous:
        if action.state in {ActionState.NO_ISSUE, ActionState.NOT_FOUND}:
            found.append(
                f"previous action '{action.ref}' cannot be followed up ({action.state.value})"
            )
    return found


def _resolution(metrics: ReviewMetrics) -> list[str]:
    deployed = metrics.deployed
    found = []
    unfixed = [d.key for d in deployed.defects if not d.fixed]
    if unfixed:
        found.append(
            f"{len(unfixed)} of {deployed.count} vulnerabilit(ies) in deployed software not "
            f"fixed ({_keys(unfixed)})"
        )
    unshipped = [d.key for d in deployed.defects if d.fixed and not d.fix_shipped]
    if unshipped:
        found.append(
            f"{len(unshipped)} fix(es) of deployed vulnerabilities not shipped in a released "
            f"version ({_keys(unshipped)}); fix shipped for {deployed.fix_shipped} of "
            f"{deployed.count}"
        )
    return found


def _result_text(result: TargetResult) -> str:
    unit = " %" if result.unit == "%" else " d"
    return f"{result.figure}: {result.value}{unit}, target {result.target}{unit}"


def _missed(results: Sequence[TargetResult], question: str) -> list[str]:
    return [
        _result_text(r) + " (missed)"
        for r in results
        if r.question == question and r.state is TargetState.MISSED
    ]


def _supports_yes(results: Sequence[TargetResult], question: str) -> tuple[str, ...]:
    mine = [r for r in results if r.question == question and r.state is not TargetState.NO_TARGET]
    if not mine or any(r.state is not TargetState.MET for r in mine):
        return ()
    return tuple(_result_text(r) + " (met)" for r in mine)


def _overdue(previous: Sequence[PreviousAction]) -> list[str]:
    return [
        f"previous action '{a.ref}' is still open, due {a.due.isoformat()} (overdue)"
        for a in previous
        if a.state is ActionState.OVERDUE
    ]


def _ineffective(previous: Sequence[PreviousAction]) -> list[str]:
    return [
        f"previous action '{a.ref}' was judged not effective"
        for a in previous
        if a.effective is Effectiveness.NO
    ]
