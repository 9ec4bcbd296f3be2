"""The periodic review's vulnerability figures: VEX states and time to assessment (issue 14).

The VEX documents of the product's releases are the assessment's history: every
statement is dated (OpenVEX statement timestamps, CycloneDX
``analysis.firstIssued``/``lastUpdated``, else the document's own time). Per
finding (a vulnerability of one component reference), the review counts:

- the findings with a statement dated in the period, by their state at the
  period's end (the latest statement up to then; a scanner's finding with no
  assessment is ``unassessed``);
- time to assessment: from the finding's first statement (a scanner's finding,
  an ``in_triage`` / ``under_investigation`` statement) to its first decided one
  (affected, not_affected, false_positive, resolved), for findings decided in
  the period. A finding whose first statement is already a decision has no
  history to measure: it is counted apart, never as zero days.

Pure: documents in, figures out. Which documents a release has is the
service's business (``services.review_vex``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from secgate_tui.domain.review_stats import DurationStats, duration_stats
from secgate_tui.domain.vex.model import Statement, VexDocument, VexState

#: States a finding is decided in; the others wait for an assessment.
_DECIDED = frozenset(
    {VexState.AFFECTED, VexState.NOT_AFFECTED, VexState.FALSE_POSITIVE, VexState.RESOLVED}
)
_DAY = 86_400.0


class VulnerabilityFigures(BaseModel):
    """The review's vulnerability section (``ReviewMetrics.vulnerabilities``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Releases whose VEX documents were read, and why others could not be.
    releases: tuple[str, ...]
    unavailable: tuple[str, ...]
    #: Findings with a statement dated in the period.
    findings: int
    #: Those findings by their state at the period's end (state -> count, sorted).
    by_state: dict[str, int]
    time_to_assessment: DurationStats
    #: Decided in the period, but their first statement was the decision (no history).
    decided_without_history: int


def _by_finding(
    documents: Sequence[VexDocument],
) -> dict[tuple[str, str], list[Statement]]:
    found: dict[tuple[str, str], list[Statement]] = {}
    for document in documents:
        for statement in document.statements:
            if statement.timestamp is None:
                continue  # undated: no place in a history
            for ref in statement.refs:
                found.setdefault((statement.vulnerability, ref), []).append(statement)
    return found


def vulnerability_figures(
    documents: Mapping[str, Sequence[VexDocument]],
    *,
    start: datetime | None,
    end: datetime,
    unavailable: Sequence[str] = (),
) -> VulnerabilityFigures:
    """The figures over every release's documents (release name -> its documents).

    ``start`` None: the period has no start (the first review), every statement
    up to ``end`` counts.
    """
    every = [d for release in sorted(documents) for d in documents[release]]
    states: dict[str, int] = {}
    days: list[float] = []
    without_history = 0
    findings = 0
    for statements in _by_finding(every).values():
        dated = sorted(
            (s for s in statements if s.timestamp is not None and s.timestamp <= end),
            # At one moment, a finding comes before its decision (a scan and its
            # assessment stamped alike measure zero days, not "no history").
            key=lambda s: (s.timestamp, s.state in _DECIDED, s.document, s.position),
        )
        if not dated or not any(_in_period(s.timestamp, start, end) for s in dated):
            continue
        findings += 1
        state = dated[-1].state.value
        states[state] = states.get(state, 0) + 1
        decided = next((s for s in dated if s.state in _DECIDED), None)
        if decided is None or not _in_period(decided.timestamp, start, end):
            continue
        first = dated[0]
        if first is decided:
            without_history += 1
        else:
            assert first.timestamp is not None and decided.timestamp is not None
            days.append((decided.timestamp - first.timestamp).total_seconds() / _DAY)
    return VulnerabilityFigures(
        releases=tuple(sorted(documents)),
        unavailable=tuple(unavailable),
        findings=findings,
        by_state=dict(sorted(states.items())),
        time_to_assessment=duration_stats(days),
        decided_without_history=without_history,
    )


def _in_period(moment: datetime | None, start: datetime | None, end: datetime) -> bool:
    # The review period is (start, end], as ``ReviewPeriod.contains`` has it.
    return moment is not None and (start is None or moment > start) and moment <= end
