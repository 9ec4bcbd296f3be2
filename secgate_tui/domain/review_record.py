"""The review record: the content of the security management review minutes.

A :class:`ReviewRecord` holds the period's figures, the reviewer's conclusions
and improvement actions, who reviewed and when. Its canonical JSON (sorted keys,
UTC times, see :mod:`secgate_tui.domain.canonical`) is what is written to the
tracker and read back; ``record_digest`` is the SHA-256 of that JSON. Rendering
to tracker markup belongs to the write-back code, not here.

The record id is derived from the product, the period and the metrics digest,
so the same review of the same data always has the same id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from secgate_tui import __version__
from secgate_tui.domain.canonical import canonical_json, sha256_hex
from secgate_tui.domain.conclusions import ActionLink, ReviewConclusions
from secgate_tui.domain.model import utc
from secgate_tui.domain.review_checks import ReviewChecks, check_review
from secgate_tui.domain.review_fda import FdaComparison, comparison_holds
from secgate_tui.domain.review_followup import PreviousReview
from secgate_tui.domain.review_metrics import ReviewMetrics, ReviewPeriod
from secgate_tui.domain.review_schedule import MAX_INTERVAL_DAYS, check_interval
from secgate_tui.domain.review_targets import ReviewTargets
from secgate_tui.domain.review_trends import ReviewTrends

#: The marker a review record's comment carries, and how it is found again.
REVIEW_MARKER: Final = "secgate-review"
#: Bumped when the record's shape changes incompatibly; readers check it.
SCHEMA_VERSION: Final = 1


class ReviewRecordError(ValueError):
    """A stored review record cannot be trusted; the message is one paragraph."""


class Reviewer(BaseModel):
    """Who held the review: the tracker identity the record is written as."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    display_name: str = ""


def _unset(value: object) -> bool:
    return value is None


class ReviewRecord(BaseModel):
    """The minutes. ``targets``, ``checks``, ``previous_review`` and ``participants``
    came with issue 15: every record since has them; they are left out of the JSON
    while unset, so records written before keep their digests (and their layout)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["secgate-review"] = REVIEW_MARKER
    schema_version: Literal[1] = SCHEMA_VERSION
    record_id: str
    product: str
    product_name: str = ""
    period: ReviewPeriod
    interval_days: int = Field(ge=1, le=MAX_INTERVAL_DAYS)
    next_due: date
    metrics: ReviewMetrics
    metrics_digest: str
    conclusions: ReviewConclusions
    reviewer: Reviewer
    created_at: AwareDatetime
    secgate_version: str
    config_digest: str = ""
    targets: ReviewTargets | None = Field(None, exclude_if=_unset)
    checks: ReviewChecks | None = Field(None, exclude_if=_unset)
    previous_review: PreviousReview | None = Field(None, exclude_if=_unset)
    #: Who held the review (management sign-off): the reviewer first.
    participants: tuple[str, ...] | None = Field(None, exclude_if=_unset)
    #: Opened, closed and still open per month over 24 months (issue 15); left out
    #: of the JSON while unset, so records written before keep their digests.
    trends: ReviewTrends | None = Field(None, exclude_if=_unset)
    #: FDA's metrics for this period and the previous one (recomputed, and as the
    #: previous record stored them); left out while unset like the fields above.
    fda: FdaComparison | None = Field(None, exclude_if=_unset)
    #: ``sign-off``: the review is signed (``[signing]``) and counts from the day its
    #: review approval policy is met, which the record, written before its signatures,
    #: cannot know; ``next_due`` is then the earliest the next review can fall due (the
    #: period's end plus the interval). Unset: ``next_due`` is the due date itself (the
    #: review counts from its period's end). Left out while unset, so records written
    #: before keep their digests.
    next_due_from: Literal["sign-off"] | None = Field(None, exclude_if=_unset)

    @field_validator("created_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return utc(value)

    @property
    def record_digest(self) -> str:
        """SHA-256 of the record's canonical JSON."""
        return sha256_hex(record_json(self))

    @property
    def review_day(self) -> date:
        """The day an unsigned review counts as held: the next period starts from it."""
        return self.period.end.date()

    @property
    def due_after_sign_off(self) -> bool:
        """Whether the next review counts from the sign-off (``next_due`` is then a floor)."""
        return self.next_due_from == "sign-off"


def metrics_digest(metrics: ReviewMetrics) -> str:
    return sha256_hex(canonical_json(metrics.model_dump(mode="json")))


def review_record_id(product: str, period: ReviewPeriod, digest: str) -> str:
    """``rev-`` and 20 hex digits of SHA-256 over product, period and metrics digest."""
    identity = {
        "product": product,
        "period": period.model_dump(mode="json"),
        "metrics_digest": digest,
    }
    return "rev-" + sha256_hex(canonical_json(identity))[:20]


