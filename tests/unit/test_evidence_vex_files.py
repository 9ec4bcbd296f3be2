"""The bundle's SBOM/VEX files checked against inputs.json's assessment and the latest record."""

from __future__ import annotations

import hashlib

import pytest

from secgate_tui.domain.vex import VulnerabilityAssessment
from secgate_tui.services.evidence.vex_files import VexFileMismatch, check_bundle_files
from tests.unit.test_record_vulnerabilities import _assessment, _record

SBOM, VEX = b'{"sbom": 1}', b'{"vex": 1}'
FILES = {"vulnerability/sbom/app.cdx.json": SBOM, "vulnerability/vex/1-ipc-2.1.vex.json": VEX}


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _pinned(sbom: bytes = SBOM, vex: bytes = VEX) -> VulnerabilityAssessment:
    """The unit test's assessment, as if it had read these bytes."""
    base = _assessment()
    assert base.sbom is not None
    return base.model_copy(
        update={
            "sbom": base.sbom.model_copy(update={"digest": _sha(sbom)}),
            "documents": tuple(d.model_copy(update={"digest": _sha(vex)}) for d in base.documents),
        }
    )


def test_the_files_the_assessment_and_the_record_read_check() -> None:
    assessment = _pinned()
    record = _record(assessment)
    said = check_bundle_files(FILES, assessment, record)
    assert said.startswith("2 SBOM/VEX file(s)") and record.record_id in said


def test_a_bundle_written_before_the_files_were_bundled_still_checks() -> None:
    said = check_bundle_files({}, _pinned(), _record(_pinned()))
    assert said.startswith("note: the SBOM/VEX files are not in this bundle")
    assert check_bundle_files({}, None, None) == ""


def test_a_vex_other_than_the_authorized_one_is_named() -> None:
    record = _record(_pinned())
    changed = _pinned(vex=b'{"vex": 2}')
    files = {**FILES, "vulnerability/vex/1-ipc-2.1.vex.json": b'{"vex": 2}'}
    with pytest.raises(VexFileMismatch, match=r"changed after authorization.*ipc-2\.1\.vex\.json"):
        check_bundle_files(files, changed, record)


def test_a_file_the_assessment_did_not_read_or_a_missing_one_is_refused() -> None:
    with pytest.raises(VexFileMismatch, match="not a document the vulnerability assessment"):
        check_bundle_files({**FILES, "vulnerability/vex/2-x.json": b"{}"}, _pinned(), None)
    with pytest.raises(VexFileMismatch, match="is missing from the bundle"):
        check_bundle_files({"vulnerability/sbom/app.cdx.json": SBOM}, _pinned(), None)
    with pytest.raises(VexFileMismatch, match="holds no vulnerability assessment"):
        check_bundle_files(FILES, None, None)
