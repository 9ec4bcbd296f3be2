"""The record's PDF through the command line: written with the record, rewritten per signature.

Two signers authorize the demo release as in the signed-approval tests; after each
command the PDF beside the Markdown export is read back with pypdf.
"""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

from secgate_tui.services.pdf.fonts import FONT_DIR_ENV
from secgate_tui.services.signing.demo import RELEASE_MANAGER
from tests.e2e.test_approve_cli import RELEASE, Signed, out

STEM = "Security-Release-Authorization_ipc_2.0"


def _exported_md(stdout: str) -> Path:
    found = re.search(r"exported:\s+(\S+\.md)$", stdout, re.MULTILINE)
    assert found is not None, stdout
    return Path(found.group(1))


def _text(path: Path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(path).pages))


def test_the_pdf_is_exported_with_the_record_and_shows_each_signature(tmp_path: Path) -> None:
    signed = Signed(tmp_path)
    signed.write_signed_config()
    first = signed.rm("authorize", *RELEASE, "--yes")
    assert first.returncode == 3, out(first)
    pdf = _exported_md(first.stdout).with_suffix(".pdf")
    assert f"exported:       {pdf}" in first.stdout
    marker = re.search(
        r"secgate-record \S+ sha256:[0-9a-f]{64}", signed.record_comments()[0]["body"]
    )
    assert marker is not None
    after_one = _text(pdf)
    assert re.sub(r"\s+", "", marker.group()) in after_one
    assert "Signature1" in after_one and "Signature2" not in after_one
    assert PdfReader(pdf).metadata["/Keywords"] == marker.group()  # type: ignore[index]

    second = signed.so("approve", *RELEASE, "--yes")
    assert second.returncode == 0, out(second)
    after_two = _text(pdf)
    assert "Signature1" in after_two and "Signature2" in after_two
    assert "ssh-keygen-Yverify" in after_two
    markdown = pdf.with_suffix(".md").read_text(encoding="utf-8")
    manifestations = re.findall(r"^`(Signed by .*)`$", markdown, re.MULTILINE)
    assert len(manifestations) == 2
    for manifestation in manifestations:  # who signed, as what, when, meaning
        assert re.sub(r"\s+", "", manifestation) in after_two
    assert [p.name for p in pdf.parent.glob("*.pdf")] == [pdf.name]
    assert not list(pdf.parent.glob(".*.tmp"))  # written atomically: no temporary file left


def test_without_fonts_the_export_fails_clearly_and_a_rerun_writes_the_pdf(tmp_path: Path) -> None:
    signed = Signed(tmp_path)
    signed.write_signed_config()
    records = signed.data_dir / "records"
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    key = signed.demo.keys[RELEASE_MANAGER]

    failed = signed.as_signer(key, "authorize", *RELEASE, "--yes", env={FONT_DIR_ENV: str(empty)})
    assert failed.returncode == 2, out(failed)
    assert "fonts-dejavu-core" in failed.stderr and "Traceback" not in out(failed)
    assert "Run authorize again" in failed.stderr
    assert not list(records.glob("*.pdf")) and len(list(records.glob(f"{STEM}*.md"))) == 1
    assert len(signed.record_comments()) == 1  # the record is in the tracker

    again = signed.rm("authorize", *RELEASE, "--yes")
    assert again.returncode == 3, out(again)
    assert [p.with_suffix(".md").exists() for p in records.glob("*.pdf")] == [True]
    assert len(signed.record_comments()) == 1  # adopted, not posted twice
