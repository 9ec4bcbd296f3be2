"""`verify`: are the product's SBOM and VEX files still the ones the release was authorized on?

The release's latest logged record (whose tracker copy ``verify`` has just found
intact) names each SBOM/VEX document by its SHA-256. The files the product's
configuration points to for the release are hashed afresh: one that changed
(a VEX re-triaged after authorization) or disappeared is reported; the
authorization then no longer describes the assessment on disk. Files given on
the command line at authorization (``--sbom``/``--vex``) are not configured
and cannot be re-checked here; the evidence bundle holds their copies.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from secgate_tui.services.context import Context
from secgate_tui.services.evidence.vex_files import changed_documents
from secgate_tui.services.publish.kinds.authorization_payload import AuthorizationPayload
from secgate_tui.services.vex_attachments import attachment_digests
from secgate_tui.services.vex_inputs import input_paths

AUDIT_KIND = "authorization"


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def vex_changes(ctx: Context, product: str, release: str) -> list[str]:
    """Each configured SBOM/VEX file that is not the one the latest record names."""
    entries = ctx.store.audit_entries(AUDIT_KIND, product, release)
    if not entries:
        return []
    record = AuthorizationPayload.model_validate(entries[-1].payload).record
    settings = ctx.config.product(product).vulnerability_assessment
    if record.vulnerabilities is None or settings is None:
        return []
    config = ctx.config
    paths = input_paths(
        settings=settings,
        release=release,
        config_dir=config.path.parent if config.path else None,
    )
    current: dict[str, str | None] = {Path(m).name: None for m in paths.missing}
    for path in ([paths.sbom] if paths.sbom else []) + list(paths.vex):
        current[path.name] = _digest(path)
    # Attachments of the record issue, read from the tracker now (services.vex_attachments).
    authorized = record.vulnerabilities.digests()
    current |= attachment_digests(
        config, ctx.connections, product, release, authorized, datetime.now(UTC)
    )
    return changed_documents(record, current)
