"""The SBOM/VEX attachments as the last sync read them, kept in the store (issue 14).

:func:`refresh_attached` (called once per sync of a product) reads each
release's attachments (``services.vex_attachments``) and replaces the kept
copy; :func:`attached_for` gives the gate and the evidence bundle that copy.
A copy that cannot be decoded blocks, like a read that failed.
:func:`attachments_as_of` says which kept files a verdict used and when they were
read, so a report can say "as of" (offline, that read can be days old).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from secgate_tui.config import Config
from secgate_tui.services.connections import Connections
from secgate_tui.services.store import Store
from secgate_tui.services.vex_attachments import (
    SBOM,
    AttachedFile,
    AttachedInputs,
    Seen,
    read_attached,
)
from secgate_tui.services.vex_inputs import VexInputs

__all__ = [
    "AttachmentsRead",
    "attached_for",
    "attached_read",
    "attachments_as_of",
    "refresh_attached",
    "save_attached",
    "stored_attached",
]


def save_attached(store: Store, product: str, release: str, read: AttachedInputs) -> None:
    manifest = {
        "read_at": read.read_at.isoformat(),
        "tracker": read.tracker,
        "issue": read.issue,
        "files": [{"role": f.role, "name": f.name, "issue": f.issue} for f in read.files],
        "problems": list(read.problems),
    }
    store.save_attached(
        product,
        release,
        read.read_at,
        json.dumps(manifest, sort_keys=True),
        [f.content for f in read.files],
    )


def stored_attached(store: Store, product: str, release: str) -> AttachedInputs | None:
    """The last read kept for the release; None when it was never read."""
    kept = store.attached(product, release)
    if kept is None:
        return None
    text, contents = kept
    try:
        manifest = json.loads(text)
        entries = manifest["files"]
        if len(entries) != len(contents):
            raise ValueError("files and contents differ in number")
        return AttachedInputs(
            read_at=datetime.fromisoformat(manifest["read_at"]),
            tracker=str(manifest["tracker"]),
            issue=manifest["issue"],
            files=tuple(
                AttachedFile(role=e["role"], name=e["name"], issue=e["issue"], content=c)
                for e, c in zip(entries, contents, strict=True)
            ),
            problems=tuple(str(p) for p in manifest["problems"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        # A damaged copy blocks, like a read that failed.
        return AttachedInputs(
            read_at=datetime.fromisoformat("1970-01-01T00:00:00+00:00"),
            tracker="",
            issue=None,
            files=(),
            problems=(f"the stored copy of the SBOM/VEX attachments is unreadable ({exc})",),
        )


def attached_for(config: Config, store: Store, product: str, release: str) -> AttachedInputs | None:
    """The kept read for the gate; None when the product takes nothing from attachments
    (or nothing was ever read: ``assess_release`` then blocks)."""
    settings = config.product(product).vulnerability_assessment
    if settings is None or not settings.from_attachments:
        return None
    return stored_attached(store, product, release)


def attached_read(
    attached: AttachedInputs | None, given: VexInputs | None
) -> list[tuple[bool, str, bytes]]:
    """The attachments an assessment read, as ``(is_sbom, name, content)``: files given
    on the command line replace the attachments of the same kind (``assess_release``)."""
    return [(f.role == SBOM, f.name, f.content) for f in _evaluated(attached, given)]


def _evaluated(attached: AttachedInputs | None, given: VexInputs | None) -> list[AttachedFile]:
    # Files given on the command line replace the attachments of the same kind.
    if attached is None:
        return []
    given = given or VexInputs()
    read = [] if given.sbom or attached.sbom is None else [attached.sbom]
    return read + ([] if given.vex else list(attached.vex))


@dataclass(frozen=True, kw_only=True)
class AttachmentsRead:
    """The kept attachments an assessment evaluated: which, on which issue, read when."""

    issue: str | None
    names: tuple[str, ...]
    read_at: datetime


def attachments_as_of(
    attached: AttachedInputs | None, given: VexInputs | None
) -> AttachmentsRead | None:
    """The kept files the assessment read (those ``attached_read`` gives) and when the
    sync read them; None when it read none (a damaged or empty copy blocks with its
    own reason instead)."""
    files = _evaluated(attached, given)
    if attached is None or not files:
        return None
    return AttachmentsRead(
        issue=attached.issue, names=tuple(f.name for f in files), read_at=attached.read_at
    )


def refresh_attached(
    config: Config,
    store: Store,
    connections: Connections,
    product: str,
    releases: Sequence[str],
    now: datetime,
) -> None:
    """Read and keep each release's attachments, when the product takes its inputs from
    them (one listing per record issue, one download per file, whatever the releases)."""
    settings = config.product(product).vulnerability_assessment
    if settings is None or not settings.from_attachments:
        return
    seen = Seen()
    for release in releases:
        read = read_attached(config, connections, product, release, now, seen)
        save_attached(store, product, release, read)
