"""What every report format renders: the verdict and what it needs beside it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from secgate_tui.domain import Issue, Verdict
from secgate_tui.domain.release_dates import ReleaseDate
from secgate_tui.domain.text import without_userinfo
from secgate_tui.domain.times import iso_z_or
from secgate_tui.services.vex_attachments_kept import AttachmentsRead


@dataclass(frozen=True, kw_only=True)
class GateReport:
    """A release's verdict with the names and links a reader needs.

    ``links`` maps an issue's (source, key) to its tracker URL; findings carry
    no URL of their own.
    """

    product: str
    product_name: str
    release: str
    verdict: Verdict
    links: Mapping[tuple[str, str], str] = field(default_factory=dict)
    #: ``status``'s authorization state as read from the tracker (see
    #: :mod:`~secgate_tui.services.authorization_state`); None where it was not asked.
    authorization: Mapping[str, Any] | None = None
    #: The release as the trackers list it (released flag and date); None where the
    #: release list was not read (``--offline`` before any sync kept it).
    shipped: ReleaseDate | None = None
    #: Set when ``shipped`` comes from the release lists the last sync kept (offline):
    #: when they were read.
    shipped_as_of: datetime | None = None
    #: The SBOM/VEX attachments the vulnerability assessment evaluated, as the last
    #: sync read and kept them (None: it read none).
    attachments: AttachmentsRead | None = None

    def link(self, source: str, key: str) -> str:
        return without_userinfo(self.links.get((source, key), ""))


def released_json(report: GateReport) -> dict[str, Any] | None:
    """``status --json``'s ``released`` key: whether the tracker shows the release shipped."""
    if report.shipped is None:
        return None
    on = report.shipped.released_on
    released = {"released": report.shipped.released, "released_on": on.isoformat() if on else None}
    if report.shipped_as_of is not None:
        released["as_of"] = when(report.shipped_as_of)
    return released


def attachments_note(report: GateReport, text: Callable[[str, int], str]) -> str | None:
    """Which kept SBOM/VEX attachments the assessment evaluated and when the sync read
    them, for the CI formats (None: it read none). Offline that read can be days old,
    and a reader of the report must see how old; ``text`` makes the tracker's issue key
    and file names safe for the format."""
    kept = report.attachments
    if kept is None:
        return None
    where = f" of {text(kept.issue, 40)}" if kept.issue else ""
    names = ", ".join(text(name, 60) for name in kept.names)
    return f"SBOM/VEX attachments{where} as of {when(kept.read_at)} (the last sync's read): {names}"


def issue_links(issues: list[Issue]) -> dict[tuple[str, str], str]:
    return {issue.uid: issue.url for issue in issues if issue.url}


def anomaly_links(verdict: Verdict) -> dict[tuple[str, str], str]:
    """Links of the issues that affect the release (they are not among its members)."""
    return {(a.source, a.key): a.url for a in verdict.anomalies if a.url}


def when(value: datetime | None) -> str:
    """A time as a person reads it in a report: ISO 8601 UTC to the second with ``Z``."""
    return iso_z_or(value, "never")
