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


def export_record(
    records_dir: Path,
    record: AuthorizationRecord,
    comment: CommentRef,
    tracker: str,
    anchor: Anchor | None = None,
) -> tuple[Path, Path]:
    """Write both files; returns (markdown, json) paths. Raises OSError."""
    md_path, json_path = export_paths(records_dir, record.product, record.release)
    md = dialect("markdown")
    location = md.text(
        f"Tracker copy: {tracker} issue {comment.key}, comment {comment.id} {comment.url}".rstrip()
    )
    digest = md.text(f"sha256sum {json_path.name} gives the record digest {record.record_digest}")
    body = render_record(record, md).body
    text = f"{location}\n\n{digest}\n\n{anchor_block(anchor)}{body}"
    write_atomic(json_path, record.canonical().encode("utf-8"))
    write_atomic(md_path, text.encode("utf-8"))
    return md_path, json_path
