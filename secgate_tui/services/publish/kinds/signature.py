"""The signature record kind: one signer's SSH signature of an authorization record.

Each signature is its own comment on the record issue
(:mod:`secgate_tui.domain.render.signature`), published through the same
protocol as every record: prepare (who signs, in which role, with which
meaning; refused before anything is signed when the policy would not count
it) -> sign at the moment of confirmation -> post at most once, adopting an
earlier copy found by its marker -> read back -> audit log -> export the
``…_sigN.msg``/``…_sigN.sig`` files beside the record's export.

``authorize`` signs the record it has just prepared; ``approve`` signs the
newest record of the release on the tracker, only after a fresh sync gives
the same snapshot digest as that record. A UI approves the same way:
``Publisher(ctx).prepare(SIGNATURE, SignatureRequest(product=P, release=R))``,
show ``prepared.preview`` (and ``prepared.details.record``), then
``publish(prepared)`` after the confirmation (it signs then), and
:func:`secgate_tui.services.authorization_state.read_state` for the outcome.

A review record is signed by the same steps (:class:`SignatureSteps`, and
:func:`plan_signature` over a :class:`Signable`); only its preparation and the
place of its exported files differ
(:mod:`~secgate_tui.services.publish.kinds.review_signature`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import ClassVar, TypeVar

from connectors.base import AttachmentRef, Comment, CommentRef, Connector, ConnectorError
from secgate_tui.config import ConfigError
from secgate_tui.domain import Category, Issue, canonical_json
from secgate_tui.domain.approval import (
    ApprovalPolicy,
    CheckedSignature,
    RecordFacts,
    evaluate_approval,
    refusal_before_signing,
    role_to_sign,
)
from secgate_tui.domain.approval_facts import authorization_facts
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.domain.render import Rendered, dialect
from secgate_tui.domain.render.signature import (
    SignatureComment,
    manifestation,
    render_signature,
)
from secgate_tui.domain.review import ReviewRecord
from secgate_tui.domain.signature import (
    MessageError,
    SignedMessage,
    build_message,
    format_time,
    parse_message,
)
from secgate_tui.services.anchor import Anchor
from secgate_tui.services.authorization_state import (
    policy_of,
    read_signatures,
    record_issue,
)
from secgate_tui.services.context import Context
from secgate_tui.services.gate import evaluate_release
from secgate_tui.services.publish.kind import AuditPayload, Draft, RecordKind, Wording
from secgate_tui.services.publish.kinds.authorization_build import fresh_sync
from secgate_tui.services.publish.kinds.signature_export import export_signature
from secgate_tui.services.publish.kinds.signature_write import write_signature
from secgate_tui.services.publish.protocol import (
    PUBLISH_STEPS,
    Failure,
    OnStep,
    Prepared,
    Step,
    StepEvent,
)
from secgate_tui.services.signing import (
    SignatureError,
    SigningKey,
    SigningSetupError,
    check,
    sign,
    signer_principal,
    signing_key,
    trust_anchors,
)
from secgate_tui.services.store import AuditEntry
from secgate_tui.services.writeback import Written

RECORD_KIND = "authorization"
QS = TypeVar("QS")


@dataclass(frozen=True, kw_only=True)
class SignatureRecord:
    """One signature of one record; ``armored`` is empty until it is signed."""

    product: str
    release: str
    message: SignedMessage
    armored: str = ""
    fingerprint: str = ""
    #: The tracker account posting it (an earlier copy is adopted only from this account).
    poster: str = ""

    @property
    def signed(self) -> bool:
        return bool(self.armored)

    def canonical(self) -> str:
        return canonical_json(
            {
                "product": self.product,
                "release": self.release,
                "message": self.message.as_json(),
                "armored": self.armored,
                "fingerprint": self.fingerprint,
            }
        )


@dataclass(frozen=True, kw_only=True)
class SignatureRequest:
    product: str
    release: str
    #: The record to sign (``authorize``: the one it just prepared). None: the newest
    #: record on the tracker, if a fresh sync still gives its snapshot (``approve``).
    record: AuthorizationRecord | None = None
    acks: Mapping[Category, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class AlreadySigned(Failure):
    """The signer's valid signature of this very record is already in the tracker."""


