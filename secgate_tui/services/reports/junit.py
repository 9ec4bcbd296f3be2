"""The verdict as JUnit XML, for CI systems that show test results (GitLab's
``artifacts:reports:junit``, Jenkins, GitHub test reporters).

One test suite for the release; one test case per check of :mod:`.checks`. A
failing case's message is the reason it blocks, its body lists the blocking
items. Tracker text goes through :func:`printable`, which escapes every control,
surrogate and non-character visibly: exactly the characters XML 1.0 cannot
carry are among them, so the file is always well-formed.
"""

from __future__ import annotations

import io
from dataclasses import replace

from junitparser import Failure, TestCase, TestSuite

from secgate_tui import __version__
from secgate_tui.domain import Finding
from secgate_tui.domain.text import printable
from secgate_tui.services.reports.checks import VEX_CHECK, Check, build_checks
from secgate_tui.services.reports.model import GateReport, attachments_note, when

#: The failure type: CI systems show it beside the message.
FAILURE_TYPE = "secgate.blocked"


def _item_line(report: GateReport, finding: Finding) -> str:
    link = report.link(finding.source, finding.key)
    where = f" <{link}>" if link else ""
    return (
        f"{finding.key} [{finding.status}] {finding.title}: {finding.reason}{where}"
        f" (source {finding.source})"
    )


def _case(report: GateReport, check: Check) -> TestCase:
    case = TestCase(printable(check.name), f"secgate.{check.group}", 0.0)
    if check.passed:
        case.system_out = "\n".join(printable(line) for line in (check.summary, *check.notes))
        return case
    failure = Failure(printable("; ".join(check.reasons)), FAILURE_TYPE)
    lines = [*check.reasons, *check.notes]
    if check.items:
        lines.append(f"Blocking items ({len(check.items)}):")
        lines += [_item_line(report, finding) for finding in check.items]
    failure.text = "\n".join(printable(line) for line in lines)
    case.result = [failure]
    return case


def render_junit(report: GateReport) -> str:
    verdict = report.verdict
    suite = TestSuite(printable(f"secgate {report.product} release {report.release}"))
    suite.timestamp = when(verdict.evaluated_at)
    properties = {
        "product": report.product,
        "release": report.release,
        "verdict": verdict.outcome.value,
        "snapshot_digest": f"sha256:{verdict.snapshot_digest}",
        "synced_at": when(verdict.synced_at),
        "evaluated_at": when(verdict.evaluated_at),
        "secgate_version": __version__,
    }
    note = attachments_note(report, printable)
    if note is not None and report.attachments is not None:
        properties["attachments_read_at"] = when(report.attachments.read_at)
    for name, value in properties.items():
        suite.add_property(name, printable(value))
    for check in build_checks(verdict):
        if note is not None and check.name == VEX_CHECK:
            # The kept files' age, pass or fail: offline they are the last sync's read.
            check = replace(check, notes=(*check.notes, note))
        suite.add_testcase(_case(report, check))
    suite.update_statistics()  # type: ignore[no-untyped-call]
    out = io.BytesIO()
    # The suite is the document's root: junitparser's <testsuites> wrapper carries a
    # `skipped` attribute that the published schema (Jenkins junit-10.xsd) does not
    # allow, and GitLab, Jenkins and GitHub reporters all read a <testsuite> root.
    suite.write(out, pretty=True)
    return out.getvalue().decode("utf-8")
