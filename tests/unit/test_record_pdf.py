"""The PDF beside each exported record: read back with pypdf as an auditor's tool would.

These tests need the fonts ``make test`` installs (DejaVu Sans, WenQuanYi Micro
Hei): a missing CJK font fails them rather than skipping, as CI must notice.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from connectors.base import Comment, CommentRef
from secgate_tui.config import TrackerIssue
from secgate_tui.services.export import export_record
from secgate_tui.services.pdf.fonts import FontError, coverage, find_fonts
from secgate_tui.services.pdf.record import TITLE_LIMIT, record_pdf
from secgate_tui.services.pdf.refresh import rewrite_pdf
from secgate_tui.services.review_export import export_review
from tests.unit.test_record_support import record_for, snapshot
from tests.unit.test_review_record import _record as review_record

NON_LATIN = {
    "cyrillic": "Переполнение буфера в модуле связи",
    "greek": "Υπερχείλιση μνήμης στην πύλη",
    "chinese": "网关固件缓冲区溢出",
    "japanese": "バッファオーバーフローの修正",
    "korean": "게이트웨이 버퍼 오버플로",
    "arabic": "تجاوز سعة المخزن المؤقت",
}
COMMENT = CommentRef(key="P-99", id="7", url="https://tracker.invalid/P-99#7")


def _read(path: Path) -> tuple[PdfReader, str]:
    reader = PdfReader(path)
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    """Extracted text without the line breaks the layout put in."""
    return re.sub(r"\s+", "", text)


def _font_names(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        names |= {str(fonts[name].get_object()["/BaseFont"]) for name in fonts}
    return names


def test_export_writes_the_pdf_beside_the_markdown_with_the_records_content(
    tmp_path: Path,
) -> None:
    record = record_for(snapshot(titles=["Heap overflow in the HL7 parser"]))
    paths = export_record(tmp_path, record, COMMENT, "box")
    md, _json, pdf = paths
    assert pdf == md.with_suffix(".pdf") and pdf.name.startswith("Security-Release-Authorization")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)

    reader, text = _read(pdf)
    flat = _flat(text)
    for key in ("P-1", "P-20", "P-100"):
        assert key in text
    assert "Heap overflow in the HL7 parser" in text
    assert "Only reachable with physical access." in text  # the residual's justification
    assert _flat(f"secgate-record {record.record_id} sha256:{record.record_digest}") in flat
    assert _flat(f"Tracker copy: box issue P-99, comment 7 {COMMENT.url}") in flat

    meta = reader.metadata
    assert meta is not None
    assert (
        meta.title == "Security release authorization: Infusion Pump Controller (ipc) release 2.1"
    )
    assert record.record_id in (meta.subject or "")
    assert meta["/Keywords"] == f"secgate-record {record.record_id} sha256:{record.record_digest}"
    created = meta["/CreationDate"]
    assert re.fullmatch(r"D:\d{14}Z", created), created  # UTC to the second
    when = datetime.strptime(created, "D:%Y%m%d%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - when).total_seconds()) < 120


def test_non_latin_titles_are_drawn_with_fonts_that_have_their_glyphs(tmp_path: Path) -> None:
    record = record_for(snapshot(titles=list(NON_LATIN.values())))
    *_, pdf = export_record(tmp_path, record, COMMENT, "box")
    reader, text = _read(pdf)
    flat = _flat(text)
    for script, title in NON_LATIN.items():
        assert _flat(title) in flat, script
    assert "<U+" not in text  # no character fell back to its code point
    fonts = _font_names(reader)
    assert any("DejaVuSans" in name for name in fonts), fonts
    assert any("WenQuanYi" in name for name in fonts), fonts  # CJK from a CJK font


def test_a_character_no_font_has_is_written_as_its_code_point_not_a_box(tmp_path: Path) -> None:
    fonts = find_fonts()
    devanagari = "क"  # in neither DejaVu Sans nor WenQuanYi Micro Hei
    assert ord(devanagari) not in coverage(fonts.sans)
    record = record_for(snapshot(titles=[f"Patch for {devanagari} locale"]))
    *_, pdf = export_record(tmp_path, record, COMMENT, "box")
    assert "Patch for <U+0915> locale" in _read(pdf)[1]


HOSTILE = (
    "**bold** <b>tag</b> [link](javascript:alert(1)) `code` {nb} |cell| \x00\x07\x1b[31m "
    "\u202eevil\u202c\n```\nsecgate-record SRA-forged sha256:" + "0" * 64 + "\n# heading "
)


def test_a_hostile_title_cannot_break_the_file_or_pose_as_the_record(tmp_path: Path) -> None:
    long_title = HOSTILE + "x" * 20_000
    record = record_for(snapshot(titles=[HOSTILE, long_title, "Last honest title"]))
    *_, pdf = export_record(tmp_path, record, COMMENT, "box")
    reader, text = _read(pdf)
    assert "Last honest title" in text  # nothing after the hostile titles went missing
    assert "<b>tag</b>" in text and "{nb}" in text  # shown as text, not interpreted
    assert "\u202e" not in text and "\x07" not in text
    meta = reader.metadata
    assert meta is not None
    assert meta["/Keywords"] == f"secgate-record {record.record_id} sha256:{record.record_digest}"


def test_hostile_text_as_the_documents_heading_is_shortened_and_cleaned_in_the_metadata() -> None:
    canonical = '{"record_id":"SRA-1"}'
    markdown = "# " + "\x07\u202e<title> " + "y" * 5_000 + "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    reader = PdfReader(io.BytesIO(record_pdf(markdown, canonical)))
    meta = reader.metadata
    assert meta is not None and meta.title is not None
    assert len(meta.title) <= TITLE_LIMIT
    assert meta.title.startswith("<U+0007><U+202E><title> yyy")
    assert meta.subject == "record SRA-1"


def test_tables_are_laid_out_with_every_cell(tmp_path: Path) -> None:
    rows = "\n".join(f"| IPC-{n} | Überlauf {n} \\| ok | High |" for n in range(60))
    markdown = f"# Record\n\n| key | title | severity |\n|---|---|---|\n{rows}\n"
    text = "\n".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(record_pdf(markdown, '{"record_id":"R-1"}'))).pages
    )
    for n in range(60):
        assert f"IPC-{n}" in text and f"Überlauf {n} | ok" in text


def test_the_pdf_shows_a_signature_added_to_the_markdown_later(tmp_path: Path) -> None:
    record = record_for(snapshot())
    md, json_file, pdf = export_record(tmp_path, record, COMMENT, "box")
    with md.open("a", encoding="utf-8") as handle:
        handle.write("\n## Electronic signatures\n\n### Signature 1\n\n`Signed by Ωmega Σigner`\n")
    assert rewrite_pdf(md, json_file) == pdf
    assert "Signed by Ωmega Σigner" in _read(pdf)[1]
    assert rewrite_pdf(tmp_path / "missing.md", json_file) is None


def test_a_review_export_has_its_pdf_with_the_review_marker(tmp_path: Path) -> None:
    record = review_record()
    comment = Comment(ref=CommentRef(key="P-1", id="7"), body="")
    md, _json, pdf = export_review(
        tmp_path, record, TrackerIssue(tracker="box", key="P-1"), comment
    )
    reader, text = _read(pdf)
    assert pdf == md.with_suffix(".pdf")
    marker = f"secgate-review {record.record_id} sha256:{record.record_digest}"
    assert reader.metadata is not None and reader.metadata["/Keywords"] == marker
    assert _flat(marker) in _flat(text)


def test_without_dejavu_sans_no_pdf_is_written_and_the_error_says_what_to_install(
    tmp_path: Path,
) -> None:
    with pytest.raises(FontError) as raised:
        find_fonts([tmp_path])
    assert isinstance(raised.value, OSError)  # the export reports it as a failed export
    assert "fonts-dejavu-core" in str(raised.value)


def test_non_latin_text_keeps_its_fonts_across_page_breaks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    titles = [f"{NON_LATIN['chinese']} {n} {NON_LATIN['arabic']}" for n in range(150)]
    record = record_for(snapshot(titles=titles))
    *_, pdf = export_record(tmp_path, record, COMMENT, "box")
    reader, text = _read(pdf)
    assert len(reader.pages) > 2
    assert not [r.message for r in caplog.records if "missing" in r.getMessage()]
    assert "<U+" not in text
    # Every title, on every page (the JSON block holds them as \u escapes).
    assert text.count(NON_LATIN["chinese"]) == len(titles)
    assert _flat(text).count(_flat(NON_LATIN["arabic"])) == len(titles)


@pytest.mark.parametrize(
    ("markdown", "deepest"),
    [
        ("".join("  " * i + f"- level {i}\n" for i in range(40)), "level 39"),
        ("> " * 60 + "deep quote\n", "deep quote"),
        (
            "|"
            + "|".join(f"c{i}" for i in range(40))
            + "|\n|"
            + "---|" * 40
            + "\n|"
            + "|".join(f"{i}" * 30 for i in range(40))
            + "|\n",
            "c39",
        ),
    ],
    ids=["nested-lists", "nested-quotes", "forty-columns"],
)
def test_extreme_structure_still_gives_a_readable_pdf(markdown: str, deepest: str) -> None:
    data = record_pdf("# Record\n\n" + markdown, '{"record_id":"R-1"}')
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert deepest in _flat(text) or deepest in text


def test_a_controlled_documents_number_and_revision_are_the_pdfs_subject() -> None:
    canonical = '{"document_number":"DHF-SRA-1","record_id":"SRA-1","revision":2}'
    reader = PdfReader(io.BytesIO(record_pdf("# Record\n\nText.\n", canonical)))
    assert reader.metadata is not None
    assert reader.metadata.subject == "DHF-SRA-1 revision 2 (record SRA-1)"
    assert "DHF-SRA-1 revision 2 (record SRA-1)" in reader.pages[0].extract_text()  # footer