@dataclass(frozen=True, kw_only=True)
class SignaturePlan:
    """What signing needs besides the message (kept out of the record)."""

    key: SigningKey
    #: The record being signed (an authorization or a review record).
    record: AuthorizationRecord | ReviewRecord
    existing: tuple[CheckedSignature, ...] = ()


class SignaturePayload(AuditPayload):
    """The audit log's signature entry (``record_id`` is the signed record's id)."""

    message: SignedMessage
    armored: str
    fingerprint: str
    comment_body: str


class SignatureSteps(RecordKind[SignatureRecord, QS]):
    """Everything a signature kind does after preparing: one comment format, one write
    (post at most once, adopt by marker, read back), one audit payload; the export is
    beside an authorization's files unless the kind says otherwise."""

    name: ClassVar[str] = "signature"
    marker: ClassVar[str] = "secgate-signature"
    wording: ClassVar[Wording] = Wording(
        record="the signature",
        not_done="The signature is NOT recorded.",
        retry="approve",
        logged="SIGNED (logged and verified)",
    )
    steps: ClassVar[tuple[Step, ...]] = (Step.SYNC, Step.EVALUATE, Step.BUILD, *PUBLISH_STEPS)

    def preview(self, prepared: Prepared[SignatureRecord]) -> str:
        record = prepared.record
        return "" if record is None else manifestation(record.message)

    # -- publish ------------------------------------------------------------------------

    def identity(self, record: SignatureRecord) -> tuple[str, str, str]:
        return record.message.record_id, record.canonical(), record.poster

    def parse(self, canonical: str) -> SignatureRecord:
        data = json.loads(canonical)
        return SignatureRecord(
            product=data["product"],
            release=data["release"],
            message=parse_message(canonical_json(data["message"]) + "\n"),
            armored=data["armored"],
            fingerprint=data["fingerprint"],
        )

    def differs(self, record: SignatureRecord, earlier: SignatureRecord) -> str | None:
        return None  # the marker binds record, digest and signer: the same signature

    def logged(self, ctx: Context, prepared: Prepared[SignatureRecord]) -> AuditEntry | None:
        # A signature is logged each time one is posted or adopted: a signer who already
        # has a signature read back is refused before signing, so an adopted comment is
        # one whose logging failed (or whose earlier copy was deleted from the tracker).
        return None

    def draft(
        self,
        ctx: Context,
        prepared: Prepared[SignatureRecord],
        notes: list[str],
        on_step: OnStep,
    ) -> Draft[SignatureRecord] | Failure:
        signed = prepared if _signed(prepared) else sign_now(ctx, prepared)
        if isinstance(signed, Failure):
            return signed
        record, target = signed.record, signed.target
        assert record is not None, "publish only a ready preparation"
        if target is None:
            return Failure(step=Step.POST, message="the record issue is not known; run again.")
        try:
            connector = ctx.connections.get(prepared.tracker)
            body = render_signature(
                record.message,
                record.armored,
                record.fingerprint,
                dialect(connector.markup),
                product=prepared.product,
            )
        except (ConfigError, ValueError) as exc:
            return Failure(step=Step.POST, message=f"the signature cannot be written: {exc}")
        return Draft(record=record, comment=Rendered(body=body), target=target)

    def write(
        self, connector: Connector, draft: Draft[SignatureRecord], author: str
    ) -> Written | None:
        record = draft.record

        def canonical(found: SignatureComment) -> str:
            return SignatureRecord(
                product=record.product,
                release=record.release,
                message=found.message,
                armored=found.armored,
                fingerprint=found.fingerprint,
            ).canonical()

        def rendered(found: SignatureComment) -> str:
            return render_signature(
                found.message,
                found.armored,
                found.fingerprint,
                dialect(connector.markup),
                product=record.product,
            )

        return write_signature(
            connector,
            draft.target,
            record.message,
            draft.comment.body,
            canonical,
            author_is_me=lambda account: account == author,
            rendered=rendered,
        )

    def payload(
        self,
        record: SignatureRecord,
        base: AuditPayload,
        comment: Comment,
        attachment: AttachmentRef | None,
    ) -> SignaturePayload:
        return SignaturePayload(
            **base.fields(),
            message=record.message,
            armored=record.armored,
            fingerprint=record.fingerprint,
            comment_body=comment.body,
        )

    def export(
        self,
        records_dir: Path,
        record: SignatureRecord,
        tracker: str,
        ref: CommentRef,
        anchor: Anchor | None,
    ) -> tuple[Path, ...]:
        return export_signature(
            records_dir, record.product, record.release, record.message, record.armored
        )

    def done_message(self, record: SignatureRecord) -> str:
        m = record.message
        return (
            f"the signature of {m.name} ({m.role}) on record {m.record_id} is in the tracker, "
            "read back intact, logged and exported"
        )


