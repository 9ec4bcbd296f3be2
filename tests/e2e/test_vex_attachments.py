"""SBOM and VEX attached to the release's record issue (issue 14), end to end.

A sandbox tracker (a JSON file, the real connector) holds the record issue; a
person attaches the files to it; `secgate status` syncs, reads them, and the
seventh check evaluates them. What cannot be read blocks with the reason; a
malformed attachment is refused like a malformed file (exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path

from connectors.sandbox import SandboxConnector, SandboxSettings
from secgate_tui.services.evidence.archive import read_bundle
from tests.contract.harness_sandbox import PROJECT, seed
from tests.e2e.test_vex_cli import fresh, secgate

RELEASE = "1.1"


def _tracker(tmp_path: Path) -> tuple[Path, SandboxConnector]:
    from datetime import UTC, datetime

    box = tmp_path / "box.json"
    box.write_text(json.dumps(seed(datetime.now(UTC))))
    connector = SandboxConnector("box", SandboxSettings(kind="sandbox", path=str(box)), None)
    return box, connector


def _config(tmp_path: Path, box: Path, *, record_issue: str | None, extra: str = "") -> Path:
    record = f'record_issue = {{ tracker = "box", key = "{record_issue}" }}' if record_issue else ""
    config = tmp_path / "secgate.toml"
    config.write_text(
        f"""
[trackers.box]
kind = "sandbox"
path = "{box}"

[products.ipc]
name = "IPC"
{record}

[[products.ipc.sources]]
tracker = "box"
project = "{PROJECT}"

