"""`verify`: are the release's SBOM and VEX files still the ones it was authorized on?

The release's latest logged record (whose tracker copy ``verify`` has just found
intact) names each SBOM/VEX document by its SHA-256. Two kinds of file are
compared with it:

- the files the product's configuration points to for the release, hashed
  afresh and matched by name: one that changed (a VEX re-triaged after
  authorization) or disappeared is reported;
- files given on ``verify``'s command line (``--sbom``/``--vex``: a pipeline
  checking the files it is about to ship, or the ones it gave ``authorize``),
  matched by digest whatever they are called. As at authorization, they replace
  the configured files of the same kind. A given SBOM must be the record's SBOM;
  the given VEX files must be exactly the record's VEX documents: one the record
  does not name, or one it names that was not given, is reported, since the
  given set would then not be the assessment the release was authorized on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.domain.record_vulnerabilities import RecordVulnerabilities
from secgate_tui.domain.text import printable
from secgate_tui.services.context import Context
from secgate_tui.services.evidence.vex_files import changed_documents
from secgate_tui.services.publish.kinds.authorization_payload import AuthorizationPayload
from secgate_tui.services.vex_attachments import attachment_digests
from secgate_tui.services.vex_inputs import VexInputError, VexInputs, input_paths

AUDIT_KIND = "authorization"


@dataclass(frozen=True, kw_only=True)
class VexFileCheck:
    """What comparing the SBOM/VEX files with the latest record found, in words."""

    #: Given files that are the ones the record names.
    confirmed: tuple[str, ...] = ()
    #: Files that are not (changed, gone, unknown to the record, or not given).
    changes: tuple[str, ...] = ()


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _given_digest(path: Path) -> str:
    """A file given on the command line: unreadable is an error (exit 2), not a mismatch."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise VexInputError(
            f"{printable(str(path), 300)}: cannot be read ({printable(exc.strerror or str(exc))}). "
            "Give the path of the SBOM or VEX file to compare with the release's record."
        ) from None


def require_readable(inputs: VexInputs) -> None:
    """Refuse a given file that cannot be read before anything else runs (exit 2).

    Raises:
        VexInputError: naming the file.
    """
    for path in _given_paths(inputs):
        _given_digest(path)


def vex_changes(ctx: Context, product: str, release: str) -> list[str]:
    """Each configured SBOM/VEX file that is not the one the latest record names."""
    return list(check_vex_files(ctx, product, release).changes)


def check_vex_files(
    ctx: Context, product: str, release: str, inputs: VexInputs | None = None
) -> VexFileCheck:
    """The configured files, and those ``inputs`` gives, against the latest record.

    Raises:
        VexInputError: a given file cannot be read.
    """
    inputs = inputs or VexInputs()
    entries = ctx.store.audit_entries(AUDIT_KIND, product, release)
    if not entries:
        return VexFileCheck()
    given = {path: _given_digest(path) for path in _given_paths(inputs)}
    record = AuthorizationPayload.model_validate(entries[-1].payload).record
    section = record.vulnerabilities
    if section is None:
        return VexFileCheck(changes=tuple(_unassessed(record.record_id, path) for path in given))
    compared = _Comparison(record_id=record.record_id, section=section)
    if inputs.sbom is not None:
        compared.sbom(inputs.sbom, given[inputs.sbom])
    if inputs.vex:
        compared.vex(inputs.vex, given)
    changes = _configured_changes(ctx, product, release, inputs, record) + compared.changes
    return VexFileCheck(confirmed=tuple(compared.confirmed), changes=tuple(changes))


def _given_paths(inputs: VexInputs) -> list[Path]:
    return ([inputs.sbom] if inputs.sbom is not None else []) + list(inputs.vex)


def _unassessed(record_id: str, path: Path) -> str:
    return (
        f"{path.name}: record {record_id} holds no vulnerability assessment (the release "
        "was authorized without SBOM/VEX), so this is not a file it was authorized on"
    )


@dataclass(kw_only=True)
class _Comparison:
    """Given files against one record's section, collecting what matched and what did not."""

    record_id: str
    section: RecordVulnerabilities
    confirmed: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    def sbom(self, path: Path, digest: str) -> None:
        authorized, record_id = self.section.sbom, self.record_id
        if authorized is None:
            self.changes.append(
                f"{path.name} (sha256:{digest}): record {record_id} was authorized without an SBOM"
            )
        elif authorized.sha256 != digest:
            self.changes.append(
                f"{path.name} (sha256:{digest}) is not the SBOM record {record_id} was "
                f"authorized on ({authorized.name}, sha256:{authorized.sha256})"
            )
        else:
            self.confirmed.append(
                f"{path.name} is the SBOM record {record_id} was authorized on (sha256:{digest})"
            )

    def vex(self, paths: tuple[Path, ...], given: dict[Path, str]) -> None:
        section, record_id = self.section, self.record_id
        # The SBOM's own embedded findings are listed as a document with the SBOM's
        # digest: they come with the SBOM, not with --vex.
        sbom_digest = section.sbom.sha256 if section.sbom is not None else None
        authorized = {d.sha256: d.name for d in section.documents if d.sha256 != sbom_digest}
        for path in paths:
            digest = given[path]
            if digest in authorized:
                self.confirmed.append(
                    f"{path.name} is the VEX document {authorized[digest]} record {record_id} "
                    f"was authorized on (sha256:{digest})"
                )
            else:
                self.changes.append(
                    f"{path.name} (sha256:{digest}) is not a VEX document record {record_id} "
                    "was authorized on"
                )
        seen = {given[path] for path in paths}
        for digest, name in sorted(authorized.items(), key=lambda item: item[1]):
            if digest not in seen:
                self.changes.append(
                    f"record {record_id} was also authorized on the VEX document {name} "
                    f"(sha256:{digest}), and no --vex file is it; give every VEX file the "
                    "release was authorized on"
                )


def _configured_changes(
    ctx: Context, product: str, release: str, inputs: VexInputs, record: AuthorizationRecord
) -> list[str]:
    """The configured files of the kinds not given, matched by name (as before)."""
    settings = ctx.config.product(product).vulnerability_assessment
    if settings is None:
        return []
    config = ctx.config
    # Given files replace the configured ones of their kind (input_paths applies that).
    paths = input_paths(
        settings=settings,
        release=release,
        inputs=inputs,
        config_dir=config.path.parent if config.path else None,
    )
    given = set(_given_paths(inputs))
    current: dict[str, str | None] = {Path(m).name: None for m in paths.missing}
    for path in ([paths.sbom] if paths.sbom else []) + list(paths.vex):
        if path not in given:
            current[path.name] = _digest(path)
    # Attachments of the record issue, read from the tracker now (services.vex_attachments);
    # a kind given on the command line replaces its attachments.
    assert record.vulnerabilities is not None
    current |= attachment_digests(
        config,
        ctx.connections,
        product,
        release,
        record.vulnerabilities.digests(),
        datetime.now(UTC),
        sbom=inputs.sbom is None,
        vex=not inputs.vex,
    )
    return changed_documents(record, current)