class SignatureKind(SignatureSteps[SignatureRequest]):
    """A signature of an authorization record (``authorize``, ``approve``)."""

    # -- prepare ------------------------------------------------------------------------

    def prepare(
        self,
        ctx: Context,
        request: SignatureRequest,
        clock: Callable[[], datetime],
        on_step: OnStep,
    ) -> Prepared[SignatureRecord]:
        def ended(failure: Failure) -> Prepared[SignatureRecord]:
            on_step(
                StepEvent(step=failure.step or Step.BUILD, state="failed", detail=failure.message)
            )
            return Prepared(
                kind=self, product=request.product, subject=request.release, failure=failure
            )

        target: str | None
        try:
            if request.record is None:
                found = _current(ctx, request, clock, on_step)
                if isinstance(found, Failure):
                    return ended(found)
                record, tracker, target, existing = found
                connector = ctx.connections.get(tracker)
            else:
                record, target, existing = _tracker_copy(ctx, request, request.record)
                tracker = record.authorizer.tracker
                connector = ctx.connections.get(tracker)
            on_step(StepEvent(step=Step.BUILD, state="started"))
            planned = _plan(ctx, request, record, existing, connector, clock)
        except ConnectorError as exc:
            return ended(
                Failure(
                    step=Step.BUILD,
                    message=f"the tracker could not be read: {exc.message} Nothing was signed.",
                )
            )
        except (ConfigError, SigningSetupError) as exc:
            return ended(Failure(step=Step.BUILD, message=str(exc)))
        if isinstance(planned, Failure):
            return ended(planned)
        signature, plan = planned
        on_step(StepEvent(step=Step.BUILD, state="done", detail=signature.message.principal))
        return Prepared(
            kind=self,
            product=request.product,
            subject=request.release,
            record=signature,
            tracker=tracker,
            target=target,
            details=plan,
        )


SIGNATURE = SignatureKind()


def _signed(prepared: Prepared[SignatureRecord]) -> bool:
    return prepared.record is not None and prepared.record.signed


def sign_now(
    ctx: Context,
    prepared: Prepared[SignatureRecord],
    record: AuthorizationRecord | ReviewRecord | None = None,
) -> Prepared[SignatureRecord] | Failure:
    """Sign at this moment (the confirmation): the message's time is now.

    ``record`` replaces the record being signed (an authorization adopted from an
    earlier attempt has that attempt's digest). Nothing is posted here; a failure
    (wrong passphrase, no agent, a key the allowed-signers file does not list)
    means nothing will be.
    """
    draft, plan = prepared.record, prepared.details
    assert draft is not None and isinstance(plan, SignaturePlan), "sign a ready preparation"
    signing = ctx.config.settings.signing
    target = record or plan.record
    try:
        message = draft.message.model_copy(
            update={
                "signed_at": format_time(ctx.clock()),
                "record_id": target.record_id,
                "record_digest": target.record_digest,
            }
        )
        signature = sign(message, plan.key)
        checked = check(message, signature.armored, trust_anchors(signing))
    except SignatureError as exc:
        return Failure(step=Step.POST, message=f"{exc} The signature is NOT recorded.")
    except SigningSetupError as exc:
        return Failure(step=Step.POST, message=str(exc))
    if not checked.valid:
        return Failure(
            step=Step.POST,
            blocked=True,
            message=f"your signature does not verify against the allowed-signers file: "
            f"{checked.problem} Nothing was posted.",
        )
    signed = dataclasses.replace(
        draft, message=message, armored=signature.armored, fingerprint=signature.fingerprint
    )
    return dataclasses.replace(
        prepared, record=signed, details=dataclasses.replace(plan, record=target)
    )


