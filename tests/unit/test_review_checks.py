"""Each contradiction rule of the review's conclusions, on fixed data worked out by hand.

NOW = 2026-11-22 00:00 UTC, Dn = NOW - n days; the period is (D365, NOW].
Released: 1.0 at D300, 1.1 at D80; 1.2 is not released.

Base issue D-1 (defect, high): created D100, closed D90 as fixed, affects 1.0,
fixed in 1.1 (shipped D80), labels stating its root cause, field action and
disclosure. Time to close 10 d; time to fix shipped D100 -> D80 = 20 d.
Each case adds issues, targets, conclusions or previous actions, and lists the
findings each question gets, and whether (and why) the conclusions are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

from secgate_tui.domain.classify import CategoryRule, Classification
from secgate_tui.domain.conclusions import (
    ActionLink,
    ActionReview,
    Effectiveness,
    parse_conclusions,
)
from secgate_tui.domain.model import Category, Disposition, Issue
from secgate_tui.domain.review_checks import check_review, refusal
from secgate_tui.domain.review_followup import ActionState, PreviousAction
from secgate_tui.domain.review_metrics import review_metrics
from secgate_tui.domain.review_targets import ReviewTargets, TimeToClose

NOW = datetime(2026, 11, 22, tzinfo=UTC)
CLASSIFICATION = Classification(
    rules={Category.DEFECT_MANAGEMENT: CategoryRule(labels=("sec-defect",))},
    security_labels=("security",),
)
RELEASED = {"1.0": NOW - timedelta(days=300), "1.1": NOW - timedelta(days=80)}
STATED = ("root-cause:input-validation", "field-action:update", "disclosure:advisory")
ALL_YES = """
complete = { answer = "yes" }
efficient = { answer = "yes" }
resolution = { answer = "yes" }
"""
ACTION = '\n[[actions]]\ntitle = "Faster triage"\nowner = "qa.lead"\ndue = 2027-03-01\n'


def d(days: float) -> datetime:
    return NOW - timedelta(days=days)


def issue(
    key: str,
    *,
    created: float,
    closed: float | None = None,
    disposition: Disposition = Disposition.UNKNOWN,
    severity: str = "high",
    labels: tuple[str, ...] = ("sec-defect", *STATED),
    affects: tuple[str, ...] = (),
    fix: tuple[str, ...] = (),
    justification: str | None = None,
) -> Issue:
    return Issue(
        source="jira",
        key=key,
        title=f"title of {key}",
        status="Done" if closed is not None else "Open",
        closed=closed is not None,
        disposition=disposition,
        labels=labels,
        severity=severity,
        created=d(created),
        updated=d(closed or 0),
        closed_at=d(closed) if closed is not None else None,
        affects_versions=affects,
        fix_versions=fix,
        justification=justification,
    )


D1 = issue(
    "D-1", created=100, closed=90, disposition=Disposition.FIXED, affects=("1.0",), fix=("1.1",)
)


def previous(
    ref: str, state: ActionState, effective: Effectiveness | None = None
) -> PreviousAction:
    link = None if state is ActionState.NO_ISSUE else ActionLink(source="jira", key=ref)
    return PreviousAction(
        ref=ref,
        title=f"action {ref}",
        owner="qa.lead",
        due=date(2026, 6, 1),
        issue=link,
        state=state,
        effective=effective,
    )


@dataclass
class Case:
    name: str
    issues: list[Issue] = field(default_factory=list)
    targets: ReviewTargets = field(default_factory=ReviewTargets)
    conclusions: str = ALL_YES
    previous: list[PreviousAction] = field(default_factory=list)
    complete: tuple[str, ...] = ()
    efficient: tuple[str, ...] = ()
    resolution: tuple[str, ...] = ()
    #: A NO contradicted by met targets: why the figures say YES.
    supports_yes: tuple[str, ...] = ()
    #: A phrase of the refusal, or None when the conclusions are recorded.
    refused: str | None = None


CASES = [
    Case("clean: every figure agrees with YES"),
    Case(
        "unclassified issue open, Critical",
        issues=[issue("X-1", created=10, severity="critical", labels=("security",))],
        complete=(
            "1 security issue(s) match no category (unclassified), 1 of them Critical or High "
            "and still open",
        ),
        refused="answer YES to 'complete'",
    ),
    Case(
        "risk accepted without justification; deferred with one is fine",
        issues=[
            issue("R-1", created=50, closed=40, disposition=Disposition.RISK_ACCEPTED),
            issue("R-2", created=50, disposition=Disposition.DEFERRED, justification="in 2.0"),
        ],
        complete=(
            "1 disposition(s) other than fixed without a justification or with an unknown "
            "resolution (R-1)",
        ),
        refused="R-1",
    ),
    Case(
        "a High deployed defect without its analysis",
        issues=[
            issue(
                "D-9",
                created=60,
                closed=50,
                disposition=Disposition.FIXED,
                labels=("sec-defect", "root-cause:memory"),
                affects=("1.0",),
                fix=("1.1",),
            )
        ],
        complete=(
            "deployed defect D-9 (high): field action, customer communication / disclosure "
            "decision not stated",
        ),
        refused="not stated",
    ),
    Case(
        "the conclusions file states the missing analysis",
        issues=[
            issue(
                "D-9",
                created=60,
                closed=50,
                disposition=Disposition.FIXED,
                labels=("sec-defect",),
                affects=("1.0",),
                fix=("1.1",),
            )
        ],
        conclusions=ALL_YES
        + '[defects."D-9"]\nroot_cause = "memory"\nfield_action = "none"\n'
        + 'disclosure = "advisory 2026-3"\n',
    ),
    Case(
        "a Low deployed defect needs no analysis, but is not fixed",
        issues=[
            issue("D-4", created=200, severity="low", labels=("sec-defect",), affects=("1.0",))
        ],
        resolution=("1 of 2 vulnerabilit(ies) in deployed software not fixed (D-4)",),
        refused="answer YES to 'resolution'",
    ),
    Case(
        "an explanation lets a contradicted YES be recorded",
        issues=[
            issue("D-4", created=200, severity="low", labels=("sec-defect",), affects=("1.0",))
        ],
        conclusions=ALL_YES.replace(
            'resolution = { answer = "yes" }',
            'resolution = { answer = "yes", explanation = "D-4 is mitigated in the field" }',
        ),
        resolution=("1 of 2 vulnerabilit(ies) in deployed software not fixed (D-4)",),
    ),
    Case(
        "a fix not shipped in a released version",
        issues=[
            issue(
                "D-2",
                created=50,
                closed=30,
                disposition=Disposition.FIXED,
                severity="low",
                affects=("1.1",),
                fix=("1.2",),
            )
        ],
        resolution=(
            "1 fix(es) of deployed vulnerabilities not shipped in a released version (D-2); "
            "fix shipped for 1 of 2",
        ),
        refused="answer YES to 'resolution'",
    ),
    Case(
        "time to close target missed",
        targets=ReviewTargets(time_to_close_days=TimeToClose(high=5)),
        efficient=("median time to close, high (days): 10.0 d, target 5.0 d (missed)",),
        refused="answer YES to 'efficient'",
    ),
    Case(
        "time to fix shipped target missed, deployed-fixed target met",
        targets=ReviewTargets(time_to_fix_shipped_days=15, deployed_fixed_percent=100),
        efficient=(
            "median time from identification to fix shipped (days): 20.0 d, target 15.0 d (missed)",
        ),
        refused="efficient",
    ),
    Case(
        "deployed-fixed target missed",
        issues=[
            issue("D-4", created=200, severity="low", labels=("sec-defect",), affects=("1.0",))
        ],
        targets=ReviewTargets(deployed_fixed_percent=90),
        conclusions=ALL_YES.replace('"yes" }\n', '"yes", explanation = "x" }\n'),
        resolution=(
            "1 of 2 vulnerabilit(ies) in deployed software not fixed (D-4)",
            "deployed vulnerabilities fixed (%): 50.0 %, target 90.0 % (missed)",
        ),
    ),
    Case(
        "NO to efficient while every time target is met (the stated median is wrong)",
        targets=ReviewTargets(time_to_close_days=TimeToClose(high=30)),
        conclusions=ALL_YES.replace(
            'efficient = { answer = "yes" }',
            'efficient = { answer = "no", comment = "median above the 30-day target" }',
        )
        + ACTION,
        supports_yes=("median time to close, high (days): 10.0 d, target 30.0 d (met)",),
        refused="the figures meet every target of this question",
    ),
    Case(
        "NO to efficient with no target set is the reviewer's judgement",
        conclusions=ALL_YES.replace(
            'efficient = { answer = "yes" }', 'efficient = { answer = "no", comment = "slow" }'
        )
        + ACTION,
    ),
    Case(
        "NO needs an improvement action",
        conclusions=ALL_YES.replace(
            'efficient = { answer = "yes" }', 'efficient = { answer = "no", comment = "slow" }'
        ),
        refused="decide no improvement action",
    ),
    Case(
        "previous action open and overdue",
        previous=[previous("IPC-9", ActionState.OVERDUE)],
        efficient=("previous action 'IPC-9' is still open, due 2026-06-01 (overdue)",),
        refused="answer YES to 'efficient'",
    ),
    Case(
        "previous action done and judged not effective",
        previous=[previous("IPC-9", ActionState.DONE_LATE, Effectiveness.NO)],
        conclusions=ALL_YES
        + '[previous_actions."IPC-9"]\neffective = "no"\ncomment = "reopens went on"\n',
        resolution=("previous action 'IPC-9' was judged not effective",),
        refused="answer YES to 'resolution'",
    ),
    Case(
        "previous action done without an effectiveness statement",
        previous=[previous("IPC-9", ActionState.DONE_ON_TIME)],
        refused='[previous_actions."IPC-9"] effective',
    ),
    Case(
        "previous action without a tracker issue cannot be followed up",
        previous=[previous("Faster triage", ActionState.NO_ISSUE)],
        complete=("previous action 'Faster triage' cannot be followed up (no tracker issue)",),
        refused="answer YES to 'complete'",
    ),
    Case(
        "a statement about an action the previous review did not decide",
        previous=[previous("IPC-9", ActionState.OPEN)],
        conclusions=ALL_YES + '[previous_actions."IPC-99"]\neffective = "yes"\n',
        refused="no such action (its actions: 'IPC-9')",
    ),
    Case(
        "an analysis of an issue that is no deployed defect",
        conclusions=ALL_YES + '[defects."D-99"]\nroot_cause = "typo"\n',
        refused="(those are: D-1)",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_conclusions_against_the_figures(case: Case) -> None:
    metrics = review_metrics(
        [D1, *case.issues],
        CLASSIFICATION,
        period_start=NOW - timedelta(days=365),
        now=NOW,
        released=RELEASED,
    )
    conclusions = parse_conclusions(case.conclusions)
    checks = check_review(metrics, case.targets, conclusions, case.previous)
    found = {c.question: c.findings for c in checks.conclusions}
    assert found == {
        "complete": case.complete,
        "efficient": case.efficient,
        "resolution": case.resolution,
    }
    efficient = next(c for c in checks.conclusions if c.question == "efficient")
    assert efficient.supports_yes == case.supports_yes
    for check in checks.conclusions:
        answer = getattr(conclusions, check.question)
        expected = (
            bool(check.findings) if answer.answer.value == "yes" else bool(check.supports_yes)
        )
        assert check.contradicted is expected
        assert check.explanation == answer.explanation
    problem = refusal(checks, conclusions, metrics, case.previous)
    if case.refused is None:
        assert problem is None
    else:
        assert problem is not None and case.refused in problem
        assert "Nothing was written" in problem


def test_a_refusal_names_the_figure_and_how_to_override() -> None:
    metrics = review_metrics(
        [D1, issue("D-4", created=200, severity="low", labels=("sec-defect",), affects=("1.0",))],
        CLASSIFICATION,
        period_start=None,
        now=NOW,
        released=RELEASED,
    )
    conclusions = parse_conclusions(ALL_YES)
    checks = check_review(metrics, ReviewTargets(), conclusions)
    problem = refusal(checks, conclusions, metrics)
    assert problem == (
        "The conclusions answer YES to 'resolution' (Did it lead to resolution?), but the "
        "review's own figures say otherwise: 1 of 2 vulnerabilit(ies) in deployed software "
        "not fixed (D-4). Nothing was written; answer NO (with an improvement action), or keep "
        'the answer and add resolution.explanation = "why the answer stands" (the record shows '
        "it next to these figures), then run the command again."
    )


def test_effectiveness_statements_are_kept_with_their_comment() -> None:
    conclusions = parse_conclusions(
        ALL_YES + '[previous_actions."IPC-9"]\neffective = "too-early"\ncomment = "March"\n'
    )
    assert conclusions.previous_actions == {
        "IPC-9": ActionReview(effective=Effectiveness.TOO_EARLY, comment="March")
    }
