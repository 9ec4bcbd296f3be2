"""A review record's sign-off, read from the tracker: its signatures and the review policy.

A periodic review is signed like a release authorization (issue 15's sign-off):
each signature is its own ``secgate-signature`` comment on the product's review
issue, verified with OpenSSH against the allowed-signers file, and the
product's review approval policy (``[products.P.approval.review]``; default one
``release-manager``) says whether the record is ``signed-off`` or still
``pending``. A review record with no signature comment at all is
``legacy-unsigned`` (written before review signatures, or its first signature
never reached the tracker) and never satisfies the policy. Without a
``[signing]`` table nothing is signed: ``unsigned``, and the review counts as
held as it always did.

The review counts as held on the day its policy was met (the newest counted
signature's signing day), so the next review falls due from that day; a review
that is pending or legacy-unsigned does not count as held. The record itself,
written before its signatures, can only give the earliest due date;
:func:`next_due_line` is what every place that has read the signatures shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from connectors.base import Connector
from secgate_tui.config import Config
from secgate_tui.domain.approval import (
    Approval,
    ApprovalPolicy,
    CheckedSignature,
    Refusal,
    State,
)
from secgate_tui.domain.approval import evaluate_approval as evaluate_policy
from secgate_tui.domain.approval_facts import review_facts
from secgate_tui.domain.review import ReviewRecord
from secgate_tui.domain.review_schedule import next_due
from secgate_tui.domain.signature import format_time
from secgate_tui.services.authorization_state import signatures_of

RECORD_KIND: Final = "review"
SIGNED_OFF: Final = "signed-off"
PENDING: Final = "pending"
LEGACY_UNSIGNED: Final = "legacy-unsigned"
UNSIGNED: Final = "unsigned"

_STATES: Final = {
    State.AUTHORIZED: SIGNED_OFF,
    State.PENDING: PENDING,
    State.LEGACY_UNSIGNED: LEGACY_UNSIGNED,
}


@dataclass(frozen=True, kw_only=True)
class SignOff:
    """One review record's sign-off as the tracker holds it."""

    state: str
    record_id: str
    signatures: tuple[CheckedSignature, ...] = ()
    #: The signatures the policy counted (valid, in a needed role, by distinct people).
    counted: tuple[CheckedSignature, ...] = ()
    missing_roles: tuple[str, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    #: Signature comments that could not be read as a signature (edited, damaged).
    damaged: tuple[str, ...] = ()

    @property
    def counts(self) -> bool:
        """Whether the review counts as held (signed off, or nothing is signed at all)."""
        return self.state in (SIGNED_OFF, UNSIGNED)

    @property
    def met_at(self) -> datetime | None:
        """When the policy was met: the newest counted signature's signing time."""
        if self.state != SIGNED_OFF or not self.counted:
            return None
        return max(s.message.signed_time for s in self.counted)

    def held_on(self, record: ReviewRecord) -> date | None:
        """The day the review counts as held (None: it does not count yet)."""
        if self.state == UNSIGNED:
            return record.review_day
        met = self.met_at
        return met.date() if met is not None else None

    def as_json(self) -> dict[str, Any]:
        met = self.met_at
        return {
            "state": self.state,
            "record_id": self.record_id,
            "signatures": [s.as_status() for s in self.signatures],
            "missing_roles": list(self.missing_roles),
            "met_at": format_time(met) if met else None,
        }

    def describe(self) -> str:
        """One line for a person: the state, who signed and what is missing."""
        parts = [self.state.upper()]
        signed = [
            f"{s.message.name} ({s.message.role}, {s.message.signed_at}"
            f"{'' if s.valid else ', INVALID'})"
            for s in self.signatures
        ]
        if signed:
            parts.append("signed by " + "; ".join(signed))
        if self.missing_roles:
            parts.append("missing: " + ", ".join(self.missing_roles))
        if self.state == UNSIGNED:
            parts.append("no [signing] table: nobody's signature attests it")
        return ", ".join(parts)


def next_due_line(
    record: ReviewRecord, signed: SignOff | None = None, interval_days: int | None = None
) -> str:
    """What every place that shows a review's next due date says, given its sign-off.

    A review that counts gives a date: ``interval_days`` after the day it counts
    from (its sign-off day, or its period's end when nothing is signed), as
    ``review status`` computes it. One that does not count yet gives the rule and
    the earliest date, never ``record.next_due`` as if it were the due date.
    Without ``signed``, the record alone decides (an unsigned record's
    ``next_due`` is exact; a signed one's is only a floor). ``interval_days`` is
    the product's interval now (what ``review status`` counts with); default the
    record's own.
    """
    if signed is not None:
        held = signed.held_on(record)
    else:
        held = None if record.due_after_sign_off else record.review_day
    days = record.interval_days if interval_days is None else interval_days
    if held is not None:
        return (
            f"Next review due: {next_due(held, days).isoformat()} ({days} days after "
            f"{held.isoformat()}, the day this review counts from)"
        )
    return (
        f"Next review due: {days} days after the day this review's approval policy is met "
        f"by signatures, not before {next_due(record.review_day, days).isoformat()} (it "
        "does not count as "
        "held until then)"
    )


def review_policy(config: Config, product: str) -> ApprovalPolicy:
    return config.product(product).approval.policy(RECORD_KIND)


def sign_off(config: Config, connector: Connector, key: str, record: ReviewRecord) -> SignOff:
    """The sign-off of ``record`` on review issue ``key``.

    Raises:
        ConnectorError: the issue could not be searched.
        SigningSetupError: the allowed-signers file is unusable (nothing was judged).
    """
    signing = config.settings.signing
    if signing is None:
        return SignOff(state=UNSIGNED, record_id=record.record_id)
    signatures, damaged = signatures_of(signing, connector, key, record)
    approval = evaluate_signatures(config, record, signatures)
    return judged(record.record_id, signatures, approval, damaged)


def judged(
    record_id: str,
    signatures: list[CheckedSignature],
    approval: Approval,
    damaged: list[str] | None = None,
) -> SignOff:
    """The sign-off the policy's verdict ``approval`` over ``signatures`` gives."""
    return SignOff(
        state=_STATES[approval.state],
        record_id=record_id,
        signatures=tuple(signatures),
        counted=approval.counted,
        missing_roles=approval.missing_roles,
        refusals=approval.refusals,
        damaged=tuple(damaged or ()),
    )


def evaluate_signatures(
    config: Config, record: ReviewRecord, signatures: list[CheckedSignature]
) -> Approval:
    """The product's review policy over ``signatures`` of ``record``."""
    signing = config.settings.signing
    signers = signing.signers if signing else {}
    facts = review_facts(record.record_id, record.record_digest, legacy=not signatures)
    return evaluate_policy(review_policy(config, record.product), signers, facts, signatures)
