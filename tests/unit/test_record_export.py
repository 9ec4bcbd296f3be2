"""Export file names: the auditor-searchable prefix, and no two releases sharing a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.base import Comment, CommentRef
from secgate_tui.config import TrackerIssue
from secgate_tui.services.export import export_paths
from secgate_tui.services.review_export import export_review
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
