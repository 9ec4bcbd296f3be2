"""Record files for auditors: ``Security-Release-Authorization_<product>_<release>.md/.json``.

The JSON file is the record's canonical JSON byte for byte, so
``sha256sum`` of it is the record digest. The Markdown file is the same
rendering as a GitLab comment, headed by where the tracker copy lives. Both
are written atomically: an interrupted export never leaves half a file.

File names must not collide: when making a name safe changed it, or a name
contains the ``_`` separator (product "a", release "b_c" against product "a_b",
release "c"), a short hash of the raw names is appended to the stem. The
searchable prefix stays in front.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from connectors.base import CommentRef
from secgate_tui.domain import canonical_json, sha256_hex
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.domain.render import dialect, render_record
from secgate_tui.services.anchor import Anchor, anchor_block
from secgate_tui.services.pdf.record import pdf_path, record_pdf

PREFIX = "Security-Release-Authorization"


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", part).strip(".") or "_"


def with_names_hash(stem: str, raw: Sequence[str]) -> str:
    """``stem`` with a short hash of the raw names, which the stem no longer tells apart."""
    return f"{stem}_{sha256_hex(canonical_json(list(raw)))[:10]}"


def export_paths(records_dir: Path, product: str, release: str) -> tuple[Path, Path]:
    stem = f"{PREFIX}_{_safe(product)}_{_safe(release)}"
    # Unchanged names without the separator can be read back from the stem alone.
    if any(_safe(name) != name or "_" in name for name in (product, release)):
        stem = with_names_hash(stem, (product, release))
    return records_dir / f"{stem}.md", records_dir / f"{stem}.json"


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_record_files(
    paths: tuple[Path, Path],
    digest: str,
    canonical: str,
    markdown: str,
    tracker_copy: str,
    anchor: Anchor | None = None,
) -> tuple[Path, ...]:
    """Write a record's (markdown, json, pdf) files: the JSON is its canonical JSON; the Markdown
    is headed by where the tracker copy lives, how to check the digest and the audit log's
    head (:mod:`~secgate_tui.services.anchor`). Raises OSError."""
    md_path, json_path = paths
    md = dialect("markdown")
    location = md.text(f"Tracker copy: {tracker_copy}".rstrip())
    check = md.text(f"sha256sum {json_path.name} gives the record digest {digest}")
    write_atomic(json_path, canonical.encode("utf-8"))
    text = f"{location}\n\n{check}\n\n{anchor_block(anchor)}{markdown}"
    write_atomic(md_path, text.encode())
    # The PDF copy for the design history file: the same text, laid out (services.pdf).
    write_atomic(pdf := pdf_path(md_path), record_pdf(text, canonical))
    return (*paths, pdf)


def tracker_copy(tracker: str, comment: CommentRef) -> str:
    return f"{tracker} issue {comment.key}, comment {comment.id} {comment.url}"


def export_record(
    records_dir: Path,
    record: AuthorizationRecord,
    comment: CommentRef,
    tracker: str,
    anchor: Anchor | None = None,
) -> tuple[Path, ...]:
    """Write the files; returns (markdown, json, pdf) paths. Raises OSError."""
    paths = export_paths(records_dir, record.product, record.release)
    markdown = render_record(record, dialect("markdown")).body
    where = tracker_copy(tracker, comment)
    canonical = record.canonical()
    return write_record_files(paths, record.record_digest, canonical, markdown, where, anchor)
