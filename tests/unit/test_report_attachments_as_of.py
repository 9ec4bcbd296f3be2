"""The CI reports (Markdown, JUnit) say when the kept SBOM/VEX attachments were read.

`status` evaluates the attachments the last sync kept; offline that read can be
days old. The text and JSON reports say "as of"; the Markdown summary and the
JUnit file a CI shows must say it too, pass or fail, with the tracker's file
names escaped, and stay as they were when no attachment was evaluated.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html import unescape

import pytest

from secgate_tui.domain import Verdict, evaluate
from secgate_tui.services.reports import GateReport, render
from secgate_tui.services.vex_attachments_kept import AttachmentsRead
from tests.unit.test_gate import FRESH, NOW, POLICY, one_per_category
from tests.unit.test_reports import MD, SCHEMA
from tests.unit.test_vex_gate import assessment

READ_AT = datetime(2026, 12, 1, 9, 14, 3, 517000, tzinfo=UTC)
KEPT = AttachmentsRead(
    issue="IPC-1", names=("ipc-2.1.cdx.json", "ipc-2.1.openvex.json"), read_at=READ_AT
)
NOTE = (
    "SBOM/VEX attachments of IPC-1 as of 2026-12-01T09:14:03Z (the last sync's read): "
    "ipc-2.1.cdx.json, ipc-2.1.openvex.json"
)


def verdict(*, passing: bool) -> Verdict:
    return evaluate(
        one_per_category(),
        [],
        POLICY,
        NOW,
        FRESH,
        vulnerability_assessment=assessment(passing=passing),
    )


def report(v: Verdict, attachments: AttachmentsRead | None = KEPT) -> GateReport:
    return GateReport(
        product="ipc", product_name="Pump", release="2.1", verdict=v, attachments=attachments
    )


def vex_case(xml: str) -> ET.Element:
    SCHEMA.validate(xml)
    root = ET.fromstring(xml)  # noqa: S314 - secgate's own output, schema-checked
    found = root.find("testcase[@name='vulnerability_assessment']")
    assert found is not None
    return found


def read_at_property(xml: str) -> str | None:
    root = ET.fromstring(xml)  # noqa: S314 - secgate's own output
    found = root.find("properties/property[@name='attachments_read_at']")
    return None if found is None else found.get("value")


@pytest.mark.parametrize("passing", [True, False], ids=["pass", "blocked"])
def test_markdown_says_when_the_attachments_were_read(passing: bool) -> None:
    v = verdict(passing=passing)
    assert v.passed is passing
    text = render(report(v), "markdown")
    html = unescape(MD.render(text))
    assert NOTE in html
    # Beside the data's own times, above the checks: seen before any table row.
    assert text.index("SBOM/VEX attachments") < text.index("| Check |")


@pytest.mark.parametrize("passing", [True, False], ids=["pass", "blocked"])
def test_junit_says_when_the_attachments_were_read(passing: bool) -> None:
    xml = render(report(verdict(passing=passing)), "junit")
    case = vex_case(xml)
    if passing:
        shown = case.findtext("system-out") or ""
    else:
        failure = case.find("failure")
        assert failure is not None
        shown = failure.text or ""
    assert NOTE in shown.splitlines()
    assert read_at_property(xml) == "2026-12-01T09:14:03Z"


@pytest.mark.parametrize("passing", [True, False], ids=["pass", "blocked"])
def test_without_kept_attachments_the_reports_are_as_before(passing: bool) -> None:
    v = verdict(passing=passing)
    markdown = render(report(v, None), "markdown")
    xml = render(report(v, None), "junit")
    assert "SBOM/VEX attachments" not in markdown + xml
    assert read_at_property(xml) is None
    if passing:
        assert (vex_case(xml).findtext("system-out") or "").count("\n") == 0


def test_a_hostile_file_name_is_shown_as_the_characters_it_holds() -> None:
    name = "x](javascript:alert(1)) <img src=x> *b* \x1b[2J\n| cell |"
    hostile = AttachmentsRead(issue="IPC-1", names=(name,), read_at=READ_AT)
    text = render(report(verdict(passing=True), hostile), "markdown")
    line = next(line for line in text.splitlines() if "SBOM/VEX attachments" in line)
    html = MD.render(line)
    assert "<img" not in html and "<a " not in html and "<em>" not in html
    assert "\x1b" not in text and not line.startswith("|")
    xml = render(report(verdict(passing=True), hostile), "junit")
    out = vex_case(xml).findtext("system-out") or ""
    assert "\\x1b[2J\\x0a| cell |" in out
