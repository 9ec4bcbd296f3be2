"""The publisher: the one write-back protocol every record kind goes through.

prepare (the kind gathers, evaluates and builds; nothing written) -> post ->
read back and compare -> adopt an earlier identical copy (or, when a concurrent
run posted the same record first, remove ours and adopt that) -> append to the
audit log -> export. Adopting checks the whole comment (:mod:`.adopt`).
Publishing runs under one lock per (kind, product, subject) across processes;
the record id lets a retry from any process or machine find what an earlier,
interrupted attempt posted and adopt it instead of posting twice. Every failure
comes back as a :class:`~.protocol.Failure` naming its step, in the
kind's words; nothing after a failed step happens.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from connectors.base import ConnectorError
from secgate_tui.config import ConfigError
from secgate_tui.domain.times import iso_z
from secgate_tui.services.anchor import head_anchor
from secgate_tui.services.context import Context
from secgate_tui.services.publish.adopt import acceptable
from secgate_tui.services.publish.duplicates import settle
from secgate_tui.services.publish.kind import AuditPayload, Draft, Logged, RecordKind
from secgate_tui.services.publish.lock import LOCK_WAIT_SECONDS, record_lock
from secgate_tui.services.publish.protocol import (
    Failure,
    OnStep,
    Prepared,
    Published,
    Step,
    StepEvent,
    noop,
)
from secgate_tui.services.readback import ReadBack
from secgate_tui.services.store import StoreError
from secgate_tui.services.writeback import Outgoing, WriteBackError, Written, write_back

R = TypeVar("R")
Q = TypeVar("Q")


class Publisher:
    """Runs the protocol for one context (configuration, store, connections)."""

    def __init__(self, ctx: Context, clock: Callable[[], datetime] | None = None) -> None:
        self.ctx = ctx
        self.clock = clock or ctx.clock

    def prepare(self, kind: RecordKind[R, Q], request: Q, on_step: OnStep = noop) -> Prepared[R]:
        """Build the record (the kind's steps before posting); nothing is written."""
        return kind.prepare(self.ctx, request, self.clock, on_step)

    def publish(self, prepared: Prepared[R], on_step: OnStep = noop) -> Published[R]:
        """Post, read back, log and export a prepared record."""
        if not prepared.ready:
            failure = prepared.failure or Failure(step=None, message="nothing to publish")
            return self._ended(prepared, failure=failure, record=None)
        try:
            with record_lock(
                self.ctx.data_dir, prepared.kind.name, prepared.product, prepared.subject
            ):
                return self._locked(prepared, on_step)
        except TimeoutError:
            what = f"{prepared.product} {prepared.subject}".strip()
            message = (
                f"another run publishing the {prepared.kind.name} of {what} has held the lock "
                f"for {int(LOCK_WAIT_SECONDS)} s; nothing was written. Run again when it is done."
            )
            on_step(StepEvent(step=Step.POST, state="failed", detail=message))
            return self._ended(prepared, failure=Failure(step=Step.POST, message=message))

    def run(self, kind: RecordKind[R, Q], request: Q, on_step: OnStep = noop) -> Published[R]:
        """Prepare and publish without a confirmation in between (CI pipelines)."""
        return self.publish(self.prepare(kind, request, on_step), on_step)

    # -- under the lock -----------------------------------------------------------------

    def _locked(self, prepared: Prepared[R], on_step: OnStep) -> Published[R]:
        kind = prepared.kind

        def fail(failure: Failure) -> Published[R]:
            on_step(
                StepEvent(step=failure.step or Step.POST, state="failed", detail=failure.message)
            )
            return self._ended(prepared, failure=failure)

        early = kind.check(self.ctx, prepared, self.clock())
        if early is not None:
            return fail(early)
        entry = kind.logged(self.ctx, prepared)
        if entry is not None:
            rechecked = kind.recheck(self.ctx, entry, on_step)
            if isinstance(rechecked, Failure):
                return self._ended(prepared, failure=rechecked)
            if rechecked is not None:
                return self._export(prepared, rechecked, on_step, adopted=True, logged_before=True)
        notes: list[str] = []
        drafted = kind.draft(self.ctx, prepared, notes, on_step)
        if isinstance(drafted, Failure):
            return fail(drafted)
        written = self._write(prepared, drafted, on_step)
        if isinstance(written, Failure):
            return fail(written)
        checked = written.read_back
        adopted = written.adopted or prepared.earlier
        # An adopted record is the earlier attempt's, with its own time: log and export that.
        record = kind.parse(checked.canonical) if adopted else drafted.record
        if entry is None:
            unlogged = self._log(prepared, record, written, on_step)
            if unlogged is not None:
                return fail(unlogged)
        logged = Logged(record=record, tracker=prepared.tracker, comment=checked.comment.ref)
        return self._export(
            prepared,
            logged,
            on_step,
            adopted=adopted,
            logged_before=entry is not None,
            notes=tuple(notes),
        )

    def _log(
        self, prepared: Prepared[R], record: R, written: Written, on_step: OnStep
    ) -> Failure | None:
        """Append the published record to the audit log (the last step before it counts)."""
        kind, checked = prepared.kind, written.read_back
        on_step(StepEvent(step=Step.LOG, state="started"))
        record_id, canonical, _ = kind.identity(record)
        base = AuditPayload.of(record_id, canonical, prepared.tracker, checked.comment)
        payload = kind.payload(record, base, checked.comment, checked.attachment)
        try:
            self.ctx.store.append_audit(
                kind.name, prepared.product, prepared.subject, payload.as_json(), self.clock()
            )
        except StoreError as exc:
            words = kind.wording
            return Failure(
                step=Step.LOG,
                message=f"{words.record} is in the tracker and verified, but the audit log "
                f"could not be written: {exc} {words.not_done} Run again: it adopts the "
                "posted record and logs it once.",
            )
        on_step(StepEvent(step=Step.LOG, state="done"))
        return None

    def _write(self, prepared: Prepared[R], draft: Draft[R], on_step: OnStep) -> Written | Failure:
        kind = prepared.kind
        on_step(StepEvent(step=Step.POST, state="started", detail=prepared.tracker))
        record_id, canonical, author = kind.identity(draft.record)
        outgoing = Outgoing(
            kind.marker,
            record_id,
            canonical,
            draft.comment.body,
            draft.comment.attachment_name,
            draft.comment.attachment,
        )

        try:
            connector = self.ctx.connections.get(prepared.tracker)

            def accept(found: ReadBack) -> str | None:
                return acceptable(kind, draft.record, found, connector, self._window)

            def author_is_me(account: str) -> bool:
                # Only the stable account id: display names are editable and not unique.
                return account == author

            key, not_done = draft.target, kind.wording.not_done
            # A kind with its own write (a signature, whose marker is no record marker)
            # settles its own duplicates; every record kind goes through write_back.
            own = kind.write(connector, draft, author)
            if own is not None:
                written = own
            else:
                written = write_back(
                    connector,
                    key,
                    outgoing,
                    accept,
                    author_is_me=author_is_me,
                    not_done=not_done,
                    before_post=lambda: self._too_old(kind, draft.record),
                )
            if own is None and not written.adopted:
                written = settle(connector, key, outgoing, written, accept, author_is_me, not_done)
        except WriteBackError as exc:
            step = Step.READ_BACK if exc.step == "read back" else Step.POST
            return Failure(step=step, message=exc.message)
        except (ConnectorError, ConfigError) as exc:
            text = exc.message if isinstance(exc, ConnectorError) else str(exc)
            return Failure(step=Step.POST, message=f"the tracker could not be written: {text}")
        ref = written.read_back.comment.ref
        how = "adopted an earlier attempt's comment " if written.adopted else "posted "
        if written.removed is not None:
            how = (
                f"posted {written.removed.id}, but a concurrent run had posted this record "
                "first: removed that copy and adopted an earlier attempt's comment "
            )
        on_step(StepEvent(step=Step.POST, state="done", detail=how + ref.id))
        detail = f"sha256:{written.read_back.digest}"
        on_step(StepEvent(step=Step.READ_BACK, state="done", detail=detail))
        return written

    @property
    def _window(self) -> timedelta:
        return self.ctx.config.policy.record_time_window

    def _too_old(self, kind: RecordKind[R, Any], record: R) -> str | None:
        """A record whose own time is older than the window could never be adopted or
        verified once posted (its comment would look backdated): build it again."""
        at = kind.recorded_at(record)
        if at is None or self.clock() - at <= self._window:
            return None
        return (
            f"{kind.wording.record} was built at {iso_z(at)}, longer ago than the record "
            f"time window ({int(self._window.total_seconds() // 60)} minutes, "
            "policy.record_time_window_minutes) allows: posted now, it would look backdated. "
            f"Nothing was written. {kind.wording.not_done} Run {kind.wording.retry} again."
        )

    def _export(
        self,
        prepared: Prepared[R],
        logged: Logged[R],
        on_step: OnStep,
        *,
        adopted: bool,
        logged_before: bool,
        notes: tuple[str, ...] = (),
    ) -> Published[R]:
        kind, records_dir = prepared.kind, self.ctx.records_dir
        on_step(StepEvent(step=Step.EXPORT, state="started"))
        fields: dict[str, Any] = {
            "done": True,
            "record": logged.record,
            "tracker": logged.tracker,
            "comment": logged.comment,
            "adopted": adopted,
            "already_logged": logged_before,
            "notes": notes,
        }
        try:
            # The log's head after this record's entry: verify --log checks it later.
            anchor = head_anchor(self.ctx.store)
            paths = kind.export(records_dir, logged.record, logged.tracker, logged.comment, anchor)
        except OSError as exc:
            message = (
                f"{kind.wording.logged}, but exporting the record files to {records_dir} "
                f"failed: {exc.strerror or exc}. Run {kind.wording.retry} again to write them; "
                "it will not post or log twice."
            )
            on_step(StepEvent(step=Step.EXPORT, state="failed", detail=message))
            failure = Failure(step=Step.EXPORT, message=message)
            return self._ended(prepared, failure=failure, message=message, **fields)
        on_step(StepEvent(step=Step.EXPORT, state="done", detail=str(paths[0].parent)))
        message = kind.done_message(logged.record)
        return self._ended(prepared, message=message, exports=paths, **fields)

    def _ended(self, prepared: Prepared[R], **fields: Any) -> Published[R]:
        """The result for ``prepared``; a failure's message is the result's message."""
        failure = fields.get("failure")
        defaults: dict[str, Any] = {
            "record": prepared.record,
            "tracker": prepared.tracker,
            "message": failure.message if isinstance(failure, Failure) else "",
        }
        return Published(
            kind=prepared.kind,
            product=prepared.product,
            subject=prepared.subject,
            **{**defaults, **fields},
        )
