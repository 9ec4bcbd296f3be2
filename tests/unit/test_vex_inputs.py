"""Reading SBOM/VEX/KEV files: every state and justification parsed, bad files refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.model.impact_analysis import (
    ImpactAnalysisJustification,
    ImpactAnalysisResponse,
    ImpactAnalysisState,
)
from cyclonedx.schema import SchemaVersion

from secgate_tui.config import ConfigError
from secgate_tui.domain.vex import SUPPORTED_SPEC_VERSIONS, VexState
from secgate_tui.domain.vex.cyclonedx import CdxJustification, CdxResponse, CdxState
from secgate_tui.domain.vex.openvex import OvJustification
from secgate_tui.services.vex_inputs import VexInputError, load_kev, load_sbom, load_vex

FIXTURES = Path(__file__).parent.parent / "fixtures" / "vex"
LIMIT = 100 * 1024 * 1024


def test_vocabularies_are_the_official_librarys() -> None:
    assert {s.value for s in CdxState} == {s.value for s in ImpactAnalysisState}
    assert {j.value for j in CdxJustification} == {j.value for j in ImpactAnalysisJustification}
    assert {r.value for r in CdxResponse} == {r.value for r in ImpactAnalysisResponse}
    for version in SUPPORTED_SPEC_VERSIONS:
        assert SchemaVersion.from_version(version).to_version() == version


def test_sbom_components_root_and_scanner_findings() -> None:
    sbom = load_sbom(FIXTURES / "sbom-scanned-1.6.cdx.json", LIMIT)
    assert sbom.root is not None and sbom.root.version == "2.1.0"
    assert len(sbom.components) == 7 and len(sbom.digest) == 64
    assert sbom.findings is not None and len(sbom.findings.statements) == 8
    assert {s.state for s in sbom.findings.statements} == {VexState.UNASSESSED}
    plain = load_sbom(FIXTURES / "sbom-1.6.cdx.json", LIMIT)
    assert plain.findings is None


@pytest.mark.parametrize("version", ["1.4", "1.5", "1.6"])
def test_each_supported_spec_version_is_read(tmp_path: Path, version: str) -> None:
    data = json.loads((FIXTURES / "sbom-scanned-1.6.cdx.json").read_text())
    data["specVersion"] = version
    data.pop("$schema")
    data["metadata"].pop("tools")  # its shape differs before 1.5
    path = tmp_path / "sbom.json"
    path.write_text(json.dumps(data))
    assert load_sbom(path, LIMIT, strict_schema=True).spec_version == version


def test_cyclonedx_vex_every_state_justification_and_response() -> None:
    document = load_vex(FIXTURES / "vex-states.cdx.json", LIMIT)
    raw = {s.raw_state for s in document.statements}
    assert raw == {s.value for s in CdxState}
    assert {s.justification for s in document.statements} - {None} == {
        j.value for j in CdxJustification
    }
    assert {r for s in document.statements for r in s.responses} == {r.value for r in CdxResponse}
    assert document.format == "CycloneDX 1.6"


def test_openvex_every_status_and_justification() -> None:
    document = load_vex(FIXTURES / "openvex-states.json", LIMIT)
    assert {s.raw_state for s in document.statements} == {
        "not_affected",
        "affected",
        "fixed",
        "under_investigation",
    }
    assert {s.justification for s in document.statements} - {None} == {
        j.value for j in OvJustification
    }
    affected = next(s for s in document.statements if s.raw_state == "affected")
    assert affected.action.startswith("Upgrade") and affected.refs == ("pkg:pypi/requests@2.31.0",)
    assert document.format == "OpenVEX v0.2.0"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("not-json.json", "is not valid JSON"),
        ("nan.cdx.json", "NaN is not a JSON number"),
        ("duplicate-key.cdx.json", "'specVersion' appears twice"),
        ("spec-1.2.cdx.json", "specVersion '1.2' is not supported"),
        ("openvex-duplicate.json", "repeats an earlier statement"),
        ("openvex-unknown-version.json", "OpenVEX version 'v9.9.9' is not supported"),
        ("kev.json", "not a CycloneDX document"),
    ],
)
def test_malformed_documents_are_refused_naming_file_and_problem(name: str, words: str) -> None:
    loader = load_vex if name.startswith("openvex") else load_sbom
    with pytest.raises(VexInputError) as caught:
        loader(FIXTURES / name, LIMIT)
    message = str(caught.value)
    assert name in message and words in message
    assert isinstance(caught.value, ConfigError)  # every command: one paragraph, exit 2


def test_file_over_the_limit_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 5000 + b"{}")
    with pytest.raises(VexInputError, match="larger than the limit"):
        load_sbom(path, 4096)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(VexInputError, match="cannot be read"):
        load_vex(tmp_path / "absent.json", LIMIT)


def test_strict_schema_refuses_what_the_fast_reader_accepts(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "sbom-1.6.cdx.json").read_text())
    data["serialNumber"] = "not-a-urn"
    path = tmp_path / "sbom.json"
    path.write_text(json.dumps(data))
    load_sbom(path, LIMIT)
    with pytest.raises(VexInputError, match=r"fails the CycloneDX 1\.6 JSON schema"):
        load_sbom(path, LIMIT, strict_schema=True)


def test_kev_catalog() -> None:
    assert load_kev(FIXTURES / "kev.json", LIMIT) == {"CVE-2021-44228"}
    with pytest.raises(VexInputError, match="not CISA's KEV catalog"):
        load_kev(FIXTURES / "openvex-complete.json", LIMIT)
