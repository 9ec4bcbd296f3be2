"""The review minutes for auditors: ``Security-Management-Review_<product>_<date>.md/.json``.

The JSON file is the record's canonical JSON byte for byte, so ``sha256sum``
of it gives the record digest; the Markdown file is the same rendering as a
Markdown tracker comment, headed by where the tracker copy lives. Both are
written atomically by the shared export helper.
"""

from __future__ import annotations

from pathlib import Path

from connectors.base import Comment, CommentRef
from secgate_tui.config import TrackerIssue
from secgate_tui.domain.render import dialect
from secgate_tui.domain.render.review_record import render_review
from secgate_tui.domain.review import ReviewRecord, export_stem, record_json
from secgate_tui.services.anchor import Anchor
from secgate_tui.services.export import tracker_copy, with_names_hash, write_record_files

PREFIX = "Security-Management-Review"


def export_paths(records_dir: Path, record: ReviewRecord) -> tuple[Path, Path]:
    """``Security-Management-Review_<product>_<date>.md/.json`` in ``records_dir``."""
    stem = export_stem(record)
    # export_stem makes the product safe; the date after it is fixed-width, so only a
    # product name the sanitizing changed can collide with another product's.
    if stem != f"{PREFIX}_{record.product}_{record.review_day.isoformat()}":
        stem = with_names_hash(stem, (record.product,))
    return records_dir / f"{stem}.md", records_dir / f"{stem}.json"


def export_review_files(
    records_dir: Path,
    record: ReviewRecord,
    tracker: str,
    comment: CommentRef,
    anchor: Anchor | None = None,
) -> tuple[Path, ...]:
    """Write the files; returns (markdown, json, pdf) paths. Raises OSError."""
    minutes = render_review(record, dialect("markdown")).body
    canonical, where = record_json(record), tracker_copy(tracker, comment)
    paths = export_paths(records_dir, record)
    return write_record_files(paths, record.record_digest, canonical, minutes, where, anchor)


def export_review(
    records_dir: Path,
    record: ReviewRecord,
    issue: TrackerIssue,
    comment: Comment,
    anchor: Anchor | None = None,
) -> tuple[Path, ...]:
    """The files of ``record`` as posted in ``comment`` on ``issue``."""
    return export_review_files(records_dir, record, issue.tracker, comment.ref, anchor)
