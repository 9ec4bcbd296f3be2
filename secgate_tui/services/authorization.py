"""Release authorization: the protocol of DESIGN.md, steps 1-6, failing closed.

:meth:`Authorizer.prepare` syncs, evaluates and builds the record (steps 1-3,
nothing written to a tracker); :meth:`Authorizer.commit` posts it, reads it
back, and only then logs and exports it (steps 4-6). Every failure comes back
as an :class:`AuthorizationResult` naming the step, never as an exception.

Two runs for the same release serialize on a lock file in the data directory,
and the record id (from product, release, snapshot, authorizer, activity
evidence and acknowledgements) lets a run find a comment an earlier, interrupted
run posted, so the tracker ends up with one record and the audit log with one
entry. The predecessor a record supersedes is taken from the record issue as
well as the local log, so the chain holds across machines.
"""

from __future__ import annotations

import fcntl
import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from connectors.base import (
    AttachmentRef,
    Comment,
    CommentRef,
    Connector,
    ConnectorError,
    IssueRef,
)
from secgate_tui import __version__
from secgate_tui.commands.context import Context
from secgate_tui.config import ConfigError
from secgate_tui.domain import Category, Verdict, canonical_json, sha256_hex
from secgate_tui.domain.record import (
    AuthorizationRecord,
    AuthorizerIdentity,
    build_record,
    parse_record,
    residual_assigned_to,
)
from secgate_tui.domain.render import RecordTooLargeError, Rendered, dialect, render_record
from secgate_tui.services.anchor import head_anchor
from secgate_tui.services.authorization_chain import (
    logged_records,
    predecessor,
    tracker_records,
)
from secgate_tui.services.authorization_types import (
    AuthorizationResult,
    OnStep,
    Preparation,
    Step,
    StepEvent,
    failed_verdict,
    noop,
)
from secgate_tui.services.export import export_record
from secgate_tui.services.gate import evaluate_release
from secgate_tui.services.record_issue import (
    create_record_issue,
    find_record_issue,
    record_issue_for,
)
from secgate_tui.services.store import AuditEntry, StoreError
from secgate_tui.services.sync import utcnow
from secgate_tui.services.verify import verify, verify_entry
from secgate_tui.services.writeback import Outgoing, WriteBackError, write_back

__all__ = [
    "AuthorizationResult",
    "Authorizer",
    "OnStep",
    "Preparation",
    "Step",
    "StepEvent",
    "noop",
    "verify",
]

AUDIT_KIND = "authorization"
LOCK_WAIT_SECONDS = 120.0


def config_digest(ctx: Context) -> str:
    return sha256_hex(canonical_json(ctx.config.digest_source))


@contextmanager
def release_lock(data_dir: Path, product: str, release: str) -> Iterator[None]:
    """Serialize authorizations of one release across processes (released on any exit)."""
    folder = data_dir / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    name = sha256_hex(canonical_json([product, release]))[:24]
    with open(folder / f"authorize-{name}.lock", "a+") as handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def latest_authorization(ctx: Context, product: str, release: str) -> AuditEntry | None:
    entries = ctx.store.audit_entries(AUDIT_KIND, product, release)
    return entries[-1] if entries else None


