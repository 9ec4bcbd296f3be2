"""The gate's verdict as a report for people and CI pipelines, in every format ``status`` offers.

Each format is one small module (text, JSON, JUnit XML, Markdown) that renders a
:class:`GateReport`; :data:`FORMATS` is the registry ``status --format`` reads.
What a report is made of (the checks and which of the verdict's reasons each
one carries) lives in :mod:`.checks`, so every format tells the same story.
"""

from __future__ import annotations

from collections.abc import Callable

from secgate_tui.services import json_output
from secgate_tui.services.report import verdict_json
from secgate_tui.services.reports.junit import render_junit
from secgate_tui.services.reports.markdown import render_markdown
from secgate_tui.services.reports.model import GateReport, released_json
from secgate_tui.services.reports.text import render_text
from secgate_tui.services.vex_report import attachments_json

__all__ = ["FORMATS", "GateReport", "render"]


def render_json(report: GateReport) -> str:
    data = verdict_json(report.product, report.release, report.verdict)
    if report.authorization is not None:
        data = {**data, "authorization": dict(report.authorization)}
    if report.shipped is not None:
        data = {**data, "released": released_json(report)}
    assessment = data.get("vulnerability_assessment")
    if report.attachments is not None and isinstance(assessment, dict):
        # Only when kept attachments were evaluated: other reports keep their keys.
        data["vulnerability_assessment"] = {
            **assessment,
            "attachments": attachments_json(report.attachments),
        }
    return json_output.dumps(data) + "\n"


#: ``--format`` name -> renderer. Every renderer returns the whole report as text.
FORMATS: dict[str, Callable[[GateReport], str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "markdown": render_markdown,
}


def render(report: GateReport, fmt: str) -> str:
    return FORMATS[fmt](report)
