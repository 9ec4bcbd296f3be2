"""Unresolved anomalies: security issues that affect a release without being fixed in it.

A release ships with every known problem it contains (FDA premarket cybersecurity
guidance V.A.5): an issue that affects the release counts whether it is still open
or was closed with a fix that shipped in a later version. Such an issue blocks
unless it carries a disposition for this release (an :class:`Acceptance`): risk
accepted or deferred, justified, accepted by someone on a date, not expired, and,
when deferred, with the version that will fix it.

This module owns those rules and the justification policy per severity that the
release's own members share (a Critical "not a defect" needs a rationale too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from secgate_tui.domain.model import Acceptance, Category, Disposition, Issue, Severity

#: By default a "not a defect" or "duplicate" on a Critical or High issue needs a rationale.
DEFAULT_JUSTIFICATION_REQUIRED: Final[Mapping[Severity, tuple[Disposition, ...]]] = {
    Severity.CRITICAL: (Disposition.NOT_A_DEFECT, Disposition.DUPLICATE),
    Severity.HIGH: (Disposition.NOT_A_DEFECT, Disposition.DUPLICATE),
}
#: By default an acceptance is valid for a year after it was given (the longest review interval).
DEFAULT_ACCEPTANCE_MAX_AGE_DAYS: Final = 365
#: The dispositions that leave an anomaly in a release on purpose.
ACCEPTING: Final = frozenset({Disposition.RISK_ACCEPTED, Disposition.DEFERRED})
#: An affected issue closed with these is no anomaly (not a defect, or tracked elsewhere).
NO_ANOMALY: Final = frozenset({Disposition.NOT_A_DEFECT, Disposition.DUPLICATE})


class AnomalyPolicy(BaseModel):
    """Justification per severity and the life of an acceptance."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Per normalized severity, the dispositions that need a justification on top of
    #: the ones that always do (risk-accepted, deferred, wont-fix).
    justification_required: Mapping[Severity, tuple[Disposition, ...]] = Field(
        default_factory=lambda: dict(DEFAULT_JUSTIFICATION_REQUIRED)
    )
    #: An acceptance expires this many days after ``accepted_on`` (0: only its own
    #: ``expires`` date limits it).
    acceptance_max_age_days: int = Field(DEFAULT_ACCEPTANCE_MAX_AGE_DAYS, ge=0)
    #: Where each key that the product sets itself is set (``products.P.policy.KEY``),
    #: so a blocking reason names the key a person has to change; the others are
    #: ``policy.KEY``. Left out of the dump while empty, so evidence bundles of products
    #: without their own keys stay as they were.
    set_in: Mapping[str, str] = Field(default_factory=dict, exclude_if=lambda keys: not keys)

    @model_validator(mode="after")
    def _known_dispositions(self) -> AnomalyPolicy:
        for severity, dispositions in self.justification_required.items():
            if Disposition.UNKNOWN in dispositions:
                raise ValueError(
                    f"justification_required.{severity.value}: 'unknown' is never accepted, "
                    "with or without a justification"
                )
        return self

    def key(self, name: str) -> str:
        """Where the policy key ``name`` that applied is set, as a person writes it."""
        return self.set_in.get(name, f"policy.{name}")

    def needs_justification(self) -> frozenset[Disposition]:
        """Every disposition that needs a justification at some severity."""
        return frozenset(d for ds in self.justification_required.values() for d in ds)


class AnomalyResult(BaseModel):
    """One security issue that affects the release, and what its disposition for it is."""

    model_config = ConfigDict(frozen=True)

    source: str
    key: str
    title: str
    status: str
    closed: bool
    url: str = ""
    category: Category
    severity: Severity | None = None
    cwe: tuple[str, ...] = ()
    compensating_controls: str | None = None
    safety_impact: str | None = None
    #: The acceptance's disposition for this release, or how the issue was closed
    #: (not a defect, duplicate), or ``unknown`` when it has none.
    disposition: Disposition
    justification: str | None = None
    target_version: str | None = None
    accepted_by: str | None = None
    accepted_on: AwareDatetime | None = None
    #: The day the acceptance expires: its own date or its maximum age, the earlier.
    expires: dt.date | None = None
    #: Why it blocks the release; None when it is dispositioned for it.
    reason: str | None = None


