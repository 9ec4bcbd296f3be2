"""`verify --artifact`: is this file one the release's latest authorization names?

The file is hashed afresh and looked up by its SHA-256 in the software
identity of the release's latest logged record (whose tracker copy ``verify``
has just found intact); a name alone proves nothing, so a renamed copy of an
authorized file matches and a changed file does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from secgate_tui.domain.text import printable
from secgate_tui.services.context import Context
from secgate_tui.services.publish.kinds.authorization_payload import AuthorizationPayload
from secgate_tui.services.software import hash_artifact

AUDIT_KIND = "authorization"


@dataclass(frozen=True, kw_only=True)
class ArtifactCheck:
    authorized: bool
    message: str


def check_artifact(ctx: Context, product: str, release: str, path: Path) -> ArtifactCheck:
    """Whether ``path`` is an artifact the latest authorization of the release names.

    Raises:
        SoftwareInputError: the file cannot be read.
    """
    artifact = hash_artifact(path)
    entries = ctx.store.audit_entries(AUDIT_KIND, product, release)
    record = AuthorizationPayload.model_validate(entries[-1].payload).record if entries else None
    shown = f"{printable(str(path), 200)} (sha256:{artifact.sha256})"
    if record is None:
        return ArtifactCheck(authorized=False, message=f"{shown}: the release has no record")
    software = record.software
    if software is None or not software.artifacts:
        return ArtifactCheck(
            authorized=False,
            message=f"{shown}: record {record.record_id} names no artifact (it was authorized "
            "without --artifact), so no file can be confirmed against it",
        )
    found = software.artifact(artifact.sha256)
    if found is None:
        names = ", ".join(printable(a.name, 80) for a in software.artifacts)
        return ArtifactCheck(
            authorized=False,
            message=f"{shown} is NOT an artifact of record {record.record_id}; it authorizes "
            f"{len(software.artifacts)} file(s): {names}. The file differs from every one of "
            "them (rebuilt, altered, or another release's)",
        )
    return ArtifactCheck(
        authorized=True,
        message=f"{shown} is the artifact {printable(found.name, 80)} authorized by record "
        f"{record.record_id}",
    )