def build_review_record(
    *,
    product: str,
    metrics: ReviewMetrics,
    conclusions: ReviewConclusions,
    reviewer: Reviewer,
    interval_days: int,
    now: datetime,
    product_name: str = "",
    config_digest: str = "",
    secgate_version: str = __version__,
    targets: ReviewTargets | None = None,
    checks: ReviewChecks | None = None,
    previous_review: PreviousReview | None = None,
    participants: Sequence[str] | None = None,
    trends: ReviewTrends | None = None,
    fda: FdaComparison | None = None,
    signed: bool = False,
) -> ReviewRecord:
    """Assemble the record of a review held at ``now``.

    Unsigned (``signed`` False), the next review falls due ``interval_days`` after
    the period's end (the day the figures were taken), which is also what ``review
    status`` computes once this record is the latest one in the tracker. Signed,
    the review counts from the day its approval policy is met, after this record
    is written: ``next_due`` (same computation) is then only the earliest due date,
    and the record says so (``next_due_from``).

    Raises:
        ValueError: the interval is outside 1..365, or a time is naive.
    """
    digest = metrics_digest(metrics)
    check_interval(interval_days)
    return ReviewRecord(
        record_id=review_record_id(product, metrics.period, digest),
        product=product,
        product_name=product_name,
        period=metrics.period,
        interval_days=interval_days,
        next_due=metrics.period.end.date() + timedelta(days=interval_days),
        metrics=metrics,
        metrics_digest=digest,
        conclusions=conclusions,
        reviewer=reviewer,
        created_at=utc(now),
        secgate_version=secgate_version,
        config_digest=config_digest,
        targets=targets,
        checks=checks,
        previous_review=previous_review,
        participants=None if participants is None else tuple(participants),
        trends=trends,
        fda=fda,
        next_due_from="sign-off" if signed else None,
    )


def sign_off(reviewer: Reviewer, *others: Sequence[str]) -> tuple[str, ...]:
    """The review's participants: the reviewer first, then the others once each."""
    who = reviewer.display_name or reviewer.name
    first = f"{who} ({reviewer.name}), reviewer"
    names: list[str] = [first]
    for group in others:
        for name in group:
            if name.strip() and name not in names and name not in (reviewer.name, who):
                names.append(name.strip())
    return tuple(names)


def with_action_links(record: ReviewRecord, links: Sequence[ActionLink | None]) -> ReviewRecord:
    """The record with the tracker issues created for its actions, in action order.

    The record id stays (it names the review, not its write-up); the digest
    changes, so links are added before the record is written.

    Raises:
        ValueError: ``links`` does not have one entry per action.
    """
    actions = record.conclusions.actions
    if len(links) != len(actions):
        raise ValueError(
            f"{len(links)} action link(s) for {len(actions)} action(s): give one per action "
            "(None for an action without an issue)"
        )
    linked = tuple(
        action.model_copy(update={"issue": link})
        for action, link in zip(actions, links, strict=True)
    )
    conclusions = record.conclusions.model_copy(update={"actions": linked})
    return record.model_copy(update={"conclusions": conclusions})


def record_dict(record: ReviewRecord) -> dict[str, Any]:
    """The record as plain JSON data: what is written, read back and digested."""
    data: dict[str, Any] = record.model_dump(mode="json")
    return data


def record_json(record: ReviewRecord) -> str:
    return canonical_json(record_dict(record))


def marker_line(record: ReviewRecord) -> str:
    """``secgate-review <record_id> sha256:<record_digest>``, for finding and checking."""
    return f"{REVIEW_MARKER} {record.record_id} sha256:{record.record_digest}"


def export_stem(record: ReviewRecord) -> str:
    """``Security-Management-Review_<product>_<YYYY-MM-DD>`` (an auditor searches for it)."""
    product = re.sub(r"[^A-Za-z0-9._-]+", "-", record.product).strip("-.") or "product"
    return f"Security-Management-Review_{product}_{record.review_day.isoformat()}"


def review_record_from_json(text: str | bytes) -> ReviewRecord:
    """Parse a record read back from the tracker and check it is self-consistent.

    Raises:
        ReviewRecordError: not JSON, not a review record of this schema, or its
            metrics digest or record id do not match its content (edited).
    """
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ReviewRecordError(
            f"The review record is not valid JSON ({error}); it was damaged or edited in the "
            "tracker. Do not rely on it: record the review again."
        ) from None
    if not isinstance(data, dict) or data.get("kind") != REVIEW_MARKER:
        raise ReviewRecordError(
            "The text is not a secgate review record (no kind = "
            f"'{REVIEW_MARKER}'); check that the right comment was read."
        )
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ReviewRecordError(
            f"The review record has schema version {data.get('schema_version')!r}, but this "
            f"secgate reads version {SCHEMA_VERSION}; upgrade secgate to read it."
        )
    try:
        record = ReviewRecord.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ReviewRecordError(
            f"The review record is incomplete or altered: '{where}' {first['msg'].lower()}. "
            "Do not rely on it: record the review again."
        ) from None
    if metrics_digest(record.metrics) != record.metrics_digest or record.record_id != (
        review_record_id(record.product, record.period, record.metrics_digest)
    ):
        raise ReviewRecordError(
            f"The review record {record.record_id} does not match its own figures (its metrics "
            "digest or record id was edited). Do not rely on it: record the review again."
        )
    if not checks_hold(record):
        raise ReviewRecordError(
            f"The review record {record.record_id} shows checks of its conclusions that its own "
            "figures, targets and follow-up do not give (the checks were edited). Do not rely "
            "on it: record the review again."
        )
    if record.fda is not None and not comparison_holds(record.fda, record.metrics.deployed):
        raise ReviewRecordError(
            f"The review record {record.record_id} shows FDA figures or differences from the "
            "previous record that its own figures do not give (they were edited). Do not rely "
            "on it: record the review again."
        )
    return record


def checks_hold(record: ReviewRecord) -> bool:
    """The record's checks are what its figures, targets, conclusions and follow-up give.

    Records from before issue 15 have no checks: nothing to recompute.
    """
    if record.checks is None:
        return True
    if record.targets is None:
        return False
    actions = record.previous_review.actions if record.previous_review else ()
    expected = check_review(record.metrics, record.targets, record.conclusions, actions)
    return expected == record.checks
