"""The evidence bundle: exported from the demo, checked offline, and hostile bundles
refused or detected (nothing is ever extracted)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from secgate_tui.domain import sha256_hex
from secgate_tui.services.evidence import layout
from secgate_tui.services.evidence.archive import read_bundle, write_bundle
from tests.e2e.test_cli import secgate


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An authorized demo release's bundle, exported to the records directory."""
    data = tmp_path_factory.mktemp("evidence")
    authorized = secgate(
        "--demo", "authorize", "--product", "ipc", "--release", "2.0", "--yes",
        "--retrospective", "2.0 shipped before secgate", data_dir=data,
    )  # fmt: skip
    assert authorized.returncode == 0, authorized.stderr
    # authorize writes the bundle beside the exported record by itself ...
    [written] = (data / "records").glob("Software-Release-Record_ipc_2.0_*.tar.gz")
    assert f"evidence:       {written}" in authorized.stdout
    assert check(written)[0] == 0
    # ... and `evidence export` writes one whenever asked.
    elsewhere = data / "elsewhere" / "bundle.tar.gz"
    exported = secgate(
        "--demo", "evidence", "export", "--product", "ipc", "--release", "2.0",
        "--out", str(elsewhere), data_dir=data,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert "1 authorization record(s)" in exported.stdout
    assert check(elsewhere)[0] == 0
    return written


def check(path: Path) -> tuple[int, str]:
    result = secgate("evidence", "check", str(path), data_dir=path.parent / "nowhere")
    return result.returncode, result.stdout + result.stderr


def read(path: Path) -> tuple[str, dict[str, bytes]]:
    with path.open("rb") as handle:
        return read_bundle(handle)


def rewrite(path: Path, out: Path, edit: dict[str, bytes | None], *, manifest: bool) -> Path:
    """``path`` with files replaced (None: removed); the manifest recomputed when asked,
    as someone covering their tracks would."""
    stem, files = read(path)
    for name, content in edit.items():
        if content is None:
            files.pop(name, None)
        else:
            files[name] = content
    if manifest:
        files.pop(layout.MANIFEST)
        files[layout.MANIFEST] = layout.manifest(files)
    out.write_bytes(write_bundle(stem, files))
    return out


def test_an_authorized_release_bundle_reproduces_offline(bundle: Path) -> None:
    assert bundle.name.startswith("Software-Release-Record_ipc_2.0_")
    code, output = check(bundle)
    assert code == 0, output
    assert "REPRODUCED" in output
    assert "PASS, equal to the recorded verdict" in output
    assert "covers this snapshot and configuration" in output


def test_the_bundle_holds_every_input_and_no_secret(bundle: Path) -> None:
    stem, files = read(bundle)
    assert stem == bundle.name.removesuffix(".tar.gz")
    verdict = json.loads(files[layout.VERDICT])
    assert sha256_hex(files[layout.SNAPSHOT]) == verdict["snapshot_digest"]
    inputs = json.loads(files[layout.INPUTS])
    assert {"policy", "activities", "sources", "held", "evaluated_at"} <= set(inputs)
    assert [n for n in files if n.startswith("records/") and n.endswith(".comment.txt")]
    assert b"secgate-audit-anchor" in files[layout.AUDIT_ANCHOR]
    manifest = json.loads(files[layout.MANIFEST])["sha256"]
    assert set(manifest) == set(files) - {layout.MANIFEST}
    assert b'token"' not in files[layout.CONFIG].lower()


def edited_snapshot(path: Path) -> tuple[bytes, str]:
    _, files = read(path)
    issues = json.loads(files[layout.SNAPSHOT])
    issues[3]["status"] = "Done (edited)"
    text = "[" + ",".join(json.dumps(i, sort_keys=True, separators=(",", ":")) for i in issues)
    return (text + "]").encode(), issues[3]["key"]


def test_an_issue_edited_in_the_snapshot_is_named(bundle: Path, tmp_path: Path) -> None:
    snapshot, key = edited_snapshot(bundle)
    edited = rewrite(bundle, tmp_path / "b.tar.gz", {layout.SNAPSHOT: snapshot}, manifest=True)
    code, output = check(edited)
    assert code == 1
    assert f"issue {key} (source sandbox) in the snapshot was changed after export" in output


def test_an_edit_the_manifest_does_not_cover_is_named(bundle: Path, tmp_path: Path) -> None:
    snapshot, _ = edited_snapshot(bundle)
    edited = rewrite(bundle, tmp_path / "b.tar.gz", {layout.SNAPSHOT: snapshot}, manifest=False)
    code, output = check(edited)
    assert code == 1
    assert "snapshot.json does not match its SHA-256 in the manifest" in output


def test_an_edit_with_the_index_rewritten_too_fails_on_the_verdict(
    bundle: Path, tmp_path: Path
) -> None:
    snapshot, _ = edited_snapshot(bundle)
    issues = json.loads(snapshot)
    index = [
        [i["source"], i["key"], sha256_hex(json.dumps(i, sort_keys=True, separators=(",", ":")))]
        for i in issues
    ]
    edit = {layout.SNAPSHOT: snapshot, layout.SNAPSHOT_INDEX: json.dumps(index).encode()}
    code, output = check(rewrite(bundle, tmp_path / "b.tar.gz", edit, manifest=True))
    assert code == 1
    assert "another snapshot_digest than the recorded verdict" in output


def test_a_manifest_listing_a_missing_file_is_detected(bundle: Path, tmp_path: Path) -> None:
    edited = rewrite(bundle, tmp_path / "b.tar.gz", {layout.VERDICT: None}, manifest=False)
    code, output = check(edited)
    assert code == 1
    assert "the manifest lists verdict.json, which is missing from the bundle" in output


def hostile(tmp_path: Path, add: tarfile.TarInfo, content: bytes = b"") -> Path:
    out = tmp_path / "hostile.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        ok = tarfile.TarInfo("Software-Release-Record_x/manifest.json")
        ok.size = 2
        tar.addfile(ok, io.BytesIO(b"{}"))
        add.size = len(content) if add.isreg() else 0
        tar.addfile(add, io.BytesIO(content) if add.isreg() else None)
    return out


def test_a_path_traversal_member_is_refused_and_nothing_is_extracted(tmp_path: Path) -> None:
    member = tarfile.TarInfo("Software-Release-Record_x/../../evil.txt")
    code, output = check(hostile(tmp_path, member, b"owned"))
    assert code == 2
    assert "climbing out" in output
    assert not list(tmp_path.rglob("evil.txt"))


def test_an_absolute_member_is_refused(tmp_path: Path) -> None:
    code, output = check(hostile(tmp_path, tarfile.TarInfo("/tmp/evil.txt"), b"x"))
    assert code == 2
    assert "absolute" in output


def test_a_symlink_member_is_refused(tmp_path: Path) -> None:
    link = tarfile.TarInfo("Software-Release-Record_x/snapshot.json")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    code, output = check(hostile(tmp_path, link))
    assert code == 2
    assert "is a link" in output


class Zeros(io.RawIOBase):
    """``size`` zero bytes, produced as read (the bomb never exists in memory)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


@pytest.mark.slow
def test_a_decompression_bomb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    out = tmp_path / "bomb.tar.gz"
    size = 1024**3
    with tarfile.open(out, "w:gz", compresslevel=1) as tar:
        info = tarfile.TarInfo("Software-Release-Record_x/snapshot.json")
        info.size = size
        tar.addfile(info, io.BufferedReader(Zeros(size), 1024 * 1024))
    assert out.stat().st_size < 10 * 1024 * 1024
    code, output = check(out)
    assert code == 2
    assert "decompression bomb" in output


def test_not_an_archive_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "x.tar.gz"
    path.write_text("not a bundle")
    code, output = check(path)
    assert code == 2
    assert "not a readable .tar.gz archive" in output


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    code, output = check(tmp_path / "none.tar.gz")
    assert code == 2
    assert "cannot be read" in output


def test_an_unauthorized_release_bundle_says_so(tmp_path: Path) -> None:
    out = tmp_path / "b.tar.gz"
    args = ["--demo", "evidence", "export", "--product", "ipc", "--release", "2.2"]
    exported = secgate(*args, "--out", str(out), data_dir=tmp_path / "d")
    assert exported.returncode == 0, exported.stderr
    assert "verdict BLOCKED, no authorization record" in exported.stdout
    code, output = check(out)
    assert code == 0, output
    assert "BLOCKED, equal to the recorded verdict" in output
    assert "this release was not authorized" in output


def test_edited_gate_inputs_do_not_reproduce_the_verdict(bundle: Path, tmp_path: Path) -> None:
    _, files = read(bundle)
    inputs = json.loads(files[layout.INPUTS])
    inputs["activities"] = inputs["activities"][1:]
    edit = {layout.INPUTS: json.dumps(inputs).encode()}
    code, output = check(rewrite(bundle, tmp_path / "b.tar.gz", edit, manifest=True))
    assert code == 1
    assert "the gate re-evaluated from the bundle gives another" in output


def test_a_file_the_manifest_does_not_list_is_detected(bundle: Path, tmp_path: Path) -> None:
    edit = {"records/extra.json": b"{}"}
    code, output = check(rewrite(bundle, tmp_path / "b.tar.gz", edit, manifest=False))
    assert code == 1
    assert "records/extra.json is in the bundle but not in its manifest" in output


def test_a_malformed_file_with_a_matching_manifest_does_not_reproduce(
    bundle: Path, tmp_path: Path
) -> None:
    edit = {layout.SNAPSHOT_INDEX: b'[["sandbox"]]'}
    code, output = check(rewrite(bundle, tmp_path / "b.tar.gz", edit, manifest=True))
    assert code == 1
    assert "malformed" in output
    assert "Traceback" not in output


def test_a_duplicate_member_is_refused(tmp_path: Path) -> None:
    twice = tarfile.TarInfo("Software-Release-Record_x/manifest.json")
    code, output = check(hostile(tmp_path, twice, b"{}"))
    assert code == 2
    assert "appears twice" in output


def test_a_device_member_is_refused(tmp_path: Path) -> None:
    device = tarfile.TarInfo("Software-Release-Record_x/verdict.json")
    device.type = tarfile.CHRTYPE
    code, output = check(hostile(tmp_path, device))
    assert code == 2
    assert "not a regular file" in output
