"""The seventh check end to end: config, `status --sbom/--vex`, `status --json`, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from secgate_tui.config import load_config
from secgate_tui.domain import evaluate
from secgate_tui.services.evidence import layout
from secgate_tui.services.evidence.archive import read_bundle
from secgate_tui.services.vex_inputs import assess_release
from tests.unit.test_gate import FRESH, NOW, POLICY, one_per_category

FIXTURES = Path(__file__).parent.parent / "fixtures" / "vex"
TODAY = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def secgate(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "secgate_tui.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def fresh(tmp_path: Path, name: str, release: str = "2.0") -> Path:
    """A fixture re-dated to now and made to describe ``release`` (the demo's ipc 2.0)."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    if "metadata" in data:
        data["metadata"]["timestamp"] = TODAY
        if "component" in data["metadata"]:
            data["metadata"]["component"]["version"] = release
    else:
        data["timestamp"] = TODAY
        for statement in data["statements"]:
            statement["timestamp"] = TODAY
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def status(
    tmp_path: Path, *extra: str, product: str = "ipc", release: str = "2.0"
) -> subprocess.CompletedProcess[str]:
    return secgate(
        "--demo",
        "status",
        "--product",
        product,
        "--release",
        release,
        "--json",
        *extra,
        data_dir=tmp_path / "data",
    )


def test_without_inputs_the_check_is_null_and_the_verdict_unchanged(tmp_path: Path) -> None:
    # The demo's DMS product has no vulnerability_assessment settings.
    result = status(tmp_path, product="dms", release="5.4")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert "vulnerability_assessment" in data and data["vulnerability_assessment"] is None


def test_demo_ipc_2_0_passes_and_2_2_is_blocked_by_one_untriaged_vulnerability(
    tmp_path: Path,
) -> None:
    passing = json.loads(status(tmp_path).stdout)["vulnerability_assessment"]
    assert passing["passed"] and passing["counts"] == {"affected": 1, "not_affected": 4}
    result = status(tmp_path, release="2.2")
    assert result.returncode == 1
    blocked = json.loads(result.stdout)["vulnerability_assessment"]
    assert [(i["vulnerability"], i["state"]) for i in blocked["open"] if i["reason"]] == [
        ("CVE-2023-45803", "unassessed")
    ]
    assert len(blocked["reasons"]) == 1 and "urllib3@2.0.5" in blocked["reasons"][0]
    human = secgate(
        "--demo",
        "status",
        "--product",
        "ipc",
        "--release",
        "2.2",
        "--offline",
        data_dir=tmp_path / "data",
    )
    assert "Vulnerability assessment" in human.stdout and "CVE-2023-45803" in human.stdout


def test_settled_vex_passes_and_reports_sbom_counts_and_open_items(tmp_path: Path) -> None:
    sbom = fresh(tmp_path, "sbom-scanned-1.6.cdx.json")
    vex = fresh(tmp_path, "openvex-complete.json")
    result = status(tmp_path, "--sbom", str(sbom), "--vex", str(vex))
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assessment = data["vulnerability_assessment"]
    assert assessment["passed"] and data["reasons"] == []
    assert assessment["sbom"]["component_count"] == 7 and len(assessment["sbom"]["digest"]) == 64
    assert assessment["counts"] == {"affected": 1, "not_affected": 4, "resolved": 3}
    (item,) = assessment["open"]
    assert (item["vulnerability"], item["state"], item["linked_issue"]) == (
        "CVE-2024-35195",
        "affected",
        "SEC-42",
    )
    assert assessment["documents"][0]["assessed_at"].endswith("Z")


def test_untriaged_vulnerability_blocks_with_exit_1_and_reason(tmp_path: Path) -> None:
    sbom = fresh(tmp_path, "sbom-scanned-1.6.cdx.json")
    vex = fresh(tmp_path, "openvex-states.json")
    result = status(tmp_path, "--sbom", str(sbom), "--vex", str(vex))
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["verdict"] == "BLOCKED" and not data["vulnerability_assessment"]["passed"]
    assert any("is still under_investigation" in r for r in data["reasons"])
    assert any("has no assessment" in r for r in data["reasons"])


@pytest.mark.parametrize("bad", ["not-json.json", "spec-1.2.cdx.json", "nan.cdx.json"])
def test_malformed_input_is_exit_2_with_one_paragraph_and_no_output(
    tmp_path: Path, bad: str
) -> None:
    result = status(tmp_path, "--sbom", str(FIXTURES / bad))
    assert result.returncode == 2
    assert result.stdout == "" and bad in result.stderr and "Traceback" not in result.stderr


def test_configured_inputs_with_release_template(tmp_path: Path) -> None:
    box = tmp_path / "box.json"
    (tmp_path / "build").mkdir()
    fresh(tmp_path / "build", "sbom-scanned-1.6.cdx.json").rename(tmp_path / "build/2.0.cdx.json")
    config = tmp_path / "secgate.toml"
    config.write_text(
        f"""
[trackers.box]
kind = "sandbox"
path = "{box}"

[products.ipc]
name = "IPC"

[[products.ipc.sources]]
tracker = "box"
project = "IPC"

[products.ipc.vulnerability_assessment]
sbom = "build/{{release}}.cdx.json"
vex = ["build/{{release}}.openvex.json"]
max_age_days = 14
"""
    )
    product = load_config(config).product("ipc")
    settings = product.vulnerability_assessment
    assert settings is not None and settings.max_age_days == 14 and settings.require_sbom
    # The setting appears in the config digest only when it is set.
    assert "vulnerability_assessment" in product.model_dump(mode="json")
    plain = product.model_copy(update={"vulnerability_assessment": None})
    assert "vulnerability_assessment" not in plain.model_dump(mode="json")

    now = datetime.now(UTC)
    missing = assess_release(settings=settings, release="2.0", now=now, config_dir=tmp_path)
    assert missing is not None and not missing.passed
    assert any("2.0.openvex.json does not exist" in r for r in missing.reasons)
    fresh(tmp_path / "build", "openvex-complete.json").rename(tmp_path / "build/2.0.openvex.json")
    present = assess_release(settings=settings, release="2.0", now=now, config_dir=tmp_path)
    assert present is not None and present.passed, present.reasons


def test_document_text_is_escaped_in_the_terminal(tmp_path: Path) -> None:
    sbom = fresh(tmp_path, "sbom-scanned-1.6.cdx.json")
    vex_path = fresh(tmp_path, "openvex-complete.json")
    data = json.loads(vex_path.read_text())
    data["statements"][1]["action_statement"] = "\x1b[2J\x1b[31mall clear\x07 SEC-42"
    data["statements"][1]["vulnerability"]["name"] = "CVE-2024-35195\x1b]0;owned\x07"
    vex_path.write_text(json.dumps(data))
    result = secgate(
        "--demo",
        "status",
        "--product",
        "ipc",
        "--release",
        "2.0",
        "--sbom",
        str(sbom),
        "--vex",
        str(vex_path),
        data_dir=tmp_path / "data",
    )
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "all clear" in result.stdout


def test_junit_report_has_the_check_as_its_own_test_case(tmp_path: Path) -> None:
    result = secgate(
        "--demo",
        "status",
        "--product",
        "ipc",
        "--release",
        "2.2",
        "--format",
        "junit",
        data_dir=tmp_path / "data",
    )
    assert result.returncode == 1, result.stderr
    case = result.stdout.split('testcase name="vulnerability_assessment"', 1)[1]
    case = case.split("</testcase>", 1)[0]
    assert "<failure" in case and "CVE-2023-45803" in case


def test_evidence_bundle_carries_the_assessment_and_reproduces(tmp_path: Path) -> None:
    data = tmp_path / "data"
    exported = secgate(
        "--demo", "evidence", "export", "--product", "ipc", "--release", "2.2", data_dir=data
    )
    assert exported.returncode == 0, exported.stderr
    [path] = (data / "records").glob("*.tar.gz")
    with path.open("rb") as handle:
        _, files = read_bundle(handle)
    inputs = json.loads(files[layout.INPUTS])
    verdict = json.loads(files[layout.VERDICT])
    assert not inputs["vulnerability_assessment"]["passed"]
    assert verdict["vulnerability_assessment"] == inputs["vulnerability_assessment"]
    checked = secgate("evidence", "check", str(path), data_dir=tmp_path / "nowhere")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_verdict_without_the_check_dumps_as_before() -> None:
    # Evidence bundles exported before the check carry verdicts without the key.
    verdict = evaluate(one_per_category(), [], POLICY, NOW, FRESH)
    assert "vulnerability_assessment" not in verdict.model_dump(mode="json")
