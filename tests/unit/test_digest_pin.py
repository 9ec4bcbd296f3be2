"""The snapshot digest of a fixed issue set, pinned byte for byte.

The digest was computed by the code before the gate was optimised (issue #18)
and is a promise to auditors: records already written name it. Any change of
the canonical form, the sort order or the hashing breaks this test.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from secgate_tui.domain import (
    Category,
    CategoryRule,
    Classification,
    Disposition,
    GatePolicy,
    Issue,
    SourceState,
    evaluate,
    snapshot_digest,
)
from secgate_tui.domain.canonical import issues_canonical_json, sha256_hex

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
LABELS = ["sec-test-finding", "sec-requirement", "sec-design", "sec-implementation"]
PINNED = "6423db0226ee1e4473ea3b9e3220a73f92788b529fe2cec59f4187bb518d58fc"


def fixed_issues() -> list[Issue]:
    """300 issues over three sources, unsorted, with non-ASCII text and every disposition."""
    rng = random.Random(18)
    dispositions = list(Disposition)
    numbers = rng.sample(range(1, 5000), 300)  # unique keys, in no particular order
    issues = []
    for n in range(300):
        source = ["jira", "gitlab", "redmine"][n % 3]
        created = NOW - timedelta(days=rng.randint(1, 900), seconds=rng.randint(0, 86_399))
        closed = rng.random() < 0.8
        issues.append(
            Issue(
                source=source,
                key=f"K-{numbers[n]}" if source != "gitlab" else f"#{numbers[n]}",
                url=f"https://tracker.example/{source}/{n}",
                title=f'Dosis-Überlauf {n} — \u00e9\u4e2d "quoted" \\ \t tab',
                type=rng.choice(["Bug", "Story", "Vulnerability"]),
                status="Done" if closed else "Offen",
                closed=closed,
                resolution=rng.choice([None, "Fixed", "Won't Fix"]) if closed else None,
                disposition=rng.choice(dispositions) if closed else Disposition.UNKNOWN,
                labels=("security", rng.choice(LABELS)) if n % 7 else ("security",),
                components=("firmware",) if n % 2 else (),
                fix_versions=("2.2",),
                severity=rng.choice([None, "High", "Low"]),
                created=created,
                updated=created + timedelta(days=3),
                closed_at=created + timedelta(days=3) if closed else None,
                assignee=rng.choice([None, "m.chen"]),
                justification=rng.choice([None, "", "  accepted by the risk board "]),
                raw_digest=f"{n:064x}",
            )
        )
    return issues


def test_snapshot_digest_is_pinned() -> None:
    assert snapshot_digest(fixed_issues()) == PINNED


def test_gate_digest_is_pinned_for_fresh_and_loaded_issues() -> None:
    policy = GatePolicy(
        classification=Classification(
            rules={
                c: CategoryRule(labels=(label,)) for c, label in zip(Category, LABELS, strict=False)
            },
            security_labels=("security",),
        )
    )
    sources = [SourceState(source="jira", project="K", synced_at=NOW)]
    fresh = fixed_issues()
    loaded = [Issue.from_canonical_json(issue.canonical_json()) for issue in fixed_issues()]
    for issues in (fresh, loaded, list(reversed(loaded))):
        assert evaluate(issues, [], policy, NOW, sources).snapshot_digest == PINNED


def test_digest_is_the_hash_of_the_canonical_text() -> None:
    # What an auditor recomputes from the evidence bundle's snapshot file.
    assert sha256_hex(issues_canonical_json(fixed_issues())) == PINNED


#: The record id of an authorization of that snapshot by account u-1 with no activity
#: evidence or acknowledgement, as records written before unresolved anomalies carry it.
PINNED_RECORD_ID = "SRA-7689cb6c0048dc58baf6"


def test_a_release_without_affected_issues_keeps_its_digest_and_record_id() -> None:
    """Unresolved anomalies are part of the snapshot only when a release has any: the
    anomaly rules, the empty ``affected`` list and the release's names change nothing."""
    from secgate_tui.domain import AnomalyPolicy
    from secgate_tui.domain.record import evidence_digest, record_id

    policy = GatePolicy(
        classification=Classification(security_labels=("security",)),
        anomalies=AnomalyPolicy(),
    )
    sources = [SourceState(source="jira", project="K", synced_at=NOW)]
    verdict = evaluate(
        fixed_issues(), [], policy, NOW, sources, affected=[], release_names=("2.2",)
    )
    assert verdict.snapshot_digest == PINNED
    evidence = evidence_digest((), ())
    assert record_id("ipc", "2.2", verdict.snapshot_digest, "u-1", evidence) == PINNED_RECORD_ID
    assert "anomalies" not in verdict.model_dump(mode="json")


def test_affected_issues_join_the_snapshot() -> None:
    issues = fixed_issues()
    affected = issues[0].model_copy(
        update={"key": "K-99999", "fix_versions": ("2.3",), "affects_versions": ("2.2",)}
    )
    policy = GatePolicy()
    sources = [SourceState(source="jira", project="K", synced_at=NOW)]
    verdict = evaluate(issues, [], policy, NOW, sources, affected=[affected])
    assert verdict.snapshot_digest == snapshot_digest([*fixed_issues(), affected]) != PINNED
