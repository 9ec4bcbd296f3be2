"""Export file names: the auditor-searchable prefix, and no two releases sharing a file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connectors.base import Comment, CommentRef
from secgate_tui.config import TrackerIssue
from secgate_tui.domain.record import AuthorizationRecord, Supersedes
from secgate_tui.services.export import (
    export_paths,
    export_record,
    exported_paths,
    write_record_files,
)
from secgate_tui.services.review_export import export_review
from tests.unit.test_record_support import record_for, snapshot
from tests.unit.test_review_record import _record

PREFIX = "Security-Release-Authorization_"


def stem(product: str, release: str) -> str:
    md, json_path = export_paths(Path("/r"), product, release)
    assert md.stem == json_path.stem and md.suffix == ".md" and json_path.suffix == ".json"
    return md.stem


def test_plain_names_keep_the_plain_stem() -> None:
    assert stem("ipc", "2.1") == "Security-Release-Authorization_ipc_2.1"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("a", "b_c"), ("a_b", "c")),  # the separator inside a name
        (("ipc", "1.0/rc"), ("ipc", "1.0_rc")),  # sanitizing made them equal
        (("ipc", "1.0/rc"), ("ipc", "1.0 rc")),
        (("my app", "1"), ("my_app", "1")),
    ],
)
def test_names_that_would_share_a_file_get_different_stems(
    one: tuple[str, str], other: tuple[str, str]
) -> None:
    first, second = stem(*one), stem(*other)
    assert first != second
    assert first.startswith(PREFIX) and second.startswith(PREFIX)
    assert stem(*one) == first  # the same release always gets the same file


def test_review_exports_of_products_whose_safe_names_agree_do_not_collide(tmp_path: Path) -> None:
    issue = TrackerIssue(tracker="box", key="P-1")
    comment = Comment(ref=CommentRef(key="P-1", id="7"), body="")
    plain = export_review(tmp_path, _record(product="a-b"), issue, comment)
    spaced = export_review(tmp_path, _record(product="a b"), issue, comment)
    assert plain[1] != spaced[1]
    assert plain[1].name == "Security-Management-Review_a-b_2026-11-22.json"
    assert spaced[1].name.startswith("Security-Management-Review_a-b_2026-11-22_")
    assert len(list(tmp_path.glob("*.json"))) == 2


# -- controlled documents: an export never replaces another -----------------------------


def _export(records: Path, record: AuthorizationRecord, anchor: str = "") -> tuple[Path, ...]:
    comment = CommentRef(key="P-1", id="7", url=f"https://tracker.example/P-1#{anchor}")
    return export_record(records, record, comment, "box")


def test_a_record_is_exported_under_its_revision_and_document_number(tmp_path: Path) -> None:
    record = record_for(snapshot())
    md, json_path = _export(tmp_path, record)
    stem = f"Security-Release-Authorization_ipc_2.1_rev1_SEC-REC-{record.record_id}"
    assert (md.name, json_path.name) == (f"{stem}.md", f"{stem}.json")
    assert re.search(r"Release.*Authorization", md.name)
    assert json_path.read_text(encoding="utf-8") == record.canonical()


def test_a_superseding_record_is_a_new_file_and_the_earlier_files_stay(tmp_path: Path) -> None:
    first = record_for(snapshot())
    first_files = _export(tmp_path, first)
    before = {p: p.read_bytes() for p in first_files}
    second = record_for(snapshot(titles=["a later change"])).model_copy(
        update={
            "revision": 2,
            "supersedes": Supersedes(record_id=first.record_id, record_digest=first.record_digest),
        }
    )
    second_files = _export(tmp_path, second)
    assert set(second_files).isdisjoint(first_files)
    assert "_rev2_" in second_files[0].name
    assert {p: p.read_bytes() for p in first_files} == before
    assert len(list(tmp_path.iterdir())) == 4


def test_exporting_the_same_record_again_keeps_its_files(tmp_path: Path) -> None:
    record = record_for(snapshot())
    files = _export(tmp_path, record, "first")
    before = {p: p.read_bytes() for p in files}
    assert _export(tmp_path, record, "second") == files
    assert {p: p.read_bytes() for p in files} == before


def test_older_format_records_under_one_name_do_not_replace_each_other(tmp_path: Path) -> None:
    # Formats 1 and 2 named files by release alone: a second record takes the next name.
    paths = export_paths(tmp_path, "ipc", "2.1")
    first = write_record_files(paths, "d1", '{"record_id":"A"}', "# A\n", "box P-1")
    second = write_record_files(paths, "d2", '{"record_id":"B"}', "# B\n", "box P-1")
    assert first[1].name == "Security-Release-Authorization_ipc_2.1.json"
    assert second[1].name == "Security-Release-Authorization_ipc_2.1_2.json"
    assert first[1].read_text() == '{"record_id":"A"}'
    assert exported_paths(tmp_path, "ipc", "2.1", "B") == second


def test_two_reviews_on_the_same_day_are_two_files(tmp_path: Path) -> None:
    issue = TrackerIssue(tracker="box", key="P-1")
    comment = Comment(ref=CommentRef(key="P-1", id="7"), body="")
    first = export_review(tmp_path, _record(), issue, comment)
    other = _record(product="ipc").model_copy(update={"record_id": "rev-other"})
    second = export_review(tmp_path, other, issue, comment)
    assert first[1].name == "Security-Management-Review_ipc_2026-11-22.json"
    assert second[1].name == "Security-Management-Review_ipc_2026-11-22_2.json"
    assert all(re.search(r"Security.*Review", p.name) for p in (*first, *second))


def test_the_export_header_reads_as_plain_text(tmp_path: Path) -> None:
    md, _ = _export(tmp_path, record_for(snapshot()))
    head = md.read_text(encoding="utf-8").split("###")[0]
    assert "Tracker copy: box issue P-1, comment 7 https://tracker.example/P-1#" in head
    assert "\\" not in head
