"""`status --format markdown|junit` says when the kept SBOM/VEX attachments were read.

Offline, `status` evaluates the attachments the last sync kept; the CI reports
must show the same "as of" as `--json` (the time of that read, not of this run).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

from tests.contract.harness_sandbox import PROJECT
from tests.e2e.test_vex_attachments import (
    RELEASE,
    _assessment,
    _config,
    _files,
    _status,
    _tracker,
)
from tests.e2e.test_vex_cli import secgate
from tests.unit.test_reports import MD


def test_the_ci_reports_say_as_of_when_the_kept_attachments_were_read(tmp_path: Path) -> None:
    box, connector = _tracker(tmp_path)
    record = connector.create_issue(PROJECT, "Release record", "", ())
    sbom, vex = _files(tmp_path)
    connector.attach(record.key, f"ipc-{RELEASE}.cdx.json", sbom)
    connector.attach(record.key, f"ipc-{RELEASE}.openvex.json", vex)
    config = _config(tmp_path, box, record_issue=record.key)
    data = tmp_path / "data"
    code, parsed, stderr = _status(config, data)  # syncs: reads and keeps the attachments
    assert code in (0, 1), stderr
    read_at = _assessment(parsed)["attachments"]["read_at"]  # type: ignore[index]
    note = (
        f"SBOM/VEX attachments of {record.key} as of {read_at} (the last sync's read): "
        f"ipc-{RELEASE}.cdx.json, ipc-{RELEASE}.openvex.json"
    )
    args = ("--config", str(config), "status", "--product", "ipc", "--release", RELEASE)

    markdown = secgate(*args, "--offline", "--format", "markdown", data_dir=data)
    assert markdown.returncode in (0, 1), markdown.stderr
    assert note in unescape(MD.render(markdown.stdout))  # as a reader sees it rendered

    junit = secgate(*args, "--offline", "--format", "junit", data_dir=data)
    assert junit.returncode in (0, 1), junit.stderr
    root = ET.fromstring(junit.stdout)  # noqa: S314 - secgate's own output
    prop = root.find("properties/property[@name='attachments_read_at']")
    assert prop is not None and prop.get("value") == read_at
    case = root.find("testcase[@name='vulnerability_assessment']")
    assert case is not None
    failure = case.find("failure")
    shown = case.findtext("system-out") if failure is None else failure.text
    assert note in (shown or "").splitlines()
