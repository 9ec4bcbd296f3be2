"""Who may sign, what a record kind's approval policy requires, and whether it is met.

Pure: :func:`evaluate_approval` takes the policy, the signers known to the
configuration, the record's facts and the signatures found for it (each
already checked by OpenSSH, or not) and says whether the record is
``authorized`` or still ``pending``, which roles are missing, and which
signatures do not count and why. A record from before signatures
(``legacy-unsigned``) never satisfies a policy that requires signatures.

Separation of duties (on by default) means: one person signs a record once,
and nobody approves a residual item they are assignee of or justified. A
person is a principal; their tracker account ids (per tracker) are what is
compared with assignees and justifiers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from secgate_tui.domain.signature import (
    MessageError,
    Role,
    SignedMessage,
    check_binds,
    format_time,
)

#: How long after signing the comment may be posted (passphrase, token touch, retries).
MAX_SIGN_TO_POST: Final = timedelta(minutes=30)
#: How far the signer's clock may run ahead of the tracker's.
CLOCK_SKEW: Final = timedelta(minutes=5)

DEFAULT_MEANINGS: Final[Mapping[str, str]] = {
    "authorization": (
        "I approve release {release} of {product} for distribution: the security "
        "activities of IEC 81001-5-1 5.8 are complete and the listed residual risks "
        "are accepted"
    ),
    "review": (
        "I have reviewed this periodic security review of {product} for the period it "
        "covers (IEC 81001-5-1 4.1.8): its findings, conclusions and improvement actions "
        "are correct and complete"
    ),
}


def _as_tuple(value: object) -> object:
    return (value,) if isinstance(value, str) else value


class Signer(BaseModel):
    """A person allowed to sign, as the configuration knows them (keyed by principal)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="Printed name (11.50).")
    roles: tuple[Role, ...] = Field(min_length=1)
    #: Tracker name (as in ``[trackers.X]``) -> the person's account ids/names there.
    accounts: dict[str, Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]] = Field(
        default_factory=dict
    )

    def is_account(self, tracker: str, person: str | None) -> bool:
        """Whether ``person`` (an assignee or justifier on ``tracker``) is this signer."""
        if not person:
            return False
        wanted = person.strip().casefold()
        return any(a.strip().casefold() == wanted for a in self.accounts.get(tracker, ()))


class RolesQuorum(BaseModel):
    """``count`` signatures by distinct signers holding any of ``roles``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int = Field(ge=1)
    # Several signers may hold one role, so ``count`` may exceed ``len(roles)``.
    roles: tuple[Role, ...] = Field(min_length=1)


class ApprovalPolicy(BaseModel):
    """The signatures one record kind of one product needs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    all_of: tuple[Role, ...] = Field(
        ("release-manager",), description="Roles that must each sign (one signer per role)."
    )
    n_of: RolesQuorum | None = Field(
        None, description="Additionally, N signatures by distinct signers with any of these roles."
    )
    separation_of_duties: bool = Field(
        True,
        description="One signature per person; no signer approves a residual item they "
        "are assignee of or justified.",
    )
    meaning: dict[Role, str] = Field(
        default_factory=dict,
        description="What a signature by this role attests ({product}, {release} filled in).",
    )

    @property
    def requires_signatures(self) -> bool:
        return bool(self.all_of) or self.n_of is not None

    def meaning_for(self, record_kind: str, role: str, *, product: str, release: str) -> str:
        """The meaning a signer of ``role`` attests on this product's release (or review)."""
        template = self.meaning.get(role) or DEFAULT_MEANINGS.get(record_kind, "")
        if not template:
            raise ValueError(f"no meaning configured for role {role} on {record_kind} records")
        return template.replace("{product}", product).replace("{release}", release)


