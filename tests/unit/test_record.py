"""The authorization record: stable ids, digests an auditor can recompute, adoption rules."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from secgate_tui.domain import Category, GatePolicy, SourceState, evaluate
from secgate_tui.domain.model import DocumentEvidence
from secgate_tui.domain.record import (
    AuthorizationRecord,
    AuthorizerIdentity,
    Supersedes,
    build_record,
    parse_record,
    record_id,
    residual_assigned_to,
)
from tests.unit.test_record_support import (
    ACTIVITY,
    CLASSIFICATION,
    ME,
    NOW,
    issue,
    record_for,
    snapshot,
)


def test_record_id_is_the_same_for_every_attempt_at_the_same_snapshot() -> None:
    first = record_for(snapshot())
    retry = record_for(snapshot(), at=NOW + timedelta(minutes=7))
    assert first.record_id == retry.record_id
    assert first.record_digest != retry.record_digest  # the time is part of the content


def test_record_id_changes_with_the_snapshot_and_the_authorizer() -> None:
    base = record_for(snapshot())
    changed = record_for(snapshot(titles=["one more item"]))
    someone_else = record_for(snapshot(), who=ME.model_copy(update={"id": "u-2"}))
    assert len({base.record_id, changed.record_id, someone_else.record_id}) == 3


def test_digest_is_sha256_of_the_canonical_json() -> None:
    record = record_for(snapshot())
    text = record.canonical()
    assert record.record_digest == hashlib.sha256(text.encode()).hexdigest()
    assert text == json.dumps(
        json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert record.marker == f"secgate-record {record.record_id} sha256:{record.record_digest}"


def test_record_lists_every_issue_with_state_and_disposition_and_residual_items() -> None:
    record = record_for(snapshot())
    data = record.as_json()
    listed = {i["key"]: i for c in data["categories"] for i in c["issues"]}
    assert set(listed) == {i.key for i in snapshot()}
    assert listed["P-20"]["disposition"] == "risk-accepted"
    assert [r["key"] for r in data["residual"]] == ["P-20"]
    assert data["residual"][0]["justification"] == "Only reachable with physical access."
    assert data["snapshot_digest"] and data["config_digest"] == "c" * 64
    assert data["authorizer"]["id"] == "u-1"


def test_parse_record_round_trips_and_rejects_an_id_that_does_not_derive() -> None:
    record = record_for(snapshot())
    assert parse_record(json.loads(record.canonical())) == record
    forged = record.as_json() | {"release": "9.9"}
    with pytest.raises(ValueError, match="does not derive"):
        parse_record(forged)


def test_a_blocked_verdict_cannot_become_a_record() -> None:
    issues = [*snapshot(), issue("P-99", next(iter(CLASSIFICATION.rules)), closed=False)]
    verdict = evaluate(
        issues,
        [],
        GatePolicy(classification=CLASSIFICATION),
        NOW,
        [SourceState(source="box", project="P", synced_at=NOW)],
    )
    with pytest.raises(ValueError, match="passing verdict"):
        build_record(
            product="ipc",
            product_name="x",
            release="2.1",
            verdict=verdict,
            issues=issues,
            classification=CLASSIFICATION,
            authorizer=ME,
            at=NOW,
            secgate_version="0",
            config_digest="c" * 64,
        )


def test_same_authorization_ignores_only_time_and_tooling() -> None:
    record = record_for(snapshot())
    later = record_for(snapshot(), at=NOW + timedelta(hours=1)).model_copy(
        update={"secgate_version": "0.2.0"}
    )
    assert record.same_authorization(later)
    other = record.model_copy(update={"product_name": "Something else"})
    assert not record.same_authorization(other)


@pytest.mark.parametrize(
    "change",
    [
        {"config_digest": "d" * 64},
        {"supersedes": Supersedes(record_id="SRA-x", record_digest="0" * 64)},
        {"authorizer": ME.model_copy(update={"display_name": "Someone Else"})},
    ],
)
def test_same_authorization_compares_config_predecessor_and_authorizer(
    change: dict[str, object],
) -> None:
    """A planted record that only "agrees on the decision" must not be adopted."""
    record = record_for(snapshot())
    assert not record.same_authorization(record.model_copy(update=change))


def test_separation_of_duties_finds_residual_items_assigned_to_the_authorizer() -> None:
    record = record_for(snapshot())
    assert [item.key for item in residual_assigned_to(record)] == ["P-20"]
    other = record_for(snapshot(), who=AuthorizerIdentity(tracker="box", id="u-9", name="qa"))
    assert residual_assigned_to(other) == []


@pytest.mark.parametrize("value", ["u-1", "RM", " Release Manager "])
def test_authorizer_matches_any_of_its_names(value: str) -> None:
    assert ME.matches(value)
    assert not ME.matches(None)
    assert not ME.matches("someone")


def _evidence_variant(**update: object) -> AuthorizationRecord:
    return record_for(snapshot(), activities=[ACTIVITY.model_copy(update=update)])


def test_record_id_changes_with_activity_evidence() -> None:
    base = _evidence_variant()
    new_file = _evidence_variant(evidence=DocumentEvidence(path="pentest.pdf", sha256="b" * 64))
    new_date = _evidence_variant(evidence_date=NOW - timedelta(days=2))
    assert len({base.record_id, new_file.record_id, new_date.record_id}) == 3
    assert base.snapshot_digest == new_file.snapshot_digest  # the issues did not change


def test_record_id_changes_with_the_acknowledgement_of_an_empty_category() -> None:
    empty = Category.REQUIREMENTS
    issues = [i for i in snapshot() if empty.value not in i.labels]
    first = record_for(issues, acks={empty: "no risk items: a documentation-only release"})
    second = record_for(issues, acks={empty: "n/a"})
    assert first.snapshot_digest == second.snapshot_digest
    assert first.record_id != second.record_id


def test_parse_record_rejects_evidence_edited_under_the_same_id() -> None:
    record = _evidence_variant()
    data = record.as_json()
    data["activities"][0]["evidence"] = {"path": "pentest.pdf", "sha256": "f" * 64}
    with pytest.raises(ValueError, match="does not derive"):
        parse_record(data)


def test_format_1_records_remain_readable() -> None:
    record = record_for(snapshot())
    old_id = record_id(record.product, record.release, record.snapshot_digest, "u-1", None)
    # A format 1 record has none of the document control format 3 added.
    later = {"document_number", "revision", "criteria"}
    old = {k: v for k, v in record.as_json().items() if k not in later}
    old |= {"format": 1, "record_id": old_id}
    assert parse_record(old).record_id == old_id
