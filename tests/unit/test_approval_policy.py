"""The approval policy: required roles, N of M, separation of duties, legacy records."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secgate_tui.config import ConfigError, config_from_data
from secgate_tui.config_signing import ApprovalSettings, SigningSettings, unheld_roles
from secgate_tui.domain.approval import (
    ApprovalPolicy,
    CheckedSignature,
    RecordFacts,
    ResidualDuty,
    RolesQuorum,
    Signer,
    State,
    evaluate_approval,
    refusal_before_signing,
    role_to_sign,
    signature_refusal,
)
from secgate_tui.domain.approval_facts import authorization_facts, review_facts
from secgate_tui.domain.signature import build_message
from secgate_tui.services.demo import demo_data

DIGEST = "ab" * 32
T0 = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)

SIGNERS = {
    "rita@example.com": Signer(
        name="Rita Release", roles=("release-manager",), accounts={"jira": ("rita", "5b10ac")}
    ),
    "sam@example.com": Signer(
        name="Sam Security", roles=("security-officer", "qa"), accounts={"jira": "sam"}
    ),
    "quinn@example.com": Signer(name="Quinn QA", roles=("qa",), accounts={"gitlab": "quinn"}),
    "cto@example.com": Signer(name="Chris CTO", roles=("cto", "release-manager")),
}
FACTS = RecordFacts(record_kind="authorization", record_id="SRA-1", record_digest=DIGEST)


def signed(
    principal: str,
    role: str,
    *,
    minute: int = 0,
    record_id: str = "SRA-1",
    valid: bool = True,
    problem: str | None = None,
) -> CheckedSignature:
    message = build_message(
        record_kind="authorization",
        record_id=record_id,
        record_digest=DIGEST,
        principal=principal,
        name=SIGNERS.get(principal, SIGNERS["rita@example.com"]).name,
        role=role,
        meaning="I approve",
        signed_at=T0 + timedelta(minutes=minute),
    )
    return CheckedSignature(message=message, fingerprint="", valid=valid, problem=problem)


TWO_ROLES = ApprovalPolicy(all_of=("release-manager", "security-officer"))


def reasons(result: object) -> list[str]:
    return [r.reason for r in result.refusals]  # type: ignore[attr-defined]


def test_default_policy_is_one_release_manager_with_separation_of_duties() -> None:
    policy = ApprovalPolicy()
    assert policy.all_of == ("release-manager",)
    assert policy.separation_of_duties
    result = evaluate_approval(
        policy, SIGNERS, FACTS, [signed("rita@example.com", "release-manager")]
    )
    assert result.state is State.AUTHORIZED
    assert result.missing_roles == ()


def test_first_of_two_required_roles_leaves_the_record_pending_and_names_the_missing_role() -> None:
    first = [signed("rita@example.com", "release-manager")]
    result = evaluate_approval(TWO_ROLES, SIGNERS, FACTS, first)
    assert result.state is State.PENDING
    assert result.missing_roles == ("security-officer",)
    both = [*first, signed("sam@example.com", "security-officer", minute=5)]
    result = evaluate_approval(TWO_ROLES, SIGNERS, FACTS, both)
    assert result.state is State.AUTHORIZED
    assert [s.message.principal for s in result.counted] == ["rita@example.com", "sam@example.com"]


def test_no_signature_is_pending_with_every_required_role_missing() -> None:
    result = evaluate_approval(TWO_ROLES, SIGNERS, FACTS, [])
    assert result.state is State.PENDING
    assert result.missing_roles == ("release-manager", "security-officer")


def test_n_of_a_set_of_roles_needs_that_many_distinct_signers() -> None:
    policy = ApprovalPolicy(
        all_of=(), n_of=RolesQuorum(count=2, roles=("qa", "security-officer", "cto"))
    )
    one = [signed("quinn@example.com", "qa")]
    result = evaluate_approval(policy, SIGNERS, FACTS, one)
    assert result.state is State.PENDING
    assert result.missing_roles == ("1 more of cto, qa, security-officer",)
    two = [*one, signed("cto@example.com", "cto", minute=1)]
    assert evaluate_approval(policy, SIGNERS, FACTS, two).state is State.AUTHORIZED


def test_a_principal_without_the_role_is_refused() -> None:
    result = evaluate_approval(
        TWO_ROLES, SIGNERS, FACTS, [signed("quinn@example.com", "security-officer")]
    )
    assert result.state is State.PENDING
    assert reasons(result) == [
        "quinn@example.com does not hold the role security-officer (roles: qa)"
    ]


def test_a_principal_unknown_to_the_configuration_is_refused() -> None:
    result = evaluate_approval(
        ApprovalPolicy(), SIGNERS, FACTS, [signed("mallory@example.com", "release-manager")]
    )
    assert result.state is State.PENDING
    assert "not a signer in secgate's configuration" in reasons(result)[0]


def test_the_same_signer_twice_counts_once() -> None:
    # Sam holds two roles the policy asks for; under separation of duties he signs once.
    policy = ApprovalPolicy(all_of=("security-officer", "qa"))
    twice = [
        signed("sam@example.com", "security-officer"),
        signed("sam@example.com", "qa", minute=1),
    ]
    result = evaluate_approval(policy, SIGNERS, FACTS, twice)
    assert result.state is State.PENDING
    assert result.missing_roles == ("qa",)
    assert reasons(result) == ["separation of duties: sam@example.com already signed this record"]
    # Without separation of duties one person may fill two roles, but never one role twice.
    relaxed = policy.model_copy(update={"separation_of_duties": False})
    assert evaluate_approval(relaxed, SIGNERS, FACTS, twice).state is State.AUTHORIZED
    same_role = [signed("sam@example.com", "qa"), signed("sam@example.com", "qa", minute=1)]
    assert (
        "already signed this record as qa"
        in reasons(
            evaluate_approval(
                ApprovalPolicy(
                    all_of=(), n_of=RolesQuorum(count=2, roles=("qa",)), separation_of_duties=False
                ),
                SIGNERS,
                FACTS,
                same_role,
            )
        )[0]
    )


@pytest.mark.parametrize(
    "residual",
    [
        ResidualDuty(source="jira", key="IPC-7", assignee="Rita"),
        ResidualDuty(source="jira", key="IPC-7", assignee="5B10AC"),
        ResidualDuty(source="jira", key="IPC-7", assignee="someone", justified_by="rita"),
    ],
)
def test_separation_of_duties_refuses_the_assignee_or_justifier_of_a_residual_item(
    residual: ResidualDuty,
) -> None:
    facts = FACTS.model_copy(update={"residual": (residual,)})
    result = evaluate_approval(
        ApprovalPolicy(), SIGNERS, facts, [signed("rita@example.com", "release-manager")]
    )
    assert result.state is State.PENDING
    assert "separation of duties: rita@example.com is" in reasons(result)[0]
    assert "residual item IPC-7" in reasons(result)[0]
    relaxed = ApprovalPolicy(separation_of_duties=False)
    assert (
        evaluate_approval(
            relaxed, SIGNERS, facts, [signed("rita@example.com", "release-manager")]
        ).state
        is State.AUTHORIZED
    )


def test_accounts_are_compared_per_tracker() -> None:
    # "rita" on GitLab is somebody else: Rita's accounts are Jira's.
    facts = FACTS.model_copy(
        update={"residual": (ResidualDuty(source="gitlab", key="g/a#3", assignee="rita"),)}
    )
    result = evaluate_approval(
        ApprovalPolicy(), SIGNERS, facts, [signed("rita@example.com", "release-manager")]
    )
    assert result.state is State.AUTHORIZED


def test_an_invalid_signature_does_not_count_and_says_why() -> None:
    bad = signed("rita@example.com", "release-manager", valid=False, problem="the key is revoked")
    result = evaluate_approval(ApprovalPolicy(), SIGNERS, FACTS, [bad])
    assert result.state is State.PENDING
    assert reasons(result) == ["the key is revoked"]


def test_a_signature_of_another_record_does_not_count() -> None:
    moved = signed("rita@example.com", "release-manager", record_id="SRA-2")
    result = evaluate_approval(ApprovalPolicy(), SIGNERS, FACTS, [moved])
    assert result.state is State.PENDING
    assert "cannot be moved to another record" in reasons(result)[0]


def test_a_role_the_policy_does_not_ask_for_does_not_count() -> None:
    result = evaluate_approval(
        ApprovalPolicy(), SIGNERS, FACTS, [signed("quinn@example.com", "qa")]
    )
    assert reasons(result) == ["the approval policy does not ask for the role qa"]


def test_signature_refusal_checks_one_signer_before_anything_is_posted() -> None:
    ok = signed("rita@example.com", "release-manager")
    assert signature_refusal(ok, facts=FACTS, signers=SIGNERS, policy=ApprovalPolicy()) is None
    no_role = signed("quinn@example.com", "release-manager")
    assert "does not hold the role" in (
        signature_refusal(no_role, facts=FACTS, signers=SIGNERS, policy=ApprovalPolicy()) or ""
    )


def test_a_record_from_before_signatures_never_satisfies_a_policy_requiring_them() -> None:
    legacy = FACTS.model_copy(update={"legacy": True})
    assert evaluate_approval(ApprovalPolicy(), SIGNERS, legacy, []).state is State.LEGACY_UNSIGNED
    nothing = ApprovalPolicy(all_of=())
    assert evaluate_approval(nothing, SIGNERS, legacy, []).state is State.LEGACY_UNSIGNED
    assert evaluate_approval(nothing, SIGNERS, FACTS, []).state is State.AUTHORIZED


def test_meaning_has_defaults_per_kind_and_is_configurable_per_role() -> None:
    policy = ApprovalPolicy(meaning={"security-officer": "Security reviewed {product} {release}"})
    assert policy.meaning_for("authorization", "release-manager", product="IPC", release="2.1") == (
        "I approve release 2.1 of IPC for distribution: the security activities of "
        "IEC 81001-5-1 5.8 are complete and the listed residual risks are accepted"
    )
    assert (
        policy.meaning_for("authorization", "security-officer", product="IPC", release="2.1")
        == "Security reviewed IPC 2.1"
    )
    assert "periodic security review of IPC" in ApprovalPolicy().meaning_for(
        "review", "security-officer", product="IPC", release=""
    )


CONFIG = """
[signing]
allowed_signers = "/srv/qms/secgate/allowed_signers"
revocations = "/srv/qms/secgate/revoked_keys"

