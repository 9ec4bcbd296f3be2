"""Reading a release's SBOM, VEX and KEV files: bounded, strict, and refused clearly.

A file is read with at most ``limit + 1`` bytes in memory, parsed as strict
JSON (no NaN/Infinity, no duplicate keys), and mapped to the domain's model.
A malformed or unsupported document raises :class:`VexInputError` (a
:class:`ConfigError`, so every command reports it as one paragraph with exit 2
and writes nothing); inconsistent content is not an error here, it blocks in
:func:`secgate_tui.domain.vex.assess`.

Full CycloneDX JSON-schema validation with ``cyclonedx-python-lib`` runs only
when asked (``--strict-schema``): it takes seconds on a large SBOM.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secgate_tui.config import ConfigError
from secgate_tui.config_vex import VulnerabilityAssessmentSettings
from secgate_tui.domain.text import printable
from secgate_tui.domain.vex import (
    Sbom,
    VexDocument,
    VexDocumentError,
    VulnerabilityAssessment,
    assess,
    is_openvex,
    parse_openvex,
)
from secgate_tui.domain.vex.cyclonedx import parse_cyclonedx_sbom, parse_cyclonedx_vex

if TYPE_CHECKING:
    from secgate_tui.services.vex_attachments import AttachedFile, AttachedInputs

__all__ = [
    "InputPaths",
    "VexInputError",
    "VexInputs",
    "assess_release",
    "input_paths",
    "load_kev",
    "load_sbom",
    "load_vex",
    "read_json",
]

_MB = 1024 * 1024


class VexInputError(ConfigError):
    """An SBOM, VEX or KEV file cannot be used (exit 2; nothing is written)."""


@dataclass(frozen=True, kw_only=True)
class VexInputs:
    """Files given on the command line (``--sbom``, ``--vex``, ``--strict-schema``)."""

    sbom: Path | None = None
    vex: tuple[Path, ...] = field(default_factory=tuple)
    strict_schema: bool = False

    @property
    def given(self) -> bool:
        return self.sbom is not None or bool(self.vex)


def _refuse(path: Path | str, problem: str) -> VexInputError:
    return VexInputError(
        f"{printable(str(path), 300)}: {printable(problem, 600)}. secgate refuses the file "
        "rather than guess; fix or regenerate it (README, section Vulnerability assessment)."
    )


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise ValueError(f"the key '{duplicate}' appears twice in one object")
    return result


def read_json(path: Path, limit_bytes: int) -> tuple[bytes, Any]:
    """The file's bytes and parsed JSON value; never more than ``limit_bytes + 1`` read."""
    content = _read_bytes(path, limit_bytes)
    return content, parse_json(path, content, limit_bytes)


def _read_bytes(path: Path, limit_bytes: int) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(limit_bytes + 1)
    except OSError as exc:
        raise _refuse(path, f"cannot be read ({exc.strerror or exc})") from None


def parse_json(label: Path | str, content: bytes, limit_bytes: int) -> Any:
    """Strict JSON of a file or attachment already read (at most ``limit + 1`` bytes)."""
    if len(content) > limit_bytes:
        raise _refuse(
            label,
            f"is larger than the limit of {limit_bytes // _MB} MB (max_file_mb in the "
            "product's vulnerability_assessment settings)",
        )
    try:
        return json.loads(content, parse_constant=_no_constants, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as exc:
        raise _refuse(label, f"is not valid JSON: {exc}") from None


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _strict(path: Path | str, content: bytes, value: Any) -> None:
    # Imported here: the schema machinery is slow to load and only this needs it.
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    version = SchemaVersion.from_version(str(value.get("specVersion")))
    error = JsonStrictValidator(version).validate_str(content.decode("utf-8"))
    if error is not None:
        raise _refuse(path, f"fails the CycloneDX {version.to_version()} JSON schema: {error}")


def load_sbom(path: Path, limit_bytes: int, strict_schema: bool = False) -> Sbom:
    return sbom_from(path, path.name, _read_bytes(path, limit_bytes), limit_bytes, strict_schema)


def sbom_from(
    label: Path | str, name: str, content: bytes, limit_bytes: int, strict_schema: bool = False
) -> Sbom:
    """The SBOM in ``content`` (a file's or an attachment's bytes), named ``name``."""
    value = parse_json(label, content, limit_bytes)
    try:
        sbom = parse_cyclonedx_sbom(value, name, _digest(content))
    except VexDocumentError as exc:
        raise _refuse(label, f"is not a usable CycloneDX SBOM: {exc}") from None
    if strict_schema:
        _strict(label, content, value)
    return sbom


def load_vex(path: Path, limit_bytes: int, strict_schema: bool = False) -> VexDocument:
    return vex_from(path, path.name, _read_bytes(path, limit_bytes), limit_bytes, strict_schema)


def vex_from(
    label: Path | str, name: str, content: bytes, limit_bytes: int, strict_schema: bool = False
) -> VexDocument:
    """The VEX document in ``content`` (a file's or an attachment's bytes), named ``name``."""
    value = parse_json(label, content, limit_bytes)
    try:
        if is_openvex(value):
            return parse_openvex(value, name, _digest(content))
        document = parse_cyclonedx_vex(value, name, _digest(content))
    except VexDocumentError as exc:
        raise _refuse(label, f"is not a usable VEX document: {exc}") from None
    if strict_schema:
        _strict(label, content, value)
    return document


def load_kev(path: Path, limit_bytes: int) -> frozenset[str]:
    """The CVE ids of a local copy of CISA's KEV catalog (known_exploited_vulnerabilities.json)."""
    _, value = read_json(path, limit_bytes)
    entries = value.get("vulnerabilities") if isinstance(value, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("cveID"), str) for e in entries
    ):
        raise _refuse(path, "is not CISA's KEV catalog (a 'vulnerabilities' list of 'cveID's)")
    return frozenset(e["cveID"] for e in entries)


