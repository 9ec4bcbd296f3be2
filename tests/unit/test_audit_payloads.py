"""The kinds' typed audit payloads log exactly the JSON the previous version logged.

The audit log's chain hashes each payload's canonical JSON, and ``verify`` and
the chain of predecessors read older entries back; so an older entry must
validate, and the payload a kind builds today for the same record and comment
must serialize to the same keys and values (tests/fixtures/v1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Comment, CommentRef
from secgate_tui.domain import canonical_json
from secgate_tui.domain.render import extract
from secgate_tui.domain.review import record_json, review_record_from_json
from secgate_tui.services.publish import AuditPayload
from secgate_tui.services.publish.kinds.authorization import AUTHORIZATION
from secgate_tui.services.publish.kinds.authorization_payload import AuthorizationPayload
from secgate_tui.services.publish.kinds.review import REVIEW, ReviewPayload

FIXTURE = Path(__file__).parent.parent / "fixtures" / "v1"


def logged(kind: str) -> dict[str, Any]:
    payloads: dict[str, dict[str, Any]] = json.loads((FIXTURE / "audit_payloads.json").read_text())
    return payloads[kind]


def posted(ref: CommentRef) -> Comment:
    """The comment as the previous version posted (and read back) it."""
    sandbox = json.loads((FIXTURE / "sandbox.json").read_text(encoding="utf-8"))
    (body,) = [c["body"] for c in sandbox["issues"][ref.key]["comments"] if c["id"] == ref.id]
    return Comment(ref=ref, body=body)


@pytest.mark.parametrize(
    ("kind", "model"), [("authorization", AuthorizationPayload), ("review", ReviewPayload)]
)
def test_an_older_entry_validates_and_serializes_unchanged(kind: str, model: Any) -> None:
    old = logged(kind)
    assert canonical_json(model.model_validate(old).as_json()) == canonical_json(old)


def test_the_authorization_kind_logs_what_the_previous_version_logged() -> None:
    old = logged("authorization")
    payload = AuthorizationPayload.model_validate(old)
    comment = posted(payload.comment)
    base = AuditPayload.of(payload.record_id, payload.record.canonical(), payload.tracker, comment)
    built = AUTHORIZATION.payload(payload.record, base, comment, None)
    assert canonical_json(built.as_json()) == canonical_json(old)


def test_the_review_kind_logs_what_the_previous_version_logged() -> None:
    old = logged("review")
    ref = CommentRef.model_validate(old["comment"])
    comment = posted(ref)
    record = review_record_from_json(extract(comment.body, REVIEW.marker).canonical(None))
    base = AuditPayload.of(record.record_id, record_json(record), old["tracker"], comment)
    built = REVIEW.payload(record, base, comment, None)
    assert canonical_json(built.as_json()) == canonical_json(old)