class Authorizer:
    """Runs the authorization protocol for one configuration and data directory."""

    def __init__(self, ctx: Context, clock: Callable[[], datetime] = utcnow) -> None:
        self.ctx = ctx
        self.clock = clock

    def authorize(
        self, product: str, release: str, acks: Mapping[Category, str], on_step: OnStep = noop
    ) -> AuthorizationResult:
        """Prepare and commit without a confirmation in between (CI pipelines)."""
        return self.commit(self.prepare(product, release, acks, on_step), on_step)

    # -- steps 1-3 ------------------------------------------------------------------

    def prepare(
        self,
        product: str,
        release: str,
        acks: Mapping[Category, str],
        on_step: OnStep = noop,
    ) -> Preparation:
        def fail(step: Step, message: str, verdict: Verdict | None = None) -> Preparation:
            on_step(StepEvent(step, "failed", message))
            return Preparation(
                product,
                release,
                verdict or failed_verdict(message, self.clock()),
                None,
                "",
                None,
                failed_step=step,
                message=message,
            )

        on_step(StepEvent(Step.SYNC, "started", "full sync of every source"))
        try:
            results = self.ctx.syncer.sync_release(product, release, full=True)
        except (ConfigError, StoreError) as exc:
            return fail(Step.SYNC, str(exc))
        failed = [r for r in results if r.state.error]
        if failed:
            names = "; ".join(
                f"{r.source.tracker} ({r.source.project}): {r.state.error}" for r in failed
            )
            message = (
                f"the fresh sync failed for {names}. Nothing was written to any tracker; "
                "fix the source and run again."
            )
            verdict, _ = evaluate_release(
                self.ctx.config, self.ctx.store, product, release, self.clock(), acks
            )
            return fail(Step.SYNC, message, verdict)
        if results and not any(r.state.release_found for r in results):
            return fail(
                Step.SYNC,
                f"release '{release}' matches no version or milestone of product '{product}' "
                "in any source. Check the name with `secgate releases`.",
            )
        on_step(StepEvent(Step.SYNC, "done", f"{sum(r.count for r in results)} issue(s)"))

        on_step(StepEvent(Step.EVALUATE, "started"))
        verdict, issues = evaluate_release(
            self.ctx.config, self.ctx.store, product, release, self.clock(), acks
        )
        if not verdict.passed:
            message = "the gate is BLOCKED: " + "; ".join(verdict.reasons)
            on_step(StepEvent(Step.EVALUATE, "failed", message))
            return Preparation(
                product, release, verdict, None, "", None, blocked=True, message=message
            )
        on_step(StepEvent(Step.EVALUATE, "done", "PASS"))

        on_step(StepEvent(Step.BUILD, "started"))
        config = self.ctx.config
        settings = config.product(product)
        tracker, project, target = record_issue_for(settings, product, release)
        try:
            connector = self.ctx.connections.get(tracker)
            if target is None:
                target = find_record_issue(connector, project, product, release)
            me = connector.whoami()
        except ConfigError as exc:
            return fail(Step.BUILD, str(exc), verdict)
        except ConnectorError as exc:
            return fail(
                Step.BUILD,
                f"tracker '{tracker}' could not be asked for the record issue or who you "
                f"are: {exc.message} Nothing was written.",
                verdict,
            )
        authorizer = AuthorizerIdentity(
            tracker=tracker, id=me.id, name=me.name, display_name=me.display_name
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
                at=self.clock(),
                secgate_version=__version__,
                config_digest=config_digest(self.ctx),
            )
            chain = self._known(connector, tracker, target, product, release)
            record = record.model_copy(update={"supersedes": predecessor(chain, record.record_id)})
            comment = render_record(record, dialect(connector.markup), connector.comment_limit)
        except RecordTooLargeError as exc:
            return fail(Step.BUILD, f"the record cannot be written to '{tracker}': {exc}.", verdict)
        except ConnectorError as exc:
            return fail(
                Step.BUILD,
                f"the earlier records on {target.key if target else 'the record issue'} could "
                f"not be read from '{tracker}' to name the record this one supersedes: "
                f"{exc.message} Nothing was written.",
                verdict,
            )
        if config.policy.separation_of_duties:
            own = residual_assigned_to(record)
            if own:
                keys = ", ".join(item.key for item in own)
                message = (
                    f"separation of duties: {me.display_name or me.name} is the assignee of "
                    f"residual item(s) {keys} and may not authorize this release "
                    "(policy.separation_of_duties). Another person must run authorize."
                )
                on_step(StepEvent(Step.BUILD, "failed", message))
                return Preparation(
                    product,
                    release,
                    verdict,
                    None,
                    "",
                    target,
                    tracker,
                    blocked=True,
                    message=message,
                )
        on_step(StepEvent(Step.BUILD, "done", record.record_id))
        return Preparation(
            product, release, verdict, record, comment.body, target, tracker, comment
        )

    def _known(
        self,
        connector: Connector,
        tracker: str,
        target: IssueRef | None,
        product: str,
        release: str,
    ) -> list[tuple[datetime, str, str]]:
        """Every earlier authorization of the release: this machine's log and the tracker's.

        Raises:
            ConnectorError: the record issue could not be searched.
        """
        known = logged_records(self.ctx.store.audit_entries(AUDIT_KIND, product, release))
        if target is not None:
            known += tracker_records(connector, tracker, target.key, product, release)
        return known

    # -- steps 4-6 ------------------------------------------------------------------

    def commit(self, preparation: Preparation, on_step: OnStep = noop) -> AuthorizationResult:
        prep = preparation
        if not prep.ready or prep.record is None or prep.comment is None:
            return AuthorizationResult(
                authorized=False,
                blocked=prep.blocked,
                failed_step=prep.failed_step,
                message=prep.message or "nothing to authorize",
            )
        try:
            with release_lock(self.ctx.data_dir, prep.product, prep.release):
                return self._commit_locked(prep, prep.record, prep.comment, on_step)
        except TimeoutError:
            message = (
                f"another authorization of {prep.product} {prep.release} has held the lock for "
                f"{int(LOCK_WAIT_SECONDS)} s; nothing was written. Run again when it is done."
            )
            on_step(StepEvent(Step.POST, "failed", message))
            return AuthorizationResult(False, False, Step.POST, message)

    def _commit_locked(
        self,
        prep: Preparation,
        record: AuthorizationRecord,
        comment: Rendered,
        on_step: OnStep,
    ) -> AuthorizationResult:
        def fail(step: Step, message: str) -> AuthorizationResult:
            on_step(StepEvent(step, "failed", message))
            return AuthorizationResult(False, False, step, message, record=record)

        max_age = self.ctx.config.policy.max_snapshot_age_seconds
        synced = prep.verdict.synced_at
        age = None if synced is None else (self.clock() - synced).total_seconds()
        if age is None or age > max_age:
            return fail(
                Step.EVALUATE,
                f"the snapshot is {int(age or 0)} s old and the policy allows at most {max_age} s "
                "(policy.max_snapshot_age_seconds). Nothing was written; run authorize again.",
            )
        latest = latest_authorization(self.ctx, prep.product, prep.release)
        if latest is not None and latest.payload["record_id"] == record.record_id:
            return self._already_logged(prep, latest, on_step)

        on_step(StepEvent(Step.POST, "started", prep.tracker))
        try:
            connector = self.ctx.connections.get(prep.tracker)
            target = prep.target or self._record_issue(prep)
            chain = self._known(connector, prep.tracker, target, prep.product, prep.release)
            if record.supersedes != predecessor(chain, record.record_id):
                return fail(
                    Step.BUILD,
                    "another authorization of this release was recorded (here or on another "
                    "machine) after this record was built, so the record names the wrong "
                    "predecessor. No record was posted; run authorize again.",
                )
            outgoing = Outgoing(
                record.kind,
                record.record_id,
                record.canonical(),
                comment.body,
                comment.attachment_name,
                comment.attachment,
            )
            written = write_back(
                connector,
                target.key,
                outgoing,
                self._acceptor(record),
                # Only the stable account id: display names are editable and not unique.
                author_is_me=lambda account: account == record.authorizer.id,
            )
        except WriteBackError as exc:
            return fail(Step.READ_BACK if exc.step == "read back" else Step.POST, exc.message)
        except (ConnectorError, ConfigError) as exc:
            text = exc.message if isinstance(exc, ConnectorError) else str(exc)
            return fail(Step.POST, f"the record issue could not be found or created: {text}")
        checked = written.read_back
        adopted = parse_record(json.loads(checked.canonical)) if written.adopted else record
        on_step(
            StepEvent(
                Step.POST,
                "done",
                ("adopted an earlier attempt's comment " if written.adopted else "posted ")
                + checked.comment.ref.id,
            )
        )
        on_step(StepEvent(Step.READ_BACK, "done", f"sha256:{checked.digest}"))

        on_step(StepEvent(Step.LOG, "started"))
        payload = _log_payload(adopted, prep.tracker, checked.comment, checked.attachment)
        try:
            self.ctx.store.append_audit(
                AUDIT_KIND, prep.product, prep.release, payload, self.clock()
            )
        except StoreError as exc:
            return fail(
                Step.LOG,
                f"the record is in the tracker and verified, but the audit log could not be "
                f"written: {exc} The release is NOT authorized; run again (it adopts the "
                "posted record).",
            )
        on_step(StepEvent(Step.LOG, "done"))
        return self._export(adopted, checked.comment.ref, prep.tracker, written.adopted, on_step)

    def _already_logged(
        self, prep: Preparation, entry: AuditEntry, on_step: OnStep
    ) -> AuthorizationResult:
        """This snapshot is already authorized: re-verify the tracker copy, log nothing."""
        on_step(StepEvent(Step.READ_BACK, "started", "already authorized; verifying"))
        result = verify_entry(self.ctx, entry)
        record = parse_record(entry.payload["record"])
        if not result.intact:
            step = Step.READ_BACK
            on_step(StepEvent(step, "failed", result.message))
            return AuthorizationResult(False, False, step, result.message, record=record)
        on_step(StepEvent(Step.READ_BACK, "done", "intact"))
        ref = CommentRef.model_validate(entry.payload["comment"])
        return self._export(record, ref, entry.payload["tracker"], True, on_step)

    def _export(
        self,
        record: AuthorizationRecord,
        ref: CommentRef,
        tracker: str,
        adopted: bool,
        on_step: OnStep,
    ) -> AuthorizationResult:
        on_step(StepEvent(Step.EXPORT, "started"))
        try:
            anchor = head_anchor(self.ctx.store)  # the log's head, after this record's entry
            paths = export_record(self.ctx.records_dir, record, ref, tracker, anchor)
        except OSError as exc:
            message = (
                f"AUTHORIZED (logged and verified), but exporting the record files to "
                f"{self.ctx.records_dir} failed: {exc.strerror or exc}. Run authorize again "
                "to write them; it will not post or log twice."
            )
            on_step(StepEvent(Step.EXPORT, "failed", message))
            return AuthorizationResult(True, False, Step.EXPORT, message, ref, record, (), adopted)
        on_step(StepEvent(Step.EXPORT, "done", str(paths[0].parent)))
        message = (
            f"{record.product} {record.release}: record {record.record_id} is in the tracker, "
            "read back intact, logged and exported"
        )
        return AuthorizationResult(True, False, None, message, ref, record, paths, adopted)

    def _acceptor(self, record: AuthorizationRecord) -> Callable[[str], str | None]:
        def accept(canonical: str) -> str | None:
            try:
                found = parse_record(json.loads(canonical))
            except ValueError as exc:
                return f"its machine block is not a valid record ({exc})"
            if not found.same_authorization(record):
                return "it records a different decision than this snapshot gives"
            return None

        return accept

    def _record_issue(self, prep: Preparation) -> IssueRef:
        settings = self.ctx.config.product(prep.product)
        _, project, _ = record_issue_for(settings, prep.product, prep.release)
        connector = self.ctx.connections.get(prep.tracker)
        # Another run (or machine) may have created it since this one prepared.
        found = find_record_issue(connector, project, prep.product, prep.release)
        return found or create_record_issue(connector, project, prep.product, prep.release)


def _log_payload(
    record: AuthorizationRecord, tracker: str, comment: Comment, attachment: AttachmentRef | None
) -> dict[str, Any]:
    return {
        "record_id": record.record_id,
        "record_digest": record.record_digest,
        "record": record.as_json(),
        "tracker": tracker,
        "comment": comment.ref.model_dump(mode="json"),
        "comment_body": comment.body,
        "comment_sha256": sha256_hex(comment.body),
        "attachment": None if attachment is None else attachment.model_dump(mode="json"),
    }
