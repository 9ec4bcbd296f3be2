"""Review records as earlier versions wrote them still parse, re-render byte for byte and verify.

Two fixtures, each written by the version it stands for (see its generate.py):
tests/fixtures/review_eaa51ea, two unsigned records by commit eaa51ea (issue 15's
checks, targets, previous actions and participants; nothing of the later work),
and tests/fixtures/review_signed, two records as main wrote them at 3ac5478
with trends, FDA figures, sources, deployments and VEX figures, the second
following up the first, each signed off by two signature comments from
ssh-keygen keys. Each holds the comment every record
rendered to in every built-in markup, in full and shortened with the JSON
attached. Adoption and read-back accept a review comment (and a signature
comment) only when secgate renders it again byte for byte, so every later
version must keep doing so.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Comment, CommentRef
from secgate_tui.domain.render import BlockError, dialect, extract
from secgate_tui.domain.render.signature import extract_signature, render_signature
from secgate_tui.domain.review_record import (
    ReviewRecordError,
    record_json,
    review_record_from_json,
)
from secgate_tui.services.publish.kinds.review import REVIEW
from secgate_tui.services.readback import unaltered

FIXTURES = Path(__file__).parent.parent / "fixtures"
EAA51EA = FIXTURES / "review_eaa51ea"
SIGNED = FIXTURES / "review_signed"


def cases(folder: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads((folder / "records.json").read_text("utf-8"))
    return [{**case, "folder": folder} for case in found]


def comments(folder: Path) -> list[dict[str, Any]]:
    sandbox = json.loads((folder / "sandbox.json").read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = sandbox["issues"]["IPC-6"]["comments"]
    return found


CASES = cases(EAA51EA) + cases(SIGNED)
RENDERED = [
    pytest.param(case, markup, form, id=f"{case['folder'].name}-{n}-{markup}-{form}")
    for n, case in enumerate(CASES, start=1)
    for markup in case["rendered"]
    for form in ("full", "attached")
]
SIGNATURES = [c for c in comments(SIGNED) if "secgate-signature " in c["body"]]


def test_the_eaa51ea_fixture_holds_what_that_version_could_write() -> None:
    first, second = (json.loads(case["canonical"]) for case in cases(EAA51EA))
    for record in (first, second):
        assert {"checks", "targets", "previous_review", "participants"} <= record.keys()
        # Nothing written by the later work: these records predate it.
        assert not {"trends", "fda", "next_due_from"} & record.keys()
        assert not {"sources", "vulnerabilities"} & record["metrics"].keys()
    states = [a["state"] for a in second["previous_review"]["actions"]]
    assert states == ["done on time", "open, overdue"]
    assert second["previous_review"]["record_id"] == first["record_id"]
    assert any(d.get("root_cause") for d in first["metrics"]["deployed"]["defects"])


def test_the_signed_fixture_holds_what_main_writes() -> None:
    first, second = (json.loads(case["canonical"]) for case in cases(SIGNED))
    for record in (first, second):
        assert {"checks", "targets", "participants", "trends", "fda"} <= record.keys()
        assert record["next_due_from"] == "sign-off"
        assert {"sources", "vulnerabilities"} <= record["metrics"].keys()
        assert record["metrics"]["deployed"]["deployment_source"] == "CSV installations.csv"
    (action,) = second["previous_review"]["actions"]
    assert second["previous_review"]["record_id"] == first["record_id"]
    assert (action["state"], action["effective"]) == ("done on time", "yes")
    assert second["fda"]["stored_record"] == first["record_id"]
    signed = [extract_signature(c["body"]).message for c in SIGNATURES]
    assert [(m.record_id, m.role) for m in signed] == [
        (record["record_id"], role)
        for record in (first, second)
        for role in ("management-representative", "security-officer")
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['folder'].name}-{c['name']}")
def test_an_earlier_review_record_parses_to_its_own_canonical_json(case: dict[str, Any]) -> None:
    record = review_record_from_json(case["canonical"])
    assert record_json(record) == case["canonical"]
    assert (case["folder"] / case["name"]).read_text(encoding="utf-8") == case["canonical"]


@pytest.mark.parametrize(("case", "markup", "form"), RENDERED)
def test_an_earlier_review_record_renders_again_byte_for_byte(
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
def test_an_earlier_review_comment_is_adopted_and_its_block_verifies(
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


@pytest.mark.parametrize("folder", [EAA51EA, SIGNED], ids=lambda f: f.name)
def test_the_tracker_holds_the_plain_comment_of_each_record(folder: Path) -> None:
    records = [c["body"] for c in comments(folder) if "secgate-review " in c["body"]]
    assert records == [case["rendered"]["plain"]["full"]["body"] for case in cases(folder)]


@pytest.mark.parametrize("markup", ["plain", "jira-wiki", "markdown", "textile"])
def test_a_signature_comment_renders_again_byte_for_byte(markup: str) -> None:
    records = {r.record_id: r for r in (REVIEW.parse(c["canonical"]) for c in cases(SIGNED))}
    for comment in SIGNATURES:
        found = extract_signature(comment["body"])
        record = records[found.message.record_id]
        assert found.message.record_digest == record.record_digest
        assert found.message.record_kind == "review"
        again = render_signature(
            found.message, found.armored, found.fingerprint, dialect(markup), product="ipc"
        )
        assert extract_signature(again, record.record_id).message == found.message
        if markup == "plain":  # the sandbox's markup: what the tracker holds
            assert again == comment["body"]


def test_an_edited_figure_in_an_eaa51ea_record_is_refused() -> None:
    data = json.loads(cases(EAA51EA)[1]["canonical"])
    data["previous_review"]["actions"][1]["state"] = "done on time"
    with pytest.raises(ReviewRecordError, match="checks were edited"):
        review_record_from_json(json.dumps(data))
    body = cases(EAA51EA)[1]["rendered"]["plain"]["full"]["body"]
    forged = body.replace('"open, overdue"', '"done on time"', 1)
    assert forged != body
    found = extract(forged, "secgate-review")
    assert found.redigest(None) != found.marker_digest
    second_marker = "\nsecgate-review rev-00000000000000000000 sha256:" + "0" * 64
    with pytest.raises(BlockError):
        extract(body + second_marker, "secgate-review")


def test_edited_figures_in_a_signed_record_are_refused() -> None:
    canonical = cases(SIGNED)[1]["canonical"]
    data = json.loads(canonical)
    data["metrics"]["deployed"]["count"] += 1
    with pytest.raises(ReviewRecordError, match="does not match its own figures"):
        review_record_from_json(json.dumps(data))
    data = json.loads(canonical)
    data["fda"]["stored"]["fixed"] += 1  # what the previous record said, misquoted
    with pytest.raises(ReviewRecordError, match="FDA figures"):
        review_record_from_json(json.dumps(data))