def _current(
    ctx: Context, request: SignatureRequest, clock: Callable[[], datetime], on_step: OnStep
) -> tuple[AuthorizationRecord, str, str, list[CheckedSignature]] | Failure:
    """``approve``: the newest record, if a fresh sync still gives its snapshot.

    Raises:
        ConnectorError, ConfigError, SigningSetupError: as the caller reports them.
    """
    product, release = request.product, request.release
    unsynced = fresh_sync(ctx, product, release, request.acks, clock, on_step)
    if unsynced is not None:
        return Failure(step=Step.SYNC, message=unsynced[0])
    on_step(StepEvent(step=Step.EVALUATE, state="started"))
    verdict, issues = evaluate_release(
        ctx.config, ctx.store, product, release, clock(), request.acks
    )
    issue = record_issue(ctx, product, release)
    latest = issue.latest
    if latest is None or issue.key is None:
        return Failure(
            step=Step.EVALUATE,
            blocked=True,
            message=f"{product} {release} has no authorization record in tracker "
            f"'{issue.tracker}' to approve. Run authorize first.",
        )
    record = latest.record
    if not verdict.passed:
        return Failure(
            step=Step.EVALUATE,
            blocked=True,
            message="the gate is BLOCKED now, so record "
            f"{record.record_id} cannot be approved: " + "; ".join(verdict.reasons),
        )
    if verdict.snapshot_digest != record.snapshot_digest:
        return Failure(
            step=Step.EVALUATE,
            blocked=True,
            message=f"the release changed since record {record.record_id} was written "
            f"({changes(record, issues)}), so a signature would approve what nobody "
            "reviewed. Nothing was signed. Run authorize again: the new record supersedes "
            "this one, and its signers sign it.",
        )
    on_step(StepEvent(step=Step.EVALUATE, state="done", detail=f"PASS, same as {record.record_id}"))
    existing, _ = read_signatures(ctx, issue.connector, issue.key, record)
    if not existing:
        return Failure(
            step=Step.EVALUATE,
            blocked=True,
            message=f"record {record.record_id} carries no signature (legacy-unsigned: written "
            "before signatures, or its authorizer's signature never reached the tracker), so "
            "approve does not add signatures to it. Run `secgate authorize` again: on the same "
            "snapshot it adopts this record and the authorizer signs it first; a record "
            "written before signatures is superseded by a new, signed one. Nothing was signed.",
        )
    return record, issue.tracker, issue.key, existing


def _tracker_copy(
    ctx: Context, request: SignatureRequest, record: AuthorizationRecord
) -> tuple[AuthorizationRecord, str | None, list[CheckedSignature]]:
    """``authorize``: the tracker's copy of the record when it is there already (a rerun on
    the same snapshot adopts it), with its signatures; else the record as prepared.

    Raises:
        ConnectorError, ConfigError, SigningSetupError: as the caller reports them.
    """
    issue = record_issue(ctx, request.product, request.release)
    for found in reversed(issue.records):
        if found.record.record_id == record.record_id and issue.key is not None:
            existing, _ = read_signatures(ctx, issue.connector, issue.key, found.record)
            return found.record, issue.key, existing
    return record, issue.key, []


def changes(record: AuthorizationRecord, issues: list[Issue]) -> str:
    """What differs between the issues a record lists and the issues synced now."""
    before = {
        (i.source, i.key): (i.status, i.closed, i.disposition)
        for c in record.categories
        for i in c.issues
    }
    now = {(i.source, i.key): (i.status, i.closed, i.disposition) for i in issues}
    added = sorted(k for k in now if k not in before)
    removed = sorted(k for k in before if k not in now)
    changed = sorted(k for k in before if k in now and before[k] != now[k])
    parts = []
    for what, keys in (("new", added), ("gone", removed), ("changed", changed)):
        if keys:
            shown = ", ".join(key for _, key in keys[:8]) + (" …" if len(keys) > 8 else "")
            parts.append(f"{what}: {shown}")
    if not parts:
        return "the issues' contents changed (the snapshot digest differs)"
    return "; ".join(parts)


