"""A passing release snapshot and its record, for the record and render tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from secgate_tui.domain import (
    Activity,
    Category,
    CategoryRule,
    Classification,
    Disposition,
    GatePolicy,
    Issue,
    SourceState,
    evaluate,
)
from secgate_tui.domain.criteria import Applied, gate_criteria
from secgate_tui.domain.model import DocumentEvidence
from secgate_tui.domain.record import AuthorizationRecord, AuthorizerIdentity, build_record

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CLASSIFICATION = Classification(
    rules={category: CategoryRule(labels=(category.value,)) for category in Category},
    security_labels=("security",),
)
ACTIVITY = Activity(
    id="pentest",
    name="Penetration test",
    evidence=DocumentEvidence(path="pentest.pdf", sha256="a" * 64),
    found=True,
    complete=True,
    evidence_date=NOW - timedelta(days=10),
)
ME = AuthorizerIdentity(tracker="box", id="u-1", name="rm", display_name="Release Manager")


def issue(key: str, category: Category, title: str = "", **fields: object) -> Issue:
    values: dict[str, object] = {
        "source": "box",
        "key": key,
        "title": title or f"Issue {key}",
        "status": "Done",
        "closed": True,
        "resolution": "Fixed",
        "disposition": Disposition.FIXED,
        "labels": (category.value, "security"),
        "created": NOW - timedelta(days=30),
        "updated": NOW - timedelta(days=1),
    }
    values.update(fields)
    return Issue.model_validate(values)


def snapshot(titles: Sequence[str] = ()) -> list[Issue]:
    issues = [issue(f"P-{n}", category) for n, category in enumerate(Category, start=1)]
    issues.append(
        issue(
            "P-20",
            Category.DEFECT_MANAGEMENT,
            "Accepted CVE",
            resolution="Risk Accepted",
            disposition=Disposition.RISK_ACCEPTED,
            justification="Only reachable with physical access.",
            assignee="rm",
        )
    )
    issues.extend(
        issue(f"P-{100 + n}", Category.IMPLEMENTATION, title) for n, title in enumerate(titles)
    )
    return issues


def record_for(
    issues: Sequence[Issue],
    *,
    at: datetime = NOW,
    who: AuthorizerIdentity = ME,
    activities: Sequence[Activity] = (),
    acks: Mapping[Category, str] | None = None,
) -> AuthorizationRecord:
    policy = GatePolicy(classification=CLASSIFICATION, not_applicable=acks or {})
    verdict = evaluate(
        issues,
        activities,
        policy,
        NOW,
        [SourceState(source="box", project="P", synced_at=NOW)],
    )
    assert verdict.passed, verdict.reasons
    return build_record(
        product="ipc",
        product_name="Infusion Pump Controller",
        release="2.1",
        verdict=verdict,
        issues=issues,
        classification=CLASSIFICATION,
        authorizer=who,
        at=at,
        secgate_version="0.1.0",
        config_digest="c" * 64,
        criteria=gate_criteria(Applied(policy=policy, activities=verdict.activities)),
    )
