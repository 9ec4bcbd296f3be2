"""The authorization record kind: the release gate's decision, written back (DESIGN.md, 1-6).

Preparing syncs every source of the release afresh, evaluates the gate and
builds the record as ``whoami()`` of the record issue's tracker. The record id
(from product, release, snapshot, authorizer, activity evidence and
acknowledgements) lets a retry find a comment an earlier attempt posted; the
predecessor a record supersedes is taken from the record issue as well as the
local log, so the chain holds across machines.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from connectors.base import AttachmentRef, Comment, CommentRef, ConnectorError
from secgate_tui import __version__
from secgate_tui.config import ConfigError
from secgate_tui.domain import Category, Issue, Verdict, canonical_json, sha256_hex
from secgate_tui.domain.criteria import Applied, gate_criteria
from secgate_tui.domain.record import (
    RECORD_KIND,
    AuthorizationRecord,
    build_record,
    parse_record,
)
from secgate_tui.domain.render import RecordTooLargeError, Rendered, dialect, render_record
from secgate_tui.domain.software import Retrospective, SoftwareIdentity
from secgate_tui.services.anchor import Anchor
from secgate_tui.services.authorization_chain import earlier_format_copy, predecessor, revision
from secgate_tui.services.context import Context
from secgate_tui.services.export import export_record
from secgate_tui.services.gate import evaluate_release
from secgate_tui.services.publish.kind import AuditPayload, Draft, Logged, RecordKind, Wording
from secgate_tui.services.publish.kinds.authorization_build import (
    chain_records,
    fresh_sync,
    known_records,
    record_issue,
    separation_of_duties,
    where_and_who,
)
from secgate_tui.services.publish.kinds.authorization_identity import (
    identity_refusal,
    with_sbom,
)
from secgate_tui.services.publish.kinds.authorization_payload import AuthorizationPayload
from secgate_tui.services.publish.protocol import (
    PUBLISH_STEPS,
    Failure,
    OnStep,
    Prepared,
    Step,
    StepEvent,
    failed_verdict,
)
from secgate_tui.services.release_dates import ReleaseDatesError, synced_releases
from secgate_tui.services.retrospective import retrospective_for
from secgate_tui.services.store import AuditEntry
from secgate_tui.services.verify import verify_entry
from secgate_tui.services.vex_inputs import VexInputs


@dataclass(frozen=True, kw_only=True)
class AuthorizationRequest:
    product: str
    release: str
    acks: Mapping[Category, str] = field(default_factory=dict)
    #: SBOM/VEX files given on the command line (evaluated like `status --sbom/--vex`).
    vex_inputs: VexInputs | None = None
    #: Artifacts and commit named on the command line (the SBOM digest comes from the
    #: vulnerability assessment's SBOM).
    software: SoftwareIdentity | None = None
    #: ``--retrospective``: why a release the tracker shows as shipped is authorized now.
    retrospective: str | None = None


class AuthorizationKind(RecordKind[AuthorizationRecord, AuthorizationRequest]):
    name: ClassVar[str] = "authorization"
    marker: ClassVar[str] = RECORD_KIND
    wording: ClassVar[Wording] = Wording(
        record="the record",
        not_done="The release is NOT authorized.",
        retry="authorize",
        logged="AUTHORIZED (logged and verified)",
    )
    steps: ClassVar[tuple[Step, ...]] = (Step.SYNC, Step.EVALUATE, Step.BUILD, *PUBLISH_STEPS)

    # -- prepare: sync, evaluate, build -------------------------------------------------

    def prepare(
        self,
        ctx: Context,
        request: AuthorizationRequest,
        clock: Callable[[], datetime],
        on_step: OnStep,
    ) -> Prepared[AuthorizationRecord]:
        product, release, acks = request.product, request.release, request.acks

        def ended(
            step: Step, message: str, verdict: Verdict | None, blocked: bool = False
        ) -> Prepared[AuthorizationRecord]:
            on_step(StepEvent(step=step, state="failed", detail=message))
            return Prepared(
                kind=self,
                product=product,
                subject=release,
                verdict=verdict or failed_verdict(message, clock()),
                failure=Failure(step=step, message=message, blocked=blocked),
            )

        unsynced = fresh_sync(ctx, product, release, acks, clock, on_step)
        if unsynced is not None:
            return ended(Step.SYNC, *unsynced)
        try:
            # The lists the fresh sync just read: no second read of them.
            releases = synced_releases(ctx.syncer, product)
        except ReleaseDatesError as exc:
            return ended(
                Step.SYNC,
                f"{exc} secgate cannot tell whether the release already shipped (a "
                "retrospective authorization). Nothing was written; run again.",
                None,
            )
        on_step(StepEvent(step=Step.EVALUATE, state="started"))
        verdict, issues = evaluate_release(
            ctx.config, ctx.store, product, release, clock(), acks, request.vex_inputs, releases
        )
        if not verdict.passed:
            message = "the gate is BLOCKED: " + "; ".join(verdict.reasons)
            return ended(Step.EVALUATE, message, verdict, blocked=True)
        retrospective = retrospective_for(releases, release, request.retrospective)
        if isinstance(retrospective, str):
            return ended(Step.EVALUATE, retrospective, verdict, blocked=True)
        software = with_sbom(request.software, verdict)
        refusal = identity_refusal(ctx.config.product(product).software, software)
        if refusal is not None:
            return ended(Step.EVALUATE, refusal, verdict, blocked=True)
        on_step(StepEvent(step=Step.EVALUATE, state="done", detail="PASS"))
        on_step(StepEvent(step=Step.BUILD, state="started"))
        built = self._build(ctx, request, verdict, issues, clock, software, retrospective)
        if isinstance(built, Failure):
            return ended(Step.BUILD, built.message, verdict, blocked=built.blocked)
        on_step(
            StepEvent(
                step=Step.BUILD, state="done", detail=built.record.record_id if built.record else ""
            )
        )
        return built

    def _build(
        self,
        ctx: Context,
        request: AuthorizationRequest,
        verdict: Verdict,
        issues: list[Issue],
        clock: Callable[[], datetime],
        software: SoftwareIdentity | None = None,
        retrospective: Retrospective | None = None,
    ) -> Prepared[AuthorizationRecord] | Failure:
        product, release = request.product, request.release
        settings = ctx.config.product(product)
        found = where_and_who(ctx, product, release)
        if isinstance(found, Failure):
            return found
        connector, target, authorizer = found
        tracker = authorizer.tracker
        policy = ctx.config.product_policy(product)
        applied = Applied(
            policy=settings.gate_policy(ctx.config.policy, request.acks, product_id=product),
            activities=verdict.activities,
            separation_of_duties=policy.separation_of_duties,
            own_keys=ctx.config.own_policy_keys(product),
        )
        try:
            record = build_record(
                product=product,
                product_name=settings.name,
                release=release,
                verdict=verdict,
                issues=issues,
                classification=settings.classification(),
                authorizer=authorizer,
                at=clock(),
                secgate_version=__version__,
                config_digest=sha256_hex(canonical_json(ctx.config.digest_source)),
                document_prefix=policy.record_document_prefix,
                criteria=gate_criteria(applied),
                software=software,
                retrospective=retrospective,
            )
            chain, posted = chain_records(ctx, connector, tracker, target, product, release)
            # After an upgrade, the previous version's record of this very decision is
            # adopted as it is (its own format and layout), not posted again.
            earlier = earlier_format_copy(posted, record, chain)
            if earlier is not None:
                record = earlier
            else:
                rid = record.record_id
                record = record.model_copy(
                    update={
                        "supersedes": predecessor(chain, rid),
                        "revision": revision(chain, rid),
                    }
                )
            comment = render_record(record, dialect(connector.markup), connector.comment_limit)
        except RecordTooLargeError as exc:
            return Failure(
                step=Step.BUILD, message=f"the record cannot be written to '{tracker}': {exc}."
            )
        except ConnectorError as exc:
            return Failure(
                step=Step.BUILD,
                message=f"the earlier records on {target.key if target else 'the record issue'} "
                f"could not be read from '{tracker}' to name the record this one supersedes: "
                f"{exc.message} Nothing was written.",
            )
        refused = separation_of_duties(ctx, record)
        if refused is not None:
            return refused
        return Prepared(
            kind=self,
            product=product,
            subject=release,
            record=record,
            comment=comment,
            tracker=tracker,
            target=target.key if target else None,
            verdict=verdict,
        )

    # -- publish --------------------------------------------------------------------

    def identity(self, record: AuthorizationRecord) -> tuple[str, str, str]:
        return record.record_id, record.canonical(), record.authorizer.id

    def parse(self, canonical: str) -> AuthorizationRecord:
        return parse_record(json.loads(canonical))

    def render(
        self, record: AuthorizationRecord, markup: str, limit: int | None
    ) -> Rendered | None:
        # render_record chooses the layout of the record's own format (formats 1 and 2
        # share one, frozen: tests/fixtures/v1 and v2 re-render byte for byte).
        return render_record(record, dialect(markup), limit)

    def recorded_at(self, record: AuthorizationRecord) -> datetime:
        return record.authorized_at

    def differs(self, record: AuthorizationRecord, earlier: AuthorizationRecord) -> str | None:
        if not earlier.same_authorization(record):
            return "it records a different decision than this snapshot gives"
        return None

    def check(
        self, ctx: Context, prepared: Prepared[AuthorizationRecord], now: datetime
    ) -> Failure | None:
        max_age = ctx.config.product_policy(prepared.product).max_snapshot_age_seconds
        synced = prepared.verdict.synced_at if prepared.verdict else None
        age = None if synced is None else (now - synced).total_seconds()
        if age is None or age > max_age:
            key = ctx.config.policy_key(prepared.product, "max_snapshot_age_seconds")
            return Failure(
                step=Step.EVALUATE,
                message=f"the snapshot is {int(age or 0)} s old and the policy allows at most "
                f"{max_age} s ({key}). Nothing was written; run authorize again.",
            )
        return None

    def logged(self, ctx: Context, prepared: Prepared[AuthorizationRecord]) -> AuditEntry | None:
        entries = ctx.store.audit_entries(self.name, prepared.product, prepared.subject)
        latest = entries[-1] if entries else None
        if latest is None or prepared.record is None:
            return None
        if (
            AuthorizationPayload.model_validate(latest.payload).record_id
            != prepared.record.record_id
        ):
            return None
        return latest

    def recheck(
        self, ctx: Context, entry: AuditEntry, on_step: OnStep
    ) -> Logged[AuthorizationRecord] | Failure:
        """This snapshot is already authorized: re-verify the tracker copy, log nothing."""
        on_step(
            StepEvent(step=Step.READ_BACK, state="started", detail="already authorized; verifying")
        )
        result = verify_entry(ctx, entry)
        if not result.intact:
            on_step(StepEvent(step=Step.READ_BACK, state="failed", detail=result.message))
            return Failure(step=Step.READ_BACK, message=result.message)
        on_step(StepEvent(step=Step.READ_BACK, state="done", detail="intact"))
        payload = AuthorizationPayload.model_validate(entry.payload)
        return Logged(record=payload.record, tracker=payload.tracker, comment=payload.comment)

    def draft(
        self,
        ctx: Context,
        prepared: Prepared[AuthorizationRecord],
        notes: list[str],
        on_step: OnStep,
    ) -> Draft[AuthorizationRecord] | Failure:
        record, comment = prepared.record, prepared.comment
        assert record is not None and comment is not None, "publish only a ready preparation"
        try:
            connector = ctx.connections.get(prepared.tracker)
            target = record_issue(
                ctx, connector, prepared.product, prepared.subject, prepared.target
            )
            chain = known_records(
                ctx, connector, prepared.tracker, target, prepared.product, prepared.subject
            )
        except (ConnectorError, ConfigError) as exc:
            text = exc.message if isinstance(exc, ConnectorError) else str(exc)
            return Failure(
                step=Step.POST, message=f"the record issue could not be found or created: {text}"
            )
        controlled = record.revision is not None
        if record.supersedes != predecessor(chain, record.record_id) or (
            controlled and record.revision != revision(chain, record.record_id)
        ):
            return Failure(
                step=Step.BUILD,
                message="another authorization of this release was recorded (here or on another "
                "machine) after this record was built, so the record names the wrong "
                "predecessor. No record was posted; run authorize again.",
            )
        return Draft(record=record, comment=comment, target=target.key)

    def payload(
        self,
        record: AuthorizationRecord,
        base: AuditPayload,
        comment: Comment,
        attachment: AttachmentRef | None,
    ) -> AuthorizationPayload:
        # The comment exactly as read back: verify compares the tracker's copy with it.
        return AuthorizationPayload(
            **base.fields(), record=record, comment_body=comment.body, attachment=attachment
        )

    def export(
        self,
        records_dir: Path,
        record: AuthorizationRecord,
        tracker: str,
        ref: CommentRef,
        anchor: Anchor | None,
    ) -> tuple[Path, ...]:
        return export_record(records_dir, record, ref, tracker, anchor)

    def done_message(self, record: AuthorizationRecord) -> str:
        return (
            f"{record.product} {record.release}: record {record.record_id} is in the tracker, "
            "read back intact, logged and exported"
        )


AUTHORIZATION = AuthorizationKind()
