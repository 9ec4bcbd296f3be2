"""The review record kind: the periodic security review (IEC 81001-5-1 4.1.6, 4.1.8).

Preparing finds the last review on the product's review issue, gathers the
period's figures from every source and builds the record as ``whoami()`` of the
review issue's tracker. A retry from a fresh process would build a new record
(the period ends at ``now``), so the newest record on the review issue is
compared with the conclusions first: your own record with the same conclusions
is this review, adopted (read back, logged once, exported) instead of posted
twice. Action issues are created, when asked, just before the record is posted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from connectors.base import AttachmentRef, Comment, CommentRef, ConnectorError
from secgate_tui.config import ConfigError, TrackerIssue
from secgate_tui.domain.conclusions import ActionLink
from secgate_tui.domain.render import RecordTooLargeError, Rendered, dialect
from secgate_tui.domain.render.review_record import render_review, render_review_text
from secgate_tui.domain.review import (
    REVIEW_MARKER,
    ReviewConclusions,
    ReviewPeriod,
    ReviewRecord,
    record_json,
    review_record_from_json,
    with_action_links,
)
from secgate_tui.services.anchor import Anchor
from secgate_tui.services.context import Context
from secgate_tui.services.publish.kind import AuditPayload, Draft, RecordKind, Wording
from secgate_tui.services.publish.kinds.review_build import Refused, build_review, review_issue
from secgate_tui.services.publish.protocol import (
    PUBLISH_STEPS,
    Failure,
    OnStep,
    Prepared,
    Step,
    StepEvent,
)
from secgate_tui.services.review_actions import create_action_issues
from secgate_tui.services.review_export import export_review_files
from secgate_tui.services.review_status import FoundReview, held_review, product_reviews
from secgate_tui.services.signing import SigningSetupError
from secgate_tui.services.store import AuditEntry


@dataclass(frozen=True, kw_only=True)
class ReviewRequest:
    product: str
    conclusions: ReviewConclusions
    #: Create one tracker issue per improvement action before posting the record.
    create_actions: bool = False


@dataclass(frozen=True, kw_only=True)
class ReviewDetails:
    """What the review kind keeps between preparing and publishing."""

    review_issue: TrackerIssue
    #: Where the action issues are created (on the review issue's tracker).
    action_project: str
    create_actions: bool = False
    #: An earlier attempt's record with the same conclusions, already in the tracker.
    earlier: FoundReview | None = None
    #: The newest review record on the issue when prepared (None: there was none).
    previous_id: str | None = None
    #: The newest that counted as held: the period starts from it (None: the config's
    #: date or nothing).
    counted_id: str | None = None


class ReviewPayload(AuditPayload):
    period: ReviewPeriod
    #: As in the record: with ``next_due_from`` = ``sign-off`` only the earliest due date.
    next_due: date
    actions: tuple[ActionLink, ...] = ()
    #: Left out while unset, so entries logged before keep their JSON (the chain hashes it).
    next_due_from: Literal["sign-off"] | None = Field(None, exclude_if=lambda v: v is None)


def same_review(a: ReviewConclusions, b: ReviewConclusions) -> bool:
    """The same conclusions, whatever action issues were linked since."""

    def unlinked(c: ReviewConclusions) -> ReviewConclusions:
        actions = tuple(a.model_copy(update={"issue": None}) for a in c.actions)
        return c.model_copy(update={"actions": actions})

    return unlinked(a) == unlinked(b)


def details(prepared: Prepared[ReviewRecord]) -> ReviewDetails:
    assert isinstance(prepared.details, ReviewDetails), "a review's preparation"
    return prepared.details


class ReviewKind(RecordKind[ReviewRecord, ReviewRequest]):
    name: ClassVar[str] = "review"
    marker: ClassVar[str] = REVIEW_MARKER
    wording: ClassVar[Wording] = Wording(
        record="the review record",
        not_done="The review is NOT recorded.",
        retry="the command",
        logged="the review is recorded (tracker and audit log)",
    )
    steps: ClassVar[tuple[Step, ...]] = (Step.GATHER, Step.BUILD, Step.ACTIONS, *PUBLISH_STEPS)

    def prepare(
        self, ctx: Context, request: ReviewRequest, clock: Callable[[], datetime], on_step: OnStep
    ) -> Prepared[ReviewRecord]:
        """Raises ConfigError when the product has no review issue configured."""
        product = request.product
        issue, project = review_issue(ctx.config, product)
        on_step(StepEvent(step=Step.GATHER, state="started", detail=issue.key))
        built = build_review(ctx, request.conclusions, product, issue, clock(), same_review)
        if isinstance(built, str):
            on_step(StepEvent(step=Step.GATHER, state="failed", detail=built))
            failure = Failure(step=Step.GATHER, message=built)
            return Prepared(kind=self, product=product, tracker=issue.tracker, failure=failure)
        on_step(StepEvent(step=Step.GATHER, state="done"))
        if isinstance(built, Refused):
            # The conclusions contradict the figures: refused before anything is built.
            on_step(StepEvent(step=Step.BUILD, state="failed", detail=built.message))
            failure = Failure(step=Step.BUILD, message=built.message)
            return Prepared(kind=self, product=product, tracker=issue.tracker, failure=failure)
        kept = ReviewDetails(
            review_issue=issue,
            action_project=project,
            create_actions=request.create_actions,
            earlier=built.earlier,
            previous_id=built.previous_id,
            counted_id=built.counted_id,
        )
        on_step(StepEvent(step=Step.BUILD, state="started"))
        rendered = self._render(ctx, issue.tracker, built.record)
        if isinstance(rendered, Failure):
            on_step(StepEvent(step=Step.BUILD, state="failed", detail=rendered.message))
        else:
            on_step(StepEvent(step=Step.BUILD, state="done", detail=built.record.record_id))
        return Prepared(
            kind=self,
            product=product,
            record=built.record,
            comment=rendered if isinstance(rendered, Rendered) else None,
            failure=rendered if isinstance(rendered, Failure) else None,
            tracker=issue.tracker,
            target=issue.key,
            earlier=built.earlier is not None,
            warnings=built.warnings,
            details=kept,
        )

    def preview(self, prepared: Prepared[ReviewRecord]) -> str:
        if prepared.record is None:
            return ""
        return render_review_text(prepared.record, dialect("plain"))

    def identity(self, record: ReviewRecord) -> tuple[str, str, str]:
        # The reviewer is whoami() of this tracker (prepare built the record as that
        # account, or adopted only a record that account wrote): adopt nothing else.
        return record.record_id, record_json(record), record.reviewer.id

    def parse(self, canonical: str) -> ReviewRecord:
        return review_record_from_json(canonical)

    def render(self, record: ReviewRecord, markup: str, limit: int | None) -> Rendered | None:
        # Every review format so far has this one layout (tests/fixtures/v1).
        return render_review(record, dialect(markup), limit)

    def recorded_at(self, record: ReviewRecord) -> datetime:
        return record.created_at

    def differs(self, record: ReviewRecord, earlier: ReviewRecord) -> str | None:
        if earlier.product != record.product or earlier.period != record.period:
            return "it records another review"
        if not same_review(earlier.conclusions, record.conclusions):
            return "it records different conclusions for the same figures"
        return None

    def check(
        self, ctx: Context, prepared: Prepared[ReviewRecord], now: datetime
    ) -> Failure | None:
        """Refuse when another review was recorded after this one was prepared.

        Its period would overlap the one just recorded (two runs at once, or a
        preview left open): the figures must be recomputed from the new last review.
        """
        kept = details(prepared)
        if kept.earlier is not None:
            return None
        issue = kept.review_issue
        try:
            connector = ctx.connections.get(issue.tracker)
            found = product_reviews(ctx.config, connector, prepared.product, issue, now)
            latest = found.latest
            current = latest.record.record_id if latest else None
            if current == kept.previous_id and kept.counted_id != current:
                # The newest did not count when prepared; signed off since, the period
                # would have to start at its end instead.
                held = held_review(ctx.config, connector, issue.key, found, [])
                counted = held[0].record.record_id if held else None
                if counted != kept.counted_id:
                    return Failure(
                        step=Step.POST,
                        message=f"review {counted} of {prepared.product} on {issue.key} was "
                        "signed off after this one was prepared, so this review's period "
                        "(which started before it) is out of date. Nothing was written; run "
                        "the command again to review the period since then.",
                    )
        except ConfigError as exc:
            return Failure(step=Step.POST, message=str(exc))
        except (ConnectorError, SigningSetupError) as exc:
            why = exc.message if isinstance(exc, ConnectorError) else str(exc)
            return Failure(
                step=Step.POST,
                message=f"could not check {issue.key} for a review recorded meanwhile: "
                f"{why} Nothing was written; run again.",
            )
        if current == kept.previous_id:
            return None
        return Failure(
            step=Step.POST,
            message=f"another review of {prepared.product} (record {current}) was recorded on "
            f"{issue.key} after this one was prepared, so this review's period is out of "
            "date. Nothing was written; run the command again to review the period since then.",
        )

    def logged(self, ctx: Context, prepared: Prepared[ReviewRecord]) -> AuditEntry | None:
        record = prepared.record
        assert record is not None
        mine = (record.record_id, record.record_digest)
        for entry in ctx.store.audit_entries(self.name, prepared.product):
            try:
                logged = ReviewPayload.model_validate(entry.payload)
            except ValueError:
                continue  # not this record, whatever it is: the chain check reports damage
            if (logged.record_id, logged.record_digest) == mine:
                return entry
        return None

    def draft(
        self, ctx: Context, prepared: Prepared[ReviewRecord], notes: list[str], on_step: OnStep
    ) -> Draft[ReviewRecord] | Failure:
        record, kept = prepared.record, details(prepared)
        assert record is not None and prepared.comment is not None
        issue = kept.review_issue
        if not kept.create_actions or not record.conclusions.actions:
            return Draft(record=record, comment=prepared.comment, target=issue.key)
        if kept.earlier is not None:
            notes.append(
                "the review was already recorded, so no action issues were created now; the "
                "record lists the ones linked when it was written"
            )
            return Draft(record=record, comment=prepared.comment, target=issue.key)
        on_step(StepEvent(step=Step.ACTIONS, state="started", detail="creating the action issues"))
        try:
            connector = ctx.connections.get(issue.tracker)
            links = create_action_issues(connector, kept.action_project, record, notes.append)
        except ConnectorError as exc:
            return Failure(
                step=Step.ACTIONS,
                message=f"creating the action issues failed: {exc.message} The review record "
                "was not written. Run again: action issues already created are found and reused.",
            )
        on_step(StepEvent(step=Step.ACTIONS, state="done"))
        linked = with_action_links(record, links)
        rendered = self._render(ctx, issue.tracker, linked)
        if isinstance(rendered, Failure):
            return rendered
        return Draft(record=linked, comment=rendered, target=issue.key)

    def payload(
        self,
        record: ReviewRecord,
        base: AuditPayload,
        comment: Comment,
        attachment: AttachmentRef | None,
    ) -> ReviewPayload:
        linked = tuple(a.issue for a in record.conclusions.actions if a.issue)
        return ReviewPayload(
            **base.fields(),
            period=record.period,
            next_due=record.next_due,
            actions=linked,
            next_due_from=record.next_due_from,
        )

    def export(
        self,
        records_dir: Path,
        record: ReviewRecord,
        tracker: str,
        ref: CommentRef,
        anchor: Anchor | None,
    ) -> tuple[Path, ...]:
        return export_review_files(records_dir, record, tracker, ref, anchor)

    def done_message(self, record: ReviewRecord) -> str:
        return (
            f"review {record.record_id} of {record.product} is in the tracker, read back "
            "intact, logged and exported"
        )

    def _render(self, ctx: Context, tracker: str, record: ReviewRecord) -> Rendered | Failure:
        """The record's comment in the tracker's markup, fitted to its comment limit."""
        try:
            connector = ctx.connections.get(tracker)
            return render_review(record, dialect(connector.markup), connector.comment_limit)
        except ConfigError as exc:
            return Failure(step=Step.BUILD, message=str(exc))
        except RecordTooLargeError as exc:
            return Failure(step=Step.BUILD, message=f"the review record cannot be written: {exc}.")


__all__ = ["REVIEW", "ReviewDetails", "ReviewKind", "ReviewPayload", "ReviewRequest"]


REVIEW = ReviewKind()
