"""The release gate: a pure, deterministic function from a snapshot to a verdict.

It encodes IEC 81001-5-1 5.8.1, 5.8.5 and 5.8.6: every security-related issue of
the release closed with an accepted disposition, residual items justified, every
required activity recorded. Anything unknown, stale or partial blocks, and every
block carries a reason a release manager can act on.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from operator import attrgetter

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from secgate_tui.domain.anomalies import (
    AnomalyPolicy,
    AnomalyResult,
    assess,
    justification_missing,
    summary_reason,
)
from secgate_tui.domain.canonical import snapshot_digest, sorted_issues
from secgate_tui.domain.classify import UNCLASSIFIED, Classification, Classifier
from secgate_tui.domain.collector import collector_paused
from secgate_tui.domain.model import (
    ACCEPTED,
    RESIDUAL,
    Activity,
    ActivityState,
    Category,
    Disposition,
    Evidence,
    Issue,
    SourceState,
    activity_state,
    utc,
)
from secgate_tui.domain.vex.model import VulnerabilityAssessment


class CategoryPolicy(BaseModel):
    """Per-category tightening: which dispositions are accepted at all."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    accepted: tuple[Disposition, ...] | None = None

    @model_validator(mode="after")
    def _only_tightens(self) -> CategoryPolicy:
        if self.accepted is not None and Disposition.UNKNOWN in self.accepted:
            raise ValueError("'unknown' can never be accepted: policy may only tighten the gate")
        return self


