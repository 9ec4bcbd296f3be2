"""The human part's lines on which software is authorized, and on a retrospective one.

The record renderer calls these; they return nothing for a record without a
software identity or retrospective, so older records render as they did.
Artifact names come from the command line and are escaped like tracker text.
"""

from __future__ import annotations

from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.domain.render.dialect import Dialect

NAME_LIMIT = 120
REASON_LIMIT = 600


def retrospective_lines(record: AuthorizationRecord, d: Dialect) -> list[str]:
    """The record's first line when the release had shipped before it was authorized."""
    retro = record.retrospective
    if retro is None:
        return []
    return [
        d.paragraph(
            d.strong(d.text(f"RETROSPECTIVE authorization of a release shipped on {retro.shipped}"))
            + d.text(f". Reason: {retro.reason}", REASON_LIMIT)
        ),
        "",
    ]


def software_lines(record: AuthorizationRecord, d: Dialect) -> list[str]:
    """The software authorized: each artifact, the commit and the SBOM, with digests."""
    software = record.software
    if software is None:
        return []
    lines = ["", d.heading(d.text("Software authorized"))]
    for artifact in software.artifacts:
        lines.append(
            d.bullet(
                d.text("Artifact")
                + " "
                + d.text(artifact.name, NAME_LIMIT)
                + d.text(f": sha256:{artifact.sha256} ({artifact.size} bytes)")
            )
        )
    if software.commit is not None:
        lines.append(
            d.bullet(
                d.text(
                    f"Commit {software.commit.id} (from {software.commit.source})", NAME_LIMIT * 2
                )
            )
        )
    if software.sbom is not None:
        sbom = software.sbom
        lines.append(
            d.bullet(
                d.text("SBOM")
                + " "
                + d.text(sbom.name, NAME_LIMIT)
                + d.text(f": sha256:{sbom.sha256} ({sbom.components} components)")
            )
        )
    return lines
