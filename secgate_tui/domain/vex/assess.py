"""The vulnerability assessment rules: a pure, deterministic function to a result.

"Vulnerability assessment current" (IEC 81001-5-1 release gap; FDA 524B) made
literal. Every vulnerability found in a component of the release's SBOM must be
assessed, and each assessment must be complete for its state; the documents
must describe this release, agree with each other and be recent. Anything
missing, stale or inconsistent blocks with a reason; nothing here raises on
inconsistent content (only a malformed document is an error, found earlier).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from secgate_tui.domain.vex.model import (
    SETTLED,
    AssessedVulnerability,
    Component,
    DocumentSummary,
    Sbom,
    SbomSummary,
    Statement,
    VexDocument,
    VexState,
    VulnerabilityAssessment,
)
from secgate_tui.domain.vex.purl import WHOLE_PRODUCT, ComponentIndex

#: Responses that leave the vulnerability in the product: a risk acceptance must be linked.
_NEEDS_ACCEPTANCE = frozenset({"will_not_fix", "update"})
#: A timestamp this far ahead of the evaluation is wrong, not early: it would never go stale.
_FUTURE_SLACK = timedelta(days=1)
_EXAMPLES = 5
_EPOCH = datetime.min.replace(tzinfo=UTC)
_CONFLICT = "has conflicting statements with the same timestamp"

# Jira PROJ-12, GitLab group/app#34, Redmine #123; never a vulnerability id.
_ISSUE_KEY = re.compile(
    r"(?<![\w/#-])(?:[A-Z][A-Z0-9_]{1,19}-\d+(?![\w-])|[\w.-]+(?:/[\w.-]+)*#\d+\b|#\d+\b)"
)
_VULN_PREFIXES = ("CVE-", "GHSA-", "PYSEC-", "GO-", "RUSTSEC-", "OSV-", "SNYK-", "GSD-", "USN-")


class VexPolicy(BaseModel):
    """A product's vulnerability assessment policy (``vulnerability_assessment`` in the config)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_age_days: int = Field(30, ge=1)
    require_sbom: bool = True
    require_version_match: bool = True
    #: Vulnerability id -> tracker issue key of its risk acceptance.
    risk_acceptances: Mapping[str, str] = {}


def linked_issue(text: str) -> str | None:
    """The first tracker issue key in ``text`` (a VEX detail or action statement)."""
    for match in _ISSUE_KEY.finditer(text):
        if not match.group().startswith(_VULN_PREFIXES):
            return match.group()
    return None


def assess(
    *,
    sbom: Sbom | None,
    documents: Sequence[VexDocument],
    policy: VexPolicy,
    release: str,
    now: datetime,
    kev: Collection[str] | None = None,
    missing: Sequence[str] = (),
) -> VulnerabilityAssessment:
    """Evaluate a release's SBOM and VEX documents.

    Args:
        sbom: the release's SBOM, or None when there is none.
        documents: the VEX documents, in the order given (the SBOM's own
            embedded analysis, if any, is taken from ``sbom``).
        policy: the product's policy.
        release: the release name the SBOM must describe.
        now: the evaluation time (timezone-aware).
        kev: vulnerability ids in a local copy of CISA's KEV catalog, if configured.
        missing: configured input files that do not exist (each one blocks).

    Returns:
        The result, with a reason for every block.
    """
    reasons = [
        f"vulnerability assessment: the configured input {path} does not exist "
        "(was it produced by this build?)"
        for path in missing
    ]
    reasons.extend(_sbom_reasons(sbom, policy, release))
    all_documents = ([sbom.findings] if sbom and sbom.findings else []) + list(documents)
    reasons.extend(_currency_reasons(sbom, all_documents, policy.max_age_days, now))

    index = ComponentIndex(sbom.components if sbom else (), sbom.root if sbom else None)
    per_finding, unknown = _applicable(all_documents, index, sbom is not None)
    if unknown:
        reasons.append(_unknown_reason(unknown, sbom))

    kev_ids = frozenset(kev or ())
    items = [
        _judge(vuln, ref, statements, index, policy, kev_ids)
        for (vuln, ref), statements in sorted(per_finding.items())
    ]
    reasons.extend(_item_reasons(items))
    return VulnerabilityAssessment(
        passed=not reasons,
        sbom=_summary(sbom),
        documents=tuple(
            DocumentSummary(
                name=d.name, format=d.format, digest=d.digest, assessed_at=_utc(d.assessed_at)
            )
            for d in all_documents
        ),
        max_age_days=policy.max_age_days,
        counts=dict(sorted(Counter(item.state.value for item in items).items())),
        open=tuple(i for i in items if i.reason is not None or i.state not in SETTLED),
        reasons=tuple(reasons),
    )


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _summary(sbom: Sbom | None) -> SbomSummary | None:
    if sbom is None:
        return None
    return SbomSummary(
        name=sbom.name,
        digest=sbom.digest,
        spec_version=sbom.spec_version,
        component_count=len(sbom.components),
        release_version=sbom.root.version if sbom.root else None,
    )