class GatePolicy(BaseModel):
    """Everything besides the snapshot that the gate needs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    classification: Classification = Classification()
    not_applicable: Mapping[Category, str] = {}
    max_snapshot_age_seconds: int = 300
    categories: Mapping[Category, CategoryPolicy] = {}
    #: Justification per severity and acceptance expiry (domain/anomalies.py). None only
    #: in evidence bundles written before these rules, whose verdicts must reproduce:
    #: the configuration always sets it (left out of the dump while None).
    anomalies: AnomalyPolicy | None = Field(None, exclude_if=lambda policy: policy is None)


class Outcome(StrEnum):
    PASS = "PASS"  # noqa: S105 - a verdict, not a password
    BLOCKED = "BLOCKED"


@dataclass(slots=True, unsafe_hash=True)
class Finding:
    """An issue that blocks the release, and why.

    A plain slotted dataclass, like ResidualItem: a release can have tens of
    thousands of them, and their fields come from already validated Issues.
    Not ``frozen``: a frozen dataclass sets each field through
    ``object.__setattr__``, four times the cost of construction here (about
    60 ms over the gate benchmark's 44,000 findings). Nothing changes one
    after the gate made it; the verdict holding them is frozen, and hashes
    them by value (``unsafe_hash``: safe while nobody assigns a field).
    """

    source: str
    key: str
    title: str
    status: str
    reason: str


@dataclass(slots=True, unsafe_hash=True)
class ResidualItem:
    """A closed issue accepted without a fix: its justification goes into the record.

    Not ``frozen``, for the reason Finding gives.
    """

    source: str
    key: str
    title: str
    disposition: Disposition
    justification: str
    assignee: str | None = None


class CategoryResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    category: Category
    total: int
    closed: int
    blocking: tuple[Finding, ...] = ()
    residual: tuple[ResidualItem, ...] = ()
    keys: tuple[str, ...] = ()
    empty: bool
    acknowledged: bool = False
    not_applicable_reason: str | None = None
    #: Issues the category held at an earlier sync and whose leaving the tracker
    #: has not confirmed; while it is empty they forbid acknowledging it.
    previously_held: int = 0


class ActivityResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    state: ActivityState
    evidence: Evidence | None = None
    evidence_date: AwareDatetime | None = None
    detail: str = ""
    #: What the record shows of the evidence (issue title, document name) and the policy.
    evidence_title: str = ""
    evidence_url: str = ""
    max_age_days: int = 0


class Verdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    categories: tuple[CategoryResult, ...]
    unclassified: tuple[Finding, ...]
    activities: tuple[ActivityResult, ...]
    sources: tuple[SourceState, ...]
    reasons: tuple[str, ...]
    snapshot_digest: str
    synced_at: AwareDatetime | None
    evaluated_at: AwareDatetime
    #: The seventh check (SBOM/VEX); None when no input is configured or given. Left out
    #: of the dump while None, so verdicts recorded before it (evidence bundles) reproduce.
    vulnerability_assessment: VulnerabilityAssessment | None = Field(
        None, exclude_if=lambda assessment: assessment is None
    )
    #: Security issues that affect the release without being fixed in it, each with its
    #: disposition for the release or why it blocks; left out of the dump while empty.
    anomalies: tuple[AnomalyResult, ...] = Field((), exclude_if=lambda anomalies: not anomalies)

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASS

    @property
    def blocking_count(self) -> int:
        return (
            len(self.unclassified)
            + sum(len(c.blocking) for c in self.categories)
            + sum(1 for a in self.anomalies if a.reason is not None)
        )

    def category(self, category: Category) -> CategoryResult:
        return next(result for result in self.categories if result.category is category)


# The verdict over a large release makes tens of thousands of findings and
# residual items and no reference cycles; the collector's passes over the
# release's issues would find nothing and cost up to a third of the time.
@collector_paused()
def evaluate(
    issues: Iterable[Issue],
    activities: Sequence[Activity],
    policy: GatePolicy,
    now: datetime,
    sources: Sequence[SourceState],
    held: Mapping[Category, int] | None = None,
    vulnerability_assessment: VulnerabilityAssessment | None = None,
    affected: Sequence[Issue] = (),
    release_names: Collection[str] = (),
) -> Verdict:
    """Evaluate a release snapshot.

    Args:
        issues: every issue the sources returned for the release scope.
        activities: the product's required activities with what was observed.
        policy: classification, acknowledgements and tightening.
        now: the evaluation time (timezone-aware); staleness is measured from it.
        sources: the sync state of every source of the release. No source at
            all is itself a reason to block.
        held: per category, how many issues it held at an earlier sync that
            have not been seen leaving the release (the sync keeps this). An
            empty category that held issues cannot be acknowledged as not
            applicable: an empty answer must never clear a category.
        vulnerability_assessment: the release's SBOM/VEX assessment, when
            configured or given; its reasons block like any other. It is not
            part of the snapshot digest (that covers the issues only).
        affected: issues that affect the release without being fixed in it (its
            candidate unresolved anomalies, see ``domain.scope``). The security
            ones among them block unless dispositioned for the release; an
            unclassified one blocks like an unclassified member. They are part of
            the snapshot digest, so a release without them keeps its digest.
        release_names: the names the release has (secgate's and each source's):
            an acceptance names the release it is for in the tracker's words.

    Returns:
        The verdict, with a reason for every block.
    """
    now = utc(now)
    # Sorted once: every per-category list below keeps this order.
    snapshot = sorted_issues(issues)
    reasons: list[str] = []
    held = held or {}

    per_category, unclassified_issues = category_members(snapshot, policy.classification)
    unclassified = [
        _finding(issue, "carries a security label but matches no category rule")
        for issue in unclassified_issues
    ]
    members = {issue.uid for issue in snapshot} if affected else set()
    # An issue both fixed in and affecting the release is a member (domain.scope).
    outside = sorted_issues(issue for issue in affected if issue.uid not in members)
    anomalies, unclassified_outside = _evaluate_anomalies(outside, policy, release_names, now)
    unclassified += [
        _finding(
            issue, "affects this release; carries a security label but matches no category rule"
        )
        for issue in unclassified_outside
    ]

    results = tuple(
        _evaluate_category(category, per_category[category], policy, held.get(category, 0))
        for category in Category
    )
    for result in results:
        if result.blocking:
            reasons.append(
                f"{result.category.title}: {len(result.blocking)} of {result.total} "
                "item(s) block the release"
            )
        if result.empty and result.previously_held:
            reasons.append(held_reason(result.category, result.previously_held))
        elif result.empty and not result.acknowledged:
            reasons.append(
                f"{result.category.title}: no issue in this category; acknowledge it as not "
                f"applicable (--ack-empty {result.category.value}, or not_applicable in the "
                "product's config) if that is intended"
            )
    if unclassified:
        reasons.append(
            f"{len(unclassified)} security-labelled issue(s) match no category rule (unclassified)"
        )
    anomaly_reason = summary_reason(anomalies)
    if anomaly_reason is not None:
        reasons.append(anomaly_reason)

    activity_results = tuple(_evaluate_activity(activity, now) for activity in activities)
    for activity_result in activity_results:
        if activity_result.state is not ActivityState.COMPLETE:
            detail = f" ({activity_result.detail})" if activity_result.detail else ""
            reasons.append(
                f"activity '{activity_result.name}': record is {activity_result.state.value}"
                f"{detail}"
            )

    reasons.extend(_source_reasons(sources, policy.max_snapshot_age_seconds, now))
    if vulnerability_assessment is not None:
        reasons.extend(vulnerability_assessment.reasons)
    synced = [state.synced_at for state in sources]
    synced_at = None if not synced or None in synced else min(s for s in synced if s)

    return Verdict(
        outcome=Outcome.BLOCKED if reasons else Outcome.PASS,
        categories=results,
        unclassified=tuple(unclassified),
        activities=activity_results,
        sources=tuple(sources),
        reasons=tuple(reasons),
        snapshot_digest=snapshot_digest(
            sorted_issues([*snapshot, *outside]) if outside else snapshot, presorted=True
        ),
        synced_at=synced_at,
        evaluated_at=now,
        vulnerability_assessment=vulnerability_assessment,
        anomalies=anomalies,
    )


def _evaluate_anomalies(
    issues: list[Issue], policy: GatePolicy, release_names: Collection[str], now: datetime
) -> tuple[tuple[AnomalyResult, ...], list[Issue]]:
    """The security issues among ``issues`` assessed, and the unclassified ones."""
    if not issues:
        return (), []
    per_category, unclassified = category_members(issues, policy.classification)
    rules = policy.anomalies or AnomalyPolicy()
    assessed = [
        assess(issue, category, release_names, rules, now)
        for category in Category
        for issue in per_category[category]
    ]
    assessed.sort(key=lambda result: (result.source, result.key))
    return tuple(assessed), unclassified


def category_members(
    issues: Iterable[Issue], classification: Classification
) -> tuple[dict[Category, list[Issue]], list[Issue]]:
    """The issues of each category (input order kept), and the unclassified ones."""
    classify = Classifier(classification).classify
    per_category: dict[Category, list[Issue]] = {category: [] for category in Category}
    unclassified: list[Issue] = []
    # Where each classification goes, at one lookup per issue (None: not
    # security-related, kept nowhere).
    lists: dict[Category | str | None, list[Issue] | None] = {
        None: None,
        UNCLASSIFIED: unclassified,
    }
    for category, kept in per_category.items():
        lists[category] = kept
    for issue in issues:
        members = lists[classify(issue)]
        if members is not None:
            members.append(issue)
    return per_category, unclassified


def held_reason(category: Category, count: int) -> str:
    return (
        f"{category.title}: held {count} issue(s) at the previous sync; an empty category that "
        "was not empty cannot be acknowledged as not applicable. secgate re-reads those issues "
        "by key at every full sync, and this clears once the tracker shows each of them outside "
        "the release (another version or milestone). If they still belong to the release, "
        "check the product's sources (project, release, filter) and the tracker's answers"
    )


def missing_reason(name: str, keys: Sequence[str]) -> str:
    shown = ", ".join(keys[:10]) + (f" and {len(keys) - 10} more" if len(keys) > 10 else "")
    return (
        f"{name}: {len(keys)} issue(s) left the release and the tracker no longer shows them "
        f"to secgate ({shown}): deleted, or no longer visible to secgate's account. A token "
        "that lost a permission looks exactly like this: open them in the tracker as that "
        "account. If they were deleted on purpose, acknowledge each deletion "
        "(README, section The gate's rules); if they come back, the next full sync "
        "clears this"
    )


def _finding(issue: Issue, reason: str) -> Finding:
    # Positional: keywords cost a fifth more, once per blocking issue.
    return Finding(issue.source, issue.key, issue.title, issue.status, reason)


# Module constants: attribute access on enum members (.value) is slow in
# Python 3.11, and this runs once per issue.
_UNKNOWN = Disposition.UNKNOWN
_KEY = attrgetter("key")
_NOT_ACCEPTED = {
    d: f"disposition '{d.value}' is not accepted in this category by policy" for d in Disposition
}
_UNJUSTIFIED = {d: f"{d.value} without a justification" for d in Disposition}


def _blocking_reason(
    issue: Issue,
    accepted: frozenset[Disposition],
    rules: AnomalyPolicy | None,
    needs: frozenset[Disposition] | None = None,
) -> str | None:
    if not issue.closed:
        return f"open (status '{issue.status}')"
    disposition = issue.disposition
    if disposition is _UNKNOWN:
        if issue.resolution:
            return f"closed with an unrecognised resolution '{issue.resolution}'"
        return "closed without a resolution secgate can recognise"
    if disposition not in accepted:
        return _NOT_ACCEPTED[disposition]
    if disposition in RESIDUAL and not (issue.justification or "").strip():
        return _UNJUSTIFIED[disposition]
    if rules is not None:
        return justification_missing(issue, rules, needs)
    return None


def _evaluate_category(
    category: Category, issues: list[Issue], policy: GatePolicy, held: int
) -> CategoryResult:
    tightened = policy.categories.get(category)
    accepted = ACCEPTED | RESIDUAL
    if tightened is not None and tightened.accepted is not None:
        accepted = frozenset(tightened.accepted) & accepted
    ordered = issues  # already in (source, key) order
    blocking: list[Finding] = []
    residual: list[ResidualItem] = []
    closed = 0
    rules = policy.anomalies
    # Closed with these, nothing more to check (unless a severity may ask for a justification).
    needs = rules.needs_justification() if rules is not None else frozenset()
    plainly_accepted = (accepted & ACCEPTED) - needs
    for issue in ordered:
        if issue.closed:
            closed += 1
            disposition = issue.disposition
            if disposition in plainly_accepted:
                continue
            justification = (issue.justification or "").strip()
            if justification and disposition in accepted:
                # Accepted and justified: no rule asks for more (_blocking_reason
                # returns None for it), the common case worth no call.
                if disposition in RESIDUAL:
                    residual.append(
                        ResidualItem(
                            issue.source,
                            issue.key,
                            issue.title,
                            disposition,
                            justification,
                            issue.assignee,
                        )
                    )
                continue
        reason = _blocking_reason(issue, accepted, rules, needs)
        if reason is not None:
            blocking.append(_finding(issue, reason))
    empty = not ordered
    # An acknowledgement cannot clear a category that held issues not seen leaving.
    previously_held = held if empty else 0
    ack_reason = policy.not_applicable.get(category) if empty and not previously_held else None
    # model_construct: every value is built here from validated Issues;
    # re-validating 100,000 keys would dominate the gate's cost.
    return CategoryResult.model_construct(
        category=category,
        total=len(ordered),
        closed=closed,
        blocking=tuple(blocking),
        residual=tuple(residual),
        keys=tuple(map(_KEY, ordered)),
        empty=empty,
        acknowledged=ack_reason is not None,
        not_applicable_reason=ack_reason,
        previously_held=previously_held,
    )


def _evaluate_activity(activity: Activity, now: datetime) -> ActivityResult:
    return ActivityResult(
        id=activity.id,
        name=activity.name,
        state=activity_state(activity, now),
        evidence=activity.evidence,
        evidence_date=activity.evidence_date,
        detail=activity.detail,
        evidence_title=activity.evidence_title,
        evidence_url=activity.evidence_url,
        max_age_days=activity.max_age_days,
    )


def _source_reasons(
    sources: Sequence[SourceState], max_age_seconds: int, now: datetime
) -> list[str]:
    if not sources:
        return ["no tracker source is configured for this release"]
    reasons = []
    for state in sources:
        name = f"source '{state.source}' ({state.project})"
        if state.missing:
            reasons.append(missing_reason(name, state.missing))
        if state.error:
            reasons.append(f"{name} failed to sync: {state.error}")
        elif not state.release_found:
            reasons.append(f"{name} has no version or milestone for this release")
        elif state.synced_at is None:
            reasons.append(f"{name} has never been synced")
        else:
            age = (now - utc(state.synced_at)).total_seconds()
            if age > max_age_seconds:
                reasons.append(
                    f"{name}: data is {int(age)} s old; the policy allows at most "
                    f"{max_age_seconds} s (run a sync)"
                )
    return reasons