[signing.signers."rita@example.com"]
name = "Rita Release"
roles = ["release-manager"]
accounts = { sandbox = "rita", jira = ["rita", "5b10ac"] }

[signing.signers."sam@example.com"]
name = "Sam Security"
roles = ["security-officer"]

[products.ipc.approval.authorization]
all_of = ["release-manager", "security-officer"]
meaning = { security-officer = "I confirm the security activities of {product} {release}" }

[products.ipc.approval.review]
all_of = []
n_of = { count = 1, roles = ["security-officer", "qa"] }
"""


def _config(text: str) -> dict[str, object]:
    data = demo_data(Path("/nonexistent"))
    extra = tomllib.loads(text)
    data["signing"] = extra["signing"]
    data["products"]["ipc"]["approval"] = extra["products"]["ipc"]["approval"]
    return data


def test_signing_and_approval_configuration_loads() -> None:
    config = config_from_data(_config(CONFIG), None)
    signing = config.settings.signing
    assert isinstance(signing, SigningSettings)
    assert signing.revocations == Path("/srv/qms/secgate/revoked_keys")
    assert signing.signers["rita@example.com"].accounts == {
        "sandbox": ("rita",),
        "jira": ("rita", "5b10ac"),
    }
    ipc = config.product("ipc").approval
    assert ipc.policy("authorization").all_of == ("release-manager", "security-officer")
    assert ipc.policy("review").n_of == RolesQuorum(count=1, roles=("security-officer", "qa"))
    # A product without a policy needs one release manager.
    assert config.product("dms").approval.policy("authorization") == ApprovalPolicy()
    assert unheld_roles(signing, ipc) == []
    assert unheld_roles(
        signing, ApprovalSettings({"authorization": ApprovalPolicy(all_of=("cto",))})
    ) == ["authorization: cto"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "approval.authorization",
            "approval.authorisation",
            "unknown record kind(s) authorisation",
        ),
        ('"rita@example.com"', '"rita example"', "signing.signers.rita example"),
        ('roles = ["release-manager"]', 'roles = ["Release Manager"]', "roles.0"),
        ("count = 1", "count = 0", "n_of.count"),
    ],
)
def test_bad_signing_configuration_is_one_clear_paragraph(
    old: str, new: str, expected: str
) -> None:
    with pytest.raises(ConfigError, match="configuration error") as info:
        config_from_data(_config(CONFIG.replace(old, new)), None)
    assert expected in str(info.value)


def test_the_example_configuration_documents_signing() -> None:
    from secgate_tui.config import load_config

    config = load_config(Path(__file__).resolve().parents[2] / "config.example.toml")
    assert config.settings.signing is not None
    assert config.settings.signing.holders("security-officer") == ["sam.security@example.com"]
    policy = config.product("ipc").approval.policy("authorization")
    assert policy.all_of == ("release-manager", "security-officer")


def test_a_signing_time_far_from_the_posting_time_does_not_count() -> None:
    # The signer states the time; the tracker's posting time bounds it, so a
    # backdated signature cannot dodge a key's valid-before.
    on_time = signed("rita@example.com", "release-manager").model_copy(
        update={"posted_at": T0 + timedelta(minutes=2)}
    )
    assert evaluate_approval(ApprovalPolicy(), SIGNERS, FACTS, [on_time]).state is State.AUTHORIZED
    backdated = on_time.model_copy(update={"posted_at": T0 + timedelta(days=3)})
    result = evaluate_approval(ApprovalPolicy(), SIGNERS, FACTS, [backdated])
    assert result.state is State.PENDING
    assert "was posted at 2026-12-10T14:00:00Z" in reasons(result)[0]
    ahead = on_time.model_copy(update={"posted_at": T0 - timedelta(minutes=10)})
    assert evaluate_approval(ApprovalPolicy(), SIGNERS, FACTS, [ahead]).state is State.PENDING


def test_a_signature_as_status_json_lists_it() -> None:
    assert signed("rita@example.com", "release-manager").as_status() == {
        "principal": "rita@example.com",
        "name": "Rita Release",
        "role": "release-manager",
        "meaning": "I approve",
        "signed_at": "2026-12-07T14:00:00Z",
        "valid": True,
    }


@given(
    st.lists(
        st.tuples(
            st.sampled_from([*SIGNERS, "mallory@example.com"]),
            st.sampled_from(["release-manager", "security-officer", "qa", "cto"]),
            st.booleans(),
            st.integers(min_value=0, max_value=30),
        ),
        max_size=8,
    ),
    st.booleans(),
)
def test_authorized_only_when_valid_distinct_holders_fill_every_role(
    drawn: list[tuple[str, str, bool, int]], separation: bool
) -> None:
    policy = ApprovalPolicy(
        all_of=("release-manager", "security-officer"),
        n_of=RolesQuorum(count=1, roles=("qa", "cto")),
        separation_of_duties=separation,
    )
    signatures = [
        signed(p, role, minute=minute, valid=valid, problem=None if valid else "bad")
        for p, role, valid, minute in drawn
    ]
    result = evaluate_approval(policy, SIGNERS, FACTS, signatures)
    counted = result.counted
    for signature in counted:
        assert signature.valid
        assert signature.message.role in SIGNERS[signature.message.principal].roles
    pairs = [(s.message.principal, s.message.role) for s in counted]
    assert len(pairs) == len(set(pairs))
    if separation:
        assert len({p for p, _ in pairs}) == len(pairs)
    if result.state is State.AUTHORIZED:
        roles = [r for _, r in pairs]
        assert "release-manager" in roles and "security-officer" in roles
        assert any(r in ("qa", "cto") for r in roles)
        assert result.missing_roles == ()
    assert len(counted) + len(result.refusals) == len(signatures)


def test_the_role_to_sign_is_the_first_missing_role_the_signer_holds() -> None:
    policy = ApprovalPolicy(
        all_of=("release-manager",), n_of=RolesQuorum(count=1, roles=("qa", "security-officer"))
    )
    nothing = evaluate_approval(policy, SIGNERS, FACTS, [])
    assert role_to_sign(policy, SIGNERS["cto@example.com"], nothing) == "release-manager"
    assert role_to_sign(policy, SIGNERS["sam@example.com"], nothing) == "qa"
    after_rita = evaluate_approval(
        policy, SIGNERS, FACTS, [signed("rita@example.com", "release-manager")]
    )
    assert role_to_sign(policy, SIGNERS["cto@example.com"], after_rita) is None
    done = evaluate_approval(
        policy,
        SIGNERS,
        FACTS,
        [
            signed("rita@example.com", "release-manager"),
            signed("quinn@example.com", "qa", minute=1),
        ],
    )
    assert done.state is State.AUTHORIZED
    assert role_to_sign(policy, SIGNERS["sam@example.com"], done) is None


def test_a_refused_signer_is_told_before_signing() -> None:
    existing = [signed("rita@example.com", "release-manager")]
    again = signed("rita@example.com", "security-officer", minute=3).message
    assert refusal_before_signing(TWO_ROLES, SIGNERS, FACTS, existing, again) == (
        "rita@example.com does not hold the role security-officer (roles: release-manager)"
    )
    sam = signed("sam@example.com", "security-officer", minute=3).message
    assert refusal_before_signing(TWO_ROLES, SIGNERS, FACTS, existing, sam) is None
    facts = FACTS.model_copy(
        update={"residual": (ResidualDuty(source="jira", key="IPC-9", justified_by="sam"),)}
    )
    assert "justifier of the residual item IPC-9" in (
        refusal_before_signing(TWO_ROLES, SIGNERS, facts, existing, sam) or ""
    )


def test_an_authorization_records_residual_assignees_are_checked() -> None:
    from tests.unit.test_record_support import record_for, snapshot

    record = record_for(snapshot())
    facts = authorization_facts(record)
    assert (facts.record_id, facts.record_digest) == (record.record_id, record.record_digest)
    assert [(d.source, d.key, d.assignee) for d in facts.residual] == [("box", "P-20", "rm")]
    signers = {
        "rm@example.com": Signer(name="R M", roles=("release-manager",), accounts={"box": "rm"})
    }
    message = build_message(
        record_kind="authorization",
        record_id=record.record_id,
        record_digest=record.record_digest,
        principal="rm@example.com",
        name="R M",
        role="release-manager",
        meaning="I approve",
        signed_at=T0,
    )
    result = evaluate_approval(
        ApprovalPolicy(), signers, facts, [CheckedSignature(message=message, valid=True)]
    )
    assert "assignee of the residual item P-20" in reasons(result)[0]
    assert review_facts("SMR-1", DIGEST).record_kind == "review"


def test_whoever_accepted_an_unresolved_anomaly_may_not_approve_the_record() -> None:
    from secgate_tui.domain import Category, Disposition
    from secgate_tui.domain.record_anomalies import RecordAnomaly
    from tests.unit.test_record_support import record_for, snapshot

    row = RecordAnomaly(
        affected=True,
        source="box",
        key="P-98",
        title="Open High vulnerability affecting 2.1",
        status="Open",
        category=Category.DEFECT_MANAGEMENT,
        disposition=Disposition.RISK_ACCEPTED,
        justification="Only reachable with physical access.",
        accepted_by="sam",
        accepted_on=T0,
    )
    record = record_for(snapshot()).model_copy(update={"unresolved_anomalies": (row,)})
    facts = authorization_facts(record)
    assert ("box", "P-98", None, "sam") in [
        (d.source, d.key, d.assignee, d.justified_by) for d in facts.residual
    ]
    signers = {
        "sam@example.com": Signer(name="S", roles=("release-manager",), accounts={"box": "sam"})
    }
    message = build_message(
        record_kind="authorization",
        record_id=record.record_id,
        record_digest=record.record_digest,
        principal="sam@example.com",
        name="S",
        role="release-manager",
        meaning="I approve",
        signed_at=T0,
    )
    result = evaluate_approval(
        ApprovalPolicy(), signers, facts, [CheckedSignature(message=message, valid=True)]
    )
    assert "justifier of the residual item P-98" in reasons(result)[0]


def test_whoever_closed_a_residual_item_with_its_resolution_may_not_approve_the_record() -> None:
    from tests.unit.test_record_support import record_for, snapshot

    members = [
        i.model_copy(update={"resolved_by": "sam", "resolved_on": T0}) if i.key == "P-20" else i
        for i in snapshot()
    ]
    record = record_for(members)
    facts = authorization_facts(record)
    assert [(d.key, d.assignee, d.justified_by) for d in facts.residual] == [("P-20", "rm", "sam")]
    signers = {
        "sam@example.com": Signer(name="S", roles=("release-manager",), accounts={"box": "sam"})
    }
    message = build_message(
        record_kind="authorization",
        record_id=record.record_id,
        record_digest=record.record_digest,
        principal="sam@example.com",
        name="S",
        role="release-manager",
        meaning="I approve",
        signed_at=T0,
    )
    result = evaluate_approval(
        ApprovalPolicy(), signers, facts, [CheckedSignature(message=message, valid=True)]
    )
    assert "justifier of the residual item P-20" in reasons(result)[0]
