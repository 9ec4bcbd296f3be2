"""The release's SBOM and VEX read from files attached to its record issue (issue 14).

When a product's ``vulnerability_assessment`` names ``sbom_attachment`` or
``vex_attachments`` (file-name patterns, ``{release}`` allowed), every sync of
a release reads the attachments of the release's record issue (the configured
``record_issue``, else the issue found by its title marker) through the
connector's ``list_attachments`` / ``read_attachment``, and keeps what it read
in the store (``services.vex_attachments_kept``). The gate evaluates the
stored copy: it never fetches, so ``status --offline`` and the TUI's refresh
see the last read, and ``status``, ``authorize`` and the board, which sync
first, see a fresh one. This module reads; ``verify`` also re-reads here.

A read replaces the previous one entirely. Whatever is wrong with it (no
record issue, no matching attachment, two different files matching the SBOM
pattern, the tracker refusing to list or send one) is kept as a problem, and
each problem blocks the release with its reason; an older copy is never used
instead. Of several attachments with the same name (a corrected file uploaded
again), the newest counts. At most ``max_file_mb`` + 1 byte of each file is
kept: the reader then refuses a larger one as it refuses a larger file.
"""

from __future__ import annotations

import fnmatch
import glob
import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from connectors.base import AttachmentRef, Connector, ConnectorError
from secgate_tui.config import Config
from secgate_tui.config_vex import VulnerabilityAssessmentSettings
from secgate_tui.domain.text import printable
from secgate_tui.services.connections import Connections
from secgate_tui.services.record_issue import find_record_issue, record_issue_for

__all__ = [
    "SBOM",
    "VEX",
    "AttachedFile",
    "AttachedInputs",
    "attachment_digests",
    "read_attached",
]

_MB = 1024 * 1024
SBOM = "sbom"
VEX = "vex"


@dataclass(frozen=True, kw_only=True)
class AttachedFile:
    """One attachment as read: its role (``sbom`` or ``vex``), name, issue and bytes."""

    role: str
    name: str
    issue: str
    content: bytes

    @property
    def where(self) -> str:
        """How a person finds it: "sbom-2.0.json (attached to IPC-1)"."""
        return f"{self.name} (attached to {self.issue})"


@dataclass(frozen=True, kw_only=True)
class AttachedInputs:
    """What one read of the record issue's attachments found."""

    read_at: datetime
    tracker: str
    issue: str | None
    files: tuple[AttachedFile, ...]
    #: Each one blocks the release, with this text as (part of) the reason.
    problems: tuple[str, ...]

    @property
    def sbom(self) -> AttachedFile | None:
        return next((f for f in self.files if f.role == SBOM), None)

    @property
    def vex(self) -> tuple[AttachedFile, ...]:
        return tuple(f for f in self.files if f.role == VEX)


def _pattern(template: str, release: str) -> str:
    # A release name is literal text: "2.0[rc]" must not become a character class.
    return template.replace("{release}", glob.escape(release))


def _newest_per_name(refs: Sequence[AttachmentRef], pattern: str) -> dict[str, AttachmentRef]:
    newest: dict[str, AttachmentRef] = {}
    for ref in refs:  # oldest first: a later one of the same name replaces it
        if fnmatch.fnmatchcase(ref.filename, pattern):
            newest[ref.filename] = ref
    return newest


def _choose(
    settings: VulnerabilityAssessmentSettings, release: str, refs: Sequence[AttachmentRef], key: str
) -> tuple[list[tuple[str, AttachmentRef]], list[str]]:
    chosen: list[tuple[str, AttachmentRef]] = []
    problems: list[str] = []
    if settings.sbom_attachment:
        pattern = _pattern(settings.sbom_attachment, release)
        found = _newest_per_name(refs, pattern)
        if not found:
            problems.append(f"no attachment of {key} matches the SBOM pattern '{pattern}'")
        elif len(found) > 1:
            names = ", ".join(sorted(found))
            problems.append(
                f"several attachments of {key} match the SBOM pattern '{pattern}' ({names}); "
                "a release has one SBOM: remove the others or narrow sbom_attachment"
            )
        else:
            chosen.append((SBOM, next(iter(found.values()))))
    taken: set[str] = set()
    for template in settings.vex_attachments:
        pattern = _pattern(template, release)
        found = _newest_per_name(refs, pattern)
        if not found:
            problems.append(f"no attachment of {key} matches the VEX pattern '{pattern}'")
        for name in sorted(found):
            if name not in taken:
                taken.add(name)
                chosen.append((VEX, found[name]))
    return chosen, problems


