"""Periodic security review: when it is due, and recording one (IEC 81001-5-1 4.1.6, 4.1.8).

:func:`review_statuses` (re-exported from
:mod:`~secgate_tui.services.review_status`) says where each product's review
stands. :func:`prepare_review` gathers the period's figures from the
trackers and builds the record (nothing written). :func:`record_review` creates
the action issues when asked, writes the record with the shared write-back
protocol (:mod:`secgate_tui.services.writeback`), reads it back, logs it in the
audit log and exports the minutes, in that order; a failure before the log
leaves nothing recorded and is safe to retry.

A retry from a fresh process would build a new record (the period ends at
``now``), so before building, the newest record on the review issue is compared
with the conclusions: the same conclusions mean the same review, which is then
adopted (read back, logged once, exported) instead of posted twice.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from connectors.base import Comment, Connector, ConnectorError, NotSupportedError
from secgate_tui.config import Config, ConfigError, Product, Source, TrackerIssue
from secgate_tui.domain import canonical_json, sha256_hex
from secgate_tui.domain.classify import Classifier
from secgate_tui.domain.model import Issue
from secgate_tui.domain.render import RecordTooLargeError, Rendered, dialect
from secgate_tui.domain.render.review_record import render_review
from secgate_tui.domain.review import (
    REVIEW_MARKER,
    ReviewConclusions,
    Reviewer,
    ReviewRecord,
    ReviewRecordError,
    build_review_record,
    record_json,
    review_metrics,
    review_record_from_json,
    with_action_links,
)
from secgate_tui.domain.review_metrics import StateEvent
from secgate_tui.services.anchor import head_anchor
from secgate_tui.services.connections import Connections
from secgate_tui.services.review_actions import action_project, create_action_issues
from secgate_tui.services.review_export import export_review
from secgate_tui.services.review_status import (
    FoundReview,
    FoundReviews,
    ReviewStatus,
    find_reviews,
    review_status,
    review_statuses,
)
from secgate_tui.services.store import Store, StoreError
from secgate_tui.services.writeback import Outgoing, WriteBackError, write_back

AUDIT_KIND = "review"

__all__ = [
    "AUDIT_KIND",
    "FoundReview",
    "FoundReviews",
    "PreparedReview",
    "RecordedReview",
    "ReviewError",
    "ReviewStatus",
    "export_review",
    "find_reviews",
    "gather_issues",
    "prepare_review",
    "record_review",
    "review_status",
    "review_statuses",
]


class ReviewError(Exception):
    """Recording a review failed at ``step``; the message is one paragraph for a person."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step

    @property
    def message(self) -> str:
        return str(self.args[0])


# --------------------------------------------------------------------------- prepare


@dataclass(frozen=True)
class PreparedReview:
    """A review ready to be written (nothing written yet)."""

    product: str
    review_issue: TrackerIssue
    record: ReviewRecord
    #: Where ``--create-actions`` creates the action issues (on the review issue's tracker).
    action_project: str
    #: An earlier attempt's record with the same conclusions, already in the tracker.
    earlier: FoundReview | None = None
    warnings: tuple[str, ...] = ()
    #: The record the period starts from (None: the config's date or nothing).
    previous_id: str | None = None


def _review_issue(product: Product, product_id: str) -> TrackerIssue:
    if product.review_issue is None:
        raise ConfigError(
            f"products.{product_id}.review_issue is not set: the review record is written to "
            'that tracker issue. Add e.g. review_issue = { tracker = "jira", key = "IPC-2" }.'
        )
    return product.review_issue


def _period_start(latest: FoundReview | None, configured: date | None) -> datetime | None:
    """The end of the last review; a configured day counts from its start (no gap)."""
    candidates = [latest.record.period.end] if latest else []
    if configured is not None:
        candidates.append(datetime.combine(configured, time(0), tzinfo=UTC))
    return max(candidates, default=None)


def _unlinked(conclusions: ReviewConclusions) -> ReviewConclusions:
    actions = tuple(a.model_copy(update={"issue": None}) for a in conclusions.actions)
    return conclusions.model_copy(update={"actions": actions})


def gather_issues(
    config: Config, connections: Connections, product: Product
) -> tuple[list[Issue], dict[str, date | None]]:
    """Every issue of every release of the product's sources, and the released versions.

    Raises:
        ConnectorError: a source could not be read (a review needs all of them).
    """
    released: dict[str, date | None] = {}
    jobs: list[tuple[Source, str]] = []
    for source in product.sources:
        for release in connections.get(source.tracker).releases(source.scope()):
            if release.released:
                released.setdefault(release.name, release.release_date)
            name = source.release_from_tracker(release.name)
            if name is not None:
                jobs.append((source, name))

    def fetch(job: tuple[Source, str]) -> list[Issue]:
        source, name = job
        return connections.get(source.tracker).issues(source.scope(), name)

    with ThreadPoolExecutor(max_workers=4) as pool:
        batches = list(pool.map(fetch, jobs))
    newest: dict[tuple[str, str], Issue] = {}
    for issue in (i for batch in batches for i in batch):
        known = newest.get(issue.uid)
        if known is None or issue.updated > known.updated:
            newest[issue.uid] = issue
    return list(newest.values()), released


