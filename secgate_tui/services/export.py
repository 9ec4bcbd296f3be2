"""Record files for auditors, controlled documents: an export never replaces another.

An authorization record of format 3 is exported as
``Security-Release-Authorization_<product>_<release>_rev<N>_<document number>.md/.json``;
records of formats 1 and 2 keep their version's name,
``Security-Release-Authorization_<product>_<release>.md/.json``. The JSON file is
the record's canonical JSON byte for byte, so ``sha256sum`` of it is the record
digest. The Markdown file is the same rendering as a Markdown (GitLab, Redmine)
comment, headed by where the tracker copy lives. Both are written atomically: an
interrupted export never leaves half a file.

Never overwritten: when the files of a name hold another record (a superseding
record under an older format's name, a second review on the same day), the
export takes the next free name (``<stem>_2``, ``<stem>_3``, ...) and the earlier
files stay. Exporting the same record again keeps its files as they are.

File names must not collide: when making a name safe changed it, or a name
contains the ``_`` separator (product "a", release "b_c" against product "a_b",
release "c"), a short hash of the raw names is appended to the stem. The
searchable prefix stays in front.
"""

from __future__ import annotations

import json
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
    """The release's stem as formats 1 and 2 named their files (and signatures still do)."""
    stem = f"{PREFIX}_{_safe(product)}_{_safe(release)}"
    # Unchanged names without the separator can be read back from the stem alone.
    if any(_safe(name) != name or "_" in name for name in (product, release)):
        stem = with_names_hash(stem, (product, release))
    return records_dir / f"{stem}.md", records_dir / f"{stem}.json"


def record_paths(records_dir: Path, record: AuthorizationRecord) -> tuple[Path, Path]:
    """Where ``record`` is exported: its revision and document number after the release."""
    md, json_path = export_paths(records_dir, record.product, record.release)
    if record.document_number is None or record.revision is None:
        return md, json_path
    stem = f"{md.stem}_rev{record.revision}_{_safe(record.document_number)}"
    return records_dir / f"{stem}.md", records_dir / f"{stem}.json"


def exported_paths(
    records_dir: Path, product: str, release: str, record_id: str
) -> tuple[Path, Path]:
    """The (markdown, json) files ``record_id`` was exported to (found by the JSON's record
    id among the release's exports), else the release's format 2 names."""
    md, json_path = export_paths(records_dir, product, release)
    for candidate in sorted(records_dir.glob(f"{json_path.stem}*.json")):
        try:
            data = json.loads(candidate.read_bytes())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("record_id") == record_id:
            return candidate.with_suffix(".md"), candidate
    return md, json_path


#: How many files of one name may be taken before an export gives up.
MAX_NUMBERED = 999


def free_paths(paths: tuple[Path, Path], canonical: str) -> tuple[tuple[Path, Path], bool]:
    """The files to write a record to, and whether they already hold this very record.

    ``paths`` first; when they hold another record, the first ``<stem>_<n>`` that is free
    or holds this record (its JSON equals ``canonical``). Raises OSError.
    """
    md, json_path = paths
    data = canonical.encode("utf-8")
    for n in range(1, MAX_NUMBERED + 1):
        stem = md.stem if n == 1 else f"{md.stem}_{n}"
        candidate = (md.with_name(f"{stem}.md"), json_path.with_name(f"{stem}.json"))
        if candidate[1].exists():
            if candidate[1].read_bytes() == data:
                return candidate, True
            continue
        if not candidate[0].exists():
            return candidate, False
    raise OSError(f"{MAX_NUMBERED} exports named {md.stem} exist already; none was replaced")


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
) -> tuple[Path, Path]:
    """Write a record's (markdown, json) files, never over another record's: the JSON is
    its canonical JSON; the Markdown is headed by where the tracker copy lives, how to
    check the digest and the audit log's head (:mod:`~secgate_tui.services.anchor`).
    Returns the paths written (see :func:`free_paths`; the same record exported again
    keeps its files). Raises OSError."""
    (md_path, json_path), same = free_paths(paths, canonical)
    if same and md_path.exists():
        return md_path, json_path
    md = dialect("markdown").readable()
    location = md.text(f"Tracker copy: {tracker_copy}".rstrip())
    check = md.text(f"sha256sum {json_path.name} gives the record digest {digest}")
    if not same:
        write_atomic(json_path, canonical.encode("utf-8"))
    write_atomic(md_path, f"{location}\n\n{check}\n\n{anchor_block(anchor)}{markdown}".encode())
    return md_path, json_path


def tracker_copy(tracker: str, comment: CommentRef) -> str:
    return f"{tracker} issue {comment.key}, comment {comment.id} {comment.url}"


def export_record(
    records_dir: Path,
    record: AuthorizationRecord,
    comment: CommentRef,
    tracker: str,
    anchor: Anchor | None = None,
) -> tuple[Path, Path]:
    """Write both files; returns (markdown, json) paths. Raises OSError."""
    paths = record_paths(records_dir, record)
    markdown = render_record(record, dialect("markdown")).body
    where = tracker_copy(tracker, comment)
    canonical = record.canonical()
    return write_record_files(paths, record.record_digest, canonical, markdown, where, anchor)