def _sbom_reasons(sbom: Sbom | None, policy: VexPolicy, release: str) -> list[str]:
    if sbom is None:
        if policy.require_sbom:
            return [
                "vulnerability assessment: no SBOM for this release, and the policy requires one"
            ]
        return []
    if not policy.require_version_match:
        return []
    version = sbom.root.version if sbom.root else None
    if version is None:
        return [
            f"vulnerability assessment: the SBOM {sbom.name} has no metadata.component.version, "
            f"so it cannot be shown to describe release {release}"
        ]
    if version != release:
        return [
            f"vulnerability assessment: the SBOM {sbom.name} describes version {version}, "
            f"not release {release}"
        ]
    return []


def _currency_reasons(
    sbom: Sbom | None, documents: Sequence[VexDocument], max_age_days: int, now: datetime
) -> list[str]:
    if not documents:
        where = f"the SBOM {sbom.name} carries no 'vulnerabilities'" if sbom else "no SBOM"
        return [
            f"vulnerability assessment: no VEX document and {where}: nothing shows the "
            "components were checked for known vulnerabilities"
        ]
    reasons = []
    oldest = now - timedelta(days=max_age_days)
    for document in documents:
        at = document.assessed_at
        if at is None:
            reasons.append(
                f"vulnerability assessment: {document.name} has no timestamp, so it cannot be "
                "shown to be current"
            )
        elif at > now + _FUTURE_SLACK:
            reasons.append(
                f"vulnerability assessment: {document.name} is dated in the future "
                f"({_utc(at):%Y-%m-%dT%H:%M:%SZ}); fix the producing tool's clock"
            )
        elif at < oldest:
            reasons.append(
                f"vulnerability assessment: {document.name} was last assessed "
                f"{_utc(at):%Y-%m-%dT%H:%M:%SZ}, more than {max_age_days} day(s) ago "
                "(max_age_days); re-assess and regenerate it"
            )
    return reasons


_Finding = tuple[str, str]
_Unknown = tuple[str, str, str]


def _applicable(
    documents: Sequence[VexDocument], index: ComponentIndex, check_refs: bool
) -> tuple[dict[_Finding, list[Statement]], list[_Unknown]]:
    """Per (vulnerability, component ref), the statements that speak for it, in order."""
    per_finding: dict[_Finding, list[Statement]] = defaultdict(list)
    whole: dict[str, list[Statement]] = defaultdict(list)
    unknown: list[_Unknown] = []
    for document in documents:
        for statement in document.statements:
            if not statement.refs:
                # Speaks for nothing: it cannot settle anything, and was meant to.
                unknown.append((document.name, statement.vulnerability, "(no component named)"))
            for ref in statement.refs:
                resolved = index.resolve(ref) if check_refs else [ref]
                if resolved is None:
                    unknown.append((document.name, statement.vulnerability, ref))
                    continue
                for component_ref in resolved:
                    if component_ref == WHOLE_PRODUCT:
                        whole[statement.vulnerability].append(statement)
                    else:
                        per_finding[(statement.vulnerability, component_ref)].append(statement)
    for vulnerability, statements in whole.items():
        found = [key for key in per_finding if key[0] == vulnerability]
        for key in found or [(vulnerability, WHOLE_PRODUCT)]:
            per_finding[key].extend(statements)
    return per_finding, unknown


def _unknown_reason(unknown: list[_Unknown], sbom: Sbom | None) -> str:
    shown = "; ".join(f"{doc}: {vuln} for '{ref}'" for doc, vuln, ref in unknown[:_EXAMPLES])
    more = f" and {len(unknown) - _EXAMPLES} more" if len(unknown) > _EXAMPLES else ""
    where = sbom.name if sbom else "the SBOM"
    return (
        f"vulnerability assessment: {len(unknown)} statement(s) name a component that is not "
        f"in {where} ({shown}{more}); the VEX was written for another build"
    )


