"""The review minutes for auditors: ``Security-Management-Review_<product>_<date>.md/.json``.

The JSON file is the record's canonical JSON byte for byte, so ``sha256sum``
of it gives the record digest; the Markdown file is the same rendering as a
Markdown tracker comment, headed by where the tracker copy lives. Both are
written atomically by the shared export helper.
"""

from __future__ import annotations

from pathlib import Path

from connectors.base import Comment
from secgate_tui.config import TrackerIssue
from secgate_tui.domain.render import dialect
from secgate_tui.domain.render.review_record import render_review
from secgate_tui.domain.review import ReviewRecord, export_stem, record_json
from secgate_tui.services.anchor import Anchor, anchor_block
from secgate_tui.services.export import with_names_hash, write_atomic

PREFIX = "Security-Management-Review"


def export_review(
    records_dir: Path,
    record: ReviewRecord,
    issue: TrackerIssue,
    comment: Comment,
    anchor: Anchor | None = None,
) -> tuple[Path, Path]:
    """``Security-Management-Review_<product>_<date>.md/.json``; the JSON is canonical."""
    stem = export_stem(record)
    # export_stem makes the product safe; the date after it is fixed-width, so only a
    # product name the sanitizing changed can collide with another product's.
    if stem != f"{PREFIX}_{record.product}_{record.review_day.isoformat()}":
        stem = with_names_hash(stem, (record.product,))
    md_path, json_path = records_dir / f"{stem}.md", records_dir / f"{stem}.json"
    md = dialect("markdown")
    ref = comment.ref
    location = md.text(
        f"Tracker copy: {issue.tracker} issue {ref.key}, comment {ref.id} {ref.url}".rstrip()
    )
    digest = md.text(f"sha256sum {json_path.name} gives the record digest {record.record_digest}")
    body = render_review(record, md).body
    write_atomic(json_path, record_json(record).encode("utf-8"))
    write_atomic(md_path, f"{location}\n\n{digest}\n\n{anchor_block(anchor)}{body}".encode())
    return md_path, json_path
