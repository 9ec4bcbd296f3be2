"""When a periodic review counts as held: its sign-off state and the day the policy was met."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from secgate_tui.domain.approval import ApprovalPolicy, CheckedSignature, Signer, evaluate_approval
from secgate_tui.domain.approval_facts import review_facts
from secgate_tui.domain.review_schedule import review_schedule
from secgate_tui.services.review_signoff import (
    LEGACY_UNSIGNED,
    PENDING,
    SIGNED_OFF,
    UNSIGNED,
    SignOff,
    judged,
)
from tests.signing.helpers import DIGEST, message

RECORD_ID = "rev-0123456789abcdef0123"
POLICY = ApprovalPolicy(all_of=("management-representative", "security-officer"))
SIGNERS = {
    "rita@example.com": Signer(name="Rita", roles=("management-representative",)),
    "sam@example.com": Signer(name="Sam", roles=("security-officer",)),
}
DAY_ONE = datetime(2026, 12, 7, 23, 50, tzinfo=UTC)


def signature(principal: str, role: str, at: datetime) -> CheckedSignature:
    m = message(principal, role, record_id=RECORD_ID, digest=DIGEST, at=at, kind="review")
    return CheckedSignature(message=m, valid=True, posted_at=at + timedelta(seconds=2))


def sign_off(signatures: list[CheckedSignature]) -> SignOff:
    facts = review_facts(RECORD_ID, DIGEST, legacy=not signatures)
    return judged(RECORD_ID, signatures, evaluate_approval(POLICY, SIGNERS, facts, signatures))


def test_a_review_counts_from_the_day_its_last_needed_signature_was_given() -> None:
    first = signature("rita@example.com", "management-representative", DAY_ONE)
    pending = sign_off([first])
    assert pending.state == PENDING and not pending.counts
    assert pending.missing_roles == ("security-officer",) and pending.met_at is None

    # The security officer signs three days later, just after midnight UTC.
    second_at = DAY_ONE + timedelta(days=2, minutes=20)
    done = sign_off([first, signature("sam@example.com", "security-officer", second_at)])
    assert done.state == SIGNED_OFF and done.counts
    assert done.met_at == second_at
    met = done.met_at
    assert met is not None and met.date() == date(2026, 12, 10)
    schedule = review_schedule(met.date(), 365, second_at)
    assert schedule.due == date(2027, 12, 10) and schedule.days_left == 365


def test_a_review_without_signatures_never_counts_while_signing_is_configured() -> None:
    legacy = sign_off([])
    assert legacy.state == LEGACY_UNSIGNED and not legacy.counts and legacy.met_at is None


def test_without_signing_a_review_counts_as_it_always_did() -> None:
    unsigned = SignOff(state=UNSIGNED, record_id=RECORD_ID)
    assert unsigned.counts and unsigned.met_at is None
    assert "no [signing] table" in unsigned.describe()