def _order(statement: Statement) -> tuple[datetime, str, int]:
    return (statement.timestamp or _EPOCH, statement.document, statement.position)


def _judge(
    vuln: str,
    ref: str,
    statements: list[Statement],
    index: ComponentIndex,
    policy: VexPolicy,
    kev: frozenset[str],
) -> AssessedVulnerability:
    component = index.component(ref)
    label = component.label if component else ("(the release)" if ref == WHOLE_PRODUCT else ref)
    assessed = sorted((s for s in statements if s.state is not VexState.UNASSESSED), key=_order)
    in_kev = vuln in kev
    if not assessed:
        return _item(vuln, label, ref, None, None, in_kev, "has no assessment")
    latest = assessed[-1]
    ties = [s for s in assessed if (s.timestamp or _EPOCH) == (latest.timestamp or _EPOCH)]
    if any(not s.same_assessment(latest) for s in ties):
        where = ", ".join(f"{s.document} #{s.position}" for s in ties)
        reason = f"{_CONFLICT} ({where})"
        return _item(vuln, label, ref, latest, None, in_kev, reason)
    link = policy.risk_acceptances.get(vuln) or linked_issue(f"{latest.detail} {latest.action}")
    return _item(vuln, label, ref, latest, link, in_kev, _rule(latest, link, in_kev))


def _rule(statement: Statement, link: str | None, in_kev: bool) -> str | None:
    state = statement.state
    if state is VexState.IN_TRIAGE:
        return f"is still {statement.raw_state}"
    if state is VexState.AFFECTED:
        if in_kev:
            return "is affected and listed in CISA's Known Exploited Vulnerabilities catalog"
        if not statement.responses and not statement.action:
            return f"is {statement.raw_state} without a response or action statement"
        if statement.responses and set(statement.responses) <= _NEEDS_ACCEPTANCE and not link:
            return (
                f"is {statement.raw_state} with only {'/'.join(statement.responses)} and no linked "
                "risk acceptance (an issue key in the detail, or risk_acceptances in the config)"
            )
    if state is VexState.NOT_AFFECTED and not statement.justification:
        return f"is {statement.raw_state} without a justification"
    if state is VexState.FALSE_POSITIVE and not (statement.justification or statement.detail):
        return f"is {statement.raw_state} without a justification or detail"
    return None


def _item(
    vuln: str,
    label: str,
    ref: str,
    statement: Statement | None,
    link: str | None,
    in_kev: bool,
    reason: str | None,
) -> AssessedVulnerability:
    if reason is not None and in_kev and "Known Exploited" not in reason:
        reason += " (listed in CISA's Known Exploited Vulnerabilities catalog)"
    return AssessedVulnerability(
        vulnerability=vuln,
        component=label,
        ref=ref,
        state=statement.state if statement else VexState.UNASSESSED,
        raw_state=statement.raw_state if statement else "(none)",
        justification=statement.justification if statement else None,
        response=_response(statement),
        detail=statement.detail if statement else "",
        linked_issue=link,
        kev=in_kev,
        reason=reason,
    )


def _response(statement: Statement | None) -> str:
    if statement is None:
        return ""
    parts = [*statement.responses, statement.action]
    return "; ".join(p for p in parts if p)


def _item_reasons(items: list[AssessedVulnerability]) -> list[str]:
    by_rule: dict[str, list[AssessedVulnerability]] = defaultdict(list)
    for item in items:
        if item.reason is not None:
            by_rule[_general(item.reason)].append(item)
    reasons = []
    for rule, blocked in by_rule.items():
        shown = ", ".join(f"{i.vulnerability} in {i.component}" for i in blocked[:_EXAMPLES])
        more = f" and {len(blocked) - _EXAMPLES} more" if len(blocked) > _EXAMPLES else ""
        reasons.append(
            f"vulnerability assessment: {len(blocked)} finding(s) where the vulnerability "
            f"{rule}: {shown}{more}"
        )
    return reasons


def _general(reason: str) -> str:
    """The reason without its per-item particulars, so equal reasons are grouped."""
    if reason.startswith(_CONFLICT):
        return _CONFLICT
    return reason


# Component is re-exported for callers building inputs by hand (tests, benchmarks).
__all__ = ["Component", "VexPolicy", "assess", "linked_issue"]
