"""The vulnerability assessment rules, one table row per rule (the domain, no files)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secgate_tui.domain.vex import (
    Component,
    Sbom,
    Statement,
    VexDocument,
    VexPolicy,
    VexState,
    assess,
)
from secgate_tui.domain.vex.assess import linked_issue

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
FRESH = NOW - timedelta(days=1)
ROOT = Component(ref="app", name="ipc-monitor", version="2.1", purl="pkg:generic/acme/ipc@2.1")
JINJA = Component(ref="c-jinja", name="jinja2", version="3.1.2", purl="pkg:pypi/jinja2@3.1.2")
ZLIB = Component(ref="c-zlib", name="zlib", version="1.2.12", purl="pkg:generic/zlib@1.2.12")


def sbom(*, version: str | None = "2.1", findings: VexDocument | None = None) -> Sbom:
    root = replace(ROOT, version=version)
    return Sbom(
        name="app.cdx.json",
        spec_version="1.6",
        digest="0" * 64,
        root=root,
        components=(JINJA, ZLIB),
        findings=findings,
    )


def statement(
    state: VexState = VexState.NOT_AFFECTED,
    *,
    vuln: str = "CVE-2024-22195",
    refs: tuple[str, ...] = ("c-jinja",),
    justification: str | None = "code_not_reachable",
    responses: tuple[str, ...] = (),
    action: str = "",
    detail: str = "",
    at: datetime | None = FRESH,
    position: int = 0,
    document: str = "vex.json",
) -> Statement:
    return Statement(
        vulnerability=vuln,
        refs=refs,
        state=state,
        raw_state=state.value,
        justification=justification,
        responses=responses,
        action=action,
        detail=detail,
        timestamp=at,
        document=document,
        position=position,
    )


def vex(*statements: Statement, at: datetime | None = FRESH, name: str = "vex.json") -> VexDocument:
    return VexDocument(
        name=name, format="test", digest="1" * 64, timestamp=at, statements=statements
    )


def run(*documents: VexDocument, policy: VexPolicy | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
    return assess(
        sbom=kwargs.pop("the_sbom", sbom()),  # type: ignore[arg-type]
        documents=documents,
        policy=policy or VexPolicy(),
        release=str(kwargs.pop("release", "2.1")),
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )


A = VexState.AFFECTED
NA = VexState.NOT_AFFECTED

# (case, statements, blocks, words of the reason)
RULES = [
    ("not_affected, justified", [statement()], False, ""),
    (
        "not_affected, no justification",
        [statement(justification=None)],
        True,
        "without a justification",
    ),
    (
        "false_positive with a detail",
        [statement(VexState.FALSE_POSITIVE, justification=None, detail="wrong match")],
        False,
        "",
    ),
    (
        "false_positive, bare",
        [statement(VexState.FALSE_POSITIVE, justification=None)],
        True,
        "without a justification or detail",
    ),
    ("resolved", [statement(VexState.RESOLVED, justification=None)], False, ""),
    ("in_triage", [statement(VexState.IN_TRIAGE, justification=None)], True, "is still in_triage"),
    (
        "affected, no response",
        [statement(A, justification=None)],
        True,
        "without a response or action statement",
    ),
    (
        "affected, workaround",
        [statement(A, justification=None, responses=("workaround_available",))],
        False,
        "",
    ),
    (
        "affected, will_not_fix unlinked",
        [statement(A, justification=None, responses=("will_not_fix",))],
        True,
        "no linked risk acceptance",
    ),
    (
        "affected, update unlinked",
        [statement(A, justification=None, responses=("update",))],
        True,
        "no linked risk acceptance",
    ),
    (
        "affected, will_not_fix linked",
        [
            statement(
                A, justification=None, responses=("will_not_fix",), detail="accepted in SEC-42"
            )
        ],
        False,
        "",
    ),
    (
        "affected, GitLab key",
        [statement(A, justification=None, responses=("update",), detail="see ipc/app#34")],
        False,
        "",
    ),
    (
        "affected, OpenVEX action",
        [statement(A, justification=None, action="Upgrade in 2.2")],
        False,
        "",
    ),
    (
        "later overrides earlier",
        [statement(VexState.IN_TRIAGE, at=FRESH - timedelta(hours=1)), statement(position=1)],
        False,
        "",
    ),
    (
        "earlier does not override later",
        [statement(at=FRESH - timedelta(hours=1)), statement(VexState.IN_TRIAGE, position=1)],
        True,
        "is still in_triage",
    ),
    (
        "conflict at equal time",
        [statement(), statement(A, justification=None, action="x", position=1)],
        True,
        "conflicting statements",
    ),
    ("agreeing at equal time", [statement(), statement(position=1)], False, ""),
    ("unknown component", [statement(refs=("pkg:pypi/flask@3.0.0",))], True, "not in app.cdx.json"),
    ("versionless purl names the package", [statement(refs=("pkg:pypi/jinja2",))], False, ""),
    ("BOM-Link names the component", [statement(refs=("urn:cdx:1234/1#c-jinja",))], False, ""),
    (
        "purl of another version",
        [statement(refs=("pkg:pypi/jinja2@3.1.3",))],
        True,
        "not in app.cdx.json",
    ),
    ("statement naming no component", [statement(refs=())], True, "(no component named)"),
]


@pytest.mark.parametrize(
    ("case", "statements", "blocks", "words"), RULES, ids=[r[0] for r in RULES]
)
def test_rule(case: str, statements: list[Statement], blocks: bool, words: str) -> None:
    result = run(vex(*statements))
    assert result.passed is not blocks, result.reasons
    if blocks:
        assert any(words in reason for reason in result.reasons), result.reasons


def test_scanner_finding_without_statement_blocks() -> None:
    findings = vex(statement(VexState.UNASSESSED, vuln="CVE-2022-37434", refs=("c-zlib",)))
    result = run(vex(statement()), the_sbom=sbom(findings=findings))
    assert not result.passed
    assert any(
        "has no assessment" in r and "CVE-2022-37434 in zlib@1.2.12" in r for r in result.reasons
    )
    assert [(i.vulnerability, i.state) for i in result.open] == [
        ("CVE-2022-37434", VexState.UNASSESSED)
    ]
    assert result.counts == {"not_affected": 1, "unassessed": 1}


def test_statement_on_the_release_covers_every_finding_of_its_vulnerability() -> None:
    findings = vex(statement(VexState.UNASSESSED, refs=("c-jinja",)))
    whole = statement(refs=("pkg:generic/acme/ipc@2.1",))
    assert run(vex(whole), the_sbom=sbom(findings=findings)).passed


@pytest.mark.parametrize(
    ("version", "policy", "passes"),
    [
        ("2.1", VexPolicy(), True),
        ("2.0", VexPolicy(), False),
        (None, VexPolicy(), False),
        ("2.0", VexPolicy(require_version_match=False), True),
    ],
)
def test_sbom_must_describe_the_release(
    version: str | None, policy: VexPolicy, passes: bool
) -> None:
    result = run(vex(statement()), the_sbom=sbom(version=version), policy=policy)
    assert result.passed is passes, result.reasons


def test_missing_sbom_blocks_when_required() -> None:
    assert not run(vex(statement()), the_sbom=None).passed
    assert run(vex(statement()), the_sbom=None, policy=VexPolicy(require_sbom=False)).passed


def test_no_vulnerability_data_at_all_blocks() -> None:
    result = run()
    assert not result.passed and "nothing shows the components were checked" in result.reasons[0]


@pytest.mark.parametrize(
    ("document_at", "statement_at", "passes"),
    [
        (NOW - timedelta(days=29), None, True),
        (NOW - timedelta(days=31), None, False),
        (NOW - timedelta(days=40), NOW - timedelta(days=2), True),  # newest statement counts
        (None, None, False),  # no date: not shown to be current
        (NOW + timedelta(days=3), None, False),  # a future date would never go stale
    ],
)
def test_assessment_must_be_current(
    document_at: datetime | None, statement_at: datetime | None, passes: bool
) -> None:
    result = run(vex(statement(at=statement_at), at=document_at))
    assert result.passed is passes, result.reasons


def test_max_age_is_the_policys() -> None:
    old = vex(statement(at=None), at=NOW - timedelta(days=10))
    assert not run(old, policy=VexPolicy(max_age_days=7)).passed


def test_kev_listed_and_affected_always_blocks() -> None:
    accepted = statement(A, justification=None, responses=("workaround_available",))
    assert run(vex(accepted)).passed
    result = run(vex(accepted), kev={"CVE-2024-22195"})
    assert not result.passed and result.open[0].kev
    assert "Known Exploited" in result.reasons[0]
    assert run(vex(statement()), kev={"CVE-2024-22195"}).passed  # not_affected: settled


def test_configured_risk_acceptance_links_the_issue() -> None:
    unlinked = statement(A, justification=None, responses=("will_not_fix",))
    policy = VexPolicy(risk_acceptances={"CVE-2024-22195": "SEC-9"})
    result = run(vex(unlinked), policy=policy)
    assert result.passed and result.open[0].linked_issue == "SEC-9"


def test_missing_configured_input_blocks() -> None:
    result = run(vex(statement()), missing=["build/2.1.cdx.json"])
    assert not result.passed and "build/2.1.cdx.json does not exist" in result.reasons[0]


def test_result_lists_open_items_with_state_response_and_issue() -> None:
    result = run(
        vex(
            statement(A, justification=None, responses=("update",), detail="tracked in SEC-3"),
            statement(VexState.RESOLVED, vuln="CVE-2022-37434", refs=("c-zlib",)),
        )
    )
    assert result.passed and result.sbom is not None and result.sbom.component_count == 2
    (item,) = result.open
    assert (item.vulnerability, item.component, item.state, item.response, item.linked_issue) == (
        "CVE-2024-22195",
        "jinja2@3.1.2",
        VexState.AFFECTED,
        "update",
        "SEC-3",
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("risk accepted in SEC-42.", "SEC-42"),
        ("CVE-2024-1234 accepted in PROJ-7", "PROJ-7"),
        ("see group/app#34", "group/app#34"),
        ("Redmine #123", "#123"),
        ("only CVE-2024-1234 and GHSA-abcd-1234", None),
        ("", None),
    ],
)
def test_linked_issue(text: str, key: str | None) -> None:
    assert linked_issue(text) == key


# UNASSESSED is a scanner's finding, not an assessment: it never overrides one.
_states = st.sampled_from([s for s in VexState if s is not VexState.UNASSESSED])


@given(st.lists(st.tuples(_states, st.booleans(), st.booleans()), min_size=1, max_size=6))
def test_never_passes_with_an_untriaged_or_unjustified_latest_statement(
    rows: list[tuple[VexState, bool, bool]],
) -> None:
    statements = [
        statement(
            state,
            justification="code_not_present" if justified else None,
            action="mitigated" if acted else "",
            at=FRESH + timedelta(minutes=i),
            position=i,
        )
        for i, (state, justified, acted) in enumerate(rows)
    ]
    latest_state, justified, acted = rows[-1]
    result = run(vex(*statements))
    if latest_state is VexState.IN_TRIAGE:
        assert not result.passed
    if latest_state is VexState.NOT_AFFECTED and not justified:
        assert not result.passed
    if latest_state is VexState.AFFECTED and not acted:
        assert not result.passed
