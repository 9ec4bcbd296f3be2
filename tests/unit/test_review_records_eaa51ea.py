"""Review records as commit eaa51ea wrote them still parse, re-render byte for byte and verify.

tests/fixtures/review_eaa51ea holds two review records written by that commit
(issue 15's checks, targets, previous actions and participants; no signatures,
sources, FDA comparison, deployments or trends) and the comment each rendered
to in every built-in markup, in full and shortened with the JSON attached.
Adoption and read-back accept a review comment only when the record's renderer
writes it again byte for byte, so every later version must keep doing so.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Comment, CommentRef
from secgate_tui.domain.render import BlockError, extract
from secgate_tui.domain.review_record import (
    ReviewRecordError,
    record_json,
    review_record_from_json,
)
from secgate_tui.services.publish.kinds.review import REVIEW
from secgate_tui.services.readback import unaltered

FIXTURE = Path(__file__).parent.parent / "fixtures" / "review_eaa51ea"
CASES: list[dict[str, Any]] = json.loads((FIXTURE / "records.json").read_text("utf-8"))
RENDERED = [
    pytest.param(case, markup, form, id=f"{n}-{markup}-{form}")
    for n, case in enumerate(CASES, start=1)
    for markup in case["rendered"]
    for form in ("full", "attached")
]


def test_the_fixture_holds_what_eaa51ea_could_write() -> None:
    first, second = (json.loads(case["canonical"]) for case in CASES)
    for record in (first, second):
        assert {"checks", "targets", "previous_review", "participants"} <= record.keys()
        # Nothing written by the later work: these records predate it.
        assert not {"trends", "fda", "next_due_from"} & record.keys()
        assert not {"sources", "vulnerabilities"} & record["metrics"].keys()
    states = [a["state"] for a in second["previous_review"]["actions"]]
    assert states == ["done on time", "open, overdue"]
    assert second["previous_review"]["record_id"] == first["record_id"]
    assert any(d.get("root_cause") for d in first["metrics"]["deployed"]["defects"])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_an_eaa51ea_record_parses_to_its_own_canonical_json(case: dict[str, Any]) -> None:
    record = review_record_from_json(case["canonical"])
    assert record_json(record) == case["canonical"]
    assert (FIXTURE / case["name"]).read_text(encoding="utf-8") == case["canonical"]


@pytest.mark.parametrize(("case", "markup", "form"), RENDERED)
def test_an_eaa51ea_record_renders_again_byte_for_byte(
    case: dict[str, Any], markup: str, form: str
) -> None:
    expected = case["rendered"][markup][form]
    record = REVIEW.parse(case["canonical"])
    rendered = REVIEW.render(record, markup, expected["limit"])
    assert rendered is not None
    assert rendered.body == expected["body"]
    assert rendered.attachment_name == expected["attachment_name"]
    attached = None if expected["attachment_name"] is None else case["canonical"].encode()
    assert rendered.attachment == attached


@pytest.mark.parametrize(("case", "markup", "form"), RENDERED)
def test_an_eaa51ea_comment_is_adopted_and_its_block_verifies(
    case: dict[str, Any], markup: str, form: str
) -> None:
    expected = case["rendered"][markup][form]
    found = extract(expected["body"], "secgate-review")
    content = None if expected["attachment_name"] is None else case["canonical"].encode()
    assert found.canonical(content) == case["canonical"]
    assert found.redigest(content) == found.marker_digest
    record = REVIEW.parse(found.canonical(content))
    comment = Comment(
        ref=CommentRef(key="IPC-6", id="1"),
        body=expected["body"],
        created=record.created_at + timedelta(seconds=3),
        edited=False,
    )
    rendered = REVIEW.render(record, markup, expected["limit"])
    assert rendered is not None
    assert unaltered(comment, rendered.body, REVIEW.recorded_at(record)) is None


def test_the_tracker_holds_the_plain_comments_of_both_records() -> None:
    sandbox = json.loads((FIXTURE / "sandbox.json").read_text(encoding="utf-8"))
    bodies = [c["body"] for c in sandbox["issues"]["IPC-6"]["comments"]]
    assert bodies == [case["rendered"]["plain"]["full"]["body"] for case in CASES]


def test_an_edited_figure_in_an_eaa51ea_record_is_refused() -> None:
    data = json.loads(CASES[1]["canonical"])
    data["previous_review"]["actions"][1]["state"] = "done on time"
    with pytest.raises(ReviewRecordError, match="checks were edited"):
        review_record_from_json(json.dumps(data))
    body = CASES[1]["rendered"]["plain"]["full"]["body"]
    forged = body.replace('"open, overdue"', '"done on time"', 1)
    assert forged != body
    found = extract(forged, "secgate-review")
    assert found.redigest(None) != found.marker_digest
    with pytest.raises(BlockError):
        extract(
            body + "\nsecgate-review rev-00000000000000000000 sha256:" + "0" * 64, "secgate-review"
        )