def severity_of(issue: Issue) -> Severity | None:
    """The issue's normalized severity; None when it has none secgate recognises."""
    return _SEVERITIES.get((issue.severity or "").strip().casefold())


# A dictionary, not Severity(raw): the enum's lookup by value raises and catches
# for every severity it does not know, once per unjustified closed issue.
_SEVERITIES: Final[Mapping[str, Severity]] = {severity.value: severity for severity in Severity}


def _unknown_severity(issue: Issue) -> str:
    if not (issue.severity or "").strip():
        return "it has no severity"
    return (
        f"its severity '{issue.severity}' is not one of critical, high, medium, low "
        "(map it with the source's severity_map)"
    )


def justification_missing(
    issue: Issue, policy: AnomalyPolicy, needs: frozenset[Disposition] | None = None
) -> str | None:
    """Why the issue's closing disposition needs a justification it lacks, per severity.

    A severity secgate does not recognise fails closed: when the policy asks for a
    justification of that disposition at any severity, an unjustified one blocks.
    ``needs`` is ``policy.needs_justification()`` when the caller computed it once
    for many issues (the gate, per category).
    """
    disposition = issue.disposition
    if needs is None:
        needs = policy.needs_justification()
    if disposition not in needs or (issue.justification or "").strip():
        return None
    severity = severity_of(issue)
    if severity is None:
        return (
            f"{disposition.value} without a justification, and {_unknown_severity(issue)}; "
            f"{policy.key('justification_required')} asks for one on {disposition.value} at some "
            "severities, so an unknown severity blocks"
        )
    if disposition in policy.justification_required.get(severity, ()):
        return (
            f"{disposition.value} on a {severity.value} issue without a justification "
            f"({policy.key('justification_required')})"
        )
    return None


def _folded(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name.strip().casefold() for name in names)


def applicable(acceptance: Acceptance, release_names: frozenset[str]) -> bool:
    """Whether an acceptance is for this release (None: every release the issue affects)."""
    return acceptance.release is None or acceptance.release.strip().casefold() in release_names


def expiry(acceptance: Acceptance, policy: AnomalyPolicy) -> tuple[dt.date | None, str]:
    """The last day an acceptance is valid, and what set it (for the reason)."""
    limits: list[tuple[dt.date, str]] = []
    if acceptance.expires is not None:
        limits.append((acceptance.expires, "its expiry date"))
    if policy.acceptance_max_age_days and acceptance.accepted_on is not None:
        last = acceptance.accepted_on.date() + timedelta(days=policy.acceptance_max_age_days)
        limits.append(
            (
                last,
                f"{policy.acceptance_max_age_days} days after it was accepted on "
                f"{acceptance.accepted_on.date().isoformat()}, "
                f"{policy.key('acceptance_max_age_days')}",
            )
        )
    if not limits:
        return None, ""
    return min(limits, key=lambda limit: limit[0])


def acceptance_problems(acceptance: Acceptance, policy: AnomalyPolicy, now: datetime) -> list[str]:
    """What keeps an acceptance for this release from dispositioning the anomaly."""
    problems = []
    if acceptance.disposition not in ACCEPTING:
        problems.append(
            f"its disposition '{acceptance.disposition.value}' is neither risk-accepted nor "
            "deferred"
        )
    if not (acceptance.justification or "").strip():
        problems.append("it has no justification")
    if (
        acceptance.disposition is Disposition.DEFERRED
        and not (acceptance.target_version or "").strip()
    ):
        problems.append("it is deferred without a target version")
    if not (acceptance.accepted_by or "").strip():
        problems.append("it names no one who accepted it (accepted by)")
    if acceptance.accepted_on is None:
        problems.append("it has no acceptance date (accepted on)")
    last, why = expiry(acceptance, policy)
    if last is not None and now.date() > last:
        problems.append(f"it expired on {last.isoformat()} ({why})")
    return problems