[products.ipc.vulnerability_assessment]
sbom_attachment = "ipc-{{release}}.cdx.json"
vex_attachments = ["ipc-{{release}}*.openvex.json"]
{extra}
"""
    )
    return config


def _status(config: Path, data: Path, *extra: str) -> tuple[int, dict[str, object], str]:
    result = secgate(
        "--config",
        str(config),
        "status",
        "--product",
        "ipc",
        "--release",
        RELEASE,
        "--json",
        *extra,
        data_dir=data,
    )
    parsed = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.returncode, parsed, result.stderr


def _assessment(parsed: dict[str, object]) -> dict[str, object]:
    value = parsed["vulnerability_assessment"]
    assert isinstance(value, dict)
    return value


def _files(tmp_path: Path) -> tuple[bytes, bytes]:
    sbom = fresh(tmp_path, "sbom-scanned-1.6.cdx.json", release=RELEASE).read_bytes()
    vex = fresh(tmp_path, "openvex-complete.json", release=RELEASE).read_bytes()
    return sbom, vex


def test_attached_sbom_and_vex_are_read_at_sync_and_evaluated_offline_too(
    tmp_path: Path,
) -> None:
    box, connector = _tracker(tmp_path)
    record = connector.create_issue(PROJECT, "Release record", "", ())
    sbom, vex = _files(tmp_path)
    connector.attach(record.key, f"ipc-{RELEASE}.cdx.json", b'{"an": "older upload"}')
    connector.attach(record.key, f"ipc-{RELEASE}.cdx.json", sbom)  # re-uploaded: newest counts
    connector.attach(record.key, f"ipc-{RELEASE}.openvex.json", vex)
    connector.attach(record.key, "ipc-9.9.cdx.json", b"not for this release")
    config = _config(tmp_path, box, record_issue=record.key)

    code, parsed, stderr = _status(config, tmp_path / "data")

    assert code in (0, 1), stderr
    assessment = _assessment(parsed)
    assert assessment["passed"], assessment["reasons"]
    sbom_summary = assessment["sbom"]
    assert isinstance(sbom_summary, dict)
    assert sbom_summary["name"] == f"ipc-{RELEASE}.cdx.json"
    assert sbom_summary["component_count"] == 7
    names = [d["name"] for d in assessment["documents"]]  # type: ignore[union-attr,index]
    # The scanner's findings embedded in the SBOM, then the attached VEX.
    assert names == [f"ipc-{RELEASE}.cdx.json", f"ipc-{RELEASE}.openvex.json"]

    # Offline, the copy kept at the last sync is evaluated: the tracker is not asked.
    box.write_text(json.dumps(seed_without_attachments(box)))
    code, parsed, stderr = _status(config, tmp_path / "data", "--offline")
    assert _assessment(parsed)["passed"], stderr

    # Online again, the attachment is gone: that blocks, never the older copy.
    code, parsed, stderr = _status(config, tmp_path / "data")
    assert code == 1
    reasons = _assessment(parsed)["reasons"]
    assert any("no attachment of" in r and "SBOM pattern" in r for r in reasons)  # type: ignore[union-attr]


def seed_without_attachments(box: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(box.read_text())
    issues = data["issues"]
    assert isinstance(issues, dict)
    for issue in issues.values():
        issue.pop("attachments", None)
    return data


def test_never_read_attachments_block_offline(tmp_path: Path) -> None:
    box, connector = _tracker(tmp_path)
    record = connector.create_issue(PROJECT, "Release record", "", ())
    config = _config(tmp_path, box, record_issue=record.key)
    code, parsed, _ = _status(config, tmp_path / "data", "--offline")
    assert code == 1
    assert any("were never read" in r for r in _assessment(parsed)["reasons"])  # type: ignore[union-attr]


def test_without_a_record_issue_the_reason_says_where_to_attach(tmp_path: Path) -> None:
    box, _ = _tracker(tmp_path)
    config = _config(tmp_path, box, record_issue=None)
    code, parsed, stderr = _status(config, tmp_path / "data")
    assert code == 1, stderr
    reasons = _assessment(parsed)["reasons"]
    assert any("[secgate:ipc/1.1]" in r and "no record issue" in r for r in reasons)  # type: ignore[union-attr]


def test_record_issue_found_by_title_marker_and_ambiguous_sbom_blocks(tmp_path: Path) -> None:
    box, connector = _tracker(tmp_path)
    record = connector.create_issue(
        PROJECT, f"Security Release Authorization [secgate:ipc/{RELEASE}]", "", ()
    )
    sbom, vex = _files(tmp_path)
    connector.attach(record.key, f"ipc-{RELEASE}.openvex.json", vex)
    config = _config(tmp_path, box, record_issue=None)
    config.write_text(config.read_text().replace('"ipc-{release}.cdx.json"', '"*.cdx.json"'))
    connector.attach(record.key, "a.cdx.json", sbom)
    connector.attach(record.key, "b.cdx.json", sbom)

    code, parsed, stderr = _status(config, tmp_path / "data")

    assert code == 1, stderr
    reasons = _assessment(parsed)["reasons"]
    assert any("several attachments" in r and "a.cdx.json, b.cdx.json" in r for r in reasons)  # type: ignore[union-attr]


def test_a_malformed_attachment_is_refused_naming_it(tmp_path: Path) -> None:
    box, connector = _tracker(tmp_path)
    record = connector.create_issue(PROJECT, "Release record", "", ())
    sbom, _ = _files(tmp_path)
    connector.attach(record.key, f"ipc-{RELEASE}.cdx.json", sbom)
    connector.attach(record.key, f"ipc-{RELEASE}.openvex.json", b'{"statements": [NaN]}')
    config = _config(tmp_path, box, record_issue=record.key)

    code, parsed, stderr = _status(config, tmp_path / "data")

    assert code == 2 and parsed == {}
    assert f"ipc-{RELEASE}.openvex.json (attached to {record.key})" in stderr
    assert "is not valid JSON" in stderr and "Traceback" not in stderr


def test_an_attachment_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    box, connector = _tracker(tmp_path)
    record = connector.create_issue(PROJECT, "Release record", "", ())
    sbom, vex = _files(tmp_path)
    connector.attach(record.key, f"ipc-{RELEASE}.cdx.json", sbom + b" " * (1024 * 1024))
    connector.attach(record.key, f"ipc-{RELEASE}.openvex.json", vex)
    config = _config(tmp_path, box, record_issue=record.key, extra="max_file_mb = 1")

    code, _, stderr = _status(config, tmp_path / "data")

    assert code == 2
    assert "larger than the limit of 1 MB" in stderr and "attached to" in stderr


def test_the_evidence_bundle_holds_the_attached_files_and_checks(tmp_path: Path) -> None:
    box, connector = _tracker(tmp_path)
    record = connector.create_issue(PROJECT, "Release record", "", ())
    sbom, vex = _files(tmp_path)
    connector.attach(record.key, f"ipc-{RELEASE}.cdx.json", sbom)
    connector.attach(record.key, f"ipc-{RELEASE}.openvex.json", vex)
    config = _config(tmp_path, box, record_issue=record.key)
    out = tmp_path / "bundle.tar.gz"
    common = ("--config", str(config))

    exported = secgate(
        *common,
        "evidence",
        "export",
        "--product",
        "ipc",
        "--release",
        RELEASE,
        "--out",
        str(out),
        data_dir=tmp_path / "data",
    )
    assert exported.returncode == 0, exported.stderr

    with out.open("rb") as handle:
        _, files = read_bundle(handle)
    assert files[f"vulnerability/sbom/ipc-{RELEASE}.cdx.json"] == sbom
    assert files[f"vulnerability/vex/1-ipc-{RELEASE}.openvex.json"] == vex
    checked = secgate(*common, "evidence", "check", str(out), data_dir=tmp_path / "data")
    assert checked.returncode == 0, checked.stdout + checked.stderr


CATEGORIES = (
    "system-test-findings",
    "requirements",
    "security-by-design",
    "implementation",
    "verification-validation",
    "defect-management",
)


def test_verify_reports_an_attachment_replaced_after_authorization(tmp_path: Path) -> None:
    box, connector = _tracker(tmp_path)
    record = connector.create_issue(PROJECT, "Release record", "", ())
    sbom, vex = _files(tmp_path)
    connector.attach(record.key, f"ipc-{RELEASE}.cdx.json", sbom)
    connector.attach(record.key, f"ipc-{RELEASE}.openvex.json", vex)
    config = _config(tmp_path, box, record_issue=record.key)
    common = ("--config", str(config))
    where = ("--product", "ipc", "--release", RELEASE)

    authorized = secgate(
        *common, "authorize", *where, "--yes", "--ack-empty", *CATEGORIES, data_dir=tmp_path / "d"
    )
    assert authorized.returncode == 0, authorized.stdout + authorized.stderr
    intact = secgate(*common, "verify", *where, data_dir=tmp_path / "d")
    assert intact.returncode == 0, intact.stdout + intact.stderr

    # Someone re-triages and uploads the VEX again under the same name.
    changed = json.loads(vex)
    changed["statements"][0]["status"] = "under_investigation"
    connector.attach(record.key, f"ipc-{RELEASE}.openvex.json", json.dumps(changed).encode())
    result = secgate(*common, "verify", *where, data_dir=tmp_path / "d")
    assert result.returncode == 1
    assert f"VEX CHANGED  ipc-{RELEASE}.openvex.json changed after authorization" in result.stdout


def test_an_attachment_the_tracker_cannot_send_blocks_with_the_reason(tmp_path: Path) -> None:
    box, connector = _tracker(tmp_path)
    record = connector.create_issue(PROJECT, "Release record", "", ())
    sbom, vex = _files(tmp_path)
    connector.attach(record.key, f"ipc-{RELEASE}.cdx.json", sbom)
    connector.attach(record.key, f"ipc-{RELEASE}.openvex.json", vex)
    data = json.loads(box.read_text())
    data["issues"][record.key]["attachments"][1]["content"] = "%%% not base64 %%%"
    box.write_text(json.dumps(data))
    config = _config(tmp_path, box, record_issue=record.key)

    code, parsed, stderr = _status(config, tmp_path / "data")

    assert code == 1, stderr
    reasons = _assessment(parsed)["reasons"]
    assert any(
        f"the attachment ipc-{RELEASE}.openvex.json of {record.key} could not be read" in r
        for r in reasons  # type: ignore[union-attr]
    )
    assert any(f"ipc-{RELEASE}.openvex.json" in r for r in parsed["reasons"])  # type: ignore[union-attr]


def test_one_sync_keeps_each_releases_own_files_from_one_record_issue(tmp_path: Path) -> None:
    box, connector = _tracker(tmp_path)
    record = connector.create_issue(PROJECT, "Records of every release", "", ())
    for release in ("1.0", "1.1"):
        sbom = fresh(tmp_path, "sbom-scanned-1.6.cdx.json", release=release).read_bytes()
        vex = fresh(tmp_path, "openvex-complete.json", release=release).read_bytes()
        connector.attach(record.key, f"ipc-{release}.cdx.json", sbom)
        connector.attach(record.key, f"ipc-{release}.openvex.json", vex)
    config = _config(tmp_path, box, record_issue=record.key)
    synced = secgate("--config", str(config), "sync", "--product", "ipc", data_dir=tmp_path / "d")
    assert synced.returncode == 0, synced.stderr

    for release in ("1.0", "1.1"):
        result = secgate(
            "--config",
            str(config),
            "status",
            "--product",
            "ipc",
            "--release",
            release,
            "--offline",
            "--json",
            data_dir=tmp_path / "d",
        )
        assessment = json.loads(result.stdout)["vulnerability_assessment"]
        assert assessment["passed"], assessment["reasons"]
        assert assessment["sbom"]["name"] == f"ipc-{release}.cdx.json"
        assert assessment["sbom"]["release_version"] == release


def test_status_says_as_of_when_the_kept_attachments_were_read(tmp_path: Path) -> None:
    box, connector = _tracker(tmp_path)
    record = connector.create_issue(PROJECT, "Release record", "", ())
    sbom, vex = _files(tmp_path)
    connector.attach(record.key, f"ipc-{RELEASE}.cdx.json", sbom)
    connector.attach(record.key, f"ipc-{RELEASE}.openvex.json", vex)
    config = _config(tmp_path, box, record_issue=record.key)
    data = tmp_path / "data"

    code, parsed, stderr = _status(config, data)
    assert code in (0, 1), stderr
    kept = _assessment(parsed)["attachments"]
    assert isinstance(kept, dict)
    assert kept["issue"] == record.key
    assert kept["files"] == [f"ipc-{RELEASE}.cdx.json", f"ipc-{RELEASE}.openvex.json"]
    read_at = kept["read_at"]
    assert isinstance(read_at, str) and read_at.endswith("Z")

    # Offline the text report shows the same read, not the time of this run.
    args = ("--config", str(config), "status", "--product", "ipc", "--release", RELEASE)
    text = secgate(*args, "--offline", data_dir=data).stdout
    assert (
        f"attachments of {record.key} as of {read_at} (the last sync's read): "
        f"ipc-{RELEASE}.cdx.json, ipc-{RELEASE}.openvex.json"
    ) in text

    # Files given on the command line replace both attachments: no attachment is shown.
    given = ("--sbom", str(tmp_path / "sbom.json"), "--vex", str(tmp_path / "vex.json"))
    (tmp_path / "sbom.json").write_bytes(sbom)
    (tmp_path / "vex.json").write_bytes(vex)
    code, parsed, stderr = _status(config, data, "--offline", *given)
    assert code in (0, 1), stderr
    assert "attachments" not in _assessment(parsed)
    assert "the last sync's read" not in secgate(*args, "--offline", *given, data_dir=data).stdout