class Seen:
    """What one sync already read, so several releases sharing one record issue (a
    configured ``record_issue``) list its attachments once and fetch each file once."""

    def __init__(self) -> None:
        self.listed: dict[tuple[str, str], list[AttachmentRef]] = {}
        self.content: dict[tuple[str, str, str], bytes] = {}

    def attachments(self, connector: Connector, key: str) -> list[AttachmentRef]:
        if (connector.name, key) not in self.listed:
            self.listed[(connector.name, key)] = connector.list_attachments(key)
        return self.listed[(connector.name, key)]

    def read(self, connector: Connector, ref: AttachmentRef) -> bytes:
        where = (connector.name, ref.key, ref.id)
        if where not in self.content:
            self.content[where] = connector.read_attachment(ref)
        return self.content[where]


def read_attached(
    config: Config,
    connections: Connections,
    product: str,
    release: str,
    now: datetime,
    seen: Seen | None = None,
) -> AttachedInputs:
    """Read the release's SBOM/VEX attachments from the tracker now. Never raises a
    ConnectorError: what cannot be read is a problem, and problems block."""
    seen = seen or Seen()
    settings = config.product(product).vulnerability_assessment
    assert settings is not None and settings.from_attachments  # callers check
    tracker, project, target = record_issue_for(config.product(product), product, release)
    files: list[AttachedFile] = []
    problems: list[str] = []
    issue_key: str | None = None
    try:
        connector = connections.get(tracker)
        if target is None:
            target = find_record_issue(connector, project, product, release)
        if target is None:
            problems.append(_no_record_issue(product, release, tracker))
        else:
            issue_key = target.key
            chosen, problems = _choose(
                settings, release, seen.attachments(connector, target.key), target.key
            )
            limit = settings.max_file_mb * _MB
            for role, ref in chosen:
                content = _download(seen, connector, ref, problems)
                if content is not None:
                    files.append(
                        AttachedFile(
                            role=role,
                            name=ref.filename,
                            issue=ref.key,
                            content=content[: limit + 1],
                        )
                    )
    except ConnectorError as exc:
        problems.append(f"the attachments of {_where(issue_key)} could not be read: {exc.message}")
    except Exception as exc:  # a connector bug must block, not pass or stop the sync
        problems.append(
            f"the attachments of {_where(issue_key)} could not be read: "
            + _redacted(connections, tracker, f"unexpected {type(exc).__name__}: {exc}")
        )
    return AttachedInputs(
        read_at=now,
        tracker=tracker,
        issue=issue_key,
        files=tuple(files),
        problems=tuple(printable(p, 600) for p in problems),
    )


def _redacted(connections: Connections, tracker: str, text: str) -> str:
    try:
        return connections.get(tracker).redact(text)
    except Exception:  # the connection itself failed: say nothing it could leak
        return f"an unexpected error in the {tracker} connector"


def _where(issue_key: str | None) -> str:
    return f"the record issue {issue_key}" if issue_key else "the record issue"


def _no_record_issue(product: str, release: str, tracker: str) -> str:
    return (
        f"{product} {release} has no record issue in {tracker} yet to read the SBOM/VEX "
        f"attachments from: attach them to the issue whose title holds "
        f"[secgate:{product}/{release}] (or configure products.{product}.record_issue)"
    )


def _download(
    seen: Seen, connector: Connector, ref: AttachmentRef, problems: list[str]
) -> bytes | None:
    try:
        return seen.read(connector, ref)
    except ConnectorError as exc:
        problems.append(
            f"the attachment {ref.filename} of {ref.key} could not be read: {exc.message}"
        )
        return None


def attachment_digests(
    config: Config,
    connections: Connections,
    product: str,
    release: str,
    authorized: Collection[str],
    now: datetime,
    *,
    sbom: bool = True,
    vex: bool = True,
) -> dict[str, str | None]:
    """For ``verify``: each attachment's SHA-256 as the tracker holds it now (name -> digest),
    and None for each ``authorized`` document name a pattern matches that is gone.

    ``sbom``/``vex`` False leaves that kind out: files given on the command line
    replace the attachments of their kind, as they do at authorization."""
    settings = config.product(product).vulnerability_assessment
    if settings is None or not settings.from_attachments:
        return {}
    patterns = ([settings.sbom_attachment or ""] if sbom else []) + (
        list(settings.vex_attachments) if vex else []
    )
    if not any(patterns):
        return {}
    read = read_attached(config, connections, product, release, now)
    current: dict[str, str | None] = {
        f.name: hashlib.sha256(f.content).hexdigest()
        for f in read.files
        if any(p and fnmatch.fnmatchcase(f.name, _pattern(p, release)) for p in patterns)
    }
    for name in authorized:
        if name not in current and any(
            p and fnmatch.fnmatchcase(name, _pattern(p, release)) for p in patterns
        ):
            current[name] = None
    return current
