"""Periodic security review: when it is due, and recording one (IEC 81001-5-1 4.1.6, 4.1.8).

:func:`review_statuses` (from :mod:`~secgate_tui.services.review_status`) says
where each product's review stands. Recording a review goes through the
publisher with the review kind (:mod:`~secgate_tui.services.publish.kinds.review`):
``Publisher(ctx).prepare(REVIEW, ReviewRequest(...))`` gathers the period's
figures and builds the record (nothing written); ``publish`` creates the action
issues when asked, writes the record, reads it back, logs it and exports the
minutes, in that order.
"""

from __future__ import annotations

from secgate_tui.domain.review import ReviewRecord
from secgate_tui.services.publish import Prepared, Published
from secgate_tui.services.publish.kinds.review import REVIEW, ReviewKind, ReviewRequest
from secgate_tui.services.review_export import export_review
from secgate_tui.services.review_gather import gather_history, gather_issues
from secgate_tui.services.review_status import (
    FoundReview,
    FoundReviews,
    ReviewStatus,
    find_reviews,
    review_status,
    review_statuses,
)

AUDIT_KIND = ReviewKind.name

#: A review prepared (nothing written), and how recording it ended.
PreparedReview = Prepared[ReviewRecord]
RecordedReview = Published[ReviewRecord]

__all__ = [
    "AUDIT_KIND",
    "REVIEW",
    "FoundReview",
    "FoundReviews",
    "PreparedReview",
    "RecordedReview",
    "ReviewRequest",
    "ReviewStatus",
    "export_review",
    "find_reviews",
    "gather_history",
    "gather_issues",
    "review_status",
    "review_statuses",
]
