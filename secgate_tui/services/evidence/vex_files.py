"""The release's SBOM and VEX files in the evidence bundle (issue 14), and their check.

The files the vulnerability assessment read are copied byte for byte under
``vulnerability/`` (the SBOM as ``vulnerability/sbom/<name>``, each VEX
document as ``vulnerability/vex/<n>-<name>``); the manifest pins them like
every other file. A file is copied only when its bytes are the ones the
assessment digested, so a file rewritten in between is refused, not bundled.

The check ties them to ``inputs.json``'s assessment (every document it names
is in the bundle, nothing else is) and to the latest authorization record: a
VEX or SBOM other than the one the release was authorized on is reported.
Bundles written before the files were bundled hold none and still check,
with a note saying so.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.domain.vex import VulnerabilityAssessment

PREFIX = "vulnerability/"
SBOM_DIR = f"{PREFIX}sbom/"
VEX_DIR = f"{PREFIX}vex/"


class VexFileError(Exception):
    """An SBOM/VEX file cannot be bundled as the assessment read it."""


class VexFileMismatch(Exception):
    """The bundle's SBOM/VEX files do not match its assessment or its latest record."""


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).strip(".") or "_"


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def bundle_files(
    assessment: VulnerabilityAssessment | None,
    sbom: Path | None,
    vex: tuple[Path, ...],
    attached: Sequence[tuple[bool, str, bytes]] = (),
) -> dict[str, bytes]:
    """The bundle members for the files the assessment read.

    ``attached`` are the files read from the record issue's attachments, as
    ``(is_sbom, name, content)``; they are bundled like files (an SBOM from a
    file and one from an attachment never both exist: the config refuses it).

    Raises:
        VexFileError: a file cannot be read, or no longer has the digest the
            assessment gave it (rewritten while the bundle was written).
    """
    if assessment is None:
        return {}
    digests = {d.digest for d in assessment.documents}
    if assessment.sbom is not None:
        digests.add(assessment.sbom.digest)
    named = [(SBOM_DIR, sbom.name, _read(sbom))] if sbom is not None else []
    named += [(VEX_DIR, path.name, _read(path)) for path in vex]
    named += [(SBOM_DIR if is_sbom else VEX_DIR, name, data) for is_sbom, name, data in attached]
    files: dict[str, bytes] = {}
    n = 0
    for directory, name, content in named:
        if _sha256(content) not in digests:
            raise VexFileError(
                f"{name} changed while the bundle was written (its SHA-256 is not the one "
                "the vulnerability assessment read); export again"
            )
        if directory == VEX_DIR:
            n += 1
            files[f"{VEX_DIR}{n}-{_safe(name)}"] = content
        else:
            files[SBOM_DIR + _safe(name)] = content
    return files


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise VexFileError(f"{path} cannot be read ({exc.strerror or exc})") from None


def check_bundle_files(
    files: Mapping[str, bytes],
    assessment: VulnerabilityAssessment | None,
    latest: AuthorizationRecord | None,
) -> str:
    """What was verified, in words; raises :class:`VexFileMismatch` on the first problem."""
    bundled = {name: _sha256(content) for name, content in files.items() if name.startswith(PREFIX)}
    if assessment is None:
        if bundled:
            raise VexFileMismatch(
                f"{sorted(bundled)[0]} is in the bundle, but inputs.json holds no vulnerability "
                "assessment that read it"
            )
        return ""
    if not bundled:
        return (
            "note: the SBOM/VEX files are not in this bundle (written before secgate bundled "
            "them); their digests are in inputs.json"
        )
    read = {d.digest: d.name for d in assessment.documents}
    if assessment.sbom is not None:
        read[assessment.sbom.digest] = assessment.sbom.name
    for name, digest in sorted(bundled.items()):
        if digest not in read:
            raise VexFileMismatch(
                f"{name} (sha256:{digest}) is not a document the vulnerability assessment in "
                "inputs.json read"
            )
    absent = sorted(set(read) - set(bundled.values()))
    if absent:
        raise VexFileMismatch(
            f"{read[absent[0]]} (sha256:{absent[0]}), read by the vulnerability assessment, "
            "is missing from the bundle"
        )
    note = f"{len(bundled)} SBOM/VEX file(s), each the one the assessment read"
    if latest is None or latest.vulnerabilities is None:
        return note
    return f"{note}; {authorized_problem(latest, set(bundled.values()), 'in this bundle')}"


def changed_documents(record: AuthorizationRecord, current: Mapping[str, str | None]) -> list[str]:
    """Each document the record names whose current file (name -> SHA-256, None when the
    file is gone) is another one; names the record has but ``current`` lacks are skipped."""
    section = record.vulnerabilities
    if section is None:
        return []
    changes: list[str] = []
    for name, authorized in sorted(section.digests().items()):
        if name not in current:
            continue
        now = current[name]
        if now is None:
            changes.append(f"{name} no longer exists (authorized: sha256:{authorized})")
        elif now != authorized:
            changes.append(
                f"{name} changed after authorization (now sha256:{now}, authorized: "
                f"sha256:{authorized})"
            )
    return changes


def authorized_problem(record: AuthorizationRecord, digests: set[str], where: str) -> str:
    """Raises :class:`VexFileMismatch` unless the documents ``digests`` pins are the ones
    the record was authorized on; else says so."""
    section = record.vulnerabilities
    if section is None:
        return ""
    named = section.digests()
    for name, authorized in sorted(named.items()):
        if authorized not in digests:
            raise VexFileMismatch(
                f"the vulnerability assessment changed after authorization: record "
                f"{record.record_id} was authorized on {name} (sha256:{authorized}), which is "
                f"not {where}"
            )
    extra = sorted(digests - set(named.values()))
    if extra:
        raise VexFileMismatch(
            f"the vulnerability assessment changed after authorization: a document "
            f"(sha256:{extra[0]}) {where} is not one record {record.record_id} was "
            "authorized on"
        )
    return f"they are the ones record {record.record_id} was authorized on"