def gather_history(
    connections: Connections, product: Product, issues: list[Issue]
) -> tuple[list[StateEvent], set[str]]:
    """Open/close history of the product's security issues, per tracker that has one.

    A tracker whose connector cannot read history is left out of the returned
    sources, so the review says its reopens are unknown rather than zero.

    Raises:
        ConnectorError: a tracker with history could not be read.
    """
    classifier = Classifier(product.classification())
    keys: dict[str, list[str]] = {}
    for issue in issues:
        if classifier.classify(issue) is not None:
            keys.setdefault(issue.source, []).append(issue.key)
    events: list[StateEvent] = []
    sources: set[str] = set()
    for tracker in sorted({source.tracker for source in product.sources}):
        try:
            events.extend(connections.get(tracker).state_events(sorted(keys.get(tracker, []))))
        except NotSupportedError:
            continue
        sources.add(tracker)
    return events, sources


def prepare_review(
    config: Config,
    connections: Connections,
    product_id: str,
    conclusions: ReviewConclusions,
    now: datetime,
) -> PreparedReview:
    """Find the last review, compute the period's figures and build the record.

    Raises:
        ConfigError: no review issue configured.
        ReviewError: a tracker could not be read (step ``gather``).
    """
    product = config.product(product_id)
    issue = _review_issue(product, product_id)
    project = action_project(product, issue.tracker)
    try:
        connector = connections.get(issue.tracker)
        found = find_reviews(connector, issue.key, product_id, now)
        latest = found.latest
        me = connector.whoami()
        # Only your own earlier record is this review retried; the same conclusions
        # from someone else are their review, not yours to adopt.
        if (
            latest is not None
            and latest.comment.author_id == me.id
            and _unlinked(latest.record.conclusions) == _unlinked(conclusions)
        ):
            return PreparedReview(product_id, issue, latest.record, project, latest, found.problems)
        issues, released = gather_issues(config, connections, product)
        events, history_sources = gather_history(connections, product, issues)
    except ConnectorError as exc:
        where = f" ({exc.tracker})" if exc.tracker else ""
        raise ReviewError(
            "gather",
            f"the review data could not be read from the tracker{where}: {exc.message} "
            "Nothing was written; a review must cover every source, so run again when the "
            "tracker answers.",
        ) from None
    metrics = review_metrics(
        issues,
        product.classification(),
        period_start=_period_start(latest, product.last_review),
        now=now,
        released=released,
        events=events,
        history_sources=history_sources,
    )
    record = build_review_record(
        product=product_id,
        product_name=product.name,
        metrics=metrics,
        conclusions=conclusions,
        reviewer=Reviewer(id=me.id, name=me.name, display_name=me.display_name),
        interval_days=product.review_interval_days,
        now=now,
        config_digest=sha256_hex(canonical_json(config.digest_source)),
    )
    previous = latest.record.record_id if latest else None
    return PreparedReview(product_id, issue, record, project, None, found.problems, previous)


# --------------------------------------------------------------------------- record


@dataclass(frozen=True)
class RecordedReview:
    record: ReviewRecord
    comment: Comment
    exports: tuple[Path, ...]
    #: An earlier attempt's comment was adopted (nothing posted now).
    adopted: bool
    #: The audit log already held this record (nothing logged now).
    already_logged: bool
    notes: tuple[str, ...] = field(default=())


Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    """The default progress listener."""


def render_for(connector: Connector, record: ReviewRecord) -> Rendered:
    """The record's comment in the tracker's markup, fitted to its comment limit."""
    try:
        return render_review(record, dialect(connector.markup), connector.comment_limit)
    except RecordTooLargeError as exc:
        raise ReviewError("build", f"the review record cannot be written: {exc}.") from None