class ResidualDuty(BaseModel):
    """A residual item as separation of duties sees it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    key: str
    assignee: str | None = None
    justified_by: str | None = None


class RecordFacts(BaseModel):
    """What the policy needs to know about the record being approved."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record_kind: str
    record_id: str
    record_digest: str
    residual: tuple[ResidualDuty, ...] = ()
    #: Written before signatures existed (no signature can be attached to it).
    legacy: bool = False


class CheckedSignature(BaseModel):
    """A signature read back from the tracker, with OpenSSH's verdict on it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message: SignedMessage
    fingerprint: str = ""
    #: Verified by ``ssh-keygen -Y verify`` against the allowed-signers file.
    valid: bool
    #: Why it is not valid (unknown key, revoked, expired, bad signature...).
    problem: str | None = None
    #: When the tracker says the signature's comment was posted (None: not known).
    posted_at: AwareDatetime | None = None

    def as_status(self) -> dict[str, Any]:
        """The signature as ``status --json`` lists it."""
        m = self.message
        return {
            "principal": m.principal,
            "name": m.name,
            "role": m.role,
            "meaning": m.meaning,
            "signed_at": m.signed_at,
            "valid": self.valid,
        }


class State(StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    LEGACY_UNSIGNED = "legacy-unsigned"


class Refusal(BaseModel):
    """A signature that does not count, and why (worded for the person who signed)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    principal: str
    role: str
    reason: str


