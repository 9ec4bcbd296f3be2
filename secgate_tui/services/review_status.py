"""Where each product's periodic review stands (IEC 81001-5-1 4.1.8).

The last review is the newest intact ``secgate-review`` record on the product's
review issue, else the config's ``last_review`` (the newer of the two wins).
A record whose machine block does not re-digest is reported and does not
count: an edited record cannot prove that a review was held. Nor does a record
written by another account than the reviewer it names, one whose author is not
among the product's configured reviewers (``reviewers``: anyone who can comment
on the review issue could otherwise post a self-consistent record naming
herself and make an overdue product "OK"), or one whose period ends after now
(a review cannot be held in the future; a record claiming one would push the
next due date out). With ``[signing]``, a record counts only once its review
approval policy is met by signatures read back from the tracker, and from the
day it was met (:mod:`~secgate_tui.services.review_signoff`); a newer review
still pending signatures is named and does not count. The status says who
wrote the record that counts, and every record it ignored and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from connectors.base import Comment, Connector, ConnectorError
from secgate_tui.config import Config, TrackerIssue
from secgate_tui.domain.render import (
    BlockError,
    RecordTooLargeError,
    UnknownDialectError,
    dialect,
    extract,
)
from secgate_tui.domain.render.review_record import render_review
from secgate_tui.domain.review import (
    REVIEW_MARKER,
    ReviewRecord,
    ReviewRecordError,
    ReviewSchedule,
    latest_review,
    review_record_from_json,
    review_schedule,
)
from secgate_tui.services.connections import Connections
from secgate_tui.services.readback import DEFAULT_WINDOW, check_comment, unaltered
from secgate_tui.services.review_signoff import LEGACY_UNSIGNED, SignOff, sign_off
from secgate_tui.services.signing import SigningSetupError

LastReviewSource = Literal["tracker", "config", "none"]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class FoundReview:
    record: ReviewRecord
    comment: Comment

    @property
    def recorded_by(self) -> str:
        """Who wrote the record's comment, as the tracker names them, with the account id."""
        return f"{self.comment.author or self.record.reviewer.name} ({self.comment.author_id})"


@dataclass(frozen=True)
class FoundReviews:
    """The valid review records of one product on its review issue, oldest first."""

    reviews: tuple[FoundReview, ...] = ()
    #: Marker comments that did not check out (edited, damaged): they do not count.
    problems: tuple[str, ...] = ()

    @property
    def latest(self) -> FoundReview | None:
        return max(self.reviews, key=lambda f: f.record.period.end, default=None)


def find_reviews(
    connector: Connector,
    key: str,
    product: str,
    now: datetime,
    *,
    reviewers: frozenset[str] | None = None,
    window: timedelta = DEFAULT_WINDOW,
) -> FoundReviews:
    """Every intact review record of ``product`` on issue ``key`` held by ``now``.

    A comment with the marker whose machine block does not re-digest, whose
    record is not self-consistent, that is not exactly the comment secgate
    writes for its record (edited by hand, flagged edited by the tracker, or
    posted more than ``window`` after the record's time: :func:`unaltered`,
    as for authorization records), that was not written by the account the
    record names as reviewer, whose author is not in ``reviewers`` (when given;
    an empty set admits nobody), or whose period ends after ``now`` is reported
    and ignored: it cannot prove a review was held (fail closed: the review
    stays due).

    Raises:
        ConnectorError: the tracker could not be searched.
    """
    reviews: list[FoundReview] = []
    problems: list[str] = []
    for comment in connector.find_comments(key, REVIEW_MARKER + " "):
        try:
            found = extract(comment.body, REVIEW_MARKER)
            checked = check_comment(connector, comment, REVIEW_MARKER, found.record_id, None)
            record = review_record_from_json(checked.canonical)
        except (BlockError, ReviewRecordError) as exc:
            problems.append(
                f"comment {comment.ref.id} on {key} is not an intact review record: {exc}"
            )
            continue
        if record.product != product:
            continue
        where = f"comment {comment.ref.id} on {key} (review {record.record_id})"
        if not comment.author_id or comment.author_id != record.reviewer.id:
            problems.append(
                f"{where} was written by {comment.author or 'an unknown author'!r} (account "
                f"{comment.author_id or 'not given by the tracker'}), not by the reviewer it "
                f"names ({record.reviewer.name}, account {record.reviewer.id}); it does not count"
            )
            continue
        if reviewers is not None and comment.author_id not in reviewers:
            problems.append(_not_a_reviewer(where, comment, reviewers))
            continue
        if record.period.end > now:
            problems.append(
                f"{where} records a review period ending {record.period.end.isoformat()}, "
                "after now: a review cannot have been held in the future, so it does not count"
            )
            continue
        # Last: the reasons above name the more specific fault of a forged record.
        altered = _altered(connector, comment, record, window)
        if altered is not None:
            problems.append(f"{where} is not the review record secgate wrote: {altered}")
            continue
        reviews.append(FoundReview(record, checked.comment))
    return FoundReviews(tuple(reviews), tuple(problems))


