"""Two signers end to end without a tracker: sign, render, read back, verify, evaluate."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from secgate_tui.domain.approval import (
    ApprovalPolicy,
    CheckedSignature,
    RecordFacts,
    ResidualDuty,
    Signer,
    State,
    evaluate_approval,
)
from secgate_tui.domain.render import dialect
from secgate_tui.domain.render.signature import extract_signature, render_signature
from secgate_tui.services.signing import SigningKey, TrustAnchors, check_comment, sign, verify
from secgate_tui.services.signing.demo import (
    RELEASE_MANAGER,
    SECURITY_OFFICER,
    install_demo_signing,
)
from tests.signing.helpers import DIGEST, SIGNED_AT, message
from tests.signing.keys import Agent, Keys

RECORD = RecordFacts(
    record_kind="authorization",
    record_id="SRA-0123456789abcdef0123",
    record_digest=DIGEST,
    residual=(ResidualDuty(source="jira", key="IPC-7", assignee="dave"),),
)
POLICY = ApprovalPolicy(all_of=("release-manager", "security-officer"))
SIGNERS = {
    "rita@example.com": Signer(name="Rita", roles=("release-manager",), accounts={"jira": "rita"}),
    "sam@example.com": Signer(name="Sam", roles=("security-officer",), accounts={"jira": "sam"}),
    "dave@example.com": Signer(name="Dave", roles=("security-officer",), accounts={"jira": "dave"}),
}


def posted_and_read_back(
    principal: str, role: str, key: SigningKey, markup: str, minutes: int, anchors: TrustAnchors
) -> CheckedSignature:
    m = message(principal, role, at=SIGNED_AT + timedelta(minutes=minutes))
    signature = sign(m, key)
    body = render_signature(m, signature.armored, signature.fingerprint, dialect(markup))
    found = extract_signature(body, record_id=RECORD.record_id, principal=principal)
    return check_comment(found, anchors, posted_at=m.signed_time + timedelta(seconds=3))


@pytest.mark.parametrize("markup", ["plain", "jira-wiki", "markdown", "textile"])
def test_release_manager_then_security_officer_authorize(
    markup: str, keys: Keys, in_agent: Agent, askpass: Callable[[str], None]
) -> None:
    rita = keys.make("rita@example.com")
    in_agent.add(rita.private)
    sam = keys.make("sam@example.com", passphrase="sam's passphrase")
    askpass("sam's passphrase")
    anchors = TrustAnchors(allowed_signers=keys.allowed((rita, ""), (sam, "")))

    first = posted_and_read_back(
        rita.principal, "release-manager", SigningKey.at(rita.public), markup, 0, anchors
    )
    pending = evaluate_approval(POLICY, SIGNERS, RECORD, [first])
    assert (pending.state, pending.missing_roles) == (State.PENDING, ("security-officer",))

    second = posted_and_read_back(
        sam.principal, "security-officer", SigningKey.at(sam.private), markup, 5, anchors
    )
    done = evaluate_approval(POLICY, SIGNERS, RECORD, [first, second])
    assert done.state is State.AUTHORIZED
    assert done.refusals == ()


def test_refusals_with_real_signatures(keys: Keys) -> None:
    rita, sam, dave = (keys.make(p) for p in SIGNERS)
    outsider = keys.make("eve@example.com")
    anchors = TrustAnchors(allowed_signers=keys.allowed((rita, ""), (sam, ""), (dave, "")))
    key = {k.principal: SigningKey.at(k.private) for k in (rita, sam, dave, outsider)}
    signatures = [
        posted_and_read_back(
            "rita@example.com", "release-manager", key[rita.principal], "plain", 0, anchors
        ),
        # Rita again, as security officer: a role she does not hold.
        posted_and_read_back(
            "rita@example.com", "security-officer", key[rita.principal], "plain", 1, anchors
        ),
        # Dave is the assignee of the residual item IPC-7.
        posted_and_read_back(
            "dave@example.com", "security-officer", key[dave.principal], "plain", 2, anchors
        ),
        # Eve's key is in no allowed-signers file; she claims to be Sam.
        posted_and_read_back(
            "sam@example.com", "security-officer", key[outsider.principal], "plain", 3, anchors
        ),
    ]
    result = evaluate_approval(POLICY, SIGNERS, RECORD, signatures)
    assert result.state is State.PENDING
    assert result.missing_roles == ("security-officer",)
    reasons = [r.reason for r in result.refusals]
    assert "does not hold the role security-officer" in reasons[0]
    assert (
        "separation of duties: dave@example.com is assignee of the residual item IPC-7"
        in reasons[1]
    )
    assert "not in the allowed-signers file" in reasons[2]


def test_the_demo_keys_sign_and_verify_from_a_private_copy(tmp_path: Path) -> None:
    demo = install_demo_signing(tmp_path / "data")
    assert stat.S_IMODE(demo.directory.stat().st_mode) == 0o700
    anchors = TrustAnchors(allowed_signers=demo.allowed_signers)
    for principal, role in (
        (RELEASE_MANAGER, "release-manager"),
        (SECURITY_OFFICER, "security-officer"),
    ):
        assert stat.S_IMODE(demo.keys[principal].stat().st_mode) == 0o600
        assert role in demo.settings["signers"][principal]["roles"]
        m = message(principal, role)
        verify(m, sign(m, SigningKey.at(demo.keys[principal])).armored, anchors)
    # Installing again (every demo run) keeps the same, still private, files.
    demo.keys[RELEASE_MANAGER].chmod(0o644)
    again = install_demo_signing(tmp_path / "data")
    assert stat.S_IMODE(again.keys[RELEASE_MANAGER].stat().st_mode) == 0o600


def test_a_comment_naming_another_key_does_not_count(keys: Keys) -> None:
    rita, sam = keys.make("rita@example.com"), keys.make("sam@example.com")
    anchors = TrustAnchors(allowed_signers=keys.allowed((rita, ""), (sam, "")))
    m = message(rita.principal)
    signature = sign(m, SigningKey.at(rita.private))
    other = sign(message(sam.principal), SigningKey.at(sam.private)).fingerprint
    body = render_signature(m, signature.armored, signature.fingerprint, dialect("markdown"))
    edited = extract_signature(body.replace(signature.fingerprint, other))
    checked = check_comment(edited, anchors)
    assert not checked.valid
    assert "the comment was edited" in (checked.problem or "")
    assert check_comment(extract_signature(body), anchors).valid
