"""An authorized release keeps the acknowledgements its record was given (issue 17).

ipc 2.2.1 is a documentation patch without system-test findings: authorized with
``--ack-empty``, its ``status`` and ``releases`` afterwards read PASS with the
category acknowledged, not BLOCKED; the reason comes from the record.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import secgate

STATUS = ("--demo", "status", "--product", "ipc", "--release", "2.2.1", "--offline", "--json")
REASON = "documentation-only patch, no system test"


def test_status_of_an_authorized_release_applies_its_recorded_acknowledgement(
    tmp_path: Path,
) -> None:
    before = secgate(*STATUS, data_dir=tmp_path)
    assert before.returncode == 1, before.stdout + before.stderr
    authorized = secgate(
        "--demo", "authorize", "--product", "ipc", "--release", "2.2.1", "--yes",
        "--ack-empty", f"system-test-findings={REASON}", data_dir=tmp_path,
    )  # fmt: skip
    assert authorized.returncode == 0, authorized.stdout + authorized.stderr

    after = secgate(*STATUS, data_dir=tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr
    report = json.loads(after.stdout)
    assert report["verdict"] == "PASS"
    findings = report["categories"]["system-test-findings"]
    assert findings["empty"] and findings["acknowledged"]
    assert REASON in after.stdout

    listed = secgate("--demo", "releases", "--product", "ipc", "--json", data_dir=tmp_path)
    rows = {row["release"]: row for row in json.loads(listed.stdout)}
    assert rows["2.2.1"]["verdict"] == "PASS"