def _plan(
    ctx: Context,
    request: SignatureRequest,
    record: AuthorizationRecord,
    existing: list[CheckedSignature],
    connector: Connector,
    clock: Callable[[], datetime],
) -> tuple[SignatureRecord, SignaturePlan] | Failure:
    """Who signs the authorization record, in which role; refused before anything is signed.

    Raises:
        SigningSetupError, ConfigError, ConnectorError: as the caller reports them.
    """
    subject = Signable(
        record_kind=RECORD_KIND,
        record=record,
        policy=policy_of(ctx, request.product),
        facts=authorization_facts(record, legacy=not existing),
        release=request.release,
    )
    return plan_signature(ctx, request.product, subject, existing, connector, clock)


@dataclass(frozen=True, kw_only=True)
class Signable:
    """What one record kind gives signing: the record, its policy and its facts."""

    record_kind: str
    record: AuthorizationRecord | ReviewRecord
    policy: ApprovalPolicy
    facts: RecordFacts
    #: ``{release}`` in the meaning, and the signature record's release ("" for a review).
    release: str


def plan_signature(
    ctx: Context,
    product: str,
    subject: Signable,
    existing: list[CheckedSignature],
    connector: Connector,
    clock: Callable[[], datetime],
) -> tuple[SignatureRecord, SignaturePlan] | Failure:
    """Who signs, in which role and with which meaning; refused before anything is signed.

    Raises:
        SigningSetupError, ConfigError, ConnectorError: as the caller reports them.
    """
    signing = ctx.config.settings.signing
    key = signing_key(signing)
    assert signing is not None  # signing_key raised otherwise
    record, policy = subject.record, subject.policy
    try:
        principal = signer_principal(signing, key)
    except SigningSetupError as exc:
        return Failure(step=Step.BUILD, blocked=True, message=str(exc))
    signer = signing.signers.get(principal)
    if signer is None:
        return Failure(
            step=Step.BUILD,
            blocked=True,
            message=f"{principal} is not a signer in the configuration (signing.signers), "
            "so a signature by them has no role and would not count. Nothing was signed.",
        )
    approval = evaluate_approval(policy, signing.signers, subject.facts, existing)
    if any(s.message.principal == principal for s in approval.counted):
        done = "SIGNED OFF" if subject.record_kind == "review" else "AUTHORIZED"
        state = done if not approval.missing_roles else "PENDING"
        return AlreadySigned(
            step=Step.BUILD,
            blocked=True,
            message=f"{principal} already signed record {record.record_id} (it is {state}"
            + (f"; missing: {', '.join(approval.missing_roles)}" if approval.missing_roles else "")
            + "). One person signs a record once. Nothing was signed.",
        )
    role = role_to_sign(policy, signer, approval)
    if role is None:
        held = ", ".join(signer.roles)
        needed = ", ".join(approval.missing_roles) or "no further signature"
        return Failure(
            step=Step.BUILD,
            blocked=True,
            message=f"{principal} holds the role(s) {held}, but record {record.record_id} "
            f"needs {needed}. Nothing was signed.",
        )
    settings = ctx.config.product(product)
    try:
        message = build_message(
            record_kind=subject.record_kind,
            record_id=record.record_id,
            record_digest=record.record_digest,
            principal=principal,
            name=signer.name,
            role=role,
            meaning=policy.meaning_for(
                subject.record_kind, role, product=settings.name, release=subject.release
            ),
            signed_at=clock(),
        )
    except (MessageError, ValueError) as exc:
        return Failure(step=Step.BUILD, message=f"the signature cannot be prepared: {exc}")
    refusal = refusal_before_signing(policy, signing.signers, subject.facts, existing, message)
    if refusal is not None:
        return Failure(
            step=Step.BUILD,
            blocked=True,
            message=f"your signature would not count: {refusal}. Nothing was signed.",
        )
    poster = connector.whoami().id
    signature = SignatureRecord(
        product=product, release=subject.release, message=message, poster=poster
    )
    return signature, SignaturePlan(key=key, record=record, existing=tuple(existing))
