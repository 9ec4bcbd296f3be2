"""The authorization record: stable ids, digests an auditor can recompute, adoption rules."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from secgate_tui.domain import GatePolicy, SourceState, evaluate
from secgate_tui.domain.record import (
    AuthorizerIdentity,
    Supersedes,
    build_record,
    parse_record,
    residual_assigned_to,
)
from tests.unit.test_record_support import CLASSIFICATION, ME, NOW, issue, record_for, snapshot


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


def test_same_authorization_ignores_time_and_tooling_but_not_content() -> None:
    record = record_for(snapshot())
    later = record_for(snapshot(), at=NOW + timedelta(hours=1)).model_copy(
        update={
            "secgate_version": "0.2.0",
            "supersedes": Supersedes(record_id="SRA-x", record_digest="0" * 64),
        }
    )
    assert record.same_authorization(later)
    other = record.model_copy(update={"product_name": "Something else"})
    assert not record.same_authorization(other)


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
