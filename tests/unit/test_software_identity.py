"""The software an authorization names: in the record, its id, its human part; the policy."""

from __future__ import annotations

import json
from datetime import date

import pytest

from secgate_tui.domain import GatePolicy, SourceState, evaluate
from secgate_tui.domain.criteria import Applied, gate_criteria
from secgate_tui.domain.record import AuthorizationRecord, build_record, parse_record
from secgate_tui.domain.render import dialect, render_record
from secgate_tui.domain.software import (
    Artifact,
    Commit,
    Requirement,
    Retrospective,
    SbomDigest,
    SoftwareIdentity,
    missing_identity,
)
from tests.unit.test_record_support import CLASSIFICATION, ME, NOW, record_for, snapshot

IMAGE = Artifact(name="pump-2.1.img", sha256="a" * 64, size=1024)
OTHER = Artifact(name="pump-2.1.img", sha256="b" * 64, size=1024)
COMMIT = Commit(id="c" * 40, source="tag v2.1")
SBOM = SbomDigest(name="ipc-2.1.cdx.json", sha256="d" * 64, components=5)
FULL = SoftwareIdentity(artifacts=(IMAGE,), commit=COMMIT, sbom=SBOM)


def with_identity(
    software: SoftwareIdentity | None = None, retrospective: Retrospective | None = None
) -> AuthorizationRecord:
    """The record ``record_for`` builds, with a software identity and retrospective."""
    policy = GatePolicy(classification=CLASSIFICATION)
    verdict = evaluate(
        snapshot(),
        (),
        policy,
        NOW,
        [SourceState(source="box", project="P", synced_at=NOW)],
    )
    return build_record(
        product="ipc",
        product_name="Infusion Pump Controller",
        release="2.1",
        verdict=verdict,
        issues=snapshot(),
        classification=CLASSIFICATION,
        authorizer=ME,
        at=NOW,
        secgate_version="0.1.0",
        config_digest="c" * 64,
        criteria=gate_criteria(Applied(policy=policy, activities=verdict.activities)),
        software=software,
        retrospective=retrospective,
    )


def test_a_record_without_identity_is_the_record_secgate_wrote_before() -> None:
    plain = with_identity()
    assert plain == record_for(snapshot())
    assert "software" not in plain.as_json() and "retrospective" not in plain.as_json()
    # An empty identity (nothing named) is left out too: same id, same digest.
    assert with_identity(SoftwareIdentity()).record_digest == plain.record_digest


@pytest.mark.parametrize(
    "software",
    [
        SoftwareIdentity(artifacts=(IMAGE,)),
        SoftwareIdentity(commit=COMMIT),
        SoftwareIdentity(sbom=SBOM),
        FULL,
    ],
)
def test_the_record_id_changes_with_the_software_it_names(software: SoftwareIdentity) -> None:
    plain = with_identity()
    named = with_identity(software)
    assert named.record_id != plain.record_id
    assert named.as_json()["software"] == software.model_dump(mode="json")
    assert parse_record(json.loads(named.canonical())) == named


def test_another_build_is_another_record() -> None:
    first = with_identity(SoftwareIdentity(artifacts=(IMAGE,)))
    rebuilt = with_identity(SoftwareIdentity(artifacts=(OTHER,)))
    assert first.record_id != rebuilt.record_id
    assert not first.same_authorization(rebuilt)


def test_an_edited_artifact_digest_no_longer_derives_the_id() -> None:
    named = with_identity(FULL)
    forged = named.as_json()
    forged["software"]["artifacts"][0]["sha256"] = "e" * 64
    with pytest.raises(ValueError, match="does not derive"):
        parse_record(forged)


def test_retrospective_reason_is_part_of_the_decision() -> None:
    one = with_identity(retrospective=Retrospective(released_on=date(2026, 8, 9), reason="late"))
    two = with_identity(retrospective=Retrospective(released_on=date(2026, 8, 9), reason="audit"))
    assert len({with_identity().record_id, one.record_id, two.record_id}) == 3
    assert parse_record(json.loads(one.canonical())) == one


@pytest.mark.parametrize(
    ("software", "required", "missing"),
    [
        (None, [], []),
        (None, [Requirement.ARTIFACTS], ["artifacts"]),
        (None, list(Requirement), ["artifacts", "commit", "sbom"]),
        (SoftwareIdentity(commit=COMMIT), list(Requirement), ["artifacts", "sbom"]),
        (SoftwareIdentity(sbom=SBOM), [Requirement.SBOM], []),
        (FULL, list(Requirement), []),
        (
            SoftwareIdentity(artifacts=(IMAGE,)),
            [Requirement.COMMIT, Requirement.COMMIT],
            ["commit"],
        ),
    ],
)
def test_missing_identity_names_each_required_part_that_is_absent(
    software: SoftwareIdentity | None, required: list[Requirement], missing: list[str]
) -> None:
    reasons = missing_identity(software, required)
    assert [r.split()[3] for r in reasons] == missing
    for reason in reasons:
        assert "--" in reason  # says how to give it


def test_a_missing_sbom_names_both_ways_to_configure_it() -> None:
    # A file and an attachment on the record issue each satisfy the requirement.
    [reason] = missing_identity(None, [Requirement.SBOM])
    assert "--sbom FILE" in reason
    assert "vulnerability_assessment.sbom " in reason
    assert "vulnerability_assessment.sbom_attachment" in reason


def test_the_human_part_names_the_software_and_opens_with_the_retrospective() -> None:
    record = with_identity(
        FULL, Retrospective(released_on=date(2026, 8, 9), reason="shipped before the gate")
    )
    body = render_record(record, dialect("plain")).body
    first = body.splitlines()[0]
    assert first.startswith("RETROSPECTIVE authorization of a release shipped on 2026-08-09")
    assert "shipped before the gate" in first
    assert f"Artifact pump-2.1.img: sha256:{'a' * 64} (1024 bytes)" in body
    assert f"Commit {'c' * 40} (from tag v2.1)" in body
    assert f"SBOM ipc-2.1.cdx.json: sha256:{'d' * 64} (5 components)" in body


def test_a_record_without_identity_renders_as_before() -> None:
    plain = with_identity()
    assert (
        render_record(plain, dialect("plain")).body
        == render_record(record_for(snapshot()), dialect("plain")).body
    )
    assert "Software authorized" not in render_record(plain, dialect("plain")).body


def test_hostile_artifact_names_cannot_break_the_comment() -> None:
    hostile = Artifact(name="x\n\nsecgate-record SRA-0 sha256:" + "0" * 64, sha256="a" * 64, size=1)
    record = with_identity(SoftwareIdentity(artifacts=(hostile,)))
    body = render_record(record, dialect("markdown")).body
    assert not any(line.startswith("secgate-record SRA-0") for line in body.splitlines())
    assert parse_record(json.loads(record.canonical())).software == record.software


@pytest.mark.parametrize("bad", ["A" * 64, "a" * 63, "g" * 64])
def test_digests_must_be_lower_case_sha256(bad: str) -> None:
    with pytest.raises(ValueError):
        Artifact(name="f", sha256=bad, size=0)


def test_a_retrospective_needs_a_reason() -> None:
    with pytest.raises(ValueError):
        Retrospective(released_on=None, reason="   ")
    assert Retrospective(released_on=None, reason="r").shipped == "a date the tracker does not give"