def record_review(
    prepared: PreparedReview,
    connections: Connections,
    store: Store,
    records_dir: Path,
    *,
    create_actions: bool = False,
    now: datetime,
    progress: Progress = _quiet,
) -> RecordedReview:
    """Write, read back, log and export a prepared review (see the module docstring).

    Raises:
        ReviewError: naming the step that failed; nothing after it happened.
    """
    record = prepared.record
    notes: list[str] = []
    issue = prepared.review_issue
    try:
        connector = connections.get(issue.tracker)
    except ConfigError as exc:
        raise ReviewError("post", str(exc)) from None
    if prepared.earlier is None:
        _check_still_latest(connector, prepared, now)
    if create_actions and prepared.earlier is None and record.conclusions.actions:
        progress("creating the action issues")
        try:
            links = create_action_issues(connector, prepared.action_project, record, notes.append)
        except ConnectorError as exc:
            raise ReviewError(
                "actions",
                f"creating the action issues failed: {exc.message} The review record was not "
                "written. Run again: action issues already created are found and reused.",
            ) from None
        record = with_action_links(record, links)
    elif create_actions and prepared.earlier is not None:
        notes.append(
            "the review was already recorded, so no action issues were created now; the "
            "record lists the ones linked when it was written"
        )
    progress("writing the record to " + issue.key)
    rendered = render_for(connector, record)
    outgoing = Outgoing(
        REVIEW_MARKER,
        record.record_id,
        record_json(record),
        rendered.body,
        rendered.attachment_name,
        rendered.attachment,
    )
    try:
        # The reviewer is whoami() of this tracker (prepare_review built the record as
        # that account, or adopted only a record that account wrote): adopt nothing else.
        written = write_back(
            connector,
            issue.key,
            outgoing,
            _acceptor(record),
            author_is_me=lambda account: account == record.reviewer.id,
        )
    except WriteBackError as exc:
        raise ReviewError(exc.step, _for_review(exc.message)) from None
    checked = written.read_back
    if written.adopted or prepared.earlier is not None:
        record = review_record_from_json(checked.canonical)
    progress("read back: sha256:" + checked.digest)

    logged = any(
        e.payload.get("record_id") == record.record_id
        and e.payload.get("record_digest") == record.record_digest
        for e in store.audit_entries(AUDIT_KIND, prepared.product)
    )
    if not logged:
        try:
            store.append_audit(
                AUDIT_KIND, prepared.product, "", _log_payload(record, issue, checked.comment), now
            )
        except StoreError as exc:
            raise ReviewError(
                "log",
                f"the review record is in the tracker and verified, but the audit log could "
                f"not be written: {exc} Run again: it adopts the posted record and logs it once.",
            ) from None
    try:
        anchor = head_anchor(store)  # the log's head, after this record's entry
        paths = export_review(records_dir, record, issue, checked.comment, anchor)
    except OSError as exc:
        raise ReviewError(
            "export",
            f"the review is recorded (tracker and audit log), but the files could not be "
            f"written to {records_dir}: {exc.strerror or exc}. Run again to write them; it "
            "will not post or log twice.",
        ) from None
    return RecordedReview(
        record,
        checked.comment,
        paths,
        written.adopted or prepared.earlier is not None,
        logged,
        tuple(notes),
    )


def _check_still_latest(connector: Connector, prepared: PreparedReview, now: datetime) -> None:
    """Refuse to write when another review was recorded after this one was prepared.

    Its period would overlap the one just recorded (two runs at once, or a
    preview left open): the figures must be recomputed from the new last review.
    """
    issue = prepared.review_issue
    try:
        latest = find_reviews(connector, issue.key, prepared.product, now).latest
    except ConnectorError as exc:
        raise ReviewError(
            "post",
            f"could not check {issue.key} for a review recorded meanwhile: {exc.message} "
            "Nothing was written; run again.",
        ) from None
    current = latest.record.record_id if latest else None
    if current != prepared.previous_id:
        raise ReviewError(
            "post",
            f"another review of {prepared.product} (record {current}) was recorded on "
            f"{issue.key} after this one was prepared, so this review's period is out of "
            "date. Nothing was written; run the command again to review the period since then.",
        )


def _for_review(message: str) -> str:
    # The shared protocol speaks of releases; a review is what is not recorded here.
    return message.replace("The release is NOT authorized.", "The review is NOT recorded.")


def _acceptor(record: ReviewRecord) -> Callable[[str], str | None]:
    """An earlier comment with this record id is adoptable when it is the same review."""

    def accept(canonical: str) -> str | None:
        try:
            found = review_record_from_json(canonical)
        except ReviewRecordError as exc:
            return str(exc)
        if found.product != record.product or found.period != record.period:
            return "it records another review"
        if _unlinked(found.conclusions) != _unlinked(record.conclusions):
            return "it records different conclusions for the same figures"
        return None

    return accept


def _log_payload(record: ReviewRecord, issue: TrackerIssue, comment: Comment) -> dict[str, Any]:
    return {
        "record_id": record.record_id,
        "record_digest": record.record_digest,
        "period": record.period.model_dump(mode="json"),
        "next_due": record.next_due.isoformat(),
        "tracker": issue.tracker,
        "comment": comment.ref.model_dump(mode="json"),
        "comment_sha256": sha256_hex(comment.body),
        "actions": [a.issue.model_dump(mode="json") for a in record.conclusions.actions if a.issue],
    }
