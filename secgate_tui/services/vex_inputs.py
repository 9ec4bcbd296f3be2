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
from typing import Any

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


def _refuse(path: Path, problem: str) -> VexInputError:
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
    try:
        with path.open("rb") as handle:
            content = handle.read(limit_bytes + 1)
    except OSError as exc:
        raise _refuse(path, f"cannot be read ({exc.strerror or exc})") from None
    if len(content) > limit_bytes:
        raise _refuse(
            path,
            f"is larger than the limit of {limit_bytes // _MB} MB (max_file_mb in the "
            "product's vulnerability_assessment settings)",
        )
    try:
        value = json.loads(content, parse_constant=_no_constants, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as exc:
        raise _refuse(path, f"is not valid JSON: {exc}") from None
    return content, value


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _strict(path: Path, content: bytes, value: Any) -> None:
    # Imported here: the schema machinery is slow to load and only this needs it.
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    version = SchemaVersion.from_version(str(value.get("specVersion")))
    error = JsonStrictValidator(version).validate_str(content.decode("utf-8"))
    if error is not None:
        raise _refuse(path, f"fails the CycloneDX {version.to_version()} JSON schema: {error}")


def load_sbom(path: Path, limit_bytes: int, strict_schema: bool = False) -> Sbom:
    content, value = read_json(path, limit_bytes)
    try:
        sbom = parse_cyclonedx_sbom(value, path.name, _digest(content))
    except VexDocumentError as exc:
        raise _refuse(path, f"is not a usable CycloneDX SBOM: {exc}") from None
    if strict_schema:
        _strict(path, content, value)
    return sbom


def load_vex(path: Path, limit_bytes: int, strict_schema: bool = False) -> VexDocument:
    content, value = read_json(path, limit_bytes)
    try:
        if is_openvex(value):
            return parse_openvex(value, path.name, _digest(content))
        document = parse_cyclonedx_vex(value, path.name, _digest(content))
    except VexDocumentError as exc:
        raise _refuse(path, f"is not a usable VEX document: {exc}") from None
    if strict_schema:
        _strict(path, content, value)
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
) -> VulnerabilityAssessment | None:
    """The release's vulnerability assessment, or None when nothing is configured or given.

    Files given on the command line replace the configured ones of the same
    kind (an SBOM for the SBOM, VEX files for the VEX list).

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
    kev = load_kev(_configured(settings.kev, release, config_dir), limit) if settings.kev else None
    return assess(
        sbom=sbom,
        documents=documents,
        policy=settings.policy(),
        release=release,
        now=now,
        kev=kev,
        missing=missing,
    )


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
