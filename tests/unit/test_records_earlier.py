"""Records of earlier versions stay readable, adoptable and verifiable: format 2
(tests/fixtures/v2, written before format 3) and format 3 as commit eaa51ea wrote it
(tests/fixtures/v3, before Issue.resolved_by and per-product policy keys).

Each fixture holds records as that code wrote them, with the comment
each renders to in every built-in markup. Adoption and read-back accept a comment
only when the record's own format renderer writes it again byte for byte, so every
later version must still parse them and re-render them exactly.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Comment, CommentRef
from secgate_tui.domain.record import parse_record
from secgate_tui.domain.render import extract
from secgate_tui.services.publish.kinds.authorization import AUTHORIZATION
from secgate_tui.services.readback import unaltered

FIXTURES = Path(__file__).parent.parent / "fixtures"
CASES: list[dict[str, Any]] = [
    {**case, "format": version}
    for version in (2, 3)
    for case in json.loads((FIXTURES / f"v{version}" / "records.json").read_text("utf-8"))
]
RENDERED = [
    pytest.param(case, markup, id=f"v{case['format']}-{case['name']}-{markup}")
    for case in CASES
    for markup in case["rendered"]
]


@pytest.mark.parametrize(("case", "markup"), RENDERED)
def test_an_earlier_record_renders_again_byte_for_byte(case: dict[str, Any], markup: str) -> None:
    record = parse_record(json.loads(case["canonical"]))
    assert record.format == case["format"]
    assert record.canonical() == case["canonical"]
    rendered = AUTHORIZATION.render(record, markup, case["limit"])
    assert rendered is not None
    expected = case["rendered"][markup]
    assert rendered.body == expected["body"]
    assert rendered.attachment_name == expected["attachment_name"]
    attachment = None if rendered.attachment is None else rendered.attachment.decode("utf-8")
    assert attachment == expected["attachment"]


@pytest.mark.parametrize(("case", "markup"), RENDERED)
def test_an_earlier_comment_is_adopted_and_its_block_verifies(
    case: dict[str, Any], markup: str
) -> None:
    expected = case["rendered"][markup]
    found = extract(expected["body"], "secgate-record")
    content = None if expected["attachment"] is None else expected["attachment"].encode()
    canonical = found.canonical(content)
    assert found.redigest(content) == found.marker_digest
    record = AUTHORIZATION.parse(canonical)
    comment = Comment(
        ref=CommentRef(key="P-1", id="1"),
        body=expected["body"],
        created=record.authorized_at + timedelta(seconds=3),
        edited=False,
    )
    rendered = AUTHORIZATION.render(record, markup, case["limit"])
    assert rendered is not None
    assert unaltered(comment, rendered.body, AUTHORIZATION.recorded_at(record)) is None