def product_reviews(
    config: Config, connector: Connector, product_id: str, issue: TrackerIssue, now: datetime
) -> FoundReviews:
    """:func:`find_reviews` on ``issue`` as the configuration sets it: the product's
    reviewers on that issue's tracker and the record time window of ``policy``.

    Raises:
        ConnectorError: the tracker could not be searched.
    """
    return find_reviews(
        connector,
        issue.key,
        product_id,
        now,
        reviewers=config.product(product_id).reviewer_accounts(issue.tracker),
        window=config.policy.record_time_window,
    )


def _altered(
    connector: Connector, comment: Comment, record: ReviewRecord, window: timedelta
) -> str | None:
    """Why the comment is not the one secgate writes for ``record`` (None: it is).

    The machine block alone re-digesting proves the record, not the minutes a
    person reads above it: an edit of those would otherwise go unnoticed.
    """
    try:
        rendered = render_review(record, dialect(connector.markup), connector.comment_limit)
    except (RecordTooLargeError, UnknownDialectError, ValueError) as exc:
        # ValueError: a record of an earlier version the renderer cannot lay out.
        return f"it cannot be rendered again to be compared ({exc}); it does not count"
    problem = unaltered(comment, rendered.body, record.created_at, window)
    return None if problem is None else f"{problem}; it does not count"


def _not_a_reviewer(where: str, comment: Comment, reviewers: frozenset[str]) -> str:
    author = f"{comment.author or 'an unknown author'!r} (account {comment.author_id})"
    if not reviewers:
        return (
            f"{where} was written by {author}, but the product lists no reviewer account "
            "for this tracker, so no review record counts; it does not count"
        )
    listed = ", ".join(sorted(reviewers))
    return (
        f"{where} was written by {author}, who is not one of the product's reviewers "
        f"({listed}); it does not count"
    )


def no_reviewers_listed(product_id: str, tracker: str) -> str:
    """The warning when a product has no reviewer account on its review issue's tracker."""
    return (
        f"products.{product_id}.reviewers lists no account for tracker '{tracker}', so "
        "review records found there do not count and the config's last_review is used; "
        f'list the reviewers\' account ids, e.g. reviewers = {{ {tracker} = ["<account id>"] }} '
        "(the warning for each ignored record names its author's account)"
    )


# --------------------------------------------------------------------------- status


@dataclass(frozen=True)
class ReviewStatus:
    product: str
    name: str
    schedule: ReviewSchedule
    source: LastReviewSource
    record_id: str | None = None
    #: Who wrote the tracker record that counts (name and account id), when one does.
    recorded_by: str | None = None
    #: That record's sign-off (its signatures under the review policy).
    sign_off: SignOff | None = None
    warnings: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        s = self.schedule
        return {
            "product": self.product,
            "name": self.name,
            "last_review": s.last_review.isoformat() if s.last_review else None,
            "last_review_source": self.source,
            "record_id": self.record_id,
            "recorded_by": self.recorded_by,
            "sign_off": self.sign_off.as_json() if self.sign_off else None,
            "interval_days": s.interval_days,
            "due": s.due.isoformat() if s.due else None,
            "days_left": s.days_left,
            "state": s.state.value,
            "reason": s.reason,
            "warnings": list(self.warnings),
        }


