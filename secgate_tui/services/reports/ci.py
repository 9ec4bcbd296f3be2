"""What CI runners read from a job's log: GitHub Actions annotations, GitLab folding.

GitHub Actions turns ``::error title=...::message`` lines into annotations on the
run and the pull request. Its workflow-command escaping is applied to every
value (``%``, CR and LF in the message; also ``:`` and ``,`` in properties),
after :func:`printable` has made tracker text one safe line, so a hostile title
can never end the command early or start another one.

GitLab CI folds a job log between ``section_start`` and ``section_end`` markers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping

from secgate_tui.domain.text import printable
from secgate_tui.services.reports.checks import build_checks
from secgate_tui.services.reports.model import GateReport

#: GitHub shows only the first few annotations of a step; past this many
#: blocking items one annotation says how many more there are.
MAX_ITEM_ANNOTATIONS = 50


def in_github_actions(env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS") == "true"


def in_gitlab_ci(env: Mapping[str, str]) -> bool:
    return env.get("GITLAB_CI") == "true"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def error_annotation(title: str, message: str) -> str:
    return f"::error title={escape_property(printable(title))}::{escape_data(printable(message))}"


def github_annotations(report: GateReport) -> Iterator[str]:
    """One ``::error`` per reason the release is blocked, then one per blocking item."""
    where = f"{report.product} {report.release}"
    failing = [check for check in build_checks(report.verdict) if not check.passed]
    for check in failing:
        for reason in check.reasons:
            yield error_annotation(f"secgate {where}: {check.group} {check.name}", reason)
    items = [finding for check in failing for finding in check.items]
    for finding in items[:MAX_ITEM_ANNOTATIONS]:
        link = report.link(finding.source, finding.key)
        yield error_annotation(
            f"secgate {where}: {finding.key} blocks",
            f"{finding.key} [{finding.status}] {finding.title}: {finding.reason} {link}".rstrip(),
        )
    if len(items) > MAX_ITEM_ANNOTATIONS:
        yield error_annotation(
            f"secgate {where}",
            f"{len(items) - MAX_ITEM_ANNOTATIONS} more blocking item(s): see the report",
        )


def gitlab_section(name: str, header: str, body: str, *, collapsed: bool) -> str:
    """``body`` folded under ``header`` in a GitLab job log (``name``: [A-Za-z0-9_.-])."""
    option = "[collapsed=true]" if collapsed else ""
    start = int(time.time())
    return (
        f"\x1b[0Ksection_start:{start}:{name}{option}\r\x1b[0K{printable(header)}\n"
        f"{body.rstrip(chr(10))}\n"
        f"\x1b[0Ksection_end:{int(time.time())}:{name}\r\x1b[0K\n"
    )
