"""Unresolved anomalies: each rule of the gate for issues that affect a release
without being fixed in it, and the justification policy per severity (table-driven)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secgate_tui.domain import (
    Acceptance,
    AnomalyPolicy,
    Category,
    CategoryRule,
    Classification,
    Disposition,
    GatePolicy,
    Issue,
    Outcome,
    SourceState,
    Verdict,
    evaluate,
    snapshot_digest,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
CLASSIFICATION = Classification(
    rules={
        Category.DEFECT_MANAGEMENT: CategoryRule(labels=("sec-defect",)),
        Category.IMPLEMENTATION: CategoryRule(labels=("sec-implementation",)),
    },
    security_labels=("security",),
)
# Only two categories are populated; the others are acknowledged, so a verdict
# blocks only for the rule under test.
ACKS = {c: "not in this test" for c in Category if c not in CLASSIFICATION.rules}
POLICY = GatePolicy(classification=CLASSIFICATION, not_applicable=ACKS, anomalies=AnomalyPolicy())
FRESH = [SourceState(source="t", project="P", synced_at=NOW - timedelta(seconds=10))]
MEMBERS = [
    Issue(
        source="t",
        key=f"P-{n}",
        title="a fixed member",
        status="Done",
        closed=True,
        resolution="Fixed",
        disposition=Disposition.FIXED,
        labels=("security", label),
        fix_versions=("2.1",),
        created=NOW - timedelta(days=30),
        updated=NOW - timedelta(days=2),
    )
    for n, label in enumerate(("sec-defect", "sec-implementation"), start=1)
]


def accepted(**fields: Any) -> Acceptance:
    values: dict[str, Any] = {
        "disposition": Disposition.RISK_ACCEPTED,
        "justification": "only reachable from the sealed service port; risk board RB-14",
        "accepted_by": "r.patel",
        "accepted_on": NOW - timedelta(days=20),
        "release": "2.1",
    }
    values.update(fields)
    return Acceptance(**values)


def anomaly(
    *acceptances: Acceptance,
    closed: bool = False,
    disposition: Disposition = Disposition.UNKNOWN,
    severity: str | None = "High",
    justification: str | None = None,
    labels: tuple[str, ...] = ("security", "sec-defect"),
    key: str = "P-98",
) -> Issue:
    return Issue(
        source="t",
        key=key,
        title="pump accepts replayed configuration packets",
        status="Done" if closed else "To Do",
        closed=closed,
        resolution="Fixed" if closed else None,
        disposition=disposition,
        labels=labels,
        fix_versions=("2.2",),
        affects_versions=("2.1",),
        severity=severity,
        justification=justification,
        acceptances=acceptances,
        cwe=("CWE-294",),
        compensating_controls="network segmentation",
        created=NOW - timedelta(days=60),
        updated=NOW - timedelta(days=1),
    )


def gate(
    affected: list[Issue], policy: GatePolicy = POLICY, members: list[Issue] | None = None
) -> Verdict:
    return evaluate(
        MEMBERS if members is None else members,
        [],
        policy,
        NOW,
        FRESH,
        affected=affected,
        release_names=("2.1", "IPC 2.1"),
    )


def test_members_alone_pass() -> None:
    verdict = gate([])
    assert verdict.outcome is Outcome.PASS, verdict.reasons
    assert verdict.anomalies == ()


# -- when an acceptance disposes of an affected issue for this release -------------

ACCEPTANCES: list[tuple[str, Acceptance, str | None]] = [
    ("risk accepted, complete", accepted(), None),
    ("risk accepted needs no target version", accepted(target_version=None), None),
    (
        "deferred with its target version",
        accepted(disposition="deferred", target_version="2.2"),
        None,
    ),
    (
        "deferred without a target version",
        accepted(disposition="deferred"),
        "deferred without a target version",
    ),
    ("no justification", accepted(justification=None), "it has no justification"),
    ("a blank justification", accepted(justification="  \n "), "it has no justification"),
    ("nobody accepted it", accepted(accepted_by=None), "names no one who accepted it"),
    ("no acceptance date", accepted(accepted_on=None), "has no acceptance date"),
    (
        "expired by its own date",
        accepted(expires=date(2026, 12, 6)),
        "it expired on 2026-12-06 (its expiry date)",
    ),
    ("valid through its expiry day", accepted(expires=date(2026, 12, 7)), None),
    (
        "older than the maximum age",
        accepted(accepted_on=NOW - timedelta(days=366)),
        "it expired on 2026-12-06 (365 days after it was accepted on 2025-12-06",
    ),
    (
        "the earlier of date and age",
        accepted(expires=date(2027, 6, 1), accepted_on=NOW - timedelta(days=400)),
        "expired on 2026-11-02",
    ),
    ("for every release the issue affects", accepted(release=None), None),
    ("the source's name of the release, another case", accepted(release=" ipc 2.1 "), None),
    (
        "for another release only",
        accepted(release="2.0"),
        "no risk acceptance or deferral for this release",
    ),
    (
        "won't fix is no disposition for a release",
        accepted(disposition="wont-fix"),
        "neither risk-accepted nor deferred",
    ),
]


@pytest.mark.parametrize(
    ("case", "acceptance", "blocks"), ACCEPTANCES, ids=[c[0] for c in ACCEPTANCES]
)
def test_acceptance_rules(case: str, acceptance: Acceptance, blocks: str | None) -> None:
    verdict = gate([anomaly(acceptance)])
    [result] = verdict.anomalies
    if blocks is None:
        assert verdict.outcome is Outcome.PASS, verdict.reasons
        assert result.reason is None
        assert result.disposition is acceptance.disposition
    else:
        assert verdict.outcome is Outcome.BLOCKED
        assert result.reason is not None and blocks in result.reason, result.reason
        assert any(r.startswith("Unresolved anomalies:") and "P-98" in r for r in verdict.reasons)


@pytest.mark.parametrize(
    ("max_age", "age_days", "passes"),
    [(365, 365, True), (365, 366, False), (30, 31, False), (30, 30, True), (0, 5000, True)],
)
def test_acceptance_max_age_is_configurable(max_age: int, age_days: int, passes: bool) -> None:
    policy = POLICY.model_copy(update={"anomalies": AnomalyPolicy(acceptance_max_age_days=max_age)})
    verdict = gate([anomaly(accepted(accepted_on=NOW - timedelta(days=age_days)))], policy)
    assert verdict.passed is passes, verdict.reasons


def test_a_valid_acceptance_wins_over_an_invalid_one() -> None:
    verdict = gate([anomaly(accepted(justification=None), accepted(release=None))])
    assert verdict.passed, verdict.reasons


def test_an_expired_acceptance_says_so_in_the_verdict() -> None:
    verdict = gate([anomaly(accepted(expires=date(2026, 11, 30)))])
    assert not verdict.passed
    assert "expired on 2026-11-30" in " ".join(verdict.reasons)
    assert verdict.anomalies[0].expires == date(2026, 11, 30)


# -- which affected issues count, and how ------------------------------------------

STATES: list[tuple[str, dict[str, Any], str | None]] = [
    ("open without an acceptance", {}, "is open (status 'To Do')"),
    (
        "closed as fixed in a later version",
        {"closed": True, "disposition": Disposition.FIXED},
        "is fixed only in 2.2",
    ),
    (
        "closed as won't fix",
        {"closed": True, "disposition": Disposition.WONT_FIX},
        "closed as wont-fix",
    ),
    (
        "closed with an unknown resolution",
        {"closed": True, "disposition": Disposition.UNKNOWN},
        "closed as unknown",
    ),
    (
        "closed, not a defect, justified",
        {"closed": True, "disposition": Disposition.NOT_A_DEFECT, "justification": "by design"},
        None,
    ),
    (
        "closed, not a defect on a High issue, no rationale",
        {"closed": True, "disposition": Disposition.NOT_A_DEFECT},
        "not-a-defect on a high issue without a justification",
    ),
    (
        "closed, duplicate on a Low issue, no rationale",
        {"closed": True, "disposition": Disposition.DUPLICATE, "severity": "Low"},
        None,
    ),
]


@pytest.mark.parametrize(("case", "fields", "blocks"), STATES, ids=[s[0] for s in STATES])
def test_affected_issue_states(case: str, fields: dict[str, Any], blocks: str | None) -> None:
    verdict = gate([anomaly(**fields)])
    [result] = verdict.anomalies
    if blocks is None:
        assert verdict.passed, verdict.reasons
    else:
        assert not verdict.passed
        assert result.reason is not None and blocks in result.reason, result.reason


def test_a_fixed_in_a_later_version_issue_passes_with_a_deferral() -> None:
    deferral = accepted(disposition="deferred", target_version="2.2")
    verdict = gate([anomaly(deferral, closed=True, disposition=Disposition.FIXED)])
    assert verdict.passed, verdict.reasons


def test_an_unclassified_affected_security_issue_blocks() -> None:
    verdict = gate([anomaly(accepted(), labels=("security",))])
    assert not verdict.passed
    [finding] = verdict.unclassified
    assert finding.key == "P-98" and "affects this release" in finding.reason
    assert verdict.anomalies == ()


def test_an_affected_issue_that_is_not_security_related_is_outside_the_gate() -> None:
    verdict = gate([anomaly(labels=("ux",))])
    assert verdict.passed, verdict.reasons
    assert verdict.anomalies == ()


def test_an_issue_both_fixed_in_and_affecting_the_release_is_a_member() -> None:
    member = MEMBERS[0]
    verdict = gate([member.model_copy(update={"affects_versions": ("2.1",)})])
    assert verdict.anomalies == () and verdict.passed


def test_the_row_carries_what_the_record_needs() -> None:
    acceptance = accepted(disposition="deferred", target_version="2.2", expires=date(2027, 1, 31))
    [row] = gate([anomaly(acceptance)]).anomalies
    assert row.category is Category.DEFECT_MANAGEMENT
    assert row.severity is not None and row.severity.value == "high"
    assert row.cwe == ("CWE-294",) and row.compensating_controls == "network segmentation"
    assert (row.target_version, row.accepted_by) == ("2.2", "r.patel")
    assert row.expires == date(2027, 1, 31)


def test_without_release_names_only_an_acceptance_for_every_release_counts() -> None:
    issues = [anomaly(accepted())]
    verdict = evaluate(MEMBERS, [], POLICY, NOW, FRESH, affected=issues)
    assert not verdict.passed  # fail closed: the release's names are unknown
    issues = [anomaly(accepted(release=None))]
    assert evaluate(MEMBERS, [], POLICY, NOW, FRESH, affected=issues).passed


# -- the snapshot -----------------------------------------------------------------


def test_affected_issues_are_part_of_the_snapshot_digest() -> None:
    without = gate([])
    assert without.snapshot_digest == snapshot_digest(MEMBERS)
    issue = anomaly(accepted())
    with_one = gate([issue])
    assert with_one.snapshot_digest == snapshot_digest([*MEMBERS, issue])
    assert with_one.snapshot_digest != without.snapshot_digest


# -- justification per severity (members and affected issues alike) ----------------

CLOSED_AS: list[tuple[str, str | None, Disposition, str | None, dict[Any, Any] | None, bool]] = [
    # case, severity, disposition, justification, policy (None: default), blocks
    ("critical not-a-defect, no rationale", "Critical", Disposition.NOT_A_DEFECT, None, None, True),
    (
        "critical not-a-defect, blank rationale",
        "critical",
        Disposition.NOT_A_DEFECT,
        " ",
        None,
        True,
    ),
    (
        "critical not-a-defect, rationale",
        "Critical",
        Disposition.NOT_A_DEFECT,
        "by design",
        None,
        False,
    ),
    ("high duplicate, no rationale", "High", Disposition.DUPLICATE, None, None, True),
    ("medium duplicate, no rationale", "Medium", Disposition.DUPLICATE, None, None, False),
    ("low not-a-defect, no rationale", "low", Disposition.NOT_A_DEFECT, None, None, False),
    ("critical fixed needs nothing", "Critical", Disposition.FIXED, None, None, False),
    ("no severity fails closed", None, Disposition.NOT_A_DEFECT, None, None, True),
    ("unmapped severity fails closed", "S1", Disposition.DUPLICATE, None, None, True),
    ("no severity, but justified", None, Disposition.NOT_A_DEFECT, "by design", None, False),
    ("no severity, fixed", None, Disposition.FIXED, None, None, False),
    ("policy asks for none", "Critical", Disposition.NOT_A_DEFECT, None, {}, False),
    ("no rule, unknown severity passes", None, Disposition.NOT_A_DEFECT, None, {}, False),
    (
        "policy tightened to medium",
        "Medium",
        Disposition.DUPLICATE,
        None,
        {"medium": ["duplicate"]},
        True,
    ),
    (
        "tightened policy, other severity",
        "Critical",
        Disposition.DUPLICATE,
        None,
        {"medium": ["duplicate"]},
        False,
    ),
]


def _policy(rules: dict[Any, Any] | None) -> GatePolicy:
    if rules is None:
        return POLICY
    return POLICY.model_copy(update={"anomalies": AnomalyPolicy(justification_required=rules)})


@pytest.mark.parametrize(
    ("case", "severity", "disposition", "justification", "rules", "blocks"),
    CLOSED_AS,
    ids=[c[0] for c in CLOSED_AS],
)
def test_justification_per_severity_for_members(
    case: str,
    severity: str | None,
    disposition: Disposition,
    justification: str | None,
    rules: dict[Any, Any] | None,
    blocks: bool,
) -> None:
    member = MEMBERS[0].model_copy(
        update={"severity": severity, "disposition": disposition, "justification": justification}
    )
    verdict = gate([], _policy(rules), members=[member, MEMBERS[1]])
    assert verdict.passed is not blocks, verdict.reasons
    blocking = verdict.category(Category.DEFECT_MANAGEMENT).blocking
    if blocks:
        [finding] = blocking
        assert "justification" in finding.reason
        if severity is None or severity == "S1":
            assert "severity" in finding.reason and "unknown severity blocks" in finding.reason
    else:
        assert blocking == ()


def test_the_severity_rule_applies_to_affected_issues_too() -> None:
    affected = anomaly(closed=True, disposition=Disposition.NOT_A_DEFECT, severity="Critical")
    [row] = gate([affected]).anomalies
    assert row.reason is not None and "critical" in row.reason


def test_evidence_bundles_from_before_the_rules_evaluate_as_before() -> None:
    # GatePolicy without anomalies (a bundle's inputs.json written before these rules).
    before = POLICY.model_copy(update={"anomalies": None})
    member = MEMBERS[0].model_copy(
        update={"severity": "Critical", "disposition": Disposition.NOT_A_DEFECT}
    )
    assert gate([], before, members=[member, MEMBERS[1]]).passed
    assert "anomalies" not in before.model_dump(mode="json")


def test_unknown_can_never_be_required_to_pass_with_a_justification() -> None:
    with pytest.raises(ValueError, match="'unknown' is never accepted"):
        AnomalyPolicy(justification_required={"critical": ["unknown"]})  # type: ignore[dict-item]


# -- a property: an anomaly passes exactly when every rule holds --------------------


@settings(max_examples=300, deadline=None)
@given(
    disposition=st.sampled_from(list(Disposition)),
    justification=st.sampled_from([None, "", "  ", "accepted by the risk board"]),
    target=st.sampled_from([None, "", "2.2"]),
    by=st.sampled_from([None, "", "r.patel"]),
    age_days=st.one_of(st.none(), st.integers(min_value=0, max_value=800)),
    expires_in=st.one_of(st.none(), st.integers(min_value=-30, max_value=30)),
    release=st.sampled_from([None, "2.1", "2.0"]),
)
def test_an_anomaly_passes_only_when_every_rule_holds(
    disposition: Disposition,
    justification: str | None,
    target: str | None,
    by: str | None,
    age_days: int | None,
    expires_in: int | None,
    release: str | None,
) -> None:
    acceptance = Acceptance(
        disposition=disposition,
        justification=justification,
        target_version=target,
        accepted_by=by,
        accepted_on=None if age_days is None else NOW - timedelta(days=age_days),
        expires=None if expires_in is None else NOW.date() + timedelta(days=expires_in),
        release=release,
    )
    expected = (
        release in (None, "2.1")
        and disposition in (Disposition.RISK_ACCEPTED, Disposition.DEFERRED)
        and bool((justification or "").strip())
        and (disposition is not Disposition.DEFERRED or bool(target))
        and bool(by)
        and age_days is not None
        and age_days <= 365
        and (expires_in is None or expires_in >= 0)
    )
    assert gate([anomaly(acceptance)]).passed is expected


# -- the reason names the key that applied ---------------------------------------------

OWN_KEYS = {
    "justification_required": "products.ipc.policy.justification_required",
    "acceptance_max_age_days": "products.ipc.policy.acceptance_max_age_days",
}
KEY_NAMES: list[tuple[str, dict[str, str], str]] = [
    ("global keys", {}, "policy."),
    ("the product's own keys", OWN_KEYS, "products.ipc.policy."),
]


@pytest.mark.parametrize(("case", "set_in", "prefix"), KEY_NAMES, ids=[k[0] for k in KEY_NAMES])
def test_a_blocking_reason_names_the_key_a_person_has_to_change(
    case: str, set_in: dict[str, str], prefix: str
) -> None:
    rules = AnomalyPolicy(acceptance_max_age_days=30, set_in=set_in)
    policy = POLICY.model_copy(update={"anomalies": rules})
    expired = anomaly(accepted(accepted_on=NOW - timedelta(days=31)))
    unjustified = anomaly(
        closed=True, disposition=Disposition.NOT_A_DEFECT, severity="Critical", key="P-99"
    )
    member = MEMBERS[0].model_copy(
        update={"severity": "Critical", "disposition": Disposition.NOT_A_DEFECT}
    )
    verdict = gate([expired, unjustified], policy, members=[member, MEMBERS[1]])
    rows = {row.key: row.reason or "" for row in verdict.anomalies}
    [finding] = verdict.category(Category.DEFECT_MANAGEMENT).blocking
    assert f"{prefix}acceptance_max_age_days" in rows["P-98"]
    assert f"({prefix}justification_required)" in rows["P-99"]
    assert f"({prefix}justification_required)" in finding.reason
    if set_in:
        assert "(policy." not in " ".join([*rows.values(), finding.reason])


def test_where_the_keys_are_set_stays_out_of_bundles_that_have_none() -> None:
    # An evidence bundle of a product without its own keys keeps its inputs.json as before.
    assert "set_in" not in AnomalyPolicy().model_dump(mode="json")
    assert AnomalyPolicy(set_in=OWN_KEYS).model_dump(mode="json")["set_in"] == OWN_KEYS