class Approval(BaseModel):
    """The policy's verdict on one record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    state: State
    counted: tuple[CheckedSignature, ...]
    missing_roles: tuple[str, ...]
    refusals: tuple[Refusal, ...]
    #: Signatures the N-of set still needs (0 without one).
    quorum_missing: int = 0


def signature_refusal(
    signature: CheckedSignature,
    *,
    facts: RecordFacts,
    signers: Mapping[str, Signer],
    policy: ApprovalPolicy,
) -> str | None:
    """Why this one signature cannot count for this record, or None.

    Checked before signing too (so a refused signer never posts), and again
    over every signature read back.
    """
    message = signature.message
    try:
        check_binds(
            message,
            record_kind=facts.record_kind,
            record_id=facts.record_id,
            record_digest=facts.record_digest,
        )
    except MessageError as exc:
        return str(exc)
    if not signature.valid:
        return signature.problem or "the signature did not verify"
    timing = _posting_time_refusal(signature)
    if timing is not None:
        return timing
    signer = signers.get(message.principal)
    if signer is None:
        return (
            f"{message.principal} is not a signer in secgate's configuration "
            "(signing.signers), so no role can be given to the signature"
        )
    if message.role not in signer.roles:
        held = ", ".join(signer.roles)
        return f"{message.principal} does not hold the role {message.role} (roles: {held})"
    if message.role not in _roles(policy):
        return f"the approval policy does not ask for the role {message.role}"
    if policy.separation_of_duties:
        for item in facts.residual:
            for person, how in ((item.assignee, "assignee"), (item.justified_by, "justifier")):
                if signer.is_account(item.source, person):
                    return (
                        f"separation of duties: {message.principal} is {how} of the "
                        f"residual item {item.key} and may not approve it"
                    )
    return None


def _posting_time_refusal(signature: CheckedSignature) -> str | None:
    """A signing time far from the posting time is refused: it could dodge a key's expiry.

    The message's time is the signer's own claim; the tracker's posting time is
    not under the signer's control. Signing happens moments before posting
    (a passphrase or a token's touch in between), so they must be close.
    """
    if signature.posted_at is None:
        return None
    signed = signature.message.signed_time
    if signed - CLOCK_SKEW <= signature.posted_at <= signed + MAX_SIGN_TO_POST:
        return None
    posted = format_time(signature.posted_at)
    return (
        f"the signature by {signature.message.principal} states the signing time "
        f"{signature.message.signed_at}, but its comment was posted at {posted}: a signing "
        "time is the moment of signing, so the signature does not count"
    )


def _count(policy: ApprovalPolicy) -> int:
    return policy.n_of.count if policy.n_of else 0


def _roles(policy: ApprovalPolicy) -> set[str]:
    return set(policy.all_of) | set(policy.n_of.roles if policy.n_of else ())


def evaluate_approval(
    policy: ApprovalPolicy,
    signers: Mapping[str, Signer],
    facts: RecordFacts,
    signatures: Sequence[CheckedSignature],
) -> Approval:
    """Which signatures count, what is missing, and whether the record is authorized.

    Signatures are taken in signing order (then principal, for a stable answer):
    the first signature of a person counts, a later one by the same person is
    refused under separation of duties. Each counted signature fills one role:
    a required role first, else a place in the N-of set.
    """
    ordered = sorted(signatures, key=lambda s: (s.message.signed_at, s.message.principal))
    counted: list[CheckedSignature] = []
    refusals: list[Refusal] = []
    people: set[str] = set()
    signed: set[tuple[str, str]] = set()
    filled: set[str] = set()
    quorum = 0
    quorum_roles = set(policy.n_of.roles) if policy.n_of else set()
    for signature in ordered:
        message = signature.message
        reason = signature_refusal(signature, facts=facts, signers=signers, policy=policy)
        if reason is None and (message.principal, message.role) in signed:
            reason = f"{message.principal} already signed this record as {message.role}"
        if reason is None and message.principal in people and policy.separation_of_duties:
            reason = f"separation of duties: {message.principal} already signed this record"
        if reason is None and message.role in filled and message.role not in quorum_roles:
            reason = f"the role {message.role} already signed this record"
        if reason is None and message.role not in filled and message.role in policy.all_of:
            filled.add(message.role)
        elif reason is None and message.role in quorum_roles and quorum < _count(policy):
            quorum += 1
        elif reason is None:
            reason = f"no further {message.role} signature is needed"
        if reason is not None:
            refusals.append(Refusal(principal=message.principal, role=message.role, reason=reason))
            continue
        people.add(message.principal)
        signed.add((message.principal, message.role))
        counted.append(signature)
    missing = [role for role in policy.all_of if role not in filled]
    if policy.n_of and quorum < policy.n_of.count:
        choices = ", ".join(sorted(set(policy.n_of.roles)))
        missing.append(f"{policy.n_of.count - quorum} more of {choices}")
    if facts.legacy and not signatures:
        state = State.LEGACY_UNSIGNED
    elif missing or (facts.legacy and policy.requires_signatures):
        state = State.PENDING
    else:
        state = State.AUTHORIZED
    return Approval(
        state=state,
        counted=tuple(counted),
        missing_roles=tuple(missing),
        refusals=tuple(refusals),
        quorum_missing=max(0, _count(policy) - quorum),
    )


def role_to_sign(policy: ApprovalPolicy, signer: Signer, approval: Approval) -> str | None:
    """The role a signer's next signature would fill: a missing required role they hold,
    else a place in the N-of set; None when nothing they hold is still needed."""
    for role in policy.all_of:
        if role in approval.missing_roles and role in signer.roles:
            return role
    if policy.n_of is not None and approval.quorum_missing > 0:
        for role in policy.n_of.roles:
            if role in signer.roles:
                return role
    return None


def refusal_before_signing(
    policy: ApprovalPolicy,
    signers: Mapping[str, Signer],
    facts: RecordFacts,
    existing: Sequence[CheckedSignature],
    message: SignedMessage,
) -> str | None:
    """Why a signature with ``message`` would not count, asked before anything is signed.

    The new signature is assumed valid (OpenSSH checks it once made); every
    other rule (role, separation of duties, same signer twice, not needed) is
    applied exactly as on read-back, so a refused signer never posts.
    """
    candidate = CheckedSignature(message=message, valid=True)
    result = evaluate_approval(policy, signers, facts, [*existing, candidate])
    if any(s is candidate for s in result.counted):
        return None
    for refusal in reversed(result.refusals):
        if (refusal.principal, refusal.role) == (message.principal, message.role):
            return refusal.reason
    return "the signature would not count"