def _configured(template: str, release: str, base: Path | None) -> Path:
    path = Path(template.replace("{release}", release)).expanduser()
    return base / path if base is not None and not path.is_absolute() else path


def assess_release(
    *,
    settings: VulnerabilityAssessmentSettings | None,
    release: str,
    now: datetime,
    inputs: VexInputs | None = None,
    config_dir: Path | None = None,
    attached: AttachedInputs | None = None,
) -> VulnerabilityAssessment | None:
    """The release's vulnerability assessment, or None when nothing is configured or given.

    Files given on the command line replace the configured ones of the same
    kind (an SBOM for the SBOM, VEX files for the VEX list), attachments included.
    ``attached`` is the last read of the record issue's attachments
    (``services.vex_attachments``; None: never read, which blocks when the
    product takes an input from them).

    Raises:
        VexInputError: a file is missing, too large, malformed or unsupported.
    """
    inputs = inputs or VexInputs()
    if settings is None and not inputs.given:
        return None
    settings = settings or VulnerabilityAssessmentSettings()
    limit = settings.max_file_mb * _MB
    paths = input_paths(settings=settings, release=release, inputs=inputs, config_dir=config_dir)
    sbom_path, vex_paths, missing = paths.sbom, paths.vex, list(paths.missing)
    sbom = load_sbom(sbom_path, limit, inputs.strict_schema) if sbom_path else None
    documents = [load_vex(path, limit, inputs.strict_schema) for path in vex_paths]
    problems: list[str] = []
    if settings.from_attachments and not (inputs.sbom and inputs.vex):
        if attached is None:
            problems.append(NEVER_READ)
        else:
            problems.extend(attached.problems)
            if inputs.sbom is None and attached.sbom is not None:
                sbom = _attached_sbom(attached.sbom, limit, inputs.strict_schema)
            if not inputs.vex:
                documents += [_attached_vex(f, limit, inputs.strict_schema) for f in attached.vex]
    kev = load_kev(_configured(settings.kev, release, config_dir), limit) if settings.kev else None
    result = assess(
        sbom=sbom,
        documents=documents,
        policy=settings.policy(),
        release=release,
        now=now,
        kev=kev,
        missing=missing,
    )
    if not problems:
        return result
    reasons = tuple(f"vulnerability assessment: {p}" for p in problems)
    return result.model_copy(update={"passed": False, "reasons": reasons + result.reasons})


#: The product takes an input from the record issue's attachments, and no sync read them.
NEVER_READ = (
    "the SBOM/VEX attachments of the release's record issue were never read: run "
    "`secgate sync` or `secgate status` without --offline"
)


def _attached_sbom(file: AttachedFile, limit: int, strict: bool) -> Sbom:
    return sbom_from(file.where, file.name, file.content, limit, strict)


def _attached_vex(file: AttachedFile, limit: int, strict: bool) -> VexDocument:
    return vex_from(file.where, file.name, file.content, limit, strict)


@dataclass(frozen=True, kw_only=True)
class InputPaths:
    """The files a release's assessment reads, and the configured ones that do not exist."""

    sbom: Path | None
    vex: tuple[Path, ...]
    missing: tuple[str, ...]


def input_paths(
    *,
    settings: VulnerabilityAssessmentSettings | None,
    release: str,
    inputs: VexInputs | None = None,
    config_dir: Path | None = None,
) -> InputPaths:
    """Which SBOM and VEX files the assessment of ``release`` reads (the evidence bundle
    copies them; ``verify`` re-hashes them).

    Files given on the command line replace the configured ones of the same kind.
    """
    inputs = inputs or VexInputs()
    settings = settings or VulnerabilityAssessmentSettings()
    # Given files must exist (an error when read); a configured file the build
    # did not produce is a missing input, and that blocks.
    missing: list[str] = []
    sbom_path = inputs.sbom
    if sbom_path is None and settings.sbom:
        sbom_path = _present(_configured(settings.sbom, release, config_dir), missing)
    vex_paths: list[Path] = list(inputs.vex)
    if not vex_paths:
        for template in settings.vex:
            path = _present(_configured(template, release, config_dir), missing)
            if path is not None:
                vex_paths.append(path)
    return InputPaths(sbom=sbom_path, vex=tuple(vex_paths), missing=tuple(missing))


def _present(path: Path, missing: list[str]) -> Path | None:
    if path.exists():
        return path
    missing.append(str(path))
    return None