def _preference(acceptance: Acceptance) -> tuple[bool, datetime]:
    # One for this release by name before one for every release; the latest first.
    floor = datetime.min.replace(tzinfo=dt.UTC)
    return (acceptance.release is not None, acceptance.accepted_on or floor)


def _state(issue: Issue) -> str:
    if not issue.closed:
        return f"open (status '{issue.status}')"
    fixed = ", ".join(issue.fix_versions)
    if issue.disposition is Disposition.FIXED and fixed:
        return f"fixed only in {fixed}"
    return f"closed as {issue.disposition.value} (status '{issue.status}')"


def assess(
    issue: Issue,
    category: Category,
    release_names: Collection[str],
    policy: AnomalyPolicy,
    now: datetime,
) -> AnomalyResult:
    """One affected security issue: dispositioned for the release, or why it blocks.

    ``release_names`` are the names the release has (secgate's and each source's);
    an acceptance names the release it is for in the tracker's words.
    """
    base = {
        "source": issue.source,
        "key": issue.key,
        "title": issue.title,
        "status": issue.status,
        "closed": issue.closed,
        "url": issue.url,
        "category": category,
        "severity": severity_of(issue),
        "cwe": issue.cwe,
        "compensating_controls": issue.compensating_controls,
        "safety_impact": issue.safety_impact,
    }
    if issue.closed and issue.disposition in NO_ANOMALY:
        # Not a defect, or a duplicate of an issue tracked on its own: nothing ships.
        return AnomalyResult(
            **base,
            disposition=issue.disposition,
            justification=(issue.justification or "").strip() or None,
            reason=justification_missing(issue, policy),
        )
    names = _folded(release_names)
    candidates = sorted(
        (a for a in issue.acceptances if applicable(a, names)), key=_preference, reverse=True
    )
    if not candidates:
        return AnomalyResult(
            **base,
            disposition=Disposition.UNKNOWN,
            reason=f"affects this release and is {_state(issue)}, with no risk acceptance or "
            "deferral for this release",
        )
    judged = [(a, acceptance_problems(a, policy, now)) for a in candidates]
    chosen, problems = next(((a, p) for a, p in judged if not p), judged[0])
    label = "risk acceptance" if chosen.disposition is Disposition.RISK_ACCEPTED else "deferral"
    if chosen.disposition not in ACCEPTING:
        label = "disposition"
    return AnomalyResult(
        **base,
        disposition=chosen.disposition,
        justification=(chosen.justification or "").strip() or None,
        target_version=chosen.target_version,
        accepted_by=chosen.accepted_by,
        accepted_on=chosen.accepted_on,
        expires=expiry(chosen, policy)[0],
        reason=(
            f"affects this release and is {_state(issue)}; its {label} for this release does "
            f"not count: {'; '.join(problems)}"
            if problems
            else None
        ),
    )


def summary_reason(results: Iterable[AnomalyResult]) -> str | None:
    """The verdict's reason when any anomaly blocks (None: none does)."""
    results = list(results)
    blocking = [r for r in results if r.reason is not None]
    if not blocking:
        return None
    shown = "; ".join(f"{r.key}: {r.reason}" for r in blocking[:5])
    more = f"; and {len(blocking) - 5} more" if len(blocking) > 5 else ""
    return (
        f"{ANOMALY_REASON} {len(blocking)} of {len(results)} security issue(s) that affect "
        f"this release without being fixed in it block it ({shown}{more})"
    )


#: How the verdict's reason about unresolved anomalies begins (reports claim it by this).
ANOMALY_REASON: Final = "Unresolved anomalies:"
