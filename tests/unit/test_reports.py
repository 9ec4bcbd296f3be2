"""The gate's reports for CI: JUnit XML against the published schema, Markdown that
renders tracker text literally, GitHub annotations and GitLab folding."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from secgate_tui.domain import (
    Activity,
    Category,
    IssueEvidence,
    Outcome,
    SourceState,
    Verdict,
    evaluate,
)
from secgate_tui.domain.text import printable
from secgate_tui.services.reports import GateReport, render
from secgate_tui.services.reports.ci import (
    escape_data,
    escape_property,
    github_annotations,
    gitlab_section,
)
from tests.unit.test_gate import FRESH, LABEL, NOW, POLICY, make, one_per_category

SCHEMA = xmlschema.XMLSchema(Path(__file__).parent / "schemas" / "junit-10.xsd")
FAILURE = "{*}failure"


def report(verdict: Verdict, links: dict[tuple[str, str], str] | None = None) -> GateReport:
    return GateReport(
        product="ipc", product_name="Pump", release="2.2", verdict=verdict, links=links or {}
    )


def junit(verdict: Verdict, links: dict[tuple[str, str], str] | None = None) -> ET.Element:
    xml = render(report(verdict, links), "junit")
    SCHEMA.validate(xml)
    return ET.fromstring(xml)  # noqa: S314 - secgate's own output, schema-checked


def failures(root: ET.Element) -> dict[str, ET.Element]:
    return {
        case.get("name", ""): failure
        for case in root.iter("testcase")
        for failure in case.iter("failure")
    }


def activity(name: str, **observed: object) -> Activity:
    return Activity(
        id=name, name=name, evidence=IssueEvidence(tracker="t", key="P-900"), **observed
    )  # type: ignore[arg-type]


STALE = [SourceState(source="t", project="P", synced_at=NOW - timedelta(hours=2))]


def blocked_verdicts() -> dict[str, Verdict]:
    """One verdict per kind of reason the gate gives (domain/gate.py)."""
    ok = one_per_category()
    no_fix = make(99, Category.IMPLEMENTATION, closed=False, title="open one")
    unclassified = make(98, Category.REQUIREMENTS).model_copy(update={"labels": ("security",)})
    only_five = [i for i in ok if LABEL[Category.REQUIREMENTS] not in i.labels]
    return {
        "blocking item": evaluate([*ok, no_fix], [], POLICY, NOW, FRESH),
        "empty unacknowledged": evaluate(only_five, [], POLICY, NOW, FRESH),
        "held at previous sync": evaluate(
            only_five,
            [],
            POLICY.model_copy(update={"not_applicable": {Category.REQUIREMENTS: "n/a"}}),
            NOW,
            FRESH,
            {Category.REQUIREMENTS: 3},
        ),
        "unclassified": evaluate([*ok, unclassified], [], POLICY, NOW, FRESH),
        "activity missing": evaluate(ok, [activity("pentest")], POLICY, NOW, FRESH),
        "activity incomplete": evaluate(ok, [activity("pentest", found=True)], POLICY, NOW, FRESH),
        "activity stale": evaluate(
            ok,
            [activity("scan", found=True, complete=True, max_age_days=30)],
            POLICY,
            NOW,
            FRESH,
        ),
        "source failed": evaluate(
            ok, [], POLICY, NOW, [SourceState(source="t", project="P", error="HTTP 503")]
        ),
        "release not found": evaluate(
            ok, [], POLICY, NOW, [SourceState(source="t", project="P", release_found=False)]
        ),
        "never synced": evaluate(ok, [], POLICY, NOW, [SourceState(source="t", project="P")]),
        "stale data": evaluate(ok, [], POLICY, NOW, STALE),
        "missing issues": evaluate(
            ok,
            [],
            POLICY,
            NOW,
            [FRESH[0].model_copy(update={"missing": ("P-7", "P-8")})],
        ),
        "no source": evaluate(ok, [], POLICY, NOW, []),
    }


BLOCKED = blocked_verdicts()


@pytest.mark.parametrize("kind", sorted(BLOCKED))
def test_every_reason_the_gate_gives_fails_a_case_that_carries_it(kind: str) -> None:
    verdict = BLOCKED[kind]
    assert verdict.outcome is Outcome.BLOCKED
    found = failures(junit(verdict))
    assert found, f"{kind}: BLOCKED without a failing test case"
    messages = " ".join(f.get("message", "") for f in found.values())
    for reason in verdict.reasons:
        assert reason in messages


def test_blocking_items_are_listed_in_the_failure_body_with_links() -> None:
    verdict = BLOCKED["blocking item"]
    found = failures(junit(verdict, {("t", "P-99"): "https://t.example/P-99"}))
    body = found["implementation"].text or ""
    assert "P-99 [In Progress] open one" in body
    assert "https://t.example/P-99" in body
    assert found["implementation"].get("message", "").startswith("Implementation: 1 of")


def test_a_passing_release_has_one_case_per_check_and_no_failure() -> None:
    acked = POLICY.model_copy(update={"not_applicable": {Category.REQUIREMENTS: "docs only"}})
    ok = [i for i in one_per_category() if LABEL[Category.REQUIREMENTS] not in i.labels]
    verdict = evaluate(ok, [activity("pentest", found=True, complete=True)], acked, NOW, FRESH)
    assert verdict.passed
    root = junit(verdict)
    names = {(c.get("classname"), c.get("name")) for c in root.iter("testcase")}
    assert {("secgate.category", c.value) for c in Category} <= names
    assert ("secgate.acknowledgement", "requirements not applicable: docs only") in names
    assert ("secgate.activity", "pentest") in names
    assert ("secgate.source", "t (P)") in names
    assert ("secgate.source", "sources configured") in names
    assert ("secgate.classification", "unclassified") in names
    assert not failures(root)
    assert root.find("properties/property[@name='verdict']").get("value") == "PASS"  # type: ignore[union-attr]


REASON_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=()), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(st.lists(REASON_TEXT, min_size=1, max_size=5))
def test_any_blocked_verdict_has_a_failing_case_for_every_reason(reasons: list[str]) -> None:
    """Whatever reasons a future gate gives, each fails some case (a catch-all case
    takes those no check claims), and the XML stays valid whatever they contain."""
    base = evaluate(one_per_category(), [], POLICY, NOW, FRESH)
    verdict = base.model_copy(update={"outcome": Outcome.BLOCKED, "reasons": tuple(reasons)})
    found = failures(junit(verdict))
    assert found
    messages = " ".join(f.get("message", "") for f in found.values())
    for reason in reasons:
        assert printable(reason) in messages


HOSTILE = "bad\x00title\x1b[31m\x08\x0c\ufffe\U000e0041 end"


def test_control_characters_xml_cannot_carry_are_escaped_visibly() -> None:
    issue = make(99, Category.IMPLEMENTATION, closed=False, title=HOSTILE)
    verdict = evaluate([*one_per_category(), issue], [], POLICY, NOW, FRESH)
    root = junit(verdict)
    body = failures(root)["implementation"].text or ""
    assert "bad\\x00title\\x1b[31m\\x08\\x0c\\ufffe\\U000e0041 end" in body


MD = MarkdownIt("commonmark").enable("table")
TITLES = [
    "<img src=x onerror=alert(1)>",
    "**bold** _it_ `code` ~~gone~~",
    "[click](javascript:alert(1)) ![i](http://x/i.png)",
    "a | b | c",
    "&lt;script&gt; &amp;",
    "@all #12 :warning: $x$",
    "line1\nline2\r\n# heading",
    "back\\slash\\*",
]


@pytest.mark.parametrize("title", TITLES)
def test_markdown_shows_hostile_titles_as_the_characters_they_hold(title: str) -> None:
    issue = make(99, Category.IMPLEMENTATION, closed=False, title=title)
    verdict = evaluate([*one_per_category(), issue], [], POLICY, NOW, FRESH)
    text = render(report(verdict, {("t", "P-99"): "https://t.example/a b(c)"}), "markdown")
    html = MD.render(text)
    for tag in ("<img", "<script", "<strong>bold", "<em>", "<code>code", "<s>", "<h1>"):
        assert tag not in html
    assert 'href="javascript' not in html
    # The table keeps its four columns whatever the title holds.
    row = next(line for line in text.splitlines() if line.startswith("| category | impl"))
    assert row.replace("\\|", "").count("|") == 5
    # The title reads back literally once rendered (newlines escaped visibly).
    shown = title.replace("\r", "\\x0d").replace("\n", "\\x0a")
    assert shown in unescape(html)
    assert '<a href="https://t.example/a%20b%28c%29">P-99</a>' in html


def test_markdown_links_only_http_urls() -> None:
    issue = make(99, Category.IMPLEMENTATION, closed=False)
    verdict = evaluate([*one_per_category(), issue], [], POLICY, NOW, FRESH)
    text = render(report(verdict, {("t", "P-99"): "javascript:alert(1)"}), "markdown")
    assert "javascript" not in MD.render(text)


def test_markdown_gives_verdict_table_and_reasons() -> None:
    text = render(report(BLOCKED["stale data"]), "markdown")
    assert "release 2.2: **BLOCKED**" in text
    assert "| source | t \\(P\\) | ❌ **blocks** |" in text
    assert "### Blocked because" in text


def test_github_workflow_command_escaping() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_annotations_one_line_each_and_hostile_text_cannot_start_a_command() -> None:
    issue = make(99, Category.IMPLEMENTATION, closed=False, title="x\n::warning::owned, a:b %")
    verdict = evaluate([*one_per_category(), issue], [], POLICY, NOW, FRESH)
    lines = list(github_annotations(report(verdict)))
    assert lines and all(line.startswith("::error title=") for line in lines)
    assert all("\n" not in line and "\r" not in line for line in lines)
    item = next(line for line in lines if "P-99 blocks" in line)
    assert item.startswith("::error title=secgate ipc 2.2%3A P-99 blocks::")
    assert "%25" in item


def test_every_reason_becomes_an_annotation() -> None:
    verdict = BLOCKED["missing issues"]
    lines = list(github_annotations(report(verdict)))
    assert len(lines) >= len(verdict.reasons)


def test_gitlab_section_folds_the_body() -> None:
    text = gitlab_section("secgate_status", "ipc 2.2: PASS", "a\nb\n", collapsed=True)
    first, *middle, last, _ = text.split("\n")
    assert first.startswith("\x1b[0Ksection_start:")
    assert first.endswith("secgate_status[collapsed=true]\r\x1b[0Kipc 2.2: PASS")
    assert middle == ["a", "b"]
    assert last.startswith("\x1b[0Ksection_end:") and last.endswith(":secgate_status\r\x1b[0K")


def test_reports_of_the_same_verdict_are_deterministic() -> None:
    verdict = BLOCKED["blocking item"]
    for fmt in ("text", "json", "junit", "markdown"):
        assert render(report(verdict), fmt) == render(report(verdict), fmt)