def review_status(
    config: Config, connections: Connections, product_id: str, now: datetime
) -> ReviewStatus:
    """The product's schedule from the tracker's records, else the config's date.

    A tracker that cannot be reached falls back to the config's ``last_review``
    and says so: that date can only be older than a tracker record, so the
    fallback never shows a review as less due than it is.
    """
    product = config.product(product_id)
    warnings: list[str] = []
    latest: FoundReview | None = None
    tracker_day: date | None = None
    signed: SignOff | None = None
    if product.review_issue is None:
        warnings.append(
            f"products.{product_id}.review_issue is not set, so review records cannot be "
            "found in a tracker; the config's last_review is used"
        )
    else:
        issue = product.review_issue
        reviewers = product.reviewer_accounts(issue.tracker)
        if not reviewers:
            warnings.append(no_reviewers_listed(product_id, issue.tracker))
        try:
            connector = connections.get(issue.tracker)
            found = product_reviews(config, connector, product_id, issue, now)
            warnings.extend(found.problems)
            held = held_review(config, connector, issue.key, found, warnings)
        except ConnectorError as exc:
            warnings.append(
                f"tracker '{issue.tracker}' could not be read for review records on "
                f"{issue.key} ({exc.message}); the last review shown is the config's"
            )
        except SigningSetupError as exc:
            warnings.append(
                f"the review signatures on {issue.key} could not be checked ({exc}); "
                "the last review shown is the config's"
            )
        else:
            if held is not None:
                latest, tracker_day, signed = held
    last = latest_review([tracker_day] if tracker_day else [], product.last_review)
    source: LastReviewSource = "none" if last is None else "config"
    if tracker_day is not None and last == tracker_day:
        source = "tracker"
    counts = latest if latest and source == "tracker" else None
    return ReviewStatus(
        product=product_id,
        name=product.name,
        schedule=review_schedule(last, product.review_interval_days, now),
        source=source,
        record_id=counts.record.record_id if counts else None,
        recorded_by=counts.recorded_by if counts else None,
        sign_off=signed if counts else None,
        warnings=tuple(warnings),
    )


def held_review(
    config: Config, connector: Connector, key: str, found: FoundReviews, warnings: list[str]
) -> tuple[FoundReview, date, SignOff] | None:
    """The newest review that counts as held, the day it counts from, and its sign-off.

    A review counts once its sign-off policy is met (the day of the signature that
    met it); a newer review still pending signatures, or with none, is named in
    ``warnings`` and does not count (fail closed: the review stays due).

    Raises:
        ConnectorError, SigningSetupError: the signatures could not be read or judged.
    """
    for review in sorted(found.reviews, key=lambda f: f.record.period.end, reverse=True):
        signed = sign_off(config, connector, key, review.record)
        day = signed.held_on(review.record)
        if day is not None:
            return review, day, signed
        warnings.append(not_held(review.record, signed))
    return None


def not_held(record: ReviewRecord, signed: SignOff) -> str:
    """Why a review record does not count as a review held (yet)."""
    record_id, product = record.record_id, record.product
    if signed.state == LEGACY_UNSIGNED:
        return (
            f"review {record_id} carries no signature, so it does not count as held: the "
            "review approval policy needs signatures (the reviewer signs it by running "
            "`secgate review record` again with the same conclusions; further signers run "
            f"`secgate approve --product {product} --review`)"
        )
    return (
        f"review {record_id} is pending signatures ({', '.join(signed.missing_roles)}), so "
        "it does not count as held until they are given with `secgate approve --product "
        f"{product} --review`"
    )


def review_statuses(config: Config, connections: Connections, now: datetime) -> list[ReviewStatus]:
    return [review_status(config, connections, p, now) for p in config.products]
